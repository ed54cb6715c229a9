// Dexie database and its versioned schema. Version 1 is the first released layout (scan window stored as
// a [center, width] tuple, no updatedAt/bytes); version 2 adds the run/mask tables and migrates scan rows;
// version 3 stores scan pixels in chunks (scanChunks) and moves the old single-value rows there; version 4
// stores a run's probabilities in chunks (runChunks) and moves the old in-row buffers there.
// Only src/storage imports dexie (lint rule).
import { Dexie, type DexieOptions, type Table, type Transaction } from 'dexie';
import type { MaskRow, MaskVersionRow, RunChunkRow, RunRow, ScanChunkRow, ScanPixelsRow, ScanRow, SettingRow, StoredRunProbs } from './types';

/**
 * Most bytes in one stored pixel chunk (schema v3). Readers take chunks of any size (rows written with
 * 8 MiB chunks load as before); 1 MiB since each add() serialises its value on the page's main thread:
 * an 8 MiB chunk took 80-140 ms there on the loaded machine (npm run bench:longtasks), 1 MiB stays well
 * under the 50 ms of a long task.
 */
export const SCAN_CHUNK_BYTES = 1024 * 1024;

export const DB_NAME = 'vlsm-workbench';

/** Version 1 layout; kept so old databases open and so the migration can be tested. */
export function defineV1(db: Dexie): void {
  db.version(1).stores({ scans: 'id, name, createdAt', scanPixels: 'id', settings: 'key' });
}

/** Versions 1 and 2 (kept so the v2 -> v3 migration can be tested from a real v2 database). */
export function defineV2(db: Dexie): void {
  defineV1(db);
  db.version(2)
    .stores({
      scans: 'id, name, createdAt, updatedAt',
      scanPixels: 'id',
      settings: 'key',
      runs: 'id, scanId, createdAt',
      masks: 'id, scanId, runId, createdAt',
      maskVersions: 'id, maskId, [maskId+version]',
    })
    .upgrade(migrateV1toV2);
}

/** Versions 1 to 3 (kept so the v3 -> v4 migration can be tested from a real v3 database). */
export function defineV3(db: Dexie): void {
  defineV2(db);
  // v3: scan pixels in chunks (scanChunks); scanPixels stays declared, emptied by the migration
  db.version(3).stores({ scanChunks: '[scanId+index], scanId' }).upgrade(migrateV2toV3);
}

export function defineSchema(db: Dexie): void {
  defineV3(db);
  // v4: run probabilities in chunks (runChunks); the run rows keep only their size and chunk count
  db.version(4).stores({ runChunks: '[runId+index], runId' }).upgrade(migrateV3toV4);
}

const bytesOf = (data: ArrayBuffer | ArrayBufferView): Uint8Array =>
  data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** How many chunk rows a pixel buffer takes (at least one, even when empty). */
export const chunkCount = (data: ArrayBuffer | ArrayBufferView): number => Math.max(1, Math.ceil(data.byteLength / SCAN_CHUNK_BYTES));

/**
 * Bytes of chunk `index` of a buffer: a copy of at most SCAN_CHUNK_BYTES into a buffer of its own (so a
 * view on shared memory can be stored: IndexedDB does not take SharedArrayBuffers).
 */
export function chunkBytes(data: ArrayBuffer | ArrayBufferView, index: number): ArrayBuffer {
  const bytes = bytesOf(data);
  const at = index * SCAN_CHUNK_BYTES;
  return bytes.slice(at, Math.min(bytes.length, at + SCAN_CHUNK_BYTES)).buffer as ArrayBuffer;
}

/** Chunk row `index` of a pixel buffer (a copy of at most SCAN_CHUNK_BYTES). */
export function chunkOf(scanId: string, data: ArrayBuffer | ArrayBufferView, index: number): ScanChunkRow {
  return { scanId, index, data: chunkBytes(data, index) };
}

/** Splits a pixel buffer into chunk rows of at most SCAN_CHUNK_BYTES. */
export function chunksOf(scanId: string, data: ArrayBuffer | ArrayBufferView): ScanChunkRow[] {
  return Array.from({ length: chunkCount(data) }, (_, i) => chunkOf(scanId, data, i));
}

/** v2 -> v3: every single-value pixel row becomes chunk rows; the old rows are removed. */
export async function migrateV2toV3(tx: Transaction): Promise<void> {
  const pixels = tx.table<ScanPixelsRow, string>('scanPixels');
  const chunks = tx.table<ScanChunkRow, [string, number]>('scanChunks');
  const ids = await pixels.toCollection().primaryKeys();
  // one row at a time, so the migration never holds more than one scan's pixels
  for (const id of ids) {
    const row = await pixels.get(id);
    if (row) await chunks.bulkPut(chunksOf(id, row.data));
    await pixels.delete(id);
  }
}

/** A run row as versions 2-3 stored it: the probabilities in the row. */
type V3RunRow = RunRow & { probs?: StoredRunProbs & { data?: ArrayBuffer } };

/**
 * v3 -> v4: the probabilities of every run row move into runChunks; the row keeps width, height and the
 * chunk count. Rows without a buffer (not the results panel's) are left as they are.
 */
export async function migrateV3toV4(tx: Transaction): Promise<void> {
  const runs = tx.table<V3RunRow, string>('runs');
  const chunks = tx.table<RunChunkRow, [string, number]>('runChunks');
  const ids = await runs.toCollection().primaryKeys();
  // one row at a time, so the migration never holds more than one run's probabilities
  for (const id of ids) {
    const row = await runs.get(id);
    const data = row?.probs?.data;
    if (!row?.probs || !(data instanceof ArrayBuffer)) continue;
    const n = chunkCount(data);
    for (let index = 0; index < n; index++) await chunks.add({ runId: id, index, data: chunkBytes(data, index) });
    await runs.put({ ...row, probs: { width: row.probs.width, height: row.probs.height, bytes: data.byteLength, chunks: n } });
  }
}

interface V1ScanRow extends Omit<ScanRow, 'window' | 'updatedAt' | 'bytes'> {
  window: [number, number] | ScanRow['window'];
  updatedAt?: number;
  bytes?: number;
}

/** v1 -> v2: window tuple -> {center, width}; updatedAt from createdAt; bytes from the pixel row. */
export async function migrateV1toV2(tx: Transaction): Promise<void> {
  const pixels = tx.table<ScanPixelsRow, string>('scanPixels');
  const sizes = new Map<string, number>();
  await pixels.each((p) => sizes.set(p.id, p.data.byteLength));
  await tx
    .table<V1ScanRow, string>('scans')
    .toCollection()
    .modify((row) => {
      if (Array.isArray(row.window)) row.window = { center: row.window[0], width: row.window[1] };
      row.updatedAt ??= row.createdAt;
      row.bytes ??= sizes.get(row.id) ?? 0;
    });
}

export class WorkbenchDB extends Dexie {
  scans!: Table<ScanRow, string>;
  /** Legacy single-value pixel rows (v1-v2); empty after the v3 migration, read only as a fallback. */
  scanPixels!: Table<ScanPixelsRow, string>;
  scanChunks!: Table<ScanChunkRow, [string, number]>;
  settings!: Table<SettingRow, string>;
  runs!: Table<RunRow, string>;
  masks!: Table<MaskRow, string>;
  maskVersions!: Table<MaskVersionRow, string>;
  runChunks!: Table<RunChunkRow, [string, number]>;

  constructor(name = DB_NAME, options?: DexieOptions) {
    super(name, options);
    defineSchema(this);
  }
}
