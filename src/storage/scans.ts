// Scan repository: save (metadata + pixel chunks in one transaction), list, load, rename, delete.
import type { PixelArray, Scan, ScanDType } from '../scan/types';
import { Dexie } from 'dexie';
import { guardWrite, SaveCancelled, StorageFullError } from './errors';
import { chunkCount, chunkOf, type WorkbenchDB } from './schema';
import type { ScanRow } from './types';

export interface SaveOptions {
  thumbnail?: string | null;
  source?: 'file' | 'demo' | 'pacs';
  /** Free space check before writing (navigator.storage.estimate); injectable for tests. */
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
  /** Cancels the save: the transaction is aborted, nothing of the scan is kept (SaveCancelled). */
  signal?: AbortSignal;
}

const ARRAYS: Record<ScanDType, new (b: ArrayBuffer) => PixelArray> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
};

const newId = (): string => globalThis.crypto.randomUUID();


export function scanToRow(scan: Scan, id: string, now: number, opts: SaveOptions = {}): ScanRow {
  return {
    id, name: scan.name, format: scan.format, source: opts.source ?? 'file',
    width: scan.width, height: scan.height, frames: scan.frames, shape: scan.shape, dtype: scan.dtype,
    channels: scan.channels, spacing: scan.spacing, spacingKnown: scan.spacingKnown, photometric: scan.photometric,
    window: scan.window, range: scan.range, modality: scan.modality, metadata: scan.metadata, geometry: scan.geometry,
    bytes: scan.data.byteLength, thumbnail: opts.thumbnail ?? null, createdAt: now, updatedAt: now,
  };
}

/**
 * Saves a scan and returns its row. The metadata row and every pixel chunk are written, or none.
 * Chunks are cut and added one at a time, each after the previous one is stored, so the page never
 * copies and serialises a whole large volume in one task (a 512 MiB volume would hold the main thread
 * for seconds). `signal` aborts the transaction.
 */
export async function saveScan(db: WorkbenchDB, scan: Scan, opts: SaveOptions = {}): Promise<ScanRow> {
  const row = scanToRow(scan, newId(), Date.now(), opts);
  const what = `"${scan.name}"`;
  const { signal } = opts;
  if (signal?.aborted) throw new SaveCancelled(what);
  if (opts.estimate) {
    const { usage = 0, quota = Infinity } = await opts.estimate();
    if (usage + row.bytes * 1.1 > quota) throw new StorageFullError(what);
  }
  let cancel: (() => void) | null = null;
  const cancelled = new Promise<never>((_, reject) => {
    cancel = () => reject(new SaveCancelled(what));
    signal?.addEventListener('abort', cancel, { once: true });
  });
  cancelled.catch(() => undefined);
  const write = guardWrite(what, () =>
    db.transaction('rw', db.scans, db.scanChunks, async () => {
      const tx = Dexie.currentTransaction;
      const abort = () => {
        try {
          tx?.abort();
        } catch {
          // already finished
        }
      };
      signal?.addEventListener('abort', abort, { once: true });
      try {
        for (let i = 0, n = chunkCount(scan.data); i < n; i++) {
          if (signal?.aborted) throw new SaveCancelled(what);
          await db.scanChunks.add(chunkOf(row.id, scan.data, i));
        }
        await db.scans.add(row);
      } finally {
        signal?.removeEventListener('abort', abort);
      }
    }),
  );
  try {
    // a cancel answers at once, even if the database has not started the transaction yet
    await Promise.race([write, cancelled]);
  } catch (e) {
    if (signal?.aborted) throw new SaveCancelled(what);
    throw e;
  } finally {
    if (cancel) signal?.removeEventListener('abort', cancel);
  }
  return row;
}

/** All scans, most recently used first; pixels are not loaded. */
export async function listScans(db: WorkbenchDB): Promise<ScanRow[]> {
  return db.scans.orderBy('updatedAt').reverse().toArray();
}

/** The full scan (metadata + pixels), or null when missing or incomplete. */
export async function loadScan(db: WorkbenchDB, id: string): Promise<Scan | null> {
  // Chunks are read one at a time into the scan's buffer, so loading never holds the volume twice.
  const got = await db.transaction('r', db.scans, db.scanChunks, db.scanPixels, async () => {
    const row = await db.scans.get(id);
    if (!row) return null;
    const perSample = (ARRAYS[row.dtype] as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    const total = row.width * row.height * row.frames * row.channels * perSample;
    const count = await db.scanChunks.where('scanId').equals(id).count();
    if (!count) {
      const legacy = await db.scanPixels.get(id);
      return legacy && legacy.data.byteLength === total ? { row, buffer: legacy.data } : null;
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (let index = 0; index < count; index++) {
      const c = await db.scanChunks.get([id, index]);
      if (!c || at + c.data.byteLength > total) return null; // missing or oversized: incomplete
      bytes.set(new Uint8Array(c.data), at);
      at += c.data.byteLength;
    }
    return at === total ? { row, buffer: bytes.buffer } : null; // incomplete
  });
  if (!got) return null;
  const { row, buffer } = got;
  const data = new ARRAYS[row.dtype](buffer);
  return {
    name: row.name, format: row.format, width: row.width, height: row.height, frames: row.frames, shape: row.shape,
    channels: row.channels, dtype: row.dtype, data, spacing: row.spacing, spacingKnown: row.spacingKnown,
    photometric: row.photometric, window: row.window, range: row.range, modality: row.modality,
    metadata: row.metadata, geometry: row.geometry,
  };
}

export async function renameScan(db: WorkbenchDB, id: string, name: string): Promise<void> {
  const clean = name.trim();
  if (!clean) throw new Error('A scan name cannot be empty.');
  await guardWrite('the new name', async () => {
    const n = await db.scans.update(id, { name: clean, updatedAt: Date.now() });
    if (n === 0) throw new Error('That scan no longer exists.');
  });
}

/** Marks a scan as just used (moves it to the top of the list). */
export async function touchScan(db: WorkbenchDB, id: string): Promise<void> {
  await db.scans.update(id, { updatedAt: Date.now() });
}

/** Deletes a scan with its pixels, runs, masks and mask versions. */
export async function deleteScan(db: WorkbenchDB, id: string): Promise<void> {
  await db.transaction('rw', [db.scans, db.scanPixels, db.scanChunks, db.runs, db.runChunks, db.masks, db.maskVersions], async () => {
    const maskIds = await db.masks.where('scanId').equals(id).primaryKeys();
    await db.maskVersions.where('maskId').anyOf(maskIds).delete();
    await db.masks.bulkDelete(maskIds);
    const runIds = await db.runs.where('scanId').equals(id).primaryKeys();
    await db.runChunks.where('runId').anyOf(runIds).delete();
    await db.runs.bulkDelete(runIds);
    await db.scanPixels.delete(id);
    await db.scanChunks.where('scanId').equals(id).delete();
    await db.scans.delete(id);
  });
}
