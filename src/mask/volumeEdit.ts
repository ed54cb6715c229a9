// 3-D mask editing, pure typed-array maths: a volume mask (x fastest, then y, then slices; one byte per
// voxel) edited through any plane of it (PlaneStrides: which voxel stride steps across, down and through
// a plane's image), undo/redo across slices (a step is the list of voxels it changed, so an edit on a
// coronal slice spanning many axial slices is one step), shape-based interpolation between two slices
// (signed distance transforms blended linearly) and 6-connected 3-D components (keep / remove).
import { squaredDistanceToSeeds } from './distance';
import type { Mask } from './types';

/** How one plane of a volume is laid out in its array: image width x height, `slices` of them. */
export interface PlaneStrides {
  width: number;
  height: number;
  slices: number;
  /** Array stride of one step across (u), down (v) and through (n) the plane. */
  su: number;
  sv: number;
  sn: number;
}

/** Reports how far a long operation is, 0..1 (called now and then, not per voxel). */
export type Progress = (fraction: number) => void;

/** One undoable change: voxel indices (ascending) with their values before and after. */
export interface VolumeChange {
  indices: Uint32Array;
  before: Uint8Array;
  after: Uint8Array;
}

/** Copies plane slice `s` of a volume mask into a 2-D mask. */
export function readPlaneMask(vol: Uint8Array, g: PlaneStrides, s: number, out?: Mask): Mask {
  const m = out ?? { width: g.width, height: g.height, data: new Uint8Array(g.width * g.height) };
  const base = s * g.sn;
  let o = 0;
  for (let y = 0; y < g.height; y++) for (let x = 0, at = base + y * g.sv; x < g.width; x++, at += g.su) m.data[o++] = vol[at];
  return m;
}

/** Writes a 2-D mask into plane slice `s` of the volume; returns what changed (indices ascending). */
export function writePlaneMask(vol: Uint8Array, g: PlaneStrides, s: number, m: Mask): VolumeChange {
  const c = planeChange(g, s, (o, at) => vol[at] !== m.data[o], (o, at) => vol[at], (o) => m.data[o]);
  for (let i = 0; i < c.indices.length; i++) vol[c.indices[i]] = c.after[i];
  return c;
}

/** What differs between two versions of plane slice `s` (nothing is written). */
export function planeDiff(g: PlaneStrides, s: number, before: Mask, after: Mask): VolumeChange {
  return planeChange(g, s, (o) => before.data[o] !== after.data[o], (o) => before.data[o], (o) => after.data[o]);
}

/**
 * The voxels of plane slice `s` where `differs`, with their values before and after, in typed arrays
 * (counted first, then filled: no per-voxel JS array, so a change of millions of voxels stays compact).
 */
function planeChange(
  g: PlaneStrides, s: number, differs: (o: number, at: number) => boolean, was: (o: number, at: number) => number, becomes: (o: number, at: number) => number,
): VolumeChange {
  const base = s * g.sn;
  let n = 0;
  for (let y = 0, o = 0; y < g.height; y++) for (let x = 0, at = base + y * g.sv; x < g.width; x++, at += g.su, o++) if (differs(o, at)) n++;
  const c: VolumeChange = { indices: new Uint32Array(n), before: new Uint8Array(n), after: new Uint8Array(n) };
  let k = 0;
  for (let y = 0, o = 0; y < g.height && k < n; y++) {
    for (let x = 0, at = base + y * g.sv; x < g.width; x++, at += g.su, o++) {
      if (!differs(o, at)) continue;
      c.indices[k] = at;
      c.before[k] = was(o, at);
      c.after[k] = becomes(o, at);
      k++;
    }
  }
  return sortChange(c);
}

/** Sorts a change by voxel index: index, before and after packed in one float64 each, sorted natively. */
function sortChange(c: VolumeChange): VolumeChange {
  const n = c.indices.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = c.indices[i - 1] < c.indices[i];
  if (sorted) return c;
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = c.indices[i] * 65536 + c.before[i] * 256 + c.after[i];
  packed.sort();
  const out: VolumeChange = { indices: new Uint32Array(n), before: new Uint8Array(n), after: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    const v = packed[i];
    const idx = Math.floor(v / 65536);
    const rest = v - idx * 65536;
    out.indices[i] = idx;
    out.before[i] = rest >> 8;
    out.after[i] = rest & 255;
  }
  return out;
}

/** Merges changes made one after another into one (the first `before`, the last `after` per voxel). */
export function mergeChanges(changes: readonly VolumeChange[]): VolumeChange {
  const map = new Map<number, [number, number]>();
  for (const c of changes) {
    for (let i = 0; i < c.indices.length; i++) {
      const k = c.indices[i];
      const had = map.get(k);
      if (had) had[1] = c.after[i];
      else map.set(k, [c.before[i], c.after[i]]);
    }
  }
  const keys = [...map.keys()].filter((k) => map.get(k)![0] !== map.get(k)![1]).sort((a, b) => a - b);
  return { indices: Uint32Array.from(keys), before: Uint8Array.from(keys, (k) => map.get(k)![0]), after: Uint8Array.from(keys, (k) => map.get(k)![1]) };
}

