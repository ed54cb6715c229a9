// Several single-slice scans of one series -> one volume: slices ordered along the slice normal by
// ImagePositionPatient (instance number when positions are missing), slice spacing from the positions,
// one SOP instance UID and position per frame so masks can be written back per slice (DICOM SEG).
import { finishScan } from '../scan/build';
import type { PixelArray, Scan } from '../scan/types';

export interface Slice {
  scan: Scan;
  instanceNumber: number;
}

function normalOf(iop: number[] | undefined): number[] | null {
  if (!iop || iop.length < 6) return null;
  const [r0, r1, r2, c0, c1, c2] = iop;
  return [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
}

const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** Order of the slices: by position along the normal when every slice has one, else by instance number. */
export function sliceOrder(slices: readonly Slice[]): number[] {
  const idx = slices.map((_, i) => i);
  const normal = normalOf(slices[0]?.scan.geometry?.dicom?.imageOrientationPatient);
  const pos = slices.map((s) => s.scan.geometry?.dicom?.imagePositionPatient?.[0]);
  if (normal && pos.every((p) => p && p.length >= 3)) {
    const d = pos.map((p) => dot(p as number[], normal));
    return idx.sort((a, b) => d[a] - d[b] || slices[a].instanceNumber - slices[b].instanceNumber);
  }
  return idx.sort((a, b) => slices[a].instanceNumber - slices[b].instanceNumber);
}

/** Stacks the slices (each one frame of the same size, type and channels) into one multi-frame scan. */
export function stackSlices(name: string, input: readonly Slice[]): Scan {
  if (input.length === 0) throw new Error('The series has no images.');
  const multi = input.filter((s) => s.scan.frames > 1);
  if (input.length === 1) return { ...input[0].scan, name };
  if (multi.length > 0) throw new Error('The series mixes multi-frame images with others; open its images one by one.');
  const order = sliceOrder(input);
  const slices = order.map((i) => input[i].scan);
  const a = slices[0];
  for (const s of slices) {
    if (s.width !== a.width || s.height !== a.height || s.channels !== a.channels) {
      throw new Error(`The images of this series differ in size (${a.width}x${a.height} and ${s.width}x${s.height}); it cannot be one volume.`);
    }
  }
  const plane = a.width * a.height * a.channels;
  // One typed array for the volume; float32 when the slices' types differ (e.g. per-slice rescale).
  const sameType = slices.every((s) => s.data.constructor === a.data.constructor);
  const Ctor = (sameType ? a.data.constructor : Float32Array) as new (n: number) => PixelArray;
  const data = new Ctor(plane * slices.length);
  slices.forEach((s, k) => data.set(s.data.subarray(0, plane) as never, k * plane));
  const d0 = a.geometry?.dicom ?? {};
  const positions = slices.map((s) => s.geometry?.dicom?.imagePositionPatient?.[0]);
  const havePos = positions.every((p) => p && p.length >= 3);
  let sliceSpacing = a.spacing[2];
  const normal = normalOf(d0.imageOrientationPatient);
  if (havePos && normal && slices.length > 1) {
    const first = dot(positions[0] as number[], normal);
    const last = dot(positions[positions.length - 1] as number[], normal);
    const step = Math.abs(last - first) / (slices.length - 1);
    if (step > 0) sliceSpacing = step;
  }
  const spacing: [number, number, number] = [a.spacing[0], a.spacing[1], sliceSpacing];
  let affine = a.geometry?.affine;
  if (affine && havePos && slices.length > 1) {
    // Third column: the step from one slice to the next, in RAS (LPS with x and y negated).
    const p0 = positions[0] as number[];
    const p1 = positions[1] as number[];
    affine = affine.slice();
    affine[2] = -(p1[0] - p0[0]);
    affine[6] = -(p1[1] - p0[1]);
    affine[10] = p1[2] - p0[2];
  }
  return finishScan({
    name,
    format: a.format,
    width: a.width,
    height: a.height,
    channels: a.channels,
    photometric: a.photometric,
    modality: a.modality,
    frames: slices.length,
    shape: [slices.length, a.height, a.width, ...(a.channels === 3 ? [3] : [])],
    data,
    spacing,
    spacingKnown: a.spacingKnown,
    window: a.window,
    metadata: { ...a.metadata, slices: slices.length },
    geometry: {
      ...a.geometry,
      ...(affine ? { affine } : {}),
      dicom: {
        ...d0,
        sopInstanceUIDs: slices.map((s) => s.geometry?.dicom?.sopInstanceUIDs?.[0] ?? ''),
        imagePositionPatient: havePos ? (positions as number[][]) : undefined,
      },
    },
  });
}
