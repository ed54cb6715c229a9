// Dexie database and its versioned schema. Version 1 is the first released layout (scan window stored as
// a [center, width] tuple, no updatedAt/bytes); version 2 adds the run/mask tables and migrates scan rows;
// version 3 stores scan pixels in chunks (scanChunks) and moves the old single-value rows there.
// Only src/storage imports dexie (lint rule).
import { Dexie, type DexieOptions, type Table, type Transaction } from 'dexie';
import type { MaskRow, MaskVersionRow, RunRow, ScanChunkRow, ScanPixelsRow, ScanRow, SettingRow } from './types';

/** Most bytes in one stored pixel chunk (schema v3). */
export const SCAN_CHUNK_BYTES = 8 * 1024 * 1024;

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

export function defineSchema(db: Dexie): void {
  defineV2(db);
  // v3: scan pixels in chunks (scanChunks); scanPixels stays declared, emptied by the migration
  db.version(3).stores({ scanChunks: '[scanId+index], scanId' }).upgrade(migrateV2toV3);
}

/** Splits a pixel buffer into chunk rows of at most SCAN_CHUNK_BYTES. */
export function chunksOf(scanId: string, data: ArrayBuffer | ArrayBufferView): ScanChunkRow[] {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out: ScanChunkRow[] = [];
  for (let i = 0, index = 0; i < bytes.length || index === 0; i += SCAN_CHUNK_BYTES, index++) {
    out.push({ scanId, index, data: bytes.slice(i, Math.min(bytes.length, i + SCAN_CHUNK_BYTES)).buffer });
  }
  return out;
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

  constructor(name = DB_NAME, options?: DexieOptions) {
    super(name, options);
    defineSchema(this);
  }
}
