// Screen <-> image coordinate maths for the viewer. Pure functions; the stage applies the same transform
// (scale, then translate), so what these compute is exactly what is drawn.
import type { ViewTransform } from '../state/view';

export interface Point {
  x: number;
  y: number;
}

export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 64;

type Mat = [number, number, number, number, number, number];
const IDENTITY: Mat = [1, 0, 0, 1, 0, 0];

/** The full image -> screen matrix [a, b, c, d, e, f] (orientation, then scale and translation). */
export function screenMatrix(t: ViewTransform): Mat {
  const [a, b, c, d, e, f] = t.o ?? IDENTITY;
  const s = t.scale;
  return [s * a, s * b, s * c, s * d, s * e + t.x, s * f + t.y];
}

export const imageToScreen = (t: ViewTransform, p: Point): Point => {
  const [a, b, c, d, e, f] = screenMatrix(t);
  return { x: a * p.x + c * p.y + e, y: b * p.x + d * p.y + f };
};

export const screenToImage = (t: ViewTransform, p: Point): Point => {
  const [a, b, c, d, e, f] = screenMatrix(t);
  const det = a * d - b * c || 1;
  const x = p.x - e;
  const y = p.y - f;
  return { x: (d * x - c * y) / det, y: (a * y - b * x) / det };
};

/**
 * Konva node props for the same matrix: Konva composes translate, rotate, scale; a transpose is a
 * 90 degree rotation with one scale negated.
 */
export function konvaTransform(t: ViewTransform): { x: number; y: number; scaleX: number; scaleY: number; rotation: number } {
  const [a, b, c, d, e, f] = screenMatrix(t);
  if (Math.abs(b) < 1e-12 && Math.abs(c) < 1e-12) return { x: e, y: f, scaleX: a, scaleY: d, rotation: 0 };
  return { x: e, y: f, scaleX: b, scaleY: -c, rotation: 90 };
}

/** Integer pixel under an image-space point, or null outside a width x height image. */
export function pixelAt(p: Point, width: number, height: number): Point | null {
  const x = Math.floor(p.x);
  const y = Math.floor(p.y);
  return x >= 0 && y >= 0 && x < width && y < height ? { x, y } : null;
}

/**
 * Transform that fits an image into a viewport with a margin, centred. With an orientation, imgW/imgH
 * are the displayed size (DisplayOrientation w/h) and the orientation is kept in the transform.
 */
export function fitTransform(imgW: number, imgH: number, viewW: number, viewH: number, margin = 16, o?: Mat): ViewTransform {
  const availW = Math.max(1, viewW - 2 * margin);
  const availH = Math.max(1, viewH - 2 * margin);
  const scale = clampScale(Math.min(availW / imgW, availH / imgH));
  return { scale, x: (viewW - imgW * scale) / 2, y: (viewH - imgH * scale) / 2, ...(o ? { o } : {}) };
}

export const clampScale = (s: number): number => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));

/** Zoom by `factor` keeping the image point under screen point `anchor` fixed. */
export function zoomAbout(t: ViewTransform, anchor: Point, factor: number): ViewTransform {
  const scale = clampScale(t.scale * factor);
  // the display point under the anchor stays put
  const u = (anchor.x - t.x) / t.scale;
  const v = (anchor.y - t.y) / t.scale;
  return { ...t, scale, x: anchor.x - u * scale, y: anchor.y - v * scale };
}

export const panBy = (t: ViewTransform, dx: number, dy: number): ViewTransform => ({ ...t, x: t.x + dx, y: t.y + dy });

/** Wheel delta (pixels) to zoom factor: smooth for trackpads, ~1.2x per mouse notch. */
export const wheelFactor = (deltaY: number): number => Math.exp(-Math.max(-100, Math.min(100, deltaY)) * 0.0018);
