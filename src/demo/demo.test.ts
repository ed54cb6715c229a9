// Demo generators: determinism, plausible ground truth, prompts from the mask, size invariance.
import { describe, expect, it } from 'vitest';
import { DEMO_KINDS, makeDemo } from './index';
import { locationWord, sizeWord } from './describe';

const mean = (scan: ReturnType<typeof makeDemo>['scan'], mask: Uint8Array, inside: boolean) => {
  let s = 0;
  let n = 0;
  const c = scan.channels;
  for (let i = 0; i < mask.length; i++) {
    if ((mask[i] === 1) !== inside) continue;
    for (let k = 0; k < c; k++) s += scan.data[i * c + k];
    n += c;
  }
  return s / n;
};

describe('demo generators', () => {
  it.each(DEMO_KINDS)('%s is deterministic per seed and differs between seeds', (kind) => {
    const a = makeDemo(kind, 7, 96);
    const b = makeDemo(kind, 7, 96);
    const c = makeDemo(kind, 8, 96);
    expect(Buffer.from(a.scan.data as Uint8Array).equals(Buffer.from(b.scan.data as Uint8Array))).toBe(true);
    expect(Buffer.from(a.mask).equals(Buffer.from(b.mask))).toBe(true);
    expect(a.prompt).toBe(b.prompt);
    expect(Buffer.from(a.scan.data as Uint8Array).equals(Buffer.from(c.scan.data as Uint8Array))).toBe(false);
  });

  it.each(DEMO_KINDS)('%s has a plausible ground truth that differs visibly from its surroundings', (kind) => {
    for (const seed of [1, 2, 3]) {
      const d = makeDemo(kind, seed, 128);
      expect(d.scan.width).toBe(128);
      expect(d.scan.data.length).toBe(128 * 128 * d.scan.channels);
      expect(d.mask.length).toBe(128 * 128);
      expect(d.stats.areaFraction).toBeGreaterThan(0.005);
      expect(d.stats.areaFraction).toBeLessThan(0.5);
      expect(Math.abs(mean(d.scan, d.mask, true) - mean(d.scan, d.mask, false))).toBeGreaterThan(10);
      expect(d.prompt.length).toBeGreaterThan(5);
    }
  });

  it('the prompt states the size and location computed from the mask', () => {
    const d = makeDemo('endoscopy', 11, 128);
    expect(d.prompt).toContain(sizeWord(d.stats.areaFraction));
    expect(d.prompt).toContain(`located in ${locationWord(d.stats.cu, d.stats.cv)} of the image`);
    expect(makeDemo('xray', 1, 64).prompt).toMatch(/two .*lungs/);
  });

  it('the same seed gives the same geometry at different sizes', () => {
    const small = makeDemo('ultrasound', 5, 64).stats;
    const big = makeDemo('ultrasound', 5, 256).stats;
    expect(Math.abs(small.areaFraction - big.areaFraction)).toBeLessThan(0.01);
    expect(Math.abs(small.cu - big.cu)).toBeLessThan(0.02);
  });

  it('chest x-ray masks have two lungs, one on each side', () => {
    const d = makeDemo('xray', 4, 128);
    let leftHalf = 0;
    let rightHalf = 0;
    for (let i = 0; i < d.mask.length; i++) {
      if (!d.mask[i]) continue;
      if (i % 128 < 64) leftHalf++;
      else rightHalf++;
    }
    expect(leftHalf).toBeGreaterThan(200);
    expect(rightHalf).toBeGreaterThan(200);
  });

  it('rejects silly sizes', () => {
    expect(() => makeDemo('xray', 1, 3)).toThrow(/size/);
  });
});

describe('prompt words', () => {
  it('maps area fractions and centroids as the design says', () => {
    expect(sizeWord(0.31)).toBe('large');
    expect(sizeWord(0.09)).toBe('medium');
    expect(sizeWord(0.0005)).toBe('tiny');
    expect(sizeWord(0.02)).toBe('small');
    expect(locationWord(0.1, 0.1)).toBe('top left');
    expect(locationWord(0.5, 0.5)).toBe('center');
    expect(locationWord(0.9, 0.5)).toBe('right');
    expect(locationWord(0.5, 0.95)).toBe('bottom');
  });
});
