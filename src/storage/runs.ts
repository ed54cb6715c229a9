// Repositories for the clinician's loop: prompt runs with their probabilities (so a threshold change
// never re-runs the model), the imported reference mask, the correction draft (autosaved) and its
// accepted versions. Built on the tables and helpers of masks.ts; masks are stored as RLE bytes, a run's
// probabilities in chunks (runChunks, schema v4) and read back whole.
import type { Mask } from '../mask/types';
import { decodeRle, encodeRle } from '../mask/rle';
import { guardWrite } from './errors';
import { chunkBytes, chunkCount, type WorkbenchDB } from './schema';
import type { MaskRow, MaskVersionRow, RunRow, StoredRunProbs } from './types';
import { addMaskVersion, listMaskVersions } from './masks';

export const RUN_RECORD_TYPE = 'vlsm-workbench/run';
export const RUN_RECORD_VERSION = 1;

/** A run row plus what the results panel needs to rebuild the layer after a reload. */
export interface RunRecord extends RunRow {
  type: typeof RUN_RECORD_TYPE;
  formatVersion: number;
  variant: string;
  colour: string;
  /** Probabilities at the scan's size (row-major float32); stored in runChunks, not in the run row. */
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

/** A run to save: its probabilities may be any float32 view (on shared memory too); they are copied chunk by chunk. */
export type RunRecordToSave = Omit<RunRecord, 'probs'> & { probs: { width: number; height: number; data: ArrayBuffer | Float32Array } };

/** A run row as stored from schema v4 on: the probabilities' bytes are in runChunks. */
type StoredRun = Omit<RunRecord, 'probs'> & { probs: StoredRunProbs };

const isStoredProbs = (p: unknown): p is StoredRunProbs => {
  const x = p as Partial<StoredRunProbs> | null;
  return !!x && typeof x.width === 'number' && typeof x.height === 'number' && typeof x.bytes === 'number' && typeof x.chunks === 'number';
};

const runWhat = (prompt: string): string => (prompt.trim() ? `the run “${prompt}”` : 'the run without words (the influence baseline)');

/**
 * Saves a run: its row and its probabilities in chunks of at most SCAN_CHUNK_BYTES, in one transaction
 * (all or nothing; a run saved again replaces its chunks). Chunks are cut and added one at a time, each
 * after the previous one is stored, so the page never serialises a whole scan-sized buffer in one task.
 * Failures are StorageFullError / StorageWriteError with a sentence; nothing saved earlier is touched.
 */
export async function saveRunRecord(db: WorkbenchDB, r: RunRecordToSave): Promise<string> {
  const { width, height, data } = r.probs;
  if (data.byteLength !== width * height * 4) throw new Error(`The probabilities of ${runWhat(r.prompt)} do not match its size (${width} × ${height}).`);
  const n = chunkCount(data);
  const row: StoredRun = { ...r, probs: { width, height, bytes: data.byteLength, chunks: n } };
  return guardWrite(runWhat(r.prompt), () =>
    db.transaction('rw', db.runs, db.runChunks, async () => {
      await db.runChunks.where('runId').equals(r.id).delete();
      for (let index = 0; index < n; index++) await db.runChunks.add({ runId: r.id, index, data: chunkBytes(data, index) });
      await db.runs.put(row as unknown as RunRow);
      return r.id;
    }),
  );
}

/** A stored row with its probabilities read back from its chunks (one at a time), or null if incomplete. */
async function withProbs(db: WorkbenchDB, row: RunRow): Promise<RunRecord | null> {
  const p = (row as { probs?: unknown }).probs;
  if (p && (p as { data?: unknown }).data instanceof ArrayBuffer) return row as RunRecord; // written before schema v4
  if (!isStoredProbs(p) || p.bytes !== p.width * p.height * 4) return null;
  const bytes = new Uint8Array(p.bytes);
  let at = 0;
  for (let index = 0; index < p.chunks; index++) {
    const c = await db.runChunks.get([row.id, index]);
    if (!c || at + c.data.byteLength > p.bytes) return null;
    bytes.set(new Uint8Array(c.data), at);
    at += c.data.byteLength;
  }
  if (at !== p.bytes) return null;
  return { ...(row as unknown as StoredRun), probs: { width: p.width, height: p.height, data: bytes.buffer } };
}

/** Runs of a scan (oldest first) with their probabilities; rows that fail validation are skipped, not thrown. */
export async function listRunRecords(db: WorkbenchDB, scanId: string, frame?: number): Promise<RunRecord[]> {
  return db.transaction('r', db.runs, db.runChunks, async () => {
    const rows = await db.runs.where('scanId').equals(scanId).sortBy('createdAt');
    const out: RunRecord[] = [];
    for (const row of rows) {
      if (frame !== undefined && row.frame !== frame) continue;
      const rec = await withProbs(db, row);
      if (rec && isRunRecord(rec)) out.push(rec);
    }
    return out;
  });
}

export async function updateRunRecord(db: WorkbenchDB, id: string, patch: Partial<Pick<RunRecord, 'threshold' | 'scores' | 'nullScores' | 'colour' | 'display'>>): Promise<void> {
  await guardWrite('the run', () => db.runs.update(id, patch));
}

export async function deleteRunRecord(db: WorkbenchDB, id: string): Promise<void> {
  await db.transaction('rw', db.runs, db.runChunks, async () => {
    await db.runChunks.where('runId').equals(id).delete();
    await db.runs.delete(id);
  });
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
