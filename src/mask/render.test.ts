import { describe, expect, it } from 'vitest';
import { createMask } from './types';
import { fillPolygon } from './polygon';
import { hexToRgb, renderBinary, renderContour, renderHeatmap } from './render';

const alphaCount = (px: Uint8ClampedArray) => px.filter((_, i) => i % 4 === 3 && px[i] > 0).length;

describe('render', () => {
  const m = createMask(20, 20);
  fillPolygon(m, [{ x: 5, y: 5 }, { x: 15, y: 5 }, { x: 15, y: 15 }, { x: 5, y: 15 }], 1);

  it('binary renders only the rectangle asked for, in the layer colour', () => {
    const px = renderBinary(m, { x0: 4, y0: 4, x1: 8, y1: 8 }, [1, 2, 3]);
    expect(px.length).toBe(4 * 4 * 4);
    expect(alphaCount(px)).toBe(9);
    expect(Array.from(px.subarray(5 * 4, 5 * 4 + 4))).toEqual([1, 2, 3, 255]);
  });

  it('contour marks the border, thicker on request', () => {
    const full = { x0: 0, y0: 0, x1: 20, y1: 20 };
    expect(alphaCount(renderContour(m, full, [9, 9, 9]))).toBe(36);
    expect(alphaCount(renderContour(m, full, [9, 9, 9], 2))).toBe(64);
  });

  it('heatmap alpha follows probability; colours parse', () => {
    const px = renderHeatmap(new Float32Array([0, 0.5, 1, 2]), 4, { x0: 0, y0: 0, x1: 4, y1: 1 }, [0, 0, 0]);
    expect([px[3], px[7], px[11], px[15]]).toEqual([0, 128, 255, 255]);
    expect(hexToRgb('#ff8000')).toEqual([255, 128, 0]);
  });
});
