// A BiomedCLIPSeg-D bundle (tiny random weights, WordPiece tokenizer; src/engine/testing/make_biomed_bundle.py)
// imported as a picked folder into the model store (in-memory Cache Storage), loaded from there and run by the
// engine (onnxruntime-node): WordPiece ids and the same logits as the bundle read from disk. (Logit parity with
// Python: src/worker/parity.node.test.ts, 'tiny BiomedCLIPSeg'.)
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadBundle } from '../engine/bundle';
import type { BundleSource } from '../engine/bundle';
import { createCaches, VlsmEngine } from '../engine/engine';
import { preprocess } from '../engine/preprocess';
import { BIOMED, biomedBundle, pythonSkipReason } from '../engine/testing/python';
import { importFolder, listStoredModels } from './modelStore';
import { fsSource, nodeRuntime } from './nodeRuntime';
import { MemoryCache, rgbScan } from './testing';

const DIR = `${BIOMED}/bundle`;
const runtime = nodeRuntime({ intraOpNumThreads: 1 });

const cacheSource = (cache: MemoryCache, id: string): BundleSource => ({
  label: id,
  async read(path) {
    const r = await cache.match(`http://localhost/user-models/${id}/${path}`);
    if (!r) throw new Error(`not stored: ${path}`);
    return new Uint8Array(await r.arrayBuffer());
  },
});

function scan() {
  const w = 90;
  const h = 70;
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    rgb[3 * i] = (i * 7) % 256;
    rgb[3 * i + 1] = (i * 13) % 256;
    rgb[3 * i + 2] = (i % w) * 2;
  }
  return rgbScan(rgb, w, h);
}

describe('BiomedCLIPSeg bundle in the model manager', () => {
  it('imports as a folder, loads from the store and runs with WordPiece ids', async (ctx) => {
    if (!existsSync(biomedBundle.output)) return ctx.skip(pythonSkipReason());
    const picked = readdirSync(DIR).map((name) => Object.assign(new File([new Uint8Array(readFileSync(`${DIR}/${name}`))], name), { webkitRelativePath: `bundle/${name}` }));
    const cache = new MemoryCache();
    const stored = await importFolder(cache, picked);
    expect(stored).toMatchObject({ id: 'tiny-biomedclipseg-d', source: 'imported folder' });
    expect((await listStoredModels(cache)).map((m) => m.id)).toContain('tiny-biomedclipseg-d');

    const fromStore = await loadBundle(cacheSource(cache, stored.id), { backend: 'wasm', name: 'fp32' });
    expect(fromStore.manifest.architecture).toBe('biomedclipseg-d');
    expect(fromStore.manifest.text).toMatchObject({ tokenizerType: 'wordpiece', maxLength: 64 });
    const engine = await VlsmEngine.create(runtime, fromStore, { caches: createCaches(64, 8) });
    const disk = await VlsmEngine.create(runtime, await loadBundle(fsSource(DIR), { backend: 'wasm', name: 'fp32' }), { caches: createCaches(64, 8) });
    const vocab = (JSON.parse(readFileSync(`${DIR}/tokenizer.json`, 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
    expect(engine.tokenize('Cardiac polyps!')).toEqual(['[CLS]', 'cardi', '##ac', 'polyp', '##s', '!', '[SEP]'].map((t) => vocab[t]));

    const pre = preprocess(scan(), engine.manifest.input);
    expect(pre.dims).toEqual([1, 3, 64, 64]);
    const out = await engine.segment('scan', 'left lung', pre);
    expect(out).toMatchObject({ width: 90, height: 70, modelId: 'tiny-biomedclipseg-d', variant: 'fp32', cache: { image: 'miss', text: 'miss' } });
    await disk.encodeImage('scan', pre);
    const a = (await engine.logits('scan', 'left lung')).data;
    const b = (await disk.logits('scan', 'left lung')).data;
    expect(a.length).toBe(64 * 64);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(new Set(Array.from(a, (v) => v > 0)).size, 'a mask with both classes').toBe(2);
    await engine.dispose();
    await disk.dispose();
  }, 120_000);
});
