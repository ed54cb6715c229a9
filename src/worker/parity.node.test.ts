// Parity: the TypeScript engine (onnxruntime-node) against the Python toolchain (PIL + tokenizers +
// onnxruntime Python, src/engine/testing/parity_reference.py) on the same image and prompts.
// fp32: max |Δlogit| <= 1e-3 (relative to the logit range: random weights give logits in the thousands); int8: mask Dice >= 0.99.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadBundle } from '../engine/bundle';
import { createCaches, VlsmEngine } from '../engine/engine';
import { preprocess } from '../engine/preprocess';
import { dice } from '../engine/postprocess';
import { CRIS, PARITY_CASES, parityReference, pythonSkipReason, tinyCris } from '../engine/testing/python';
import { fsSource, nodeRuntime } from './nodeRuntime';
import { ensureTinyBundles, rgbScan, TINY } from './testing';

const f32 = (p: string) => new Float32Array(new Uint8Array(readFileSync(p)).buffer);
const runtime = nodeRuntime({ intraOpNumThreads: 1 });

interface Meta {
  width: number;
  height: number;
  prompts: string[];
  ids: number[][];
}

describe('engine vs Python toolchain parity', () => {
  const tiny = ensureTinyBundles();

  for (const c of PARITY_CASES) {
    it(`${c.label}: same pixel_values, token ids and logits`, async (ctx) => {
      if (c.dir.startsWith(TINY) && !tiny) return ctx.skip(pythonSkipReason());
      if (c.dir.startsWith(CRIS) && !existsSync(tinyCris.output)) return ctx.skip(pythonSkipReason());
      // A bundle the global setup builds (models/build) is a failure under CI when missing; a shipped one may be absent.
      if (!existsSync(`${c.dir}/manifest.json`)) return ctx.skip(c.dir.startsWith('models/build/') ? pythonSkipReason() : `${c.dir} not present`);
      const ref = parityReference(c.dir, c.variant);
      if (!existsSync(ref.output)) return ctx.skip(pythonSkipReason());
      const out = dirname(ref.output);
      const meta = JSON.parse(readFileSync(`${out}/meta.json`, 'utf8')) as Meta;
      const bundle = await loadBundle(fsSource(c.dir), { backend: 'wasm', name: c.variant });
      const engine = await VlsmEngine.create(runtime, bundle, { caches: createCaches(256, 16) });
      const scan = rgbScan(new Uint8Array(readFileSync(`${out}/image.u8`)), meta.width, meta.height);
      const pre = preprocess(scan, engine.manifest.input);
      const pyPixels = f32(`${out}/pixel_values.f32`);
      let dp = 0;
      for (let i = 0; i < pyPixels.length; i++) dp = Math.max(dp, Math.abs(pyPixels[i] - pre.pixelValues[i]));
      expect(dp, 'pixel_values max |Δ|').toBeLessThan(1e-5);
      await engine.encodeImage('parity', pre);
      const report: string[] = [];
      for (const [i, prompt] of meta.prompts.entries()) {
        expect(engine.tokenize(prompt), `ids of '${prompt}'`).toEqual(meta.ids[i]);
        const want = f32(`${out}/logits_${i}.f32`);
        const got = (await engine.logits('parity', prompt)).data;
        expect(got.length).toBe(want.length);
        let d = 0;
        let scale = 0;
        for (let k = 0; k < want.length; k++) {
          d = Math.max(d, Math.abs(want[k] - got[k]));
          scale = Math.max(scale, Math.abs(want[k]));
        }
        const dc = dice(binary(got), binary(want));
        report.push(`'${prompt.slice(0, 20)}': max|Δ|=${d.toExponential(2)} (range ${scale.toFixed(2)}) dice=${dc.toFixed(4)}`);
        if (c.exact) expect(d, `fp32 logits '${prompt}'`).toBeLessThanOrEqual(1e-3 * Math.max(1, scale));
        expect(dc, `mask Dice '${prompt}'`).toBeGreaterThanOrEqual(0.99);
      }
      console.info(`[parity] ${c.label}\n  ${report.join('\n  ')}`);
      await engine.dispose();
    }, 300_000);
  }
});

function binary(logits: Float32Array): Uint8Array {
  return Uint8Array.from(logits, (v) => (v >= 0 ? 1 : 0));
}
