// Scanline polygon fill (even-odd rule at pixel centres) for polygon/lasso fill (value 1) and cut (value 0).
import type { Mask, Point, Rect } from './types';
import { clipRect, emptyRect } from './types';

export function fillPolygon(mask: Mask, points: readonly Point[], value: number): Rect {
  const dirty = emptyRect();
  if (points.length < 3) return dirty;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    if (p.y < minY) minY = p.y;
    if (p.y > maxY) maxY = p.y;
  }
  const rows = clipRect({ x0: 0, y0: minY - 1, x1: 1, y1: maxY + 1 }, mask.width, mask.height);
  const xs: number[] = [];
  const n = points.length;
  const { data, width } = mask;
  const v = value & 0xff;
  for (let y = rows.y0; y < rows.y1; y++) {
    const py = y + 0.5;
    xs.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const a = points[i];
      const b = points[j];
      if (a.y > py !== b.y > py) xs.push(a.x + ((py - a.y) * (b.x - a.x)) / (b.y - a.y));
    }
    if (xs.length < 2) continue;
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // pixel x is inside when its centre x + 0.5 lies in [xs[k], xs[k+1])
      const x0 = Math.max(0, Math.ceil(xs[k] - 0.5));
      const x1 = Math.min(width, Math.ceil(xs[k + 1] - 0.5));
      if (x1 <= x0) continue;
      data.fill(v, y * width + x0, y * width + x1);
      if (x0 < dirty.x0) dirty.x0 = x0;
      if (x1 > dirty.x1) dirty.x1 = x1;
      if (y < dirty.y0) dirty.y0 = y;
      if (y + 1 > dirty.y1) dirty.y1 = y + 1;
    }
  }
  return dirty;
}
