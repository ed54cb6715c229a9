// Mask -> RGBA pixels for one rectangle, so the canvas is updated only where a stroke landed.
// Display modes: binary fill, contour (border pixels) and probability heatmap.
import type { Mask, Rect } from './types';

export type DisplayMode = 'binary' | 'contour' | 'heatmap';
export type Rgb = readonly [number, number, number];

function rectSize(r: Rect): number {
  return (r.x1 - r.x0) * (r.y1 - r.y0) * 4;
}

/** RGBA for `rect` of a binary mask: colour where set, transparent elsewhere. */
export function renderBinary(mask: Mask, rect: Rect, rgb: Rgb, out?: Uint8ClampedArray<ArrayBuffer>): Uint8ClampedArray<ArrayBuffer> {
  const px = out && out.length === rectSize(rect) ? out : new Uint8ClampedArray(rectSize(rect));
  const { width, data } = mask;
  const [r, g, b] = rgb;
  let o = 0;
  for (let y = rect.y0; y < rect.y1; y++) {
    let i = y * width + rect.x0;
    for (let x = rect.x0; x < rect.x1; x++, i++, o += 4) {
      if (data[i]) {
        px[o] = r;
        px[o + 1] = g;
        px[o + 2] = b;
        px[o + 3] = 255;
      } else px[o + 3] = 0;
    }
  }
  return px;
}

/**
 * RGBA for `rect` showing only border pixels: foreground with background (or the image edge) within
 * `thickness` pixels along a row or column, so the outline stays visible when a large scan is zoomed out.
 */
export function renderContour(mask: Mask, rect: Rect, rgb: Rgb, thickness = 1): Uint8ClampedArray<ArrayBuffer> {
  const px = new Uint8ClampedArray(rectSize(rect));
  const { width: w, height: h, data } = mask;
  const t = Math.max(1, Math.round(thickness));
  const bg = (x: number, y: number): boolean => x < 0 || y < 0 || x >= w || y >= h || !data[y * w + x];
  let o = 0;
  for (let y = rect.y0; y < rect.y1; y++) {
    for (let x = rect.x0; x < rect.x1; x++, o += 4) {
      if (!data[y * w + x]) continue;
      let edge = false;
      for (let k = 1; k <= t && !edge; k++) edge = bg(x - k, y) || bg(x + k, y) || bg(x, y - k) || bg(x, y + k);
      if (!edge) continue;
      px[o] = rgb[0];
      px[o + 1] = rgb[1];
      px[o + 2] = rgb[2];
      px[o + 3] = 255;
    }
  }
  return px;
}

/** Outline thickness that stays about one screen pixel or more for typical display sizes. */
export const contourThickness = (width: number, height: number): number => Math.max(1, Math.round(Math.max(width, height) / 700));

/** Heatmap: the layer colour with alpha proportional to probability. */
export function renderHeatmap(probs: Float32Array, width: number, rect: Rect, rgb: Rgb): Uint8ClampedArray<ArrayBuffer> {
  const px = new Uint8ClampedArray(rectSize(rect));
  let o = 0;
  for (let y = rect.y0; y < rect.y1; y++) {
    for (let x = rect.x0; x < rect.x1; x++, o += 4) {
      const p = probs[y * width + x];
      px[o] = rgb[0];
      px[o + 1] = rgb[1];
      px[o + 2] = rgb[2];
      px[o + 3] = Math.round(Math.min(1, Math.max(0, p)) * 255);
    }
  }
  return px;
}

export function hexToRgb(hex: string): Rgb {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) return [255, 0, 0];
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
