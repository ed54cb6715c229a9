// The 3-D mask of a volume: one row per scan in `masks` (id `<scanId>-volume`, frame -1), RLE over the
// whole volume (slice k at k * width * height), its metadata as JSON in `label`. `provenance` is the
// same field 2-D corrections use: 'model' as the all-slices run wrote it, 'corrected' once edited by
// hand (brush, eraser, polygon, fill between slices, components); DICOM SEG export reads it.
import { decodeRle, encodeRle } from '../mask/rle';
import { guardWrite } from './errors';
import type { WorkbenchDB } from './schema';
import type { MaskProvenance, MaskRow } from './types';

export const volumeMaskId = (scanId: string): string => `${scanId}-volume`;

export interface VolumeMaskRecord {
  scanId: string;
  width: number;
  height: number;
  slices: number;
  data: Uint8Array;
  provenance: Extract<MaskProvenance, 'model' | 'corrected'>;
  /** Everything else the app keeps about the mask (prompt, range, model), stored as JSON. */
  meta: Record<string, unknown>;
  createdAt: number;
  /** When this version was written (set by saveVolumeMask). */
  savedAt?: number;
}

export async function saveVolumeMask(db: WorkbenchDB, r: VolumeMaskRecord): Promise<void> {
  const rle = encodeRle({ width: r.width, height: r.height * r.slices, data: r.data });
  const row: MaskRow = {
    id: volumeMaskId(r.scanId), scanId: r.scanId, frame: -1, width: rle.width, height: rle.height, encoding: 'rle',
    data: Uint32Array.from(rle.counts).buffer, provenance: r.provenance, label: JSON.stringify({ ...r.meta, slices: r.slices, savedAt: r.savedAt ?? Date.now() }),
    createdAt: r.createdAt,
  };
  await guardWrite('the 3-D mask', () => db.masks.put(row));
}

/** The saved 3-D mask of a scan, or null. */
export async function loadVolumeMask(db: WorkbenchDB, scanId: string): Promise<VolumeMaskRecord | null> {
  const row = await db.masks.get(volumeMaskId(scanId));
  if (!row || row.encoding !== 'rle' || !(row.data instanceof ArrayBuffer || row.data instanceof Uint8Array)) return null;
  const meta = JSON.parse(row.label ?? '{}') as Record<string, unknown>;
  const bytes = row.data instanceof Uint8Array ? row.data.slice().buffer : row.data;
  const { data } = decodeRle({ width: row.width, height: row.height, counts: Array.from(new Uint32Array(bytes)) });
  const slices = Number(meta.slices) || 1;
  return {
    scanId, width: row.width, height: row.height / slices, slices, data, meta,
    provenance: row.provenance === 'corrected' ? 'corrected' : 'model', createdAt: row.createdAt, savedAt: Number(meta.savedAt) || row.createdAt,
  };
}

// A 3-D reference mask (e.g. a DICOM SEG imported onto its series, from a file or the PACS): one row per
// scan (id `<scanId>-volume-ref`, frame -1, provenance 'reference'), RLE over the whole volume.
export const volumeReferenceId = (scanId: string): string => `${scanId}-volume-ref`;

export interface VolumeReferenceRecord {
  scanId: string;
  width: number;
  height: number;
  slices: number;
  data: Uint8Array;
  /** What it is, for the user: e.g. the SEG's segment label and where it came from. */
  label: string;
  createdAt: number;
}

export async function saveVolumeReference(db: WorkbenchDB, r: VolumeReferenceRecord): Promise<void> {
  const rle = encodeRle({ width: r.width, height: r.height * r.slices, data: r.data });
  const row: MaskRow = {
    id: volumeReferenceId(r.scanId), scanId: r.scanId, frame: -1, width: rle.width, height: rle.height, encoding: 'rle',
    data: Uint32Array.from(rle.counts).buffer, provenance: 'reference', label: JSON.stringify({ label: r.label, slices: r.slices }),
    createdAt: r.createdAt,
  };
  await guardWrite('the 3-D reference mask', () => db.masks.put(row));
}

export async function loadVolumeReference(db: WorkbenchDB, scanId: string): Promise<VolumeReferenceRecord | null> {
  const row = await db.masks.get(volumeReferenceId(scanId));
  if (!row || row.encoding !== 'rle' || !(row.data instanceof ArrayBuffer || row.data instanceof Uint8Array)) return null;
  const meta = JSON.parse(row.label ?? '{}') as { label?: string; slices?: number };
  const bytes = row.data instanceof Uint8Array ? row.data.slice().buffer : row.data;
  const { data } = decodeRle({ width: row.width, height: row.height, counts: Array.from(new Uint32Array(bytes)) });
  const slices = Number(meta.slices) || 1;
  return { scanId, width: row.width, height: row.height / slices, slices, data, label: String(meta.label ?? 'reference'), createdAt: row.createdAt };
}
