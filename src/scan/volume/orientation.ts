// Patient orientation for display. Every volume is shown in the standard radiological convention:
//   axial:    patient's right on screen left, anterior up;
//   coronal:  patient's right on screen left, superior up;
//   sagittal: anterior on screen left, superior up.
// A slice plane (two voxel axes of the volume) is mapped to the screen by a flip and/or transpose (the
// nearest of the 8 right-angle mappings; oblique planes take the closest) with the voxel spacing as the
// aspect ratio, so nothing is resampled: masks, tools and runs keep working in voxel coordinates.
// Directions are RAS (the affine of every Scan maps (column, row, slice) to RAS mm).
import type { Scan } from '../types';
import { volumeAffine } from './series';

export type Plane = 'axial' | 'coronal' | 'sagittal';
/** Canvas-style 2-D affine [a, b, c, d, e, f]: u = a x + c y + e, v = b x + d y + f. */
export type Mat2d = [number, number, number, number, number, number];

export interface DisplayOrientation {
  plane: Plane;
  /** Image (column x, row y, in pixels) -> display units; one display unit = the finer in-plane spacing. */
  m: Mat2d;
  /** Size of the displayed image in display units. */
  w: number;
  h: number;
  /** Patient direction letters at the viewport edges, e.g. axial {left: 'R', right: 'L', top: 'A', bottom: 'P'}. */
  labels: { left: string; right: string; top: string; bottom: string };
}

type Vec3 = [number, number, number];

/** Column c (0..2) of a 4x4 row-major affine: the RAS direction (times spacing) of voxel axis c. */
export const axisOf = (affine: readonly number[], c: number): Vec3 => [affine[c], affine[4 + c], affine[8 + c]];

/** RAS letters of a direction: the dominant one, plus the next when it is more than a quarter as large (oblique). */
export function directionLetters(v: readonly number[]): string {
  const letters = [v[0] >= 0 ? 'R' : 'L', v[1] >= 0 ? 'A' : 'P', v[2] >= 0 ? 'S' : 'I'];
  const mags = v.map(Math.abs);
  const order = [0, 1, 2].sort((a, b) => mags[b] - mags[a]);
  if (mags[order[0]] === 0) return '';
  return letters[order[0]] + (mags[order[1]] > 0.25 * mags[order[0]] ? letters[order[1]] : '');
}

/** The plane whose normal is closest to the given direction (RAS). */
export function planeOf(normal: readonly number[]): Plane {
  const m = normal.map(Math.abs);
  return m[2] >= m[0] && m[2] >= m[1] ? 'axial' : m[1] >= m[0] ? 'coronal' : 'sagittal';
}

/** Where screen right and screen down point in each plane (RAS unit vectors). */
const SCREEN: Record<Plane, { right: Vec3; down: Vec3 }> = {
  axial: { right: [-1, 0, 0], down: [0, -1, 0] },
  coronal: { right: [-1, 0, 0], down: [0, 0, -1] },
  sagittal: { right: [0, -1, 0], down: [0, 0, -1] },
};

const dot = (a: readonly number[], b: readonly number[]): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const norm = (v: readonly number[]): number => Math.hypot(v[0], v[1], v[2]);
const neg = (v: readonly number[]): Vec3 => [-v[0], -v[1], -v[2]];

/**
 * Display mapping of an image whose columns step `colDir` and rows step `rowDir` (RAS, mm per pixel)
 * shown as `plane`. `width`/`height` are the image size in pixels.
 */
