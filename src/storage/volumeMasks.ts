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

// 3-D reference masks (e.g. the segments of a DICOM SEG imported onto its series, from a file or the
// PACS): one row per segment (ids `<scanId>-volume-ref` for the first, `<scanId>-volume-ref-<n>` for the
// n-th; frame -1, provenance 'reference'), RLE over the whole volume, what it is as JSON in `label`.
export const volumeReferenceId = (scanId: string, index = 0): string => `${scanId}-volume-ref${index ? `-${index + 1}` : ''}`;

export interface VolumeReferenceRecord {
  scanId: string;
  width: number;
  height: number;
  slices: number;
  data: Uint8Array;
  /** What it is, for the user: the SEG's segment label. */
  label: string;
  /** Where it came from (a file name, 'PACS SEG'). */
  source?: string;
  /** Display colour (sRGB 0-255), e.g. the SEG's RecommendedDisplayCIELabValue. */
  rgb?: [number, number, number];
  /** The SEG's SegmentAlgorithmType and SegmentAlgorithmName (name@version), kept for re-export. */
  algorithmType?: string | null;
  algorithmName?: string | null;
  createdAt: number;
}

function referenceRow(r: VolumeReferenceRecord, index: number): MaskRow {
  const rle = encodeRle({ width: r.width, height: r.height * r.slices, data: r.data });
  const { label, source, rgb, algorithmType, algorithmName, slices } = r;
  return {
    id: volumeReferenceId(r.scanId, index), scanId: r.scanId, frame: -1, width: rle.width, height: rle.height, encoding: 'rle',
    data: Uint32Array.from(rle.counts).buffer, provenance: 'reference', label: JSON.stringify({ label, source, rgb, algorithmType, algorithmName, slices, index }),
    createdAt: r.createdAt,
  };
}

const isReferenceRow = (scanId: string, id: string): boolean => id === volumeReferenceId(scanId) || id.startsWith(`${volumeReferenceId(scanId)}-`);

/** Replaces the 3-D references of a scan with `refs` (in order; none: removes them). */
export async function saveVolumeReferences(db: WorkbenchDB, scanId: string, refs: readonly VolumeReferenceRecord[]): Promise<void> {
  const rows = refs.map(referenceRow);
  await guardWrite('the 3-D reference masks', () =>
    db.transaction('rw', db.masks, async () => {
      const old = (await db.masks.where('scanId').equals(scanId).primaryKeys()).filter((id) => isReferenceRow(scanId, String(id)));
      await db.masks.bulkDelete(old);
      await db.masks.bulkPut(rows);
    }),
  );
}

export async function saveVolumeReference(db: WorkbenchDB, r: VolumeReferenceRecord): Promise<void> {
  await saveVolumeReferences(db, r.scanId, [r]);
}

function referenceOf(scanId: string, row: MaskRow): (VolumeReferenceRecord & { index: number }) | null {
  if (row.encoding !== 'rle' || !(row.data instanceof ArrayBuffer || row.data instanceof Uint8Array)) return null;
  const meta = JSON.parse(row.label ?? '{}') as Partial<VolumeReferenceRecord> & { index?: number };
  const bytes = row.data instanceof Uint8Array ? row.data.slice().buffer : row.data;
  const { data } = decodeRle({ width: row.width, height: row.height, counts: Array.from(new Uint32Array(bytes)) });
  const slices = Number(meta.slices) || 1;
  const rgb = Array.isArray(meta.rgb) && meta.rgb.length === 3 ? (meta.rgb.map(Number) as [number, number, number]) : undefined;
  return {
    scanId, width: row.width, height: row.height / slices, slices, data, label: String(meta.label ?? 'reference'), createdAt: row.createdAt,
    ...(meta.source ? { source: String(meta.source) } : {}), ...(rgb ? { rgb } : {}),
    algorithmType: meta.algorithmType ?? null, algorithmName: meta.algorithmName ?? null, index: Number(meta.index) || 0,
  };
}

/** The 3-D references of a scan, in their order. */
export async function loadVolumeReferences(db: WorkbenchDB, scanId: string): Promise<VolumeReferenceRecord[]> {
  const rows = (await db.masks.where('scanId').equals(scanId).toArray()).filter((r) => isReferenceRow(scanId, r.id));
  return rows
    .map((r) => referenceOf(scanId, r))
    .filter((r): r is VolumeReferenceRecord & { index: number } => r !== null)
    .sort((a, b) => a.index - b.index)
    .map(({ index: _i, ...r }) => r);
}

export async function loadVolumeReference(db: WorkbenchDB, scanId: string): Promise<VolumeReferenceRecord | null> {
  return (await loadVolumeReferences(db, scanId))[0] ?? null;
}
