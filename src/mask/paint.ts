// Round-brush painting: stamps a disc or a capsule (disc swept along a segment) writing one value.
// The eraser is the same brush writing 0; every function returns the dirty rectangle it touched.
import type { Mask, Point, Rect } from './types';
import { clipRect, emptyRect } from './types';

/** Paint a filled disc of the given radius (in pixels) centred at (cx, cy). */
export function paintDisc(mask: Mask, cx: number, cy: number, radius: number, value: number): Rect {
  return paintCapsule(mask, { x: cx, y: cy }, { x: cx, y: cy }, radius, value);
}

/**
 * Paint every pixel whose centre lies within `radius` of segment a-b. One pass over the capsule's
 * bounding box with a per-row span, so a long stroke costs its area, not its length x disc area.
 */
export function paintCapsule(mask: Mask, a: Point, b: Point, radius: number, value: number): Rect {
  const r = Math.max(0.5, radius);
  const box = clipRect(
    { x0: Math.min(a.x, b.x) - r, y0: Math.min(a.y, b.y) - r, x1: Math.max(a.x, b.x) + r + 1, y1: Math.max(a.y, b.y) + r + 1 },
    mask.width,
    mask.height,
  );
  if (box.x1 <= box.x0 || box.y1 <= box.y0) return emptyRect();
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const r2 = r * r;
  const { data, width } = mask;
  const v = value & 0xff;
  const dirty = emptyRect();
  for (let y = box.y0; y < box.y1; y++) {
    const py = y + 0.5;
    let first = -1;
    let last = -1;
    for (let x = box.x0; x < box.x1; x++) {
      const px = x + 0.5;
      let t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - (a.x + t * dx);
      const ey = py - (a.y + t * dy);
      if (ex * ex + ey * ey <= r2) {
        if (first < 0) first = x;
        last = x;
      } else if (first >= 0) break; // a capsule row is convex: one span
    }
    if (first < 0) continue;
    data.fill(v, y * width + first, y * width + last + 1);
    if (first < dirty.x0) dirty.x0 = first;
    if (last + 1 > dirty.x1) dirty.x1 = last + 1;
    if (y < dirty.y0) dirty.y0 = y;
    dirty.y1 = y + 1;
  }
  return dirty;
}
