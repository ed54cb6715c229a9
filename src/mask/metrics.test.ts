import { describe, expect, it } from 'vitest';
import { createMask } from './types';
import { area, dice, hausdorff95, iou, meanConfidence } from './metrics';
import { squaredDistanceToSeeds } from './distance';
import { fillPolygon } from './polygon';

function rect(w: number, h: number, x0: number, y0: number, x1: number, y1: number) {
  const m = createMask(w, h);
  fillPolygon(m, [{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }], 1);
  return m;
}

describe('metrics', () => {
  it('Dice and IoU of known overlaps', () => {
    const a = rect(20, 20, 0, 0, 10, 10); // 100 px
    const b = rect(20, 20, 5, 0, 15, 10); // 100 px, overlap 50
    expect(dice(a, b)).toBeCloseTo(0.5);
    expect(iou(a, b)).toBeCloseTo(50 / 150);
    expect(dice(a, a)).toBe(1);
    expect(dice(createMask(4, 4), createMask(4, 4))).toBe(1);
    expect(dice(a, createMask(20, 20))).toBe(0);
    expect(() => dice(a, createMask(3, 3))).toThrow(/size/);
  });

  it('distance transform matches brute force with anisotropic spacing', () => {
    const w = 13;
    const h = 9;
    const seed = new Uint8Array(w * h);
    seed[2 * w + 3] = 1;
    seed[7 * w + 10] = 1;
    const d = squaredDistanceToSeeds(seed, w, h, 0.5, 2);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const a = ((x - 3) * 0.5) ** 2 + ((y - 2) * 2) ** 2;
      const b = ((x - 10) * 0.5) ** 2 + ((y - 7) * 2) ** 2;
      expect(d[y * w + x]).toBeCloseTo(Math.min(a, b), 6);
    }
  });

  it('HD95 of a shifted square is the shift, scaled by spacing', () => {
    const a = rect(60, 60, 10, 10, 30, 30);
    const b = rect(60, 60, 14, 10, 34, 30);
    expect(hausdorff95(a, a)).toBe(0);
    const hd = hausdorff95(a, b) as number;
    expect(hd).toBeGreaterThan(3);
    expect(hd).toBeLessThanOrEqual(4);
    expect(hausdorff95(a, b, [0.5, 0.5])).toBeCloseTo(hd * 0.5);
    expect(hausdorff95(a, createMask(60, 60))).toBeNull();
  });

  it('area and mean confidence', () => {
    const m = rect(10, 10, 0, 0, 5, 2);
    expect(area(m, [0.5, 2])).toEqual({ pixels: 10, mm2: 10, fraction: 0.1 });
    const p = new Float32Array(100).fill(0.2);
    for (let i = 0; i < 5; i++) p[i] = 0.8;
    expect(meanConfidence(p, m)).toBeCloseTo(0.5);
    expect(meanConfidence(p, createMask(10, 10))).toBeNull();
  });
});
