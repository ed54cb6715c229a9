// What the scan layer puts on screen: not the whole frame at full resolution (an 8000² photo is a
// 256 MiB canvas that every Konva redraw of the layer had to copy and resample on the main thread), but the
// part of the frame in view, padded, sampled every `step` pixels so that it has about as many pixels as
// the screen shows (at least one per screen pixel, fewer than two). Zoomed in (step 1) it is the frame's own
// pixels, so a radiologist zooming to pixels sees every one; zoomed out, each displayed pixel averages four
// taps of its step × step block. Pure functions; ScanLayer.tsx paints the result in slices.
import type { ViewTransform } from '../state/view';
import type { PixelArray, Scan } from '../scan/types';
import { screenMatrix, screenToImage } from './coords';

/** A rectangle of the frame, [x0, x1) × [y0, y1) in image pixels, shown sampled every `step` pixels. */
export interface DisplayRegion {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  step: number;
}

/** Size of the bitmap that shows `r`: one pixel per step × step block. */
export const regionSize = (r: DisplayRegion): { width: number; height: number } => ({
  width: Math.ceil((r.x1 - r.x0) / r.step),
  height: Math.ceil((r.y1 - r.y0) / r.step),
});

/**
 * The region of a width × height frame that a `box` of screen pixels shows under `t`, padded on each side
 * by `pad` of its size (so a short pan needs no repaint), snapped to the step grid (so panning does not
 * shift which pixels are sampled), or null when none of the frame is in view. `dpr`: device pixels per
 * screen pixel.
 */
export function displayRegion(t: ViewTransform, box: { w: number; h: number }, width: number, height: number, dpr = 1, pad = 0): DisplayRegion | null {
  if (!(box.w > 0 && box.h > 0 && t.scale > 0)) return null;
  const corners = [screenToImage(t, { x: 0, y: 0 }), screenToImage(t, { x: box.w, y: 0 }), screenToImage(t, { x: 0, y: box.h }), screenToImage(t, { x: box.w, y: box.h })];
  let x0 = Math.min(...corners.map((p) => p.x));
  let x1 = Math.max(...corners.map((p) => p.x));
  let y0 = Math.min(...corners.map((p) => p.y));
  let y1 = Math.max(...corners.map((p) => p.y));
  const px = (x1 - x0) * pad;
  const py = (y1 - y0) * pad;
  x0 -= px;
  x1 += px;
  y0 -= py;
  y1 += py;
  // device pixels per image pixel along each image axis; the denser one sets the step
  const [a, b, c, d] = screenMatrix(t);
  const density = Math.max(Math.hypot(a, b), Math.hypot(c, d)) * dpr;
  const step = Math.max(1, Math.floor(1 / density));
  const sx0 = Math.max(0, Math.floor(x0 / step) * step);
  const sy0 = Math.max(0, Math.floor(y0 / step) * step);
  const sx1 = Math.min(width, Math.ceil(x1 / step) * step);
  const sy1 = Math.min(height, Math.ceil(y1 / step) * step);
  if (sx1 <= sx0 || sy1 <= sy0) return null;
  return { x0: sx0, y0: sy0, x1: sx1, y1: sy1, step };
}

/** Whether `shown` already holds what `needed` asks for: the same step and at least its rectangle. */
export const covers = (shown: DisplayRegion | null, needed: DisplayRegion | null): boolean =>
  !needed || (!!shown && shown.step === needed.step && shown.x0 <= needed.x0 && shown.y0 <= needed.y0 && shown.x1 >= needed.x1 && shown.y1 >= needed.y1);

/**
 * Rows [row0, row1) of the bitmap of region `r` of frame `f`, as a one-frame scan of regionSize(r).width ×
 * (row1 - row0) pixels: at step 1 the frame's own values; at step k the mean of the four taps at offsets
 * 0 and k/2 of each k × k block (clamped to the frame), per channel.
 */
export function sampleRows(scan: Scan, f: number, r: DisplayRegion, row0: number, row1: number): Scan {
  const { width: w } = regionSize(r);
  const h = row1 - row0;
  const c = scan.channels;
  const k = r.step;
  const plane = scan.width * scan.height * c;
  const base = Math.min(Math.max(0, f), scan.frames - 1) * plane;
  const src = scan.data;
  let data: PixelArray;
  if (k === 1) {
    data = new (src.constructor as new (n: number) => PixelArray)(w * h * c);
    for (let y = 0; y < h; y++) {
      const from = base + ((r.y0 + row0 + y) * scan.width + r.x0) * c;
      data.set(src.subarray(from, from + w * c), y * w * c);
    }
  } else {
    const out = new Float32Array(w * h * c);
    const half = k >> 1;
    const rowStride = scan.width * c;
    for (let y = 0; y < h; y++) {
      const sy = r.y0 + (row0 + y) * k;
      const ya = base + sy * rowStride;
      const yb = base + Math.min(scan.height - 1, sy + half) * rowStride;
      for (let x = 0; x < w; x++) {
        const sx = r.x0 + x * k;
        const xa = sx * c;
        const xb = Math.min(scan.width - 1, sx + half) * c;
        const o = (y * w + x) * c;
        for (let ch = 0; ch < c; ch++) out[o + ch] = (src[ya + xa + ch] + src[ya + xb + ch] + src[yb + xa + ch] + src[yb + xb + ch]) / 4;
      }
    }
    data = out;
  }
  return { ...scan, width: w, height: h, frames: 1, shape: c > 1 ? [h, w, c] : [h, w], data };
}
