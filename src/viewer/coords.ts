// Screen <-> image coordinate maths for the viewer. Pure functions; the stage applies the same transform
// (scale, then translate), so what these compute is exactly what is drawn.
import type { ViewTransform } from '../state/view';

export interface Point {
  x: number;
  y: number;
}

export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 64;

export const screenToImage = (t: ViewTransform, p: Point): Point => ({ x: (p.x - t.x) / t.scale, y: (p.y - t.y) / t.scale });

export const imageToScreen = (t: ViewTransform, p: Point): Point => ({ x: p.x * t.scale + t.x, y: p.y * t.scale + t.y });

/** Integer pixel under an image-space point, or null outside a width x height image. */
export function pixelAt(p: Point, width: number, height: number): Point | null {
  const x = Math.floor(p.x);
  const y = Math.floor(p.y);
  return x >= 0 && y >= 0 && x < width && y < height ? { x, y } : null;
}

/** Transform that fits an image into a viewport with a margin, centred. */
export function fitTransform(imgW: number, imgH: number, viewW: number, viewH: number, margin = 16): ViewTransform {
  const availW = Math.max(1, viewW - 2 * margin);
  const availH = Math.max(1, viewH - 2 * margin);
  const scale = clampScale(Math.min(availW / imgW, availH / imgH));
  return { scale, x: (viewW - imgW * scale) / 2, y: (viewH - imgH * scale) / 2 };
}

export const clampScale = (s: number): number => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));

/** Zoom by `factor` keeping the image point under screen point `anchor` fixed. */
export function zoomAbout(t: ViewTransform, anchor: Point, factor: number): ViewTransform {
  const scale = clampScale(t.scale * factor);
  const img = screenToImage(t, anchor);
  return { scale, x: anchor.x - img.x * scale, y: anchor.y - img.y * scale };
}

export const panBy = (t: ViewTransform, dx: number, dy: number): ViewTransform => ({ ...t, x: t.x + dx, y: t.y + dy });

/** Wheel delta (pixels) to zoom factor: smooth for trackpads, ~1.2x per mouse notch. */
export const wheelFactor = (deltaY: number): number => Math.exp(-Math.max(-100, Math.min(100, deltaY)) * 0.0018);
