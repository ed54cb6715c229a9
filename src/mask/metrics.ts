// Agreement and summary metrics between masks: Dice, IoU, Hausdorff 95 (mm), area, mean confidence.
import type { Mask, Rect } from './types';
import { countForeground } from './types';
import { squaredDistanceToSeeds } from './distance';

function checkSame(a: Mask, b: Mask): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`masks differ in size: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
}

function overlap(a: Mask, b: Mask): { inter: number; na: number; nb: number } {
  checkSame(a, b);
  let inter = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.data.length; i++) {
    const pa = a.data[i] !== 0;
    const pb = b.data[i] !== 0;
    if (pa) na++;
    if (pb) nb++;
    if (pa && pb) inter++;
  }
  return { inter, na, nb };
}

/** Dice = 2|A∩B| / (|A|+|B|); two empty masks agree perfectly (1). */
export function dice(a: Mask, b: Mask): number {
  const { inter, na, nb } = overlap(a, b);
  return na + nb === 0 ? 1 : (2 * inter) / (na + nb);
}

/** IoU = |A∩B| / |A∪B|; two empty masks give 1. */
export function iou(a: Mask, b: Mask): number {
  const { inter, na, nb } = overlap(a, b);
  const union = na + nb - inter;
  return union === 0 ? 1 : inter / union;
}

/** Border pixels: foreground with a 4-neighbour in background or outside the image (as medpy). */
export function border(
  mask: Mask,
  rect: Rect = { x0: 0, y0: 0, x1: mask.width, y1: mask.height },
): Uint8Array {
  const { width: w, height: h, data } = mask;
  const out = new Uint8Array(w * h);
  for (let y = rect.y0; y < rect.y1; y++) {
    for (let x = rect.x0; x < rect.x1; x++) {
      const i = y * w + x;
      if (!data[i]) continue;
      if (
        x === 0 ||
        y === 0 ||
        x === w - 1 ||
        y === h - 1 ||
        !data[i - 1] ||
        !data[i + 1] ||
        !data[i - w] ||
        !data[i + w]
      )
        out[i] = 1;
    }
  }
  return out;
}

/** Bounding box of the non-zero pixels of several same-size masks (empty rect when none). */
function foregroundBox(width: number, height: number, ...datas: Uint8Array[]): Rect {
  let x0 = width,
    y0 = height,
    x1 = 0,
    y1 = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (const d of datas) {
      let first = -1;
      for (let x = 0; x < width; x++)
        if (d[row + x]) {
          first = x;
          break;
        }
      if (first < 0) continue;
      let last = width - 1;
      while (!d[row + last]) last--;
      if (first < x0) x0 = first;
      if (last + 1 > x1) x1 = last + 1;
      if (y < y0) y0 = y;
      y1 = y + 1;
    }
  }
  return { x0, y0, x1, y1 };
}

function crop(d: Uint8Array, width: number, r: Rect): Uint8Array {
  const w = r.x1 - r.x0;
  const out = new Uint8Array(w * (r.y1 - r.y0));
  for (let y = r.y0; y < r.y1; y++) out.set(d.subarray(y * width + r.x0, y * width + r.x1), (y - r.y0) * w);
  return out;
}

function percentile(values: Float64Array, p: number): number {
  const sorted = values.slice().sort();
  const pos = (sorted.length - 1) * (p / 100);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * 95th percentile of symmetric surface distances (medpy's hd95), in the units of `spacing`
 * ([column, row], mm when known). Null when either mask is empty (undefined distance).
 */
export function hausdorff95(a: Mask, b: Mask, spacing: readonly [number, number] = [1, 1]): number | null {
  checkSame(a, b);
  // Every border pixel of either mask lies in the union's bounding box, so the distance transforms are
  // exact when computed on that box alone (usually a small part of the scan).
  const box = foregroundBox(a.width, a.height, a.data, b.data);
  if (box.x1 <= box.x0) return null;
  const ba = crop(border(a, box), a.width, box);
  const bb = crop(border(b, box), a.width, box);
  const na = countForeground(ba);
  const nb = countForeground(bb);
  if (na === 0 || nb === 0) return null;
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  const [sx, sy] = spacing;
  const toB = squaredDistanceToSeeds(bb, w, h, sx, sy);
  const toA = squaredDistanceToSeeds(ba, w, h, sx, sy);
  const all = new Float64Array(na + nb);
  let k = 0;
  for (let i = 0; i < ba.length; i++) {
    if (ba[i]) all[k++] = Math.sqrt(toB[i]);
    if (bb[i]) all[k++] = Math.sqrt(toA[i]);
  }
  return percentile(all, 95);
}

export interface Area {
  pixels: number;
  /** mm² when spacing is known. */
  mm2: number;
  fraction: number;
}

export function area(mask: Mask, spacing: readonly [number, number] = [1, 1]): Area {
  const pixels = countForeground(mask.data);
  return { pixels, mm2: pixels * spacing[0] * spacing[1], fraction: pixels / mask.data.length };
}

/** Mean probability over the mask's foreground; null for an empty mask. */
export function meanConfidence(probs: Float32Array, mask: Mask): number | null {
  if (probs.length !== mask.data.length) throw new Error('probabilities do not match the mask size');
  let sum = 0;
  let n = 0;
  for (let i = 0; i < probs.length; i++) {
    if (mask.data[i]) {
      sum += probs[i];
      n++;
    }
  }
  return n === 0 ? null : sum / n;
}
