// Schema v1 -> v2 migration on a real (in-memory) IndexedDB, and quota error detection.
import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { defineV1, defineV2, defineV3, SCAN_CHUNK_BYTES, WorkbenchDB } from './schema';
import { listRunRecords, RUN_RECORD_TYPE } from './runs';
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
    expect(db.verno).toBe(4);
    const s1 = await db.scans.get('s1');
    expect(s1!.window).toEqual({ center: 40, width: 400 });
    expect(s1!.updatedAt).toBe(1234);
    expect(s1!.bytes).toBe(8);
    expect((await db.scanChunks.get(['s1', 0]))!.data.byteLength).toBe(8);
    expect((await db.scans.get('s2'))!.bytes).toBe(0);
    expect((await db.scans.orderBy('updatedAt').keys())).toEqual([99, 1234]);
    expect(db.tables.map((t) => t.name).sort()).toEqual(['maskVersions', 'masks', 'runChunks', 'runs', 'scanChunks', 'scanPixels', 'scans', 'settings']);
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
    expect(db.verno).toBe(4);
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

describe('schema migration v3 -> v4', () => {
  it('moves the probabilities of old run rows into chunks; the runs list with identical probabilities', async () => {
    const options = freshDbOptions();
    const v3 = new Dexie('migrate4', options);
    defineV3(v3);
    const base = { scanId: 's1', frame: 0, modelId: 'm', backend: 'wasm', threshold: 0.5, timings: {}, scores: { area: 3 }, type: RUN_RECORD_TYPE, formatVersion: 1, variant: 'wasm', colour: '#ff0000' };
    // one run of 1200 x 1000 float32 (4.6 MiB, five chunks) and a small one, as version 3 stored them: one value each
    const big = new Float32Array(1200 * 1000).map((_, i) => ((i * 31) % 1000) / 999);
    await v3.table('runs').add({ ...base, id: 'big', prompt: 'polyp', createdAt: 2, probs: { width: 1200, height: 1000, data: big.slice().buffer } });
    await v3.table('runs').add({ ...base, id: 'small', prompt: '', createdAt: 1, probs: { width: 2, height: 1, data: new Float32Array([0.25, 0.75]).buffer } });
    // a run row of another shape (masks.ts putRun) is left alone
    await v3.table('runs').add({ id: 'plain', scanId: 's2', frame: 0, prompt: 'x', modelId: 'm', backend: 'b', threshold: 0.5, timings: {}, scores: {}, createdAt: 0 });
    v3.close();

    const db = new WorkbenchDB('migrate4', options);
    await db.open();
    expect(db.verno).toBe(4);
    expect(await db.runChunks.where('runId').equals('big').count()).toBe(Math.ceil(big.byteLength / SCAN_CHUNK_BYTES));
    expect(((await db.runs.get('big')) as unknown as { probs: object }).probs).toEqual({ width: 1200, height: 1000, bytes: big.byteLength, chunks: 5 });
    expect(await db.runs.get('plain')).toMatchObject({ id: 'plain', prompt: 'x' });
    const runs = await listRunRecords(db, 's1', 0);
    expect(runs.map((r) => r.id)).toEqual(['small', 'big']);
    expect(Array.from(new Float32Array(runs[0].probs.data))).toEqual([0.25, 0.75]);
    const back = new Float32Array(runs[1].probs.data);
    expect(back.length).toBe(big.length);
    expect(back.every((v, i) => v === big[i])).toBe(true);
    expect(runs[1]).toMatchObject({ prompt: 'polyp', scores: { area: 3 }, colour: '#ff0000' });
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
