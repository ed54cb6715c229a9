// Region growing by image intensity (the fill tool's "magic wand").
import { describe, expect, it } from 'vitest';
import { growRegion } from './flood';
import { createMask, countForeground } from './types';

/** 40x30 grey image: background 20, a bright disc (200 +- 10) at (12, 15) r 8, a bright bar at x 30..34 not touching it. */
function image(): Uint8Array {
  const w = 40;
  const g = new Uint8Array(w * 30).fill(20);
  for (let y = 0; y < 30; y++) {
    for (let x = 0; x < w; x++) {
      if ((x - 12) ** 2 + (y - 15) ** 2 <= 64) g[y * w + x] = 195 + ((x + y) % 3) * 5;
      if (x >= 30 && x <= 34) g[y * w + x] = 200;
    }
  }
  return g;
}

describe('growRegion', () => {
  it('fills the connected pixels of similar intensity only, and adds to what the mask had', () => {
    const g = image();
    const m = createMask(40, 30);
    m.data[0] = 1;
    const res = growRegion(m, g, 12, 15, 15);
    const disc = [...g].filter((v, i) => v >= 190 && i % 40 < 25).length;
    expect(res.filled).toBe(disc);
    expect(res.truncated).toBe(false);
    // the bar is as bright but not connected: untouched; the mask's earlier pixel stays
    for (let y = 0; y < 30; y++) expect(m.data[y * 40 + 32]).toBe(0);
    expect(m.data[0]).toBe(1);
    expect(countForeground(m.data)).toBe(disc + 1);
    expect(res.rect).toEqual({ x0: 4, y0: 7, x1: 21, y1: 24 });
  });

  it('a tolerance that spans both intensities floods everything connected; a budget truncates', () => {
    const g = image();
    const all = createMask(40, 30);
    expect(growRegion(all, g, 0, 0, 255).filled).toBe(40 * 30);
    const none = createMask(40, 30);
    expect(growRegion(none, g, 12, 15, 0).filled).toBeLessThan(100);
    const capped = createMask(40, 30);
    const res = growRegion(capped, g, 0, 0, 255, 100);
    expect(res).toMatchObject({ filled: 100, truncated: true });
    expect(countForeground(capped.data)).toBe(100);
    expect(growRegion(createMask(40, 30), g, -1, 5, 10).filled).toBe(0);
  });
});
