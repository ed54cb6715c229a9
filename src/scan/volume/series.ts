// Series -> volume: the one place where parsed DICOM instances become volumes.
//
// A volume is a Scan whose frames are slices of one 3-D grid: `data` holds the voxels (slice k at
// k * width * height), `geometry.affine` maps (column i, row j, slice k) to patient RAS millimetres
// (DICOM positions are LPS; the first two rows of the affine are negated), `spacing` is
// [column, row, slice] in mm, `modality` and the rescale (already applied to `data`) come from the files.
// NIfTI, NRRD and MetaImage readers produce the same model (see `volumeAffine`).
//
// `assembleSeries(scans)` groups single-frame DICOM instances by SeriesInstanceUID, sorts them by
// ImagePositionPatient projected on the slice normal (the cross product of ImageOrientationPatient's row
// and column directions; not by file name or InstanceNumber), takes the slice spacing from the positions,
// and orders the frames of enhanced multi-frame files the same way (per-frame Plane Position). Anything
// inconsistent is named in `problems` in plain words and left out of the volume, while what is consistent
// still opens: instances of another size or orientation open on their own; a gap splits the series into
// the runs that are evenly spaced; a second image at the same position (another echo or time point) is
// kept apart as its own volume. Scans that are not DICOM slices (pictures, NIfTI, single images without
// position) pass through unchanged.
import { dtypeOf, valueRange } from '../build';
import type { PixelArray, Scan } from '../types';

export interface SeriesResult {
  /** Volumes and single scans to open, in the order their first file was given. */
  scans: Scan[];
  /** Plain-language descriptions of what did not fit (empty when everything assembled cleanly). */
  problems: string[];
}

type Vec3 = [number, number, number];
const dot = (a: readonly number[], b: readonly number[]): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: readonly number[], b: readonly number[]): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/** Slice normal (row x column direction) of an ImageOrientationPatient. */
export function sliceNormal(iop: readonly number[]): Vec3 {
  const n = cross(iop.slice(0, 3), iop.slice(3, 6));
  const len = Math.hypot(...n) || 1;
  return [n[0] / len, n[1] / len, n[2] / len];
}

/**
 * RAS affine (4x4 row-major) of a volume: (column, row, slice) -> patient RAS mm. From the first
 * position, the orientation, the in-plane spacing and the step between slice positions (LPS).
 */
export function dicomAffine(iop: readonly number[], first: readonly number[], step: readonly number[], spacing: readonly number[]): number[] {
  const [r0, r1, r2, c0, c1, c2] = iop;
  const lps = [
    [r0 * spacing[0], c0 * spacing[1], step[0], first[0]],
    [r1 * spacing[0], c1 * spacing[1], step[1], first[1]],
    [r2 * spacing[0], c2 * spacing[1], step[2], first[2]],
  ];
  return [...lps[0].map((v) => -v), ...lps[1].map((v) => -v), ...lps[2], 0, 0, 0, 1];
}

/**
 * The volume's affine: the file's when it has one, else a plain grid with the scan's spacing
 * (i along R, j along A, k along S: what nibabel assumes for files without orientation).
 */
export function volumeAffine(scan: Scan): number[] {
  if (scan.geometry?.affine?.length === 16) return scan.geometry.affine;
  const [sx, sy, sz] = scan.spacing;
  return [sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0, 0, 0, 0, 1];
}

const sameOrientation = (a: readonly number[], b: readonly number[]): boolean => a.every((v, i) => Math.abs(v - b[i]) < 1e-3);

interface Slice {
  scan: Scan;
  /** Frame of `scan` this slice is (0 for single-frame instances). */
  frame: number;
  pos: number[];
  /** Position along the slice normal, mm. */
  along: number;
  sop?: string;
  order: number;
}

const describeSeries = (s: Scan): string => {
  const desc = s.metadata.seriesDescription;
  return typeof desc === 'string' && desc ? `series "${desc}"` : `the ${s.modality ?? 'DICOM'} series of "${s.name}"`;
};

const fmt = (v: number): string => String(Math.round(v * 100) / 100);

/** Copies the slices' pixels into one array (one type for all; float32 when the instances differ). */
function stackPixels(slices: Slice[]): PixelArray {
  const first = slices[0].scan;
  const per = first.width * first.height * first.channels;
  const Ctor = (slices.every((s) => s.scan.data.constructor === first.data.constructor) ? first.data.constructor : Float32Array) as new (n: number) => PixelArray;
  const out = new Ctor(per * slices.length);
  slices.forEach((s, k) => out.set(s.scan.data.subarray(s.frame * per, (s.frame + 1) * per), k * per));
  return out;
}

