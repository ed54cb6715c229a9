// Core mask types shared by the pure engine: a binary (0/1) or label mask over a width x height grid.
export interface Mask {
  width: number;
  height: number;
  /** Row-major, one byte per pixel: 0 = background, 1 (or a label) = foreground. */
  data: Uint8Array;
}

/** Inclusive-exclusive pixel rectangle: x0 <= x < x1, y0 <= y < y1. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Point {
  x: number;
  y: number;
}

export function createMask(width: number, height: number, data?: Uint8Array): Mask {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`bad mask size ${width}x${height}`);
  }
  if (data && data.length !== width * height) throw new Error(`mask data has ${data.length} values, expected ${width * height}`);
  return { width, height, data: data ?? new Uint8Array(width * height) };
}

export function cloneMask(m: Mask): Mask {
  return { width: m.width, height: m.height, data: m.data.slice() };
}

export function emptyRect(): Rect {
  return { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
}

export function isEmptyRect(r: Rect): boolean {
  return !(r.x1 > r.x0 && r.y1 > r.y0);
}

export function unionRect(a: Rect, b: Rect): Rect {
  if (isEmptyRect(a)) return { ...b };
  if (isEmptyRect(b)) return { ...a };
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

/** Clip a rectangle to the mask bounds (integers). */
export function clipRect(r: Rect, width: number, height: number): Rect {
  return {
    x0: Math.max(0, Math.floor(r.x0)),
    y0: Math.max(0, Math.floor(r.y0)),
    x1: Math.min(width, Math.ceil(r.x1)),
    y1: Math.min(height, Math.ceil(r.y1)),
  };
}

export function fullRect(m: { width: number; height: number }): Rect {
  return { x0: 0, y0: 0, x1: m.width, y1: m.height };
}

/** Number of foreground (non-zero) pixels. */
export function countForeground(data: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) n++;
  return n;
}

/** Pixels equal between two masks treated as binary (non-zero = 1). */
export function sameBinary(a: Mask, b: Mask): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  for (let i = 0; i < a.data.length; i++) if ((a.data[i] !== 0) !== (b.data[i] !== 0)) return false;
  return true;
}
