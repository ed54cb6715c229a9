// Run-length encoding of binary masks: row-major runs for storage, and COCO RLE (column-major,
// with pycocotools' compressed string form) for export. Runs alternate background/foreground,
// starting with a (possibly empty) background run.
import type { Mask } from './types';

export interface Rle {
  width: number;
  height: number;
  counts: number[];
}

export interface CocoRle {
  /** COCO order: [height, width]. */
  size: [number, number];
  counts: string;
}

function runs(len: number, at: (i: number) => boolean): number[] {
  const counts: number[] = [];
  let cur = false;
  let run = 0;
  for (let i = 0; i < len; i++) {
    const v = at(i);
    if (v !== cur) {
      counts.push(run);
      run = 0;
      cur = v;
    }
    run++;
  }
  counts.push(run);
  return counts;
}

function checkCounts(counts: readonly number[], total: number): void {
  let sum = 0;
  for (const c of counts) {
    if (!Number.isInteger(c) || c < 0) throw new Error('RLE counts must be non-negative integers');
    sum += c;
  }
  if (sum !== total) throw new Error(`RLE covers ${sum} pixels, expected ${total}`);
}

/** Row-major RLE of a binary mask (non-zero = foreground). A tight loop: it runs on every autosave. */
export function encodeRle(mask: Mask): Rle {
  const d = mask.data;
  const counts: number[] = [];
  let start = 0;
  let cur = false;
  for (let i = 0; i < d.length; i++) {
    if (d[i] !== 0 !== cur) {
      counts.push(i - start);
      start = i;
      cur = !cur;
    }
  }
  counts.push(d.length - start);
  return { width: mask.width, height: mask.height, counts };
}

export function decodeRle(rle: Rle): Mask {
  const { width, height, counts } = rle;
  checkCounts(counts, width * height);
  const data = new Uint8Array(width * height);
  let p = 0;
  for (let i = 0; i < counts.length; i++) {
    if (i % 2 === 1) data.fill(1, p, p + counts[i]);
    p += counts[i];
  }
  return { width, height, data };
}

/** COCO RLE counts: column-major (Fortran) order, as pycocotools' encode gives. */
export function encodeCocoCounts(mask: Mask): number[] {
  const { width, height, data } = mask;
  return runs(width * height, (i) => data[(i % height) * width + Math.floor(i / height)] !== 0);
}

export function decodeCocoCounts(counts: readonly number[], width: number, height: number): Mask {
  checkCounts(counts, width * height);
  const data = new Uint8Array(width * height);
  let p = 0;
  for (let i = 0; i < counts.length; i++) {
    if (i % 2 === 1) {
      for (let k = p; k < p + counts[i]; k++) data[(k % height) * width + Math.floor(k / height)] = 1;
    }
    p += counts[i];
  }
  return { width, height, data };
}

/** pycocotools rleToString: delta-coded (from the count two back) 5-bit groups, offset by '0'. */
export function cocoCountsToString(counts: readonly number[]): string {
  let s = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i];
    if (i > 2) x -= counts[i - 2];
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/** pycocotools rleFrString. */
export function cocoStringToCounts(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new Error('truncated COCO RLE string');
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new Error('bad character in COCO RLE string');
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return counts;
}

export function toCocoRle(mask: Mask): CocoRle {
  return { size: [mask.height, mask.width], counts: cocoCountsToString(encodeCocoCounts(mask)) };
}

export function fromCocoRle(rle: CocoRle): Mask {
  const [h, w] = rle.size;
  return decodeCocoCounts(cocoStringToCounts(rle.counts), w, h);
}