/** One volume from slices sorted along the normal, evenly spaced, same size and orientation. */
function buildVolume(slices: Slice[], iop: number[], partLabel: string): Scan {
  const base = slices[Math.floor(slices.length / 2)].scan;
  const first = slices[0].scan;
  const data = stackPixels(slices);
  const n = slices.length;
  const positions = slices.map((s) => s.pos.slice(0, 3));
  const step = n > 1 ? positions[1].map((v, i) => (positions[n - 1][i] - positions[0][i]) / (n - 1)) : sliceNormal(iop).map((v) => v * first.spacing[2]);
  // the distance between the slice planes (along the normal): with a gantry tilt the positions also shift
  // in-plane, so the step between them is longer than the planes are apart (the affine keeps the real step)
  const sliceSpacing = n > 1 ? Math.abs(dot(step, sliceNormal(iop))) : first.spacing[2];
  const spacing: [number, number, number] = [first.spacing[0], first.spacing[1], sliceSpacing];
  const range = valueRange(data);
  const sops = slices.map((s) => s.sop ?? '');
  const multiFrame = first.frames > 1 && slices.every((s) => s.scan === first);
  const dicom = first.geometry?.dicom ?? {};
  const desc = first.metadata.seriesDescription;
  const name = multiFrame ? `${first.name}${partLabel}` : `${typeof desc === 'string' && desc ? desc : first.name}${partLabel} (${n} slices)`;
  return {
    ...base,
    name,
    frames: n,
    shape: [...(n > 1 ? [n] : []), first.height, first.width, ...(first.channels === 3 ? [3] : [])],
    data,
    dtype: dtypeOf(data),
    spacing,
    spacingKnown: first.spacingKnown,
    range,
    metadata: { ...base.metadata, slices: n, ...(multiFrame ? {} : { instances: n }), sliceSpacing: Math.round(sliceSpacing * 1000) / 1000 },
    geometry: {
      ...first.geometry,
      affine: dicomAffine(iop, positions[0], step, spacing),
      dicom: { ...dicom, sopInstanceUIDs: multiFrame ? dicom.sopInstanceUIDs : sops, ...(multiFrame ? { sourceFrames: slices.map((s) => s.frame + 1) } : {}), imagePositionPatient: positions, imageOrientationPatient: iop.slice(0, 6) },
    },
  };
}

/** Splits slices sorted along the normal into evenly spaced runs, reporting each gap. */
function evenRuns(slices: Slice[], what: string, problems: string[]): Slice[][] {
  if (slices.length < 3) return [slices];
  const gaps = slices.slice(1).map((s, i) => s.along - slices[i].along);
  const sorted = [...gaps].sort((a, b) => a - b);
  const typical = sorted[Math.floor(sorted.length / 2)];
  const tol = Math.max(0.05 * typical, 0.01);
  const runs: Slice[][] = [[slices[0]]];
  gaps.forEach((g, i) => {
    if (Math.abs(g - typical) > tol) {
      const missing = Math.round(g / typical) - 1;
      problems.push(
        `${what}: the slices are ${fmt(typical)} mm apart, but ${fmt(g)} mm separate the slices at ${fmt(slices[i].along)} and ${fmt(slices[i + 1].along)} mm` +
          (missing > 0 ? ` (about ${missing} slice${missing > 1 ? 's' : ''} missing)` : '') +
          '; the series opens as separate volumes on either side of the gap.',
      );
      runs.push([]);
    }
    runs[runs.length - 1].push(slices[i + 1]);
  });
  return runs;
}

function slicesOf(scan: Scan, order: number, frames?: number[]): Slice[] | null {
  const g = scan.geometry?.dicom;
  const iop = frames ? g?.frameOrientations?.[frames[0]] : g?.imageOrientationPatient;
  const pos = g?.imagePositionPatient;
  if (scan.format !== 'dicom' || !iop || iop.length < 6 || !pos || pos.length !== scan.frames) return null;
  const normal = sliceNormal(iop);
  return (frames ?? pos.map((_, f) => f)).map((frame) => ({ scan, frame, pos: pos[frame], along: dot(pos[frame], normal), sop: scan.frames === 1 ? g.sopInstanceUIDs?.[0] : undefined, order }));
}

/** Frames of an enhanced multi-frame file grouped by orientation (frames in one plane, in file order). */
function orientationGroups(orientations: number[][]): number[][] {
  const groups: number[][] = [];
  orientations.forEach((o, f) => {
    const g = groups.find((fr) => sameOrientation(orientations[fr[0]], o));
    if (g) g.push(f);
    else groups.push([f]);
  });
  return groups;
}

const PLANE_WORD = (iop: readonly number[]): string => {
  const n = sliceNormal(iop).map(Math.abs);
  return n[2] >= n[0] && n[2] >= n[1] ? 'axial' : n[1] >= n[0] ? 'coronal' : 'sagittal';
};

/** The largest subset sharing a key; the rest are returned apart. */
function majority<T>(items: T[], key: (t: T) => string): { main: T[]; rest: T[]; mainKey: string } {
  const counts = new Map<string, number>();
  for (const t of items) counts.set(key(t), (counts.get(key(t)) ?? 0) + 1);
  const mainKey = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  return { main: items.filter((t) => key(t) === mainKey), rest: items.filter((t) => key(t) !== mainKey), mainKey };
}

