// Dexie database and its versioned schema. Version 1 is the first released layout (scan window stored as
// a [center, width] tuple, no updatedAt/bytes); version 2 adds the run/mask tables and migrates scan rows.
// Only src/storage imports dexie (lint rule).
import { Dexie, type DexieOptions, type Table, type Transaction } from 'dexie';
import type { MaskRow, MaskVersionRow, RunRow, ScanPixelsRow, ScanRow, SettingRow } from './types';

export const DB_NAME = 'vlsm-workbench';

/** Version 1 layout; kept so old databases open and so the migration can be tested. */
export function defineV1(db: Dexie): void {
  db.version(1).stores({ scans: 'id, name, createdAt', scanPixels: 'id', settings: 'key' });
}

export function defineSchema(db: Dexie): void {
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
  scanPixels!: Table<ScanPixelsRow, string>;
  settings!: Table<SettingRow, string>;
  runs!: Table<RunRow, string>;
  masks!: Table<MaskRow, string>;
  maskVersions!: Table<MaskVersionRow, string>;

  constructor(name = DB_NAME, options?: DexieOptions) {
    super(name, options);
    defineSchema(this);
  }
}
