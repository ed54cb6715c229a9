// An image-only bundle (kind 'image-only': one vision graph giving a logits channel per class, no text graph,
// no tokenizer) through the real engine on onnxruntime-node: the tiny random U-Net exported by the toolchain
// (python -m vlsm.unet export --random-init). The engine's channel must equal the graph's own output channel,
// run straight through onnxruntime-node on the same pixels; the empty prompt gives their maximum; a prompt
// naming no class is refused with words; the vision graph runs once per scan.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { loadBundle } from '../engine/bundle';
import { IMAGE_ONLY_NOTE, pickChannel, UnknownClassError } from '../engine/channels';
import { createCaches, VlsmEngine } from '../engine/engine';
import { parseManifest, variantFiles } from '../engine/manifest';
import { preprocess } from '../engine/preprocess';
import { pythonSkipReason } from '../engine/testing/python';
import { fsSource, nodeRuntime } from './nodeRuntime';
import { ensureTinyBundles, rgbScan, TINY } from './testing';

const DIR = `${TINY}/image-only`;
let ready = false;
const scan = rgbScan(Uint8Array.from({ length: 90 * 60 * 3 }, (_, i) => (i * 53 + (i % 7) * 11) % 256), 90, 60);

describe('image-only bundle (tiny random U-Net, onnxruntime-node)', () => {
  beforeAll(() => {
    ready = ensureTinyBundles();
  }, 300_000);

  it('has no tokenizer and no text graph; its manifest lists the channels', (ctx) => {
    if (!ready) return ctx.skip(pythonSkipReason());
    const m = parseManifest(readFileSync(`${DIR}/manifest.json`, 'utf8'));
    expect(m.kind).toBe('image-only');
    expect(m.text).toBeUndefined();
    expect(Object.keys(m.variants[0].graphs)).toEqual(['vision']);
    expect(variantFiles(m, m.variants[0]).map((f) => f.path)).toEqual(['vision.fp32.onnx']);
    expect(m.output.channels?.map((c) => c.name)).toEqual(['polyp', 'breast tumor', 'foot ulcer', 'skin lesion', 'lungs', 'left lung', 'right lung', 'right ventricle', 'myocardium', 'left ventricle']);
  });

  it('answers a prompt with the channel it names, the empty prompt with all of them, and refuses other words', async (ctx) => {
    if (!ready) return ctx.skip(pythonSkipReason());
    const bundle = await loadBundle(fsSource(DIR), { backend: 'wasm' });
    const engine = await VlsmEngine.create(nodeRuntime({ intraOpNumThreads: 1 }), bundle, { caches: createCaches(16, 4) });
    const pre = preprocess(scan, engine.manifest.input);
    const direct = await ort.InferenceSession.create(readFileSync(`${DIR}/vision.fp32.onnx`));
    const out = (await direct.run({ pixel_values: new ort.Tensor('float32', pre.pixelValues, pre.dims) })).logits;
    const [, C, H, W] = out.dims;
    const raw = out.data as Float32Array;
    const plane = H * W;
    const channel = (c: number) => Array.from(raw.subarray(c * plane, (c + 1) * plane));

    const first = await engine.segment('s1', 'left lung', pre);
    expect(first.cache.image).toBe('miss');
    expect(first.width).toBe(90);
    expect(first.height).toBe(60);
    expect(first.probabilities.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(engine.tokenize('left lung')).toEqual([]);

    const names = engine.manifest.output.channels!.map((c) => c.name);
    const cases: [string, string][] = [
      ['left lung', 'left lung'],
      ['one small pink round polyp, located in right of the image', 'polyp'],
      ['Left ventricular myocardium', 'myocardium'],
      ['the lung fields', 'lungs'],
      ['RV', 'right ventricle'],
      ['diabetic foot ulcer', 'foot ulcer'],
    ];
    const seen = new Set<string>();
    for (const [prompt, want] of cases) {
      expect(engine.channelFor(prompt)).toBe(want);
      const r = await engine.logits('s1', prompt);
      expect([r.width, r.height]).toEqual([W, H]);
      const key = Array.from(r.data.subarray(0, 16)).join(',');
      seen.add(key);
      expect(Array.from(r.data)).toEqual(channel(names.indexOf(want)));
    }
    expect(seen.size).toBe(cases.length); // random weights: every channel differs
    const all = await engine.logits('s1', '');
    const max = Array.from({ length: plane }, (_, i) => Math.max(...Array.from({ length: C }, (_, c) => raw[c * plane + i])));
    expect(Array.from(all.data)).toEqual(max);

    const again = await engine.segment('s1', 'polyp', pre);
    expect(again.cache.image).toBe('hit');
    expect(again.timings.visionMs).toBeUndefined();
    await expect(engine.segment('s1', 'a photo of a cat', pre)).rejects.toThrow(UnknownClassError);
    await expect(engine.segment('s1', 'a photo of a cat', pre)).rejects.toThrow(`${IMAGE_ONLY_NOTE}: 'a photo of a cat' names none of its classes`);
    await engine.dispose();
    await direct.release();
  });
});

describe('pickChannel', () => {
  const channels = [
    { name: 'lungs', words: ['lungs', 'lung fields'] },
    { name: 'left lung', words: ['left lung'] },
    { name: 'left ventricle', words: ['left ventricle', 'lv'] },
    { name: 'myocardium', words: ['myocardium', 'left ventricular myocardium'] },
  ];
  it('takes the longest whole-word match, then the earliest; empty means all; none is null', () => {
    expect(pickChannel('', channels)).toBe('all');
    expect(pickChannel('  ', channels)).toBe('all');
    expect(pickChannel('left lung', channels)).toBe(1);
    expect(pickChannel('lungs and the left lung', channels)).toBe(1);
    expect(pickChannel('left ventricular myocardium', channels)).toBe(3);
    expect(pickChannel('left ventricle, then the myocardium', channels)).toBe(2);
    expect(pickChannel('LV.', channels)).toBe(2);
    expect(pickChannel('solve this', channels)).toBeNull(); // 'lv' inside a word is not the word
    expect(pickChannel('a photo of a cat', channels)).toBeNull();
  });
});