const isEmptyChange = (c: VolumeChange): boolean => c.indices.length === 0;

/** Undo/redo of volume changes, bounded by the bytes the steps hold (oldest dropped first). */
export class VolumeHistory {
  private undoStack: VolumeChange[] = [];
  private redoStack: VolumeChange[] = [];
  private bytes = 0;

  constructor(
    private readonly vol: Uint8Array,
    private readonly maxBytes = 256 * 1024 * 1024,
  ) {}

  get undoDepth(): number {
    return this.undoStack.length;
  }
  get redoDepth(): number {
    return this.redoStack.length;
  }

  /** Records a change already applied to the volume. Returns false when it changed nothing. */
  push(c: VolumeChange): boolean {
    if (isEmptyChange(c)) return false;
    this.undoStack.push(c);
    this.bytes += c.indices.byteLength + 2 * c.indices.length;
    this.redoStack = [];
    while (this.bytes > this.maxBytes && this.undoStack.length > 1) {
      const old = this.undoStack.shift()!;
      this.bytes -= old.indices.byteLength + 2 * old.indices.length;
    }
    return true;
  }

  /** Undoes the last step; returns it (its indices tell what to redraw) or null. */
  undo(): VolumeChange | null {
    const c = this.undoStack.pop();
    if (!c) return null;
    for (let i = 0; i < c.indices.length; i++) this.vol[c.indices[i]] = c.before[i];
    this.redoStack.push(c);
    return c;
  }

  redo(): VolumeChange | null {
    const c = this.redoStack.pop();
    if (!c) return null;
    for (let i = 0; i < c.indices.length; i++) this.vol[c.indices[i]] = c.after[i];
    this.undoStack.push(c);
    return c;
  }
}

/**
 * Signed distance of a 2-D mask's boundary (mm): positive inside, negative outside, zero-crossing halfway
 * between a boundary pixel and its outside neighbour. `null` for an empty mask.
 */
export function signedDistance(m: Mask, sx = 1, sy = 1): Float32Array | null {
  const { width, height, data } = m;
  let any = false;
  let all = true;
  for (let i = 0; i < data.length; i++) {
    if (data[i]) any = true;
    else all = false;
  }
  if (!any) return null;
  const out = new Float32Array(width * height);
  const toInside = squaredDistanceToSeeds(data, width, height, sx, sy);
  if (all) {
    out.fill(Math.max(width * sx, height * sy));
    return out;
  }
  const outside = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) outside[i] = data[i] ? 0 : 1;
  const toOutside = squaredDistanceToSeeds(outside, width, height, sx, sy);
  const half = 0.5 * Math.min(sx, sy);
  for (let i = 0; i < out.length; i++) out[i] = data[i] ? Math.sqrt(toOutside[i]) - half : half - Math.sqrt(toInside[i]);
  return out;
}

/**
 * Shape-based interpolation: fills the slices strictly between `a` and `b` of a plane from the signed
 * distance transforms of slices a and b, blended linearly (a voxel is set where the blend is > 0). An
 * empty end slice is the other shape shrunk to nothing at that end. Slices a and b are not touched; the
 * slices between are replaced. Returns the change (already applied).
 */
export function interpolateBetween(vol: Uint8Array, g: PlaneStrides, a: number, b: number, sx = 1, sy = 1, progress?: Progress): VolumeChange {
  const lo = Math.max(0, Math.min(a, b));
  const hi = Math.min(g.slices - 1, Math.max(a, b));
  const empty: VolumeChange = { indices: new Uint32Array(0), before: new Uint8Array(0), after: new Uint8Array(0) };
  if (hi - lo < 2) return empty;
  let dA = signedDistance(readPlaneMask(vol, g, lo), sx, sy);
  let dB = signedDistance(readPlaneMask(vol, g, hi), sx, sy);
  if (!dA && !dB) {
    // both ends empty: the slices between are cleared
    dA = new Float32Array(g.width * g.height).fill(-1);
    dB = dA;
  } else if (!dA || !dB) {
    const other = (dA ?? dB)!;
    let reach = 0;
    for (let i = 0; i < other.length; i++) if (other[i] > reach) reach = other[i];
    const gone = new Float32Array(other.length);
    for (let i = 0; i < other.length; i++) gone[i] = other[i] - reach - Math.min(sx, sy);
    if (!dA) dA = gone;
    else dB = gone;
  }
  const changes: VolumeChange[] = [];
  const slice: Mask = { width: g.width, height: g.height, data: new Uint8Array(g.width * g.height) };
  for (let s = lo + 1; s < hi; s++) {
    const t = (s - lo) / (hi - lo);
    for (let i = 0; i < slice.data.length; i++) slice.data[i] = (1 - t) * dA[i] + t * dB![i] > 0 ? 1 : 0;
    changes.push(writePlaneMask(vol, g, s, slice));
    progress?.((s - lo) / (hi - lo));
  }
  return changes.length === 1 ? changes[0] : concatSorted(changes);
}

