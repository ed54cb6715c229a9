// Repositories for the clinician's loop: prompt runs with their probabilities (so a threshold change
// never re-runs the model), the imported reference mask, the correction draft (autosaved) and its
// accepted versions. Built on the tables and helpers of masks.ts; masks are stored as RLE bytes.
import type { Mask } from '../mask/types';
import { decodeRle, encodeRle } from '../mask/rle';
import { guardWrite } from './errors';
import type { WorkbenchDB } from './schema';
import type { MaskRow, MaskVersionRow, RunRow } from './types';
import { addMaskVersion, listMaskVersions } from './masks';

export const RUN_RECORD_TYPE = 'vlsm-workbench/run';
export const RUN_RECORD_VERSION = 1;

/** A run row plus what the results panel needs to rebuild the layer after a reload. */
export interface RunRecord extends RunRow {
  type: typeof RUN_RECORD_TYPE;
  formatVersion: number;
  variant: string;
  colour: string;
  /** Probabilities at the scan's size (row-major float32). */
  probs: { width: number; height: number; data: ArrayBuffer };
  /** Scores may be null when undefined (e.g. HD95 of an empty mask). */
  scores: Record<string, number>;
  nullScores?: string[];
  /** Image-only model: the class its prompt picked ('all' for no words); absent for vision-language models. */
  channel?: string;
  /** How the run is shown (restored after a reload). */
  display?: { visible: boolean; opacity: number; mode: 'binary' | 'contour' | 'heatmap' };
}

export function isRunRecord(r: unknown): r is RunRecord {
  const x = r as Partial<RunRecord> | null;
  return (
    !!x && x.type === RUN_RECORD_TYPE && typeof x.formatVersion === 'number' && x.formatVersion <= RUN_RECORD_VERSION &&
    typeof x.prompt === 'string' && !!x.probs && x.probs.data instanceof ArrayBuffer &&
    x.probs.data.byteLength === x.probs.width * x.probs.height * 4
  );
}

export const saveRunRecord = (db: WorkbenchDB, r: RunRecord): Promise<string> => guardWrite('the prompt run', () => db.runs.put(r));

/** Runs of a scan (oldest first); rows that fail validation are skipped, not thrown. */
export async function listRunRecords(db: WorkbenchDB, scanId: string, frame?: number): Promise<RunRecord[]> {
  const rows = await db.runs.where('scanId').equals(scanId).sortBy('createdAt');
  return rows.filter(isRunRecord).filter((r) => frame === undefined || r.frame === frame);
}

export async function updateRunRecord(db: WorkbenchDB, id: string, patch: Partial<Pick<RunRecord, 'threshold' | 'scores' | 'nullScores' | 'colour' | 'display'>>): Promise<void> {
  await guardWrite('the run', () => db.runs.update(id, patch));
}

export async function deleteRunRecord(db: WorkbenchDB, id: string): Promise<void> {
  await db.runs.delete(id);
}

// --- masks as RLE bytes -------------------------------------------------------------------------

export function maskToBytes(m: Mask): Uint8Array {
  const { counts } = encodeRle(m);
  return new Uint8Array(Uint32Array.from(counts).buffer);
}

export function maskFromBytes(bytes: Uint8Array | ArrayBuffer, width: number, height: number): Mask {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const aligned = b.byteOffset % 4 === 0 ? b : b.slice();
  const counts = Array.from(new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4));
  return decodeRle({ width, height, counts });
}

const referenceId = (scanId: string, frame: number): string => `${scanId}:${frame}:reference`;
const draftId = (scanId: string, frame: number): string => `${scanId}:${frame}:corrected`;

/** Store an imported reference (replaces the previous imported one for this frame). */
export async function saveReference(db: WorkbenchDB, scanId: string, frame: number, mask: Mask, label: string): Promise<void> {
  const row: MaskRow = {
    id: referenceId(scanId, frame), scanId, frame, width: mask.width, height: mask.height, encoding: 'rle',
    data: maskToBytes(mask), provenance: 'reference', label, createdAt: Date.now(),
  };
  await guardWrite('the reference mask', () => db.masks.put(row));
}

/** The reference for a frame: an imported one first, else any reference row (e.g. a demo's ground truth). */
export async function loadReferenceRow(db: WorkbenchDB, scanId: string, frame: number): Promise<MaskRow | null> {
  const own = await db.masks.get(referenceId(scanId, frame));
  if (own) return own;
  const rows = await db.masks.where('scanId').equals(scanId).toArray();
  return rows.find((r) => r.provenance === 'reference' && r.frame === frame) ?? null;
}

export async function saveDraft(db: WorkbenchDB, scanId: string, frame: number, mask: Mask, source: string | null): Promise<void> {
  const row: MaskRow = {
    id: draftId(scanId, frame), scanId, frame, width: mask.width, height: mask.height, encoding: 'rle',
    data: maskToBytes(mask), provenance: 'corrected', label: source ?? undefined, createdAt: Date.now(),
  };
  await guardWrite('the correction', () => db.masks.put(row));
}

export async function loadDraft(db: WorkbenchDB, scanId: string, frame: number): Promise<{ mask: Mask; source: string | null; savedAt: number } | null> {
  const row = await db.masks.get(draftId(scanId, frame));
  if (!row || row.encoding !== 'rle' || row.data instanceof Blob) return null;
  return { mask: maskFromBytes(row.data, row.width, row.height), source: row.label ?? null, savedAt: row.createdAt };
}

/** Accept: append an immutable version of the corrected mask (older versions stay). */
export async function acceptCorrection(db: WorkbenchDB, scanId: string, frame: number, mask: Mask, source: string | null): Promise<MaskVersionRow> {
  await saveDraft(db, scanId, frame, mask, source);
  return addMaskVersion(db, {
    id: globalThis.crypto.randomUUID(), maskId: draftId(scanId, frame), encoding: 'rle', data: maskToBytes(mask),
    provenance: 'corrected', createdAt: Date.now(),
  });
}

export async function listCorrections(db: WorkbenchDB, scanId: string, frame: number): Promise<MaskVersionRow[]> {
  return listMaskVersions(db, draftId(scanId, frame));
}
