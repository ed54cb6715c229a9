// Full-volume exports of a volume scan (a DICOM series, NIfTI, NRRD, MHA), as the Export panel offers them
// on a volume by default: every 3-D layer (the 3-D mask, each 3-D reference) as NIfTI in the source
// geometry, all of them as one NIfTI label map, one multi-frame DICOM SEG with a segment per layer (DICOM
// sources only), and the per-layer statistics (voxels, mL, mean/SD/min/max intensity, HU for CT) as CSV
// and JSON; the zip holds all of these (plus the prompt scores when there are any), and per-slice PNGs
// of every layer only when asked. De-identified as every export (exportActions.ts: study label for
// names and documents, a pseudonym in the SEG) unless the user keeps identifiers.
import { volumeStats } from '../../mask/volumeStats';
import type { Scan } from '../../scan/types';
import { slicesPerVolume } from '../../scan/volume/orientation';
import { writeNiftiVolumeMask } from '../../scan/writers/nifti';
import { encodeBinaryPng } from '../../scan/writers/png';
import { scoresCsv, scoresJson } from '../../scan/writers/scores';
import { volumeLabelMap, volumeStatsCsv, volumeStatsJson, type LayerStats, type VolumeMeta } from '../../scan/writers/volumeStats';
import { safeName, zipStudy } from '../../scan/writers/zip';
import { useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { volumeLayers, volumeMaskSeg, whyNoSeg, type VolumeLayer } from '../volume/volumeSeg';
import { scanField, scoreRows, stem, type ExportFile } from './exportActions';

export type VolumeExportFormat = 'volume-nifti' | 'volume-labels-nifti' | 'volume-seg' | 'volume-stats-csv' | 'volume-stats-json' | 'volume-zip';

/** A scan the Export panel treats as a volume: several slices per time point. */
export const isVolumeScan = (scan: Scan | null): scan is Scan => !!scan && slicesPerVolume(scan) >= 2;

/** Why a full-volume format cannot be exported now, in the user's words; null when it can. */
export function whyNotVolume(format: VolumeExportFormat, scan: Scan | null): string | null {
  if (!isVolumeScan(scan)) return 'Open a volume first.';
  if (format === 'volume-seg') return whyNoSeg(scan);
  if (volumeLayers().length === 0) return 'No 3-D mask yet: run a prompt on all slices, draw in the three views, or load a SEG (All slices panel).';
  return null;
}

const tagOf = (l: VolumeLayer): string => safeName(l.label).slice(0, 40) || l.id;

/** Statistics of every 3-D layer of the open volume, numbered as the SEG's segments and the label map's values. */
export function layerStats(scan: Scan, layers = volumeLayers()): LayerStats[] {
  return layers.map((l, i) => ({
    number: i + 1, label: l.label, kind: l.id === 'mask' ? '3-D mask' : '3-D reference', algorithmType: l.algorithmType,
    algorithmName: l.algorithm ? `${l.algorithm.name}@${l.algorithm.version}` : null, stats: volumeStats(l.data, scan),
  }));
}

function meta(scan: Scan): VolumeMeta {
  return {
    scan: scanField(scan), modality: scan.modality ?? null, shape: [scan.width, scan.height, slicesPerVolume(scan)],
    spacingMm: scan.spacingKnown ? [scan.spacing[0], scan.spacing[1], scan.spacing[2]] : null,
  };
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** One full-volume export of the open volume; `layerId` picks the layer of 'volume-nifti' (default: the first). */
export function buildVolumeExport(format: VolumeExportFormat, layerId?: string, opts: { perSlicePng?: boolean } = {}): ExportFile {
  const scan = useScans.getState().scan;
  if (!isVolumeScan(scan)) throw new Error('No volume is open.');
  const why = whyNotVolume(format, scan);
  if (why) throw new Error(why);
  const layers = volumeLayers();
  const base = stem(scan);
  switch (format) {
    case 'volume-nifti': {
      const l = layers.find((x) => x.id === layerId) ?? layers[0];
      return { name: `${base}_${tagOf(l)}.nii.gz`, bytes: writeNiftiVolumeMask(l.data, scan), mime: 'application/gzip' };
    }
    case 'volume-labels-nifti':
      return { name: `${base}_labels.nii.gz`, bytes: writeNiftiVolumeMask(volumeLabelMap(layers.map((l) => l.data)), scan), mime: 'application/gzip' };
    case 'volume-seg': {
      const f = volumeMaskSeg();
      return { name: f.name, bytes: f.bytes, mime: 'application/dicom' };
    }
    case 'volume-stats-csv':
      return { name: `${base}_volume_stats.csv`, bytes: enc(volumeStatsCsv(meta(scan), layerStats(scan, layers))), mime: 'text/csv' };
    case 'volume-stats-json':
      return { name: `${base}_volume_stats.json`, bytes: enc(volumeStatsJson(meta(scan), layerStats(scan, layers))), mime: 'application/json' };
    case 'volume-zip': {
      const files: Record<string, Uint8Array> = {};
      const add = (f: ExportFile, dir = '') => (files[`${dir}${f.name}`] = f.bytes);
      for (const l of layers) add(buildVolumeExport('volume-nifti', l.id), 'masks/');
      if (layers.length > 1) add(buildVolumeExport('volume-labels-nifti'), 'masks/');
      if (!whyNotVolume('volume-seg', scan)) add(buildVolumeExport('volume-seg'), 'masks/');
      add(buildVolumeExport('volume-stats-csv'));
      add(buildVolumeExport('volume-stats-json'));
      if (useRuns.getState().runs.length) {
        files[`${base}_scores.csv`] = enc(scoresCsv(scoreRows()));
        files[`${base}_scores.json`] = enc(scoresJson(scanField(scan), useRuns.getState().reference?.label ?? null, scoreRows()));
      }
      if (opts.perSlicePng) {
        const plane = scan.width * scan.height;
        const n = slicesPerVolume(scan);
        for (const l of layers) {
          for (let k = 0; k < n; k++) {
            const data = l.data.subarray(k * plane, (k + 1) * plane);
            files[`slices/${tagOf(l)}/${base}_${tagOf(l)}_slice${String(k + 1).padStart(4, '0')}.png`] = encodeBinaryPng({ width: scan.width, height: scan.height, data });
          }
        }
      }
      return { name: `${base}_volume.zip`, bytes: zipStudy(files), mime: 'application/zip' };
    }
  }
}
