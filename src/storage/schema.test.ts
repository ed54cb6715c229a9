// Schema v1 -> v2 migration on a real (in-memory) IndexedDB, and quota error detection.
import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { defineV1, defineV2, SCAN_CHUNK_BYTES, WorkbenchDB } from './schema';
import { loadScan, scanToRow } from './scans';
import { tinyScan } from './testing';
import { freshDbOptions } from './testing';
import { isQuotaError } from './errors';

describe('schema migration v1 -> v2', () => {
  it('converts window tuples, fills updatedAt and bytes, and adds the run/mask tables', async () => {
    const options = freshDbOptions();
    const v1 = new Dexie('migrate', options);
    defineV1(v1);
    await v1.table('scans').add({ id: 's1', name: 'old', createdAt: 1234, window: [40, 400], width: 2, height: 2 });
    await v1.table('scans').add({ id: 's2', name: 'orphan', createdAt: 99, window: [0, 1] });
    await v1.table('scanPixels').add({ id: 's1', dtype: 'int16', data: new ArrayBuffer(8) });
    expect(v1.verno).toBe(1);
    v1.close();

    const db = new WorkbenchDB('migrate', options);
    await db.open();
    expect(db.verno).toBe(3);
    const s1 = await db.scans.get('s1');
    expect(s1!.window).toEqual({ center: 40, width: 400 });
    expect(s1!.updatedAt).toBe(1234);
    expect(s1!.bytes).toBe(8);
    expect((await db.scanChunks.get(['s1', 0]))!.data.byteLength).toBe(8);
    expect((await db.scans.get('s2'))!.bytes).toBe(0);
    expect((await db.scans.orderBy('updatedAt').keys())).toEqual([99, 1234]);
    expect(db.tables.map((t) => t.name).sort()).toEqual(['maskVersions', 'masks', 'runs', 'scanChunks', 'scanPixels', 'scans', 'settings']);
  });
});

describe('schema migration v2 -> v3', () => {
  it('moves single-value pixel rows into chunks; scans load with identical pixels', async () => {
    const options = freshDbOptions();
    const v2 = new Dexie('migrate3', options);
    defineV2(v2);
    const small = tinyScan('small');
    // a pixel row larger than one chunk: 10 MiB of int16
    const big = { ...tinyScan('big'), width: 1024, height: 1024, frames: 5, shape: [5, 1024, 1024], data: new Int16Array(1024 * 1024 * 5).map((_, i) => (i * 7) % 30000) };
    for (const [id, scan] of [['a', small], ['b', big]] as const) {
      await v2.table('scans').add(scanToRow(scan, id, 1));
      await v2.table('scanPixels').add({ id, dtype: scan.dtype, data: scan.data.slice().buffer });
    }
    v2.close();

    const db = new WorkbenchDB('migrate3', options);
    await db.open();
    expect(db.verno).toBe(3);
    expect(await db.scanPixels.count()).toBe(0);
    expect(await db.scanChunks.where('scanId').equals('a').count()).toBe(1);
    expect(await db.scanChunks.where('scanId').equals('b').count()).toBe(Math.ceil(big.data.byteLength / SCAN_CHUNK_BYTES));
    expect(Math.ceil(big.data.byteLength / SCAN_CHUNK_BYTES)).toBe(10);
    expect(Array.from((await loadScan(db, 'a'))!.data)).toEqual(Array.from(small.data));
    const b = (await loadScan(db, 'b'))!;
    expect(b.data.length).toBe(big.data.length);
    expect(b.data.every((v, i) => v === big.data[i])).toBe(true);
  });
});

describe('isQuotaError', () => {
  it('finds quota errors directly or wrapped', () => {
    expect(isQuotaError(new DOMException('x', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError({ name: 'AbortError', inner: { name: 'QuotaExceededError' } })).toBe(true);
    expect(isQuotaError(new Error('other'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
  });
});
