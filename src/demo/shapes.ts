// Star-convex blobs with lobulated borders: the lesions/polyps of the demo scans. Coordinates are
// relative (0..1 of the image side) so a demo looks the same at every size.
import { rng } from './noise';

export interface Blob {
  cx: number;
  cy: number;
  /** Radii along the blob's own axes. */
  rx: number;
  ry: number;
  angle: number;
  /** Border harmonics: radius factor 1 + sum(amp * cos(k*theta + phase)). */
  harmonics: { k: number; amp: number; phase: number }[];
}

export function randomBlob(seed: number, cx: number, cy: number, r: number, irregularity: number, elongation = 0.25): Blob {
  const rand = rng(seed);
  const e = 1 + (rand() * 2 - 1) * elongation;
  const harmonics = [2, 3, 4, 5, 7].map((k) => ({ k, amp: (rand() * irregularity) / k, phase: rand() * Math.PI * 2 }));
  return { cx, cy, rx: r * e, ry: r / e, angle: rand() * Math.PI, harmonics };
}

/**
 * Normalised distance of (u, v) from the blob centre: < 1 inside, 1 on the border. Cheap enough per pixel.
 */
export function blobDistance(b: Blob, u: number, v: number): number {
  const dx = u - b.cx;
  const dy = v - b.cy;
  const c = Math.cos(b.angle);
  const s = Math.sin(b.angle);
  const x = (dx * c + dy * s) / b.rx;
  const y = (-dx * s + dy * c) / b.ry;
  const theta = Math.atan2(y, x);
  let f = 1;
  for (const h of b.harmonics) f += h.amp * Math.cos(h.k * theta + h.phase);
  return Math.hypot(x, y) / Math.max(0.2, f);
}
