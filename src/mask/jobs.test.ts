import { describe, expect, it } from 'vitest';
import { canShare, maskSuggestion, runMaskJob, type MaskJob } from './jobs';
import { maskAttributes } from './attributes';
import { shapeWord } from './appearance';
import { resizeBilinear } from './resize';
import { paintDisc } from './paint';
import { renderBinary } from './render';
import { scoreRun, type ScoreInputs } from './scores';
import { threshold } from './threshold';
import { fullRect, type Mask } from './types';

const W = 300;
const H = 200;

function disc(cx: number, cy: number, r: number): Mask {
  const m: Mask = { width: W, height: H, data: new Uint8Array(W * H) };
  paintDisc(m, cx, cy, r, 1);
  return m;
}

function inputs(spacingKnown: boolean): ScoreInputs {
  const mask = disc(120, 90, 40);
  paintDisc(mask, 250, 160, 12, 1); // a second component far from the reference: HD95 is not trivial
  const probs = Float32Array.from(mask.data, (v, i) => (v ? 0.6 + (i % 7) / 20 : (i % 5) / 20));
  return { mask, probs, reference: disc(135, 100, 45), emptyPromptMask: disc(60, 60, 30), spacing: [0.7, 0.4], spacingKnown };
}

/** What a worker sees: the job after a structured clone, as postMessage delivers it. */
const viaMessage = (job: MaskJob): MaskJob => structuredClone(job);

describe('mask jobs (what the mask worker runs)', () => {
  it('score: identical numbers to scoreRun, in mm and in pixels', () => {
    const a = inputs(true);
    const b = inputs(false);
    const { result } = runMaskJob(viaMessage({ type: 'score', items: [{ key: 'a', inputs: a }, { key: 'b', inputs: b }] }));
    if (result.type !== 'score') throw new Error('wrong result');
    expect(result.scores.map((s) => s.key)).toEqual(['a', 'b']);
    expect(result.scores[0].scores).toEqual(scoreRun(a));
    expect(result.scores[1].scores).toEqual(scoreRun(b));
    expect(result.scores[0].scores.hd95Mm).toBeGreaterThan(0);
    expect(result.scores[1].scores.hd95Px).toBeGreaterThan(0);
    expect(result.scores[0].scores.dice).toBeGreaterThan(0);
    expect(result.scores[0].scores.dice).toBeLessThan(1);
  });

  it('prepareRun: the thresholded mask and its binary overlay, buffers listed for transfer', () => {
    const { probs } = inputs(true);
    const rgb = [10, 200, 30] as const;
    const { result, transfer } = runMaskJob(viaMessage({ type: 'prepareRun', probs, width: W, height: H, threshold: 0.5, rgb }));
    if (result.type !== 'prepareRun') throw new Error('wrong result');
    const mask = threshold(probs, 0.5);
    expect(result.mask).toEqual({ width: W, height: H, data: mask });
    expect(result.rgba).toEqual(renderBinary({ width: W, height: H, data: mask }, fullRect({ width: W, height: H }), rgb));
    expect(result.probs).toEqual(probs);
    expect(transfer).toEqual([result.rgba.buffer, result.probs.buffer, result.mask.data.buffer]);
  });

  it('prepareRun resizes the model output to the scan (bilinear) before thresholding it', () => {
    const small = new Float32Array([0, 1, 0.2, 0.9, 0.4, 0.6]);
    const { result } = runMaskJob(viaMessage({ type: 'prepareRun', probs: small, srcWidth: 3, srcHeight: 2, width: 7, height: 5, threshold: 0.5, rgb: [1, 2, 3], shared: true }));
    if (result.type !== 'prepareRun') throw new Error('wrong result');
    const big = resizeBilinear(small, 3, 2, 7, 5);
    expect(Array.from(result.probs)).toEqual(Array.from(big));
    expect(result.mask.data).toEqual(threshold(big, 0.5));
    // no SharedArrayBuffer outside a cross-origin isolated page: own buffers, as before
    expect(canShare()).toBe(false);
    expect(result.probs.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('prepareRun reads the mask for prompt suggestions as the page would: attributes on a 512 grid, shape of the largest component', () => {
    // two discs on a 1200 x 800 result (sampled onto 512 x 341 for components and shape)
    const w = 1200;
    const h = 800;
    const probs = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x - 300) ** 2 + (y - 400) ** 2 < 150 ** 2 || ((x - 950) / 2) ** 2 + (y - 200) ** 2 < 60 ** 2) probs[y * w + x] = 0.9;
    const { result } = runMaskJob(viaMessage({ type: 'prepareRun', probs, width: w, height: h, threshold: 0.5, rgb: [1, 2, 3] }));
    if (result.type !== 'prepareRun') throw new Error('wrong result');
    const mask = { width: w, height: h, data: threshold(probs, 0.5) };
    expect(result.suggestion).toEqual(maskSuggestion(mask));
    expect(result.suggestion.attributes).toEqual(maskAttributes(mask, 512));
    expect(result.suggestion.attributes.count).toBe(2);
    expect(result.suggestion.shape).toBe('round');
    expect(shapeWord(mask)).toBe('round');
    // an empty result: empty attributes, no shape
    const none = runMaskJob({ type: 'prepareRun', probs: new Float32Array(w * h), width: w, height: h, threshold: 0.5, rgb: [1, 2, 3] }).result;
    if (none.type !== 'prepareRun') throw new Error('wrong result');
    expect(none.suggestion.attributes.empty).toBe(true);
    expect(none.suggestion.shape).toBeNull();
  });

  it('prepareRun refuses probabilities of the wrong size', () => {
    expect(() => runMaskJob({ type: 'prepareRun', probs: new Float32Array(10), width: W, height: H, threshold: 0.5, rgb: [0, 0, 0] })).toThrow(/do not match/);
  });
});
