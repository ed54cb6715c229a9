// Multiplanar reformatting (MPR): the same volume as three planes, axial, coronal and sagittal, each shown
// in radiological orientation (orientation.ts). Each plane is a pair of the volume's own voxel axes (u
// across the image, v down the image) stepping along the third (n, the slice axis), so a plane's image is
// read straight from the scan's one pixel array with strides: nothing is resampled and no copy of the
// volume is made per redraw (one slice-sized buffer per view). Which voxel axis serves as which plane's
// normal is the assignment that best matches the patient axes (S for axial, A for coronal, R for
// sagittal); the acquisition plane is the plane whose normal is voxel axis 2, shown exactly as the
// single-view viewer shows a frame. Voxel points are [i, j, k] = [column, row, slice].
import type { PlaneStrides } from '../../mask/volumeEdit';
import type { PixelArray, Scan, WindowLevel } from '../types';
import { axisOf, orientPlane, slicesPerVolume, type DisplayOrientation, type Plane } from './orientation';
import { volumeAffine } from './series';

export type Axis = 0 | 1 | 2;
export type Voxel = [number, number, number];

export interface PlaneGeometry extends PlaneStrides {
  plane: Plane;
  /** Voxel axis across the plane's image (its columns), down it (its rows), and through it (its slices). */
  u: Axis;
  v: Axis;
  n: Axis;
  /** Image (column, row) -> display, with voxel aspect; labels for the viewport edges. */
  orient: DisplayOrientation;
  /** Millimetres per image pixel across and down (for distances within the plane). */
  spacingU: number;
  spacingV: number;
}

export interface MprGeometry {
  dims: Voxel;
  planes: Record<Plane, PlaneGeometry>;
}

export const PLANES: readonly Plane[] = ['axial', 'coronal', 'sagittal'];
/** The RAS axis each plane looks along: axial along S (2), coronal along A (1), sagittal along R (0). */
const NORMAL_RAS: Record<Plane, number> = { axial: 2, coronal: 1, sagittal: 0 };
const PERMUTATIONS: readonly [Axis, Axis, Axis][] = [
  [0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0],
];

/** MPR geometry of a single-channel volume (several slices with patient geometry); null otherwise. */
export function mprGeometry(scan: Pick<Scan, 'width' | 'height' | 'frames' | 'shape' | 'format' | 'channels' | 'geometry' | 'spacing'>): MprGeometry | null {
  if (scan.channels !== 1) return null;
  const slices = slicesPerVolume(scan as Scan);
  if (slices < 2) return null;
  const dims: Voxel = [scan.width, scan.height, slices];
  const a = volumeAffine(scan as Scan);
  const dirs = [0, 1, 2].map((c) => axisOf(a, c));
  const mm = dirs.map((d) => Math.hypot(d[0], d[1], d[2]) || 1);
  // normal axis per plane (axial, coronal, sagittal): the permutation best aligned with S, A, R
  let best = PERMUTATIONS[0];
  let bestScore = -1;
  for (const p of PERMUTATIONS) {
    const score = PLANES.reduce((s, plane, i) => s + Math.abs(dirs[p[i]][NORMAL_RAS[plane]]) / mm[p[i]], 0);
    if (score > bestScore + 1e-9) {
      best = p;
      bestScore = score;
    }
  }
  const strides: Voxel = [1, dims[0], dims[0] * dims[1]];
  const planes = {} as Record<Plane, PlaneGeometry>;
  PLANES.forEach((plane, i) => {
    const n = best[i];
    const [u, v] = ([0, 1, 2] as Axis[]).filter((c) => c !== n) as [Axis, Axis];
    const orient = orientPlane(dirs[u], dirs[v], dims[u], dims[v], plane);
    planes[plane] = {
      plane, u, v, n, orient, width: dims[u], height: dims[v], slices: dims[n],
      su: strides[u], sv: strides[v], sn: strides[n], spacingU: mm[u], spacingV: mm[v],
    };
  });
  return { dims, planes };
}

/** Where a voxel lies in a plane: image column x, row y (pixel centres at +0.5) and the slice. */
export function toPlane(g: PlaneGeometry, p: Voxel): { x: number; y: number; slice: number } {
  return { x: p[g.u], y: p[g.v], slice: p[g.n] };
}

/** The voxel at image point (x, y) of slice `slice` of a plane (fractional image points are floored). */
export function fromPlane(g: PlaneGeometry, x: number, y: number, slice: number): Voxel {
  const p: Voxel = [0, 0, 0];
  p[g.u] = Math.max(0, Math.min(g.width - 1, Math.floor(x)));
  p[g.v] = Math.max(0, Math.min(g.height - 1, Math.floor(y)));
  p[g.n] = Math.max(0, Math.min(g.slices - 1, Math.round(slice)));
  return p;
}

/** The voxel at the centre of the volume (where MPR opens). */
export const centreVoxel = (g: MprGeometry): Voxel => [Math.floor((g.dims[0] - 1) / 2), Math.floor((g.dims[1] - 1) / 2), Math.floor((g.dims[2] - 1) / 2)];

/** Copies slice `s` of a plane from a volume array (x fastest) into `out` (width * height values). */
export function reslice<T extends PixelArray | Uint8Array>(src: ArrayLike<number>, g: PlaneStrides, s: number, out: T): T {
  const base = s * g.sn;
  let o = 0;
  for (let y = 0; y < g.height; y++) {
    let at = base + y * g.sv;
    if (g.su === 1) {
      for (let x = 0; x < g.width; x++) out[o++] = src[at++];
    } else {
      for (let x = 0; x < g.width; x++, at += g.su) out[o++] = src[at];
    }
  }
  return out;
}

/**
 * Slice `s` of a plane, windowed to RGBA in one pass (no intermediate copy): what a view draws. Same
 * mapping as windowLevelToRGBA (MONOCHROME1 inverted), plus the display's own inversion.
 */
export function resliceRGBA(scan: Pick<Scan, 'data' | 'photometric'>, g: PlaneStrides, s: number, window: WindowLevel, invert: boolean, out: Uint8ClampedArray): Uint8ClampedArray {
  const src = scan.data;
  const w = Math.max(window.width, 1);
  const lo = window.center - 0.5 - (w - 1) / 2;
  const scale = 255 / (w - 1 || 1);
  const flip = (scan.photometric === 'MONOCHROME1') !== invert;
  const base = s * g.sn;
  let o = 0;
  for (let y = 0; y < g.height; y++) {
    let at = base + y * g.sv;
    for (let x = 0; x < g.width; x++, at += g.su, o += 4) {
      let v = (src[at] - lo) * scale;
      v = v < 0 ? 0 : v > 255 ? 255 : v;
      if (flip) v = 255 - v;
      out[o] = out[o + 1] = out[o + 2] = v;
      out[o + 3] = 255;
    }
  }
  return out;
}

/** Mask slice `s` of a plane as RGBA (colour where set, transparent elsewhere) into `out`. */
export function resliceMaskRGBA(mask: Uint8Array, g: PlaneStrides, s: number, rgb: readonly [number, number, number], out: Uint8ClampedArray): Uint8ClampedArray {
  const base = s * g.sn;
  let o = 0;
  for (let y = 0; y < g.height; y++) {
    let at = base + y * g.sv;
    for (let x = 0; x < g.width; x++, at += g.su, o += 4) {
      if (mask[at]) {
        out[o] = rgb[0];
        out[o + 1] = rgb[1];
        out[o + 2] = rgb[2];
        out[o + 3] = 255;
      } else out[o + 3] = 0;
    }
  }
  return out;
}