/** Sorted, de-duplicated, gap-split volumes of one group of slices sharing size and orientation. */
function assembleGroup(slices: Slice[], iop: number[], what: string, problems: string[], label = ''): Scan[] {
  const sorted = [...slices].sort((a, b) => a.along - b.along || a.order - b.order);
  const layers: Slice[][] = [];
  for (const s of sorted) {
    // several images at one position (echoes, time points): the n-th image at each position goes to layer n
    const prev = layers[0]?.length ? layers[0][layers[0].length - 1] : undefined;
    let depth = 0;
    if (prev && Math.abs(prev.along - s.along) < 1e-3) {
      while (layers[depth]?.length && Math.abs(layers[depth][layers[depth].length - 1].along - s.along) < 1e-3) depth++;
    }
    (layers[depth] ??= []).push(s);
  }
  if (layers.length > 1) {
    const dup = layers.slice(1).reduce((a, l) => a + l.length, 0);
    problems.push(`${what}: ${dup} image${dup > 1 ? 's' : ''} share a slice position with another image (perhaps another echo or time point); they open as a separate volume.`);
  }
  const out: Scan[] = [];
  layers.forEach((layer, li) => {
    const runs = evenRuns(layer, what, problems);
    runs.forEach((run, ri) => {
      const part = [label, layers.length > 1 ? ` #${li + 1}` : '', runs.length > 1 ? ` part ${ri + 1}` : ''].join('');
      out.push(buildVolume(run, iop, part));
    });
  });
  return out;
}

/** Groups parsed scans into volumes (see the file comment). Never throws on inconsistent input. */
export function assembleSeries(scans: readonly Scan[]): SeriesResult {
  const problems: string[] = [];
  const out: { order: number; scans: Scan[] }[] = [];
  const groups = new Map<string, Slice[]>();
  scans.forEach((scan, order) => {
    const slices = slicesOf(scan, order);
    const uid = scan.geometry?.dicom?.seriesInstanceUID;
    if (!slices) return out.push({ order, scans: [scan] });
    if (scan.frames > 1) {
      // enhanced multi-frame: its own frames, sorted and checked like a series; frames in other planes
      // (a 3-plane localiser) are volumes of their own
      const orientations = scan.geometry?.dicom?.frameOrientations;
      if (orientations?.length === scan.frames) {
        const groups = orientationGroups(orientations);
        problems.push(`"${scan.name}": its frames lie in ${groups.length} different planes (orientations, e.g. a localiser); each plane opens as its own volume.`);
        return out.push({
          order,
          scans: groups.flatMap((frames) => assembleGroup(slicesOf(scan, order, frames) as Slice[], orientations[frames[0]], `"${scan.name}"`, problems, ` (${PLANE_WORD(orientations[frames[0]])})`)),
        });
      }
      const iop = scan.geometry?.dicom?.imageOrientationPatient as number[];
      return out.push({ order, scans: assembleGroup(slices, iop, `"${scan.name}"`, problems) });
    }
    const key = uid ?? `no-uid-${order}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)?.push(...slices);
  });
  for (const slices of groups.values()) {
    const order = slices[0].order;
    const what = describeSeries(slices[0].scan);
    if (slices.length === 1) {
      out.push({ order, scans: [slices[0].scan] });
      continue;
    }
    const bySize = majority(slices, (s) => `${s.scan.width}x${s.scan.height}x${s.scan.channels}`);
    if (bySize.rest.length) {
      const sizes = [...new Set(bySize.rest.map((s) => `${s.scan.width} x ${s.scan.height}`))].join(', ');
      problems.push(`${what}: ${bySize.rest.length} image${bySize.rest.length > 1 ? 's have' : ' has'} a different size (${sizes}, not ${bySize.mainKey.split('x').slice(0, 2).join(' x ')}); ${bySize.rest.length > 1 ? 'they open' : 'it opens'} on ${bySize.rest.length > 1 ? 'their' : 'its'} own.`);
    }
    const iopKey = (s: Slice) => (s.scan.geometry?.dicom?.imageOrientationPatient ?? []).map((v) => v.toFixed(3)).join('\\');
    const byIop = majority(bySize.main, iopKey);
    // near-identical orientations (rounding) count as one
    const close = byIop.rest.filter((s) => sameOrientation(s.scan.geometry?.dicom?.imageOrientationPatient ?? [], byIop.main[0].scan.geometry?.dicom?.imageOrientationPatient ?? []));
    const main = [...byIop.main, ...close];
    const odd = byIop.rest.filter((s) => !close.includes(s));
    if (odd.length) {
      problems.push(`${what}: ${odd.length} image${odd.length > 1 ? 's are' : ' is'} in another orientation (e.g. a localiser) than the other ${main.length}; ${odd.length > 1 ? 'they open' : 'it opens'} on ${odd.length > 1 ? 'their' : 'its'} own.`);
    }
    const iop = main[0].scan.geometry?.dicom?.imageOrientationPatient as number[];
    out.push({ order, scans: [...assembleGroup(main, iop, what, problems), ...[...bySize.rest, ...odd].map((s) => s.scan)] });
  }
  out.sort((a, b) => a.order - b.order);
  return { scans: out.flatMap((o) => o.scans), problems };
}
