// Round-brush painting: stamps a disc or a capsule (disc swept along a segment) writing one value.
// The eraser is the same brush writing 0; every function returns the dirty rectangle it touched.
// With a pixel size (mm per pixel across and down) the radius is in mm and the brush round in mm: on
// anisotropic pixels (e.g. 0.4 mm across, 1.5 mm slice thickness down a coronal view) an ellipse in pixels.
import type { Mask, Point, Rect } from './types';
import { clipRect, emptyRect } from './types';

/** Millimetres (or any unit) per pixel across (x) and down (y); the radius is in that unit. */
export interface PixelSize {
  x: number;
  y: number;
}
const UNIT: PixelSize = { x: 1, y: 1 };

/** Paint a filled disc of the given radius (in pixels, or in the unit of `px`) centred at (cx, cy). */
export function paintDisc(mask: Mask, cx: number, cy: number, radius: number, value: number, px: PixelSize = UNIT): Rect {
  return paintCapsule(mask, { x: cx, y: cy }, { x: cx, y: cy }, radius, value, px);
}

/**
 * Paint every pixel whose centre lies within `radius` of segment a-b, distances measured with pixel size
 * `px` (default 1: in pixels). One pass over the capsule's bounding box with a per-row span, so a long
 * stroke costs its area, not its length x disc area. At least the pixel under the point is painted.
 */
export function paintCapsule(mask: Mask, a: Point, b: Point, radius: number, value: number, px: PixelSize = UNIT): Rect {
  const sx = px.x > 0 && Number.isFinite(px.x) ? px.x : 1;
  const sy = px.y > 0 && Number.isFinite(px.y) ? px.y : 1;
  // never thinner than half a pixel along either axis (so a 1-pixel dab still paints its pixel)
  const r = Math.max(0.5 * Math.max(sx, sy), radius);
  const rx = r / sx;
  const ry = r / sy;
  const box = clipRect(
    { x0: Math.min(a.x, b.x) - rx, y0: Math.min(a.y, b.y) - ry, x1: Math.max(a.x, b.x) + rx + 1, y1: Math.max(a.y, b.y) + ry + 1 },
    mask.width,
    mask.height,
  );
  if (box.x1 <= box.x0 || box.y1 <= box.y0) return emptyRect();
  // in mm: scale the segment and the pixel centres, then measure as before
  const dx = (b.x - a.x) * sx;
  const dy = (b.y - a.y) * sy;
  const len2 = dx * dx + dy * dy;
  const r2 = r * r;
  const { data, width } = mask;
  const v = value & 0xff;
  const dirty = emptyRect();
  for (let y = box.y0; y < box.y1; y++) {
    const py = (y + 0.5 - a.y) * sy;
    let first = -1;
    let last = -1;
    for (let x = box.x0; x < box.x1; x++) {
      const qx = (x + 0.5 - a.x) * sx;
      let t = len2 > 0 ? (qx * dx + py * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = qx - t * dx;
      const ey = py - t * dy;
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
