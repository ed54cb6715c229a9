// 4-connected flood fill: iterative scanline with an explicit stack, bounded by a pixel budget.
import type { Mask, Rect } from './types';
import { emptyRect } from './types';

export interface FloodResult {
  rect: Rect;
  filled: number;
  /** True when the fill stopped at maxPixels (the filled part is kept; the caller may roll back). */
  truncated: boolean;
}

/** Replace the 4-connected region of (x, y)'s value with `value`. No-op when it already has that value. */
export function floodFill(mask: Mask, x: number, y: number, value: number, maxPixels = Infinity): FloodResult {
  const { width, height, data } = mask;
  const rect = emptyRect();
  const sx = Math.floor(x);
  const sy = Math.floor(y);
  if (sx < 0 || sy < 0 || sx >= width || sy >= height) return { rect, filled: 0, truncated: false };
  const target = data[sy * width + sx];
  const v = value & 0xff;
  if (target === v) return { rect, filled: 0, truncated: false };
  let filled = 0;
  const stack: number[] = [sx, sy];
  while (stack.length > 0) {
    const cy = stack.pop() as number;
    const cx = stack.pop() as number;
    const row = cy * width;
    if (data[row + cx] !== target) continue;
    let l = cx;
    while (l > 0 && data[row + l - 1] === target) l--;
    let r = cx;
    while (r + 1 < width && data[row + r + 1] === target) r++;
    if (filled + (r - l + 1) > maxPixels) {
      r = l + Math.max(0, maxPixels - filled) - 1;
      if (r < l) return { rect, filled, truncated: true };
      data.fill(v, row + l, row + r + 1);
      filled += r - l + 1;
      grow(rect, l, r, cy);
      return { rect, filled, truncated: true };
    }
    data.fill(v, row + l, row + r + 1);
    filled += r - l + 1;
    grow(rect, l, r, cy);
    for (const ny of [cy - 1, cy + 1]) {
      if (ny < 0 || ny >= height) continue;
      const nrow = ny * width;
      let inRun = false;
      for (let i = l; i <= r; i++) {
        const hit = data[nrow + i] === target;
        if (hit && !inRun) stack.push(i, ny);
        inRun = hit;
      }
    }
  }
  return { rect, filled, truncated: false };
}

function grow(rect: Rect, l: number, r: number, y: number): void {
  if (l < rect.x0) rect.x0 = l;
  if (r + 1 > rect.x1) rect.x1 = r + 1;
  if (y < rect.y0) rect.y0 = y;
  if (y + 1 > rect.y1) rect.y1 = y + 1;
}

/**
 * Region growing ("magic wand"): sets to 1 every pixel 4-connected to (x, y) whose image intensity `grey`
 * (one byte per pixel: what the user sees, after window/level) is within `tolerance` of the seed's.
 * Scanline fill with a visited map, bounded by `maxPixels` (the region found so far is kept, truncated).
 * `filled` counts the region's pixels (some may already have been 1).
 */
export function growRegion(mask: Mask, grey: Uint8Array, x: number, y: number, tolerance: number, maxPixels = Infinity): FloodResult {
  const { width, height, data } = mask;
  const rect = emptyRect();
  const sx = Math.floor(x);
  const sy = Math.floor(y);
  if (sx < 0 || sy < 0 || sx >= width || sy >= height || grey.length !== width * height) return { rect, filled: 0, truncated: false };
  const seed = grey[sy * width + sx];
  const lo = seed - tolerance;
  const hi = seed + tolerance;
  const seen = new Uint8Array(width * height);
  const ok = (i: number) => seen[i] === 0 && grey[i] >= lo && grey[i] <= hi;
  let filled = 0;
  const stack: number[] = [sx, sy];
  while (stack.length > 0) {
    const cy = stack.pop() as number;
    const cx = stack.pop() as number;
    const row = cy * width;
    if (!ok(row + cx)) continue;
    let l = cx;
    while (l > 0 && ok(row + l - 1)) l--;
    let r = cx;
    while (r + 1 < width && ok(row + r + 1)) r++;
    let truncated = false;
    if (filled + (r - l + 1) > maxPixels) {
      r = l + Math.max(0, maxPixels - filled) - 1;
      truncated = true;
      if (r < l) return { rect, filled, truncated };
    }
    seen.fill(1, row + l, row + r + 1);
    data.fill(1, row + l, row + r + 1);
    filled += r - l + 1;
    grow(rect, l, r, cy);
    if (truncated) return { rect, filled, truncated };
    for (const ny of [cy - 1, cy + 1]) {
      if (ny < 0 || ny >= height) continue;
      const nrow = ny * width;
      let inRun = false;
      for (let i = l; i <= r; i++) {
        const hit = ok(nrow + i);
        if (hit && !inRun) stack.push(i, ny);
        inRun = hit;
      }
    }
  }
  return { rect, filled, truncated: false };
}