/** Concatenates changes over disjoint voxels into one (sorted). */
function concatSorted(changes: readonly VolumeChange[]): VolumeChange {
  const n = changes.reduce((s, c) => s + c.indices.length, 0);
  const out: VolumeChange = { indices: new Uint32Array(n), before: new Uint8Array(n), after: new Uint8Array(n) };
  let at = 0;
  for (const c of changes) {
    out.indices.set(c.indices, at);
    out.before.set(c.before, at);
    out.after.set(c.after, at);
    at += c.indices.length;
  }
  return sortChange(out);
}

/** Growable list of voxel indices. */
class IndexList {
  data = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * The 6-connected component of set voxels containing `seed` (an index), as ascending voxel indices;
 * empty when the seed voxel is not set. dims = [x, y, z] sizes (x fastest).
 */
export function component6(vol: Uint8Array, dims: readonly [number, number, number], seed: number, progress?: Progress): Uint32Array {
  const [nx, ny, nz] = dims;
  if (seed < 0 || seed >= nx * ny * nz || !vol[seed]) return new Uint32Array(0);
  const plane = nx * ny;
  const seen = new Uint8Array(Math.ceil(vol.length / 8));
  const mark = (i: number): void => void (seen[i >> 3] |= 1 << (i & 7));
  const has = (i: number): boolean => (seen[i >> 3] & (1 << (i & 7))) !== 0;
  const list = new IndexList();
  list.push(seed);
  mark(seed);
  // progress: the share of the volume's set voxels reached so far (an upper bound on the component)
  let setVoxels = 0;
  if (progress) for (let i = 0; i < vol.length; i++) if (vol[i]) setVoxels++;
  // the list is also the queue: breadth first, every member visited once
  for (let q = 0; q < list.length; q++) {
    if (progress && (q & 0xffff) === 0) progress(q / setVoxels);
    const i = list.data[q];
    const x = i % nx;
    const y = Math.floor(i / nx) % ny;
    const z = Math.floor(i / plane);
    const visit = (j: number): void => {
      if (vol[j] && !has(j)) {
        mark(j);
        list.push(j);
      }
    };
    if (x > 0) visit(i - 1);
    if (x < nx - 1) visit(i + 1);
    if (y > 0) visit(i - nx);
    if (y < ny - 1) visit(i + nx);
    if (z > 0) visit(i - plane);
    if (z < nz - 1) visit(i + plane);
  }
  return list.view().slice().sort();
}

/** Clears the component containing `seed`; returns the change (applied). */
export function removeComponent(vol: Uint8Array, dims: readonly [number, number, number], seed: number, progress?: Progress): VolumeChange {
  const indices = component6(vol, dims, seed, progress);
  const before = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    before[i] = vol[indices[i]];
    vol[indices[i]] = 0;
  }
  return { indices, before, after: new Uint8Array(indices.length) };
}

/** Keeps only the component containing `seed` (every other set voxel is cleared); returns the change. */
export function keepComponent(vol: Uint8Array, dims: readonly [number, number, number], seed: number, progress?: Progress): VolumeChange {
  // finding the component is most of the work (0..0.8); the sweep for everything else the rest
  const keep = component6(vol, dims, seed, progress && ((f) => progress(0.8 * f)));
  if (!keep.length) return { indices: new Uint32Array(0), before: new Uint8Array(0), after: new Uint8Array(0) };
  const idx = new IndexList();
  let k = 0;
  const visit = (i: number): void => {
    if (!vol[i]) return;
    while (k < keep.length && keep[k] < i) k++;
    if (k < keep.length && keep[k] === i) return;
    idx.push(i);
  };
  // most of a volume mask is empty: skip it four voxels at a time
  const words = vol.byteOffset % 4 === 0 ? new Uint32Array(vol.buffer, vol.byteOffset, vol.length >> 2) : new Uint32Array(0);
  for (let w = 0; w < words.length; w++) {
    if (progress && (w & 0x3fffff) === 0) progress(0.8 + (0.2 * w) / words.length);
    if (words[w] === 0) continue;
    const i = w << 2;
    visit(i);
    visit(i + 1);
    visit(i + 2);
    visit(i + 3);
  }
  for (let i = words.length << 2; i < vol.length; i++) visit(i);
  const indices = idx.view().slice();
  const before = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    before[i] = vol[indices[i]];
    vol[indices[i]] = 0;
  }
  return { indices, before, after: new Uint8Array(indices.length) };
}
