// Images of a series without patient geometry (no ImagePositionPatient, e.g. ultrasound or X-ray series):
// stacked in instance-number order into one multi-frame scan when they share size and channels. Series
// with geometry are assembled by the volume model (src/scan/volume/series.ts, assembleSeries).
import { finishScan } from '../scan/build';
import type { PixelArray, Scan } from '../scan/types';

export interface Slice {
  scan: Scan;
  instanceNumber: number;
}

/** Stacks single-frame images of one size into one scan, in instance-number order; null when they differ. */
export function stackByInstance(name: string, input: readonly Slice[]): Scan | null {
  if (input.length < 2 || input.some((s) => s.scan.frames !== 1)) return null;
  const slices = [...input].sort((a, b) => a.instanceNumber - b.instanceNumber).map((s) => s.scan);
  const a = slices[0];
  if (slices.some((s) => s.width !== a.width || s.height !== a.height || s.channels !== a.channels))
    return null;
  const plane = a.width * a.height * a.channels;
  const sameType = slices.every((s) => s.data.constructor === a.data.constructor);
  const Ctor = (sameType ? a.data.constructor : Float32Array) as new (n: number) => PixelArray;
  const data = new Ctor(plane * slices.length);
  slices.forEach((s, k) => data.set(s.data.subarray(0, plane) as never, k * plane));
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
    spacing: a.spacing,
    spacingKnown: a.spacingKnown,
    window: a.window,
    metadata: { ...a.metadata, slices: slices.length, instances: slices.length },
    geometry: {
      ...a.geometry,
      dicom: {
        ...a.geometry?.dicom,
        sopInstanceUIDs: slices.map((s) => s.geometry?.dicom?.sopInstanceUIDs?.[0] ?? ''),
      },
    },
  });
}
