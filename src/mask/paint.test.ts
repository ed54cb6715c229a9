import { describe, expect, it } from 'vitest';
import { createMask, countForeground } from './types';
import { paintCapsule, paintDisc } from './paint';
import { fillPolygon } from './polygon';
import { floodFill } from './flood';

describe('paint', () => {
  it('paints a disc whose area is close to pi r^2 and reports its dirty rect', () => {
    const m = createMask(100, 100);
    const r = paintDisc(m, 50, 50, 10, 1);
    const n = countForeground(m.data);
    expect(Math.abs(n - Math.PI * 100) / (Math.PI * 100)).toBeLessThan(0.05);
    expect(r).toEqual({ x0: 40, y0: 40, x1: 60, y1: 60 });
    // nothing outside the rect
    for (let y = 0; y < 100; y++) for (let x = 0; x < 100; x++) if (m.data[y * 100 + x]) {
      expect(x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1).toBe(true);
    }
  });

  it('eraser is the same brush writing 0', () => {
    const m = createMask(50, 50);
    m.data.fill(1);
    paintDisc(m, 25, 25, 5, 0);
    expect(m.data[25 * 50 + 25]).toBe(0);
    expect(m.data[0]).toBe(1);
  });

  it('capsule covers the segment and clips at the border', () => {
    const m = createMask(64, 32);
    const r = paintCapsule(m, { x: -10, y: 16 }, { x: 80, y: 16 }, 3, 1);
    for (let x = 0; x < 64; x++) expect(m.data[16 * 64 + x]).toBe(1);
    expect(r.x0).toBe(0);
    expect(r.x1).toBe(64);
    expect(m.data[5 * 64 + 30]).toBe(0);
  });

  it('a disc fully outside touches nothing', () => {
    const m = createMask(10, 10);
    const r = paintDisc(m, -50, -50, 3, 1);
    expect(countForeground(m.data)).toBe(0);
    expect(r.x1 > r.x0).toBe(false);
  });
});

describe('polygon', () => {
  it('fills an axis-aligned square exactly', () => {
    const m = createMask(20, 20);
    fillPolygon(m, [{ x: 5, y: 5 }, { x: 15, y: 5 }, { x: 15, y: 15 }, { x: 5, y: 15 }], 1);
    expect(countForeground(m.data)).toBe(100);
    expect(m.data[5 * 20 + 5]).toBe(1);
    expect(m.data[15 * 20 + 15]).toBe(0);
  });

  it('fills a triangle with about half the area of its box and cuts with 0', () => {
    const m = createMask(100, 100);
    fillPolygon(m, [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 0, y: 100 }], 1);
    expect(Math.abs(countForeground(m.data) - 5000)).toBeLessThan(150);
    fillPolygon(m, [{ x: 0, y: 0 }, { x: 50, y: 0 }, { x: 50, y: 50 }, { x: 0, y: 50 }], 0);
    expect(m.data[10 * 100 + 10]).toBe(0);
    expect(m.data[60 * 100 + 10]).toBe(1);
  });

  it('ignores degenerate polygons', () => {
    const m = createMask(10, 10);
    fillPolygon(m, [{ x: 1, y: 1 }, { x: 5, y: 5 }], 1);
    expect(countForeground(m.data)).toBe(0);
  });
});

describe('flood fill', () => {
  it('fills a hole 4-connected without leaking through diagonals', () => {
    const m = createMask(7, 7);
    // ring of 1s around (3,3) with a diagonal gap at a corner
    for (let i = 1; i <= 5; i++) {
      m.data[1 * 7 + i] = 1;
      m.data[5 * 7 + i] = 1;
      m.data[i * 7 + 1] = 1;
      m.data[i * 7 + 5] = 1;
    }
    m.data[1 * 7 + 1] = 0; // diagonal-only gap: 4-connected fill must not escape
    const res = floodFill(m, 3, 3, 1);
    expect(res.filled).toBe(9);
    expect(m.data[0]).toBe(0);
    expect(res.rect).toEqual({ x0: 2, y0: 2, x1: 5, y1: 5 });
  });

  it('handles a big region iteratively and respects the bound', () => {
    const m = createMask(1000, 1000);
    const res = floodFill(m, 0, 0, 1);
    expect(res.filled).toBe(1_000_000);
    const m2 = createMask(100, 100);
    const r2 = floodFill(m2, 50, 50, 1, 500);
    expect(r2.truncated).toBe(true);
    expect(countForeground(m2.data)).toBe(500);
  });

  it('is a no-op on a pixel that already has the value or outside', () => {
    const m = createMask(5, 5);
    expect(floodFill(m, 2, 2, 0).filled).toBe(0);
    expect(floodFill(m, 9, 9, 1).filled).toBe(0);
  });
});

describe('brush in mm on anisotropic pixels', () => {
  const count = (m: { data: Uint8Array }) => m.data.reduce((a, v) => a + v, 0);
  const extent = (m: { width: number; height: number; data: Uint8Array }) => {
    let x0 = Infinity, x1 = -1, y0 = Infinity, y1 = -1;
    for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]) [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
    return { w: x1 - x0 + 1, h: y1 - y0 + 1 };
  };
  it('a 3 mm radius on 0.41 mm x 1.5 mm pixels is an ellipse of about 7.3 x 2 pixels in radius', () => {
    const m = { width: 64, height: 64, data: new Uint8Array(64 * 64) };
    paintDisc(m, 32, 32, 3, 1, { x: 0.41, y: 1.5 });
    const e = extent(m);
    // diameter 6 mm: 6 / 0.41 = 14.6 pixels across, 6 / 1.5 = 4 pixels down
    expect(e.w).toBeGreaterThanOrEqual(14);
    expect(e.w).toBeLessThanOrEqual(15);
    expect(e.h).toBeGreaterThanOrEqual(3);
    expect(e.h).toBeLessThanOrEqual(5);
    // its area in mm² is about the disc's: pi * 9 = 28.3 mm²
    expect(count(m) * 0.41 * 1.5).toBeGreaterThan(28.3 * 0.8);
    expect(count(m) * 0.41 * 1.5).toBeLessThan(28.3 * 1.25);
  });
  it('on square pixels it equals the pixel brush scaled; on 1 mm pixels it is the pixel brush', () => {
    const a = { width: 40, height: 40, data: new Uint8Array(1600) };
    const b = { width: 40, height: 40, data: new Uint8Array(1600) };
    paintCapsule(a, { x: 10, y: 10 }, { x: 25, y: 18 }, 4, 1);
    paintCapsule(b, { x: 10, y: 10 }, { x: 25, y: 18 }, 4, 1, { x: 1, y: 1 });
    expect(b.data).toEqual(a.data);
    const c = { width: 40, height: 40, data: new Uint8Array(1600) };
    paintCapsule(c, { x: 10, y: 10 }, { x: 25, y: 18 }, 2, 1, { x: 0.5, y: 0.5 });
    expect(c.data).toEqual(a.data);
  });
  it('a radius below half a pixel still paints the pixel under the point', () => {
    const m = { width: 8, height: 8, data: new Uint8Array(64) };
    paintDisc(m, 3.5, 3.5, 0.1, 1, { x: 0.4, y: 2 });
    expect(m.data[3 * 8 + 3]).toBe(1);
  });
});
