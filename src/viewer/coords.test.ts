// Screen <-> image coordinate maths.
import { describe, expect, it } from 'vitest';
import { clampScale, fitTransform, imageToScreen, MAX_SCALE, panBy, pixelAt, screenToImage, wheelFactor, zoomAbout } from './coords';

describe('coords', () => {
  const t = { scale: 2, x: 10, y: -4 };

  it('round-trips screen and image points', () => {
    const p = { x: 33.5, y: 71.25 };
    const back = imageToScreen(t, screenToImage(t, p));
    expect(back.x).toBeCloseTo(p.x);
    expect(back.y).toBeCloseTo(p.y);
    expect(screenToImage(t, { x: 10, y: -4 })).toEqual({ x: 0, y: 0 });
    expect(imageToScreen(t, { x: 5, y: 5 })).toEqual({ x: 20, y: 6 });
  });

  it('finds the pixel under a point and rejects outside points', () => {
    expect(pixelAt({ x: 3.99, y: 0 }, 4, 4)).toEqual({ x: 3, y: 0 });
    expect(pixelAt({ x: 4, y: 0 }, 4, 4)).toBeNull();
    expect(pixelAt({ x: -0.01, y: 2 }, 4, 4)).toBeNull();
  });

  it('fits a wide image into a tall viewport, centred', () => {
    const f = fitTransform(200, 100, 400, 400, 0);
    expect(f.scale).toBe(2);
    expect(f.x).toBe(0);
    expect(f.y).toBe(100);
    const g = fitTransform(2048, 2048, 800, 600, 16);
    expect(g.scale).toBeCloseTo(568 / 2048);
    expect(imageToScreen(g, { x: 1024, y: 1024 })).toEqual({ x: 400, y: 300 });
  });

  it('zooms about the anchor: the image point under the cursor stays put', () => {
    const anchor = { x: 123, y: 45 };
    const before = screenToImage(t, anchor);
    const z = zoomAbout(t, anchor, 1.7);
    expect(z.scale).toBeCloseTo(3.4);
    const after = screenToImage(z, anchor);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
  });

  it('clamps zoom and pans', () => {
    expect(clampScale(1e6)).toBe(MAX_SCALE);
    expect(zoomAbout({ scale: MAX_SCALE, x: 0, y: 0 }, { x: 5, y: 5 }, 2).scale).toBe(MAX_SCALE);
    expect(panBy(t, 5, 6)).toEqual({ scale: 2, x: 15, y: 2 });
    expect(wheelFactor(-100)).toBeGreaterThan(1);
    expect(wheelFactor(100)).toBeLessThan(1);
    expect(wheelFactor(0)).toBe(1);
  });
});
