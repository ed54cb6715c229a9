// The scan layer's display region: screen-sized, snapped to the step grid, the frame's own pixels when zoomed in.
import { describe, expect, it } from 'vitest';
import type { Scan } from '../scan/types';
import { fitTransform } from './coords';
import { covers, displayRegion, regionSize, sampleRows } from './scanDisplay';

function scan(width: number, height: number, channels = 1): Scan {
  const data = new Uint16Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = i % 65536;
  return {
    name: 't', format: 'png', width, height, frames: 1, channels, dtype: 'uint16', data, shape: channels > 1 ? [height, width, channels] : [height, width],
    window: { center: 100, width: 200 }, range: [0, 65535], spacing: [1, 1], spacingKnown: false, photometric: 'MONOCHROME2',
  } as unknown as Scan;
}

describe('displayRegion', () => {
  it('fits an 8000² frame into a screen-sized bitmap (at least one bitmap pixel per screen pixel, fewer than two)', () => {
    const box = { w: 1000, h: 800 };
    const t = fitTransform(8000, 8000, box.w, box.h);
    const r = displayRegion(t, box, 8000, 8000)!;
    expect(r).toMatchObject({ x0: 0, y0: 0, x1: 8000, y1: 8000 });
    expect(r.step).toBe(Math.floor(1 / t.scale));
    const { width, height } = regionSize(r);
    expect(width).toBeGreaterThanOrEqual(8000 * t.scale);
    expect(width).toBeLessThan(2 * 8000 * t.scale);
    expect(height).toBe(width);
  });

  it('zoomed in past one screen pixel per image pixel: step 1, only the part in view (padded)', () => {
    const box = { w: 400, h: 300 };
    const t = { scale: 4, x: -4000 * 4, y: -2000 * 4 };
    expect(displayRegion(t, box, 8000, 8000)).toEqual({ x0: 4000, y0: 2000, x1: 4100, y1: 2075, step: 1 });
    expect(displayRegion(t, box, 8000, 8000, 1, 0.25)).toEqual({ x0: 3975, y0: 1981, x1: 4125, y1: 2094, step: 1 });
    // device pixels count: a 2x screen halves the step
    expect(displayRegion({ scale: 0.25, x: 0, y: 0 }, box, 8000, 8000, 2)!.step).toBe(2);
  });

  it('follows the orientation matrix (a transposed, stretched volume slice)', () => {
    const t = { scale: 1, x: 0, y: 0, o: [0, 3, 1, 0, 0, 0] as [number, number, number, number, number, number] };
    const r = displayRegion(t, { w: 90, h: 60 }, 512, 512)!;
    // screen x = image y, screen y = 3 × image x
    expect(r).toEqual({ x0: 0, y0: 0, x1: 20, y1: 90, step: 1 });
  });

  it('is null when nothing of the frame is in view', () => {
    expect(displayRegion({ scale: 1, x: 5000, y: 0 }, { w: 100, h: 100 }, 200, 200)).toBeNull();
  });

  it('covers: same step and at least the rectangle', () => {
    const a = { x0: 0, y0: 0, x1: 100, y1: 100, step: 1 };
    expect(covers(a, { x0: 10, y0: 10, x1: 90, y1: 100, step: 1 })).toBe(true);
    expect(covers(a, { x0: 10, y0: 10, x1: 101, y1: 100, step: 1 })).toBe(false);
    expect(covers(a, { x0: 10, y0: 10, x1: 90, y1: 90, step: 2 })).toBe(false);
    expect(covers(null, a)).toBe(false);
  });
});

describe('sampleRows', () => {
  it('step 1 copies the frame’s own values', () => {
    const s = scan(10, 8);
    const part = sampleRows(s, 0, { x0: 2, y0: 3, x1: 6, y1: 8, step: 1 }, 1, 3);
    expect([part.width, part.height]).toEqual([4, 2]);
    expect(Array.from(part.data)).toEqual([42, 43, 44, 45, 52, 53, 54, 55]);
  });

  it('step k averages the four taps of each block, per channel, clamped at the edge', () => {
    const s = scan(5, 4, 2);
    const part = sampleRows(s, 0, { x0: 0, y0: 0, x1: 5, y1: 4, step: 4 }, 0, 1);
    expect([part.width, part.height]).toEqual([2, 1]);
    // block (0,0): taps (0,0) (2,0) (0,2) (2,2); block (4,0): x 4 and min(4, 6) = 4
    const v = (x: number, y: number, ch: number) => (y * 5 + x) * 2 + ch;
    expect(Array.from(part.data)).toEqual([
      (v(0, 0, 0) + v(2, 0, 0) + v(0, 2, 0) + v(2, 2, 0)) / 4,
      (v(0, 0, 1) + v(2, 0, 1) + v(0, 2, 1) + v(2, 2, 1)) / 4,
      (v(4, 0, 0) * 2 + v(4, 2, 0) * 2) / 4,
      (v(4, 0, 1) * 2 + v(4, 2, 1) * 2) / 4,
    ]);
  });
});
