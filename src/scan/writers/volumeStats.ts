// Full-volume exports that are not masks: the statistics of every 3-D layer of a volume (the 3-D mask and
// each reference) as CSV (plain column names with units, spreadsheet-safe cells as the scores CSV) and as
// {type, version} JSON, and the layers as one label volume (1..n, a later layer over an earlier one) for
// a single NIfTI label map. Pure: the app's export panel (ui/export/volumeExport.ts) feeds it.
import type { VolumeStats } from '../../mask/volumeStats';
import { csvCell } from './scores';

export const VOLUME_STATS_TYPE = 'vlsm-workbench/volume-stats';
export const VOLUME_STATS_VERSION = 1;

export interface LayerStats {
  /** Value of this layer in the label NIfTI and its segment number in the DICOM SEG (1-based). */
  number: number;
  label: string;
  kind: '3-D mask' | '3-D reference';
  algorithmType: string;
  algorithmName: string | null;
  stats: VolumeStats;
}

export interface VolumeMeta {
  /** The scan's name, or its neutral study label when de-identified. */
  scan: string;
  modality: string | null;
  /** Columns, rows, slices. */
  shape: [number, number, number];
  /** Millimetres per voxel (x, y, slice); null when the file records none (1 mm voxels assumed). */
  spacingMm: [number, number, number] | null;
}

const HEADERS = [
  'Segment number', 'Label', 'Kind', 'Algorithm type', 'Algorithm (model@version)', 'Voxels', 'Volume (mL)',
  'Slices with mask', 'Mean intensity', 'SD intensity', 'Min intensity', 'Max intensity', 'Intensity unit', 'Voxel spacing (mm, x y slice)',
];

export function volumeStatsCsv(meta: VolumeMeta, layers: readonly LayerStats[]): string {
  const spacing = meta.spacingMm ? meta.spacingMm.map((v) => +v.toFixed(6)).join(' ') : 'unknown (1 mm assumed)';
  const lines = [HEADERS.map(csvCell).join(',')];
  for (const l of layers) {
    const s = l.stats;
    lines.push([l.number, l.label, l.kind, l.algorithmType, l.algorithmName ?? '', s.voxels, s.ml, s.slices, s.mean, s.sd, s.min, s.max, s.unit || 'stored value', spacing].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

export function volumeStatsJson(meta: VolumeMeta, layers: readonly LayerStats[]): string {
  return JSON.stringify(
    {
      type: VOLUME_STATS_TYPE, version: VOLUME_STATS_VERSION, ...meta,
      layers: layers.map((l) => ({
        number: l.number, label: l.label, kind: l.kind, algorithmType: l.algorithmType, algorithmName: l.algorithmName,
        voxels: l.stats.voxels, volumeMl: l.stats.ml, slicesWithMask: l.stats.slices,
        intensity: { mean: l.stats.mean, sd: l.stats.sd, min: l.stats.min, max: l.stats.max, unit: l.stats.unit || null },
      })),
    },
    null,
    2,
  );
}

/** The layers as one label volume: voxel = the number (1-based) of the last layer holding it, 0 elsewhere. */
export function volumeLabelMap(layers: readonly Uint8Array[]): Uint8Array {
  if (layers.length > 255) throw new Error(`A label map holds at most 255 layers; this volume has ${layers.length}.`);
  const out = new Uint8Array(layers[0]?.length ?? 0);
  layers.forEach((data, i) => {
    if (data.length !== out.length) throw new Error('The layers do not cover the same volume.');
    for (let j = 0; j < data.length; j++) if (data[j]) out[j] = i + 1;
  });
  return out;
}