export function orientPlane(colDir: readonly number[], rowDir: readonly number[], width: number, height: number, plane: Plane): DisplayOrientation {
  const sc = norm(colDir) || 1;
  const sr = norm(rowDir) || 1;
  const unit = Math.min(sc, sr);
  const target = SCREEN[plane];
  const cu = colDir.map((v) => v / sc);
  const ru = rowDir.map((v) => v / sr);
  // columns go across the screen unless rows are better aligned with screen right
  const transpose = Math.abs(dot(ru, target.right)) > Math.abs(dot(cu, target.right));
  const [acrossDir, downDir] = transpose ? [ru, cu] : [cu, ru];
  const sx = dot(acrossDir, target.right) < 0 ? -1 : 1;
  const sy = dot(downDir, target.down) < 0 ? -1 : 1;
  const ax = (transpose ? sr : sc) / unit; // display units per pixel across
  const ay = (transpose ? sc : sr) / unit;
  const nAcross = transpose ? height : width;
  const nDown = transpose ? width : height;
  const w = nAcross * ax;
  const h = nDown * ay;
  const e = sx < 0 ? w : 0;
  const f = sy < 0 ? h : 0;
  // u = sx * ax * (across pixel coordinate) + e ; v = sy * ay * (down pixel coordinate) + f
  const m: Mat2d = transpose ? [0, sy * ay, sx * ax, 0, e, f] : [sx * ax, 0, 0, sy * ay, e, f];
  const right: Vec3 = [acrossDir[0] * sx, acrossDir[1] * sx, acrossDir[2] * sx];
  const down: Vec3 = [downDir[0] * sy, downDir[1] * sy, downDir[2] * sy];
  return {
    plane, m, w, h,
    labels: { right: directionLetters(right), left: directionLetters(neg(right)), bottom: directionLetters(down), top: directionLetters(neg(down)) },
  };
}

/** True for scans with 3-D patient geometry (volumes and DICOM slices with orientation). */
export function hasPatientGeometry(scan: Pick<Scan, 'geometry' | 'format'>): boolean {
  return scan.geometry?.affine?.length === 16 && ['dicom', 'nifti', 'nrrd', 'mha'].includes(scan.format);
}

/** A volume: several slices of one 3-D grid (not a cine loop or a stack of unrelated frames). */
export function isVolume(scan: Scan): boolean {
  if (scan.frames < 2 || !hasPatientGeometry(scan)) return false;
  if (scan.format !== 'dicom') return true;
  return (scan.geometry?.dicom?.imagePositionPatient?.length ?? 0) === scan.frames;
}

/** Slices per volume: NIfTI/NRRD/MHA frames run slice-fastest, then time points. */
export function slicesPerVolume(scan: Scan): number {
  return scan.format === 'dicom' ? scan.frames : Math.max(1, Math.min(scan.frames, scan.shape[2] ?? scan.frames));
}

/** The frame a scan opens on: the middle slice (of the first time point) of a volume, else frame 0. */
export function openingFrame(scan: Scan): number {
  return isVolume(scan) ? Math.floor((slicesPerVolume(scan) - 1) / 2) : 0;
}

/**
 * Display orientation of the scan's own slices (the acquisition plane), or null without patient geometry.
 * Colour volumes (an RGB NIfTI such as a DTI colour-FA map) are oriented the same way: the mapping is a
 * flip/transpose of the whole image, whatever its channels.
 */
export function frameOrientation(scan: Scan): DisplayOrientation | null {
  if (!hasPatientGeometry(scan)) return null;
  const a = volumeAffine(scan);
  return orientPlane(axisOf(a, 0), axisOf(a, 1), scan.width, scan.height, planeOf(axisOf(a, 2)));
}

/**
 * A note for the viewer when the geometry is not real: an identity affine with 1 mm voxels is what
 * files without spacing carry (e.g. the ACDC cardiac volumes), so measurements are in voxels, not mm.
 */
export function geometryNote(scan: Scan): string | null {
  if (!hasPatientGeometry(scan)) return null;
  const a = volumeAffine(scan);
  const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1].every((v, i) => (i % 4 === 3 && i < 12 ? true : Math.abs(Math.abs(a[i]) - v) < 1e-6));
  if (!scan.spacingKnown) return 'Spacing not recorded in the file: 1 mm voxels assumed.';
  if (identity && scan.format !== 'dicom') return 'Spacing not recorded (identity affine): 1 mm voxels assumed; orientation as stored.';
  return null;
}
