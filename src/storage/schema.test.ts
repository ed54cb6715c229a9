// Schema v1 -> v2 migration on a real (in-memory) IndexedDB, and quota error detection.
import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { defineV1, WorkbenchDB } from './schema';
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
    expect(db.verno).toBe(2);
    const s1 = await db.scans.get('s1');
    expect(s1!.window).toEqual({ center: 40, width: 400 });
    expect(s1!.updatedAt).toBe(1234);
    expect(s1!.bytes).toBe(8);
    expect((await db.scans.get('s2'))!.bytes).toBe(0);
    expect((await db.scans.orderBy('updatedAt').keys())).toEqual([99, 1234]);
    expect(db.tables.map((t) => t.name).sort()).toEqual(['maskVersions', 'masks', 'runs', 'scanPixels', 'scans', 'settings']);
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
