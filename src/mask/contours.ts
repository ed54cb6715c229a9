// Marching squares over pixel centres: closed polylines around every foreground region (the image
// is treated as padded with background), for the contour display and vector export.
import type { Mask, Point } from './types';

// Edge midpoints of a cell whose top-left node is pixel (i, j): offsets in image coordinates.
const T: Point = { x: 1, y: 0.5 };
const B: Point = { x: 1, y: 1.5 };
const L: Point = { x: 0.5, y: 1 };
const R: Point = { x: 1.5, y: 1 };
// case = tl*8 + tr*4 + br*2 + bl; saddles (5, 10) keep the corners apart (4-connectivity).
const TABLE: Point[][][] = [
  [], [[L, B]], [[B, R]], [[L, R]], [[T, R]], [[L, T], [B, R]], [[T, B]], [[L, T]],
  [[L, T]], [[T, B]], [[L, T], [B, R]], [[T, R]], [[L, R]], [[B, R]], [[L, B]], [],
];

/** Closed polylines (first point not repeated) in image coordinates (pixel x spans [x, x+1)). */
export function contours(mask: Mask): Point[][] {
  const { width: w, height: h, data } = mask;
  const at = (x: number, y: number): number => (x >= 0 && y >= 0 && x < w && y < h && data[y * w + x] !== 0 ? 1 : 0);
  const segs: [Point, Point][] = [];
  for (let j = -1; j < h; j++) {
    for (let i = -1; i < w; i++) {
      const c = at(i, j) * 8 + at(i + 1, j) * 4 + at(i + 1, j + 1) * 2 + at(i, j + 1);
      for (const [a, b] of TABLE[c]) segs.push([{ x: i + a.x, y: j + a.y }, { x: i + b.x, y: j + b.y }]);
    }
  }
  const key = (p: Point): number => Math.round(p.x * 2 + 4) * (2 * w + 8) + Math.round(p.y * 2 + 4);
  const ends = new Map<number, number[]>();
  segs.forEach(([a, b], s) => {
    for (const p of [a, b]) {
      const k = key(p);
      const list = ends.get(k);
      if (list) list.push(s);
      else ends.set(k, [s]);
    }
  });
  const used = new Uint8Array(segs.length);
  const lines: Point[][] = [];
  for (let s0 = 0; s0 < segs.length; s0++) {
    if (used[s0]) continue;
    used[s0] = 1;
    const line: Point[] = [segs[s0][0]];
    let cur = segs[s0][1];
    const startKey = key(segs[s0][0]);
    while (key(cur) !== startKey) {
      line.push(cur);
      const next = (ends.get(key(cur)) ?? []).find((s) => !used[s]);
      if (next === undefined) break;
      used[next] = 1;
      const [a, b] = segs[next];
      cur = key(a) === key(cur) ? b : a;
    }
    lines.push(line);
  }
  return lines;
}
