// Statistics of a 3-D mask over its volume: voxel count, volume in mL (from the voxel spacing), and the
// mean/SD/min/max of the scan's values inside it (Hounsfield units for CT: DICOM rescale is applied by
// the reader). Pure; slice k of the mask is k * width * height, as the scan's frames.

/** The scan fields the statistics read; a Scan has them (mask/ sits below scan/, so it names them itself). */
export interface VoxelSource {
  width: number;
  height: number;
  spacing: readonly [number, number, number];
  spacingKnown: boolean;
  data: ArrayLike<number>;
  channels: number;
  modality?: string;
}

export interface VolumeStats {
  voxels: number;
  /** Volume in millilitres (mm^3 / 1000); from 1 mm voxels when the spacing is not recorded. */
  ml: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
  /** Unit of the intensity figures: 'HU' for CT, '' otherwise. */
  unit: string;
  /** Slices with at least one voxel. */
  slices: number;
}

export function volumeStats(mask: Uint8Array, scan: VoxelSource): VolumeStats {
  const plane = scan.width * scan.height;
  const n = Math.min(mask.length, scan.data.length / scan.channels);
  let count = 0;
  let sum = 0;
  let sum2 = 0;
  let min = Infinity;
  let max = -Infinity;
  let slices = 0;
  let sliceHit = false;
  for (let i = 0; i < n; i++) {
    if (i % plane === 0) {
      if (sliceHit) slices++;
      sliceHit = false;
    }
    if (!mask[i]) continue;
    sliceHit = true;
    const v = scan.channels === 1 ? scan.data[i] : scan.data[i * scan.channels];
    count++;
    if (!Number.isFinite(v)) continue;
    sum += v;
    sum2 += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (sliceHit) slices++;
  const [sx, sy, sz] = scan.spacingKnown ? scan.spacing : [1, 1, 1];
  const mean = count ? sum / count : 0;
  return {
    voxels: count,
    ml: (count * sx * sy * sz) / 1000,
    mean,
    sd: count ? Math.sqrt(Math.max(0, sum2 / count - mean * mean)) : 0,
    min: count ? min : 0,
    max: count ? max : 0,
    unit: scan.modality === 'CT' ? 'HU' : '',
    slices,
  };
}
