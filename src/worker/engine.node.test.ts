// The engine on real ONNX graphs (tiny random CLIPSeg bundles exported by the Python toolchain) through
// onnxruntime-node: caching behaviour, single-graph baseline, variant choice, bad bundles.
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '../engine/bundle';
import { AbortError, createCaches, VlsmEngine } from '../engine/engine';
import { preprocess } from '../engine/preprocess';
import { pythonSkipReason } from '../engine/testing/python';
import { fsSource, nodeRuntime } from './nodeRuntime';
import { ensureTinyBundles, rgbScan, TINY } from './testing';

let ready = false;
const runtime = nodeRuntime({ intraOpNumThreads: 1 });
const scan = rgbScan(Uint8Array.from({ length: 90 * 60 * 3 }, (_, i) => (i * 37) % 256), 90, 60);

async function engineFor(dir: string, variant: string) {
  const bundle = await loadBundle(fsSource(dir), { backend: 'wasm', name: variant });
  return VlsmEngine.create(runtime, bundle, { caches: createCaches(64, 8) });
}

describe('VlsmEngine (onnxruntime-node, tiny CLIPSeg)', () => {
  beforeAll(() => {
    ready = ensureTinyBundles();
  }, 300_000);

  it('encodes once, then new prompts run text+decoder and repeated prompts only the decoder', async (ctx) => {
    if (!ready) return ctx.skip(pythonSkipReason());
    const engine = await engineFor(`${TINY}/split`, 'wasm-int8');
    const pre = preprocess(scan, engine.manifest.input);
    const enc = await engine.encodeImage('scan-1', pre);
    expect(enc.cached).toBe(false);
    expect((await engine.encodeImage('scan-1', pre)).cached).toBe(true);
    const a = await engine.segment('scan-1', 'polyp', pre);
    expect(a.cache).toEqual({ image: 'hit', text: 'miss' });
    expect(a.width).toBe(90);
    expect(a.height).toBe(60);
    expect(a.probabilities.length).toBe(90 * 60);
    expect(a.probabilities.every((p) => p >= 0 && p <= 1)).toBe(true);
    const b = await engine.segment('scan-1', 'polyp', pre);
    expect(b.cache).toEqual({ image: 'hit', text: 'hit' });
    expect(b.timings.textMs).toBe(0);
    expect(Array.from(b.probabilities)).toEqual(Array.from(a.probabilities));
    const c = await engine.segment('scan-2', 'a photo of a cat', pre);
    expect(c.cache.image).toBe('miss');
    expect(c.timings.visionMs).toBeGreaterThan(0);
    expect(engine.caches.images.size).toBe(2);
    expect(engine.variant.graphs.decoder?.precision).toBe('int8'); // wasm-int8 is all int8 (chosen by measurement)
    await engine.dispose();
    expect(engine.caches.images.size).toBe(0);
  });

  it('different prompts give different masks; an aborted signal rejects with AbortError', async (ctx) => {
    if (!ready) return ctx.skip(pythonSkipReason());
    const engine = await engineFor(`${TINY}/split`, 'fp32');
    const pre = preprocess(scan, engine.manifest.input);
    const a = await engine.segment('s', 'polyp', pre);
    const b = await engine.segment('s', 'a large red ulcer on the left', pre);
    expect(Array.from(a.probabilities)).not.toEqual(Array.from(b.probabilities));
    const ac = new AbortController();
    ac.abort();
    await expect(engine.segment('s', 'x', pre, ac.signal)).rejects.toBeInstanceOf(AbortError);
    await engine.dispose();
  });

  it('runs single-graph bundles without caching and matches the split graphs', async (ctx) => {
    if (!ready) return ctx.skip(pythonSkipReason());
    const single = await engineFor(`${TINY}/single`, 'fp32');
    const split = await engineFor(`${TINY}/split`, 'fp32');
    const pre = preprocess(scan, single.manifest.input);
    const s1 = await single.segment('s', 'polyp', pre);
    const s2 = await single.segment('s', 'polyp', pre);
    expect(s1.cache).toEqual({ image: 'miss', text: 'miss' });
    expect(s2.cache).toEqual({ image: 'miss', text: 'miss' });
    const p = await split.segment('s', 'polyp', pre);
    let d = 0;
    for (let i = 0; i < p.probabilities.length; i++) d = Math.max(d, Math.abs(p.probabilities[i] - s1.probabilities[i]));
    expect(d).toBeLessThan(1e-4);
    await single.dispose();
    await split.dispose();
  });

  it('rejects wrong and partial bundles with a clear message', async (ctx) => {
    if (!ready) return ctx.skip(pythonSkipReason());
    const dir = mkdtempSync(join(tmpdir(), 'vlsm-bad-'));
    try {
      cpSync(`${TINY}/split`, dir, { recursive: true });
      writeFileSync(join(dir, 'decoder.fp32.onnx'), readFileSync(join(dir, 'decoder.fp32.onnx')).subarray(0, 100));
      await expect(loadBundle(fsSource(dir), { backend: 'wasm', name: 'fp32' })).rejects.toThrow(/partial or wrong file/);
      rmSync(join(dir, 'decoder.fp32.onnx'));
      await expect(loadBundle(fsSource(dir), { backend: 'wasm', name: 'fp32' })).rejects.toThrow(/missing 'decoder.fp32.onnx'/);
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      delete m.input;
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
      await expect(loadBundle(fsSource(dir), { backend: 'wasm' })).rejects.toThrow(/does not match the bundle schema.*input/);
      rmSync(join(dir, 'manifest.json'));
      await expect(loadBundle(fsSource(dir), { backend: 'wasm' })).rejects.toThrow(/no manifest.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
