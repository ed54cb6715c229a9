// Scan repository on fake-indexeddb: round trips, ordering, rename, cascade delete, quota failures.
import { describe, expect, it } from 'vitest';
import { addMaskVersion, listMaskVersions, listMasks, listRuns, putMask, putRun } from './masks';
import { deleteScan, listScans, loadScan, renameScan, saveScan, touchScan } from './scans';
import { getSetting, setSetting } from './settings';
import { SaveCancelled, StorageFullError, StorageWriteError } from './errors';
import { freshDb, tinyScan } from './testing';

describe('scan repository', () => {
  it('saves and loads a scan with identical pixels and metadata', async () => {
    const db = freshDb();
    const scan = tinyScan();
    const row = await saveScan(db, scan, { thumbnail: 'data:image/png;base64,AA==' });
    expect(row.bytes).toBe(scan.data.byteLength);
    const back = await loadScan(db, row.id);
    expect(back).not.toBeNull();
    expect(back!.data).toBeInstanceOf(Int16Array);
    expect(Array.from(back!.data)).toEqual(Array.from(scan.data));
    expect({ ...back!, data: null }).toEqual({ ...scan, data: null, geometry: undefined });
    expect((await listScans(db))[0].thumbnail).toBe('data:image/png;base64,AA==');
  });

  it('stores a typed array that is a view into a larger buffer correctly', async () => {
    const db = freshDb();
    const big = new Uint8Array(100).map((_, i) => i);
    const scan = { ...tinyScan(), dtype: 'uint8' as const, frames: 1, data: big.subarray(10, 22) };
    const row = await saveScan(db, scan);
    expect(Array.from((await loadScan(db, row.id))!.data)).toEqual(Array.from(big.subarray(10, 22)));
  });

  it('lists most recently used first, renames, rejects empty names', async () => {
    const db = freshDb();
    const a = await saveScan(db, tinyScan('a'));
    await new Promise((r) => setTimeout(r, 5));
    const b = await saveScan(db, tinyScan('b'));
    expect((await listScans(db)).map((s) => s.name)).toEqual(['b', 'a']);
    await new Promise((r) => setTimeout(r, 5));
    await touchScan(db, a.id);
    expect((await listScans(db)).map((s) => s.name)).toEqual(['a', 'b']);
    await renameScan(db, b.id, '  renamed ');
    expect((await listScans(db)).find((s) => s.id === b.id)!.name).toBe('renamed');
    await expect(renameScan(db, b.id, '   ')).rejects.toThrow(/empty/);
    await expect(renameScan(db, 'nope', 'x')).rejects.toThrow(/no longer exists/);
  });

  it('deletes a scan with its pixels, runs, masks and versions', async () => {
    const db = freshDb();
    const a = await saveScan(db, tinyScan('a'));
    const b = await saveScan(db, tinyScan('b'));
    const now = Date.now();
    await putRun(db, { id: 'r1', scanId: a.id, frame: 0, prompt: 'polyp', modelId: 'm', backend: 'wasm', threshold: 0.5, timings: {}, scores: {}, createdAt: now });
    await putMask(db, { id: 'm1', scanId: a.id, frame: 0, width: 4, height: 3, encoding: 'png', data: new Uint8Array([1]), provenance: 'model', createdAt: now });
    await putMask(db, { id: 'm2', scanId: b.id, frame: 0, width: 4, height: 3, encoding: 'png', data: new Uint8Array([1]), provenance: 'reference', createdAt: now });
    const v1 = await addMaskVersion(db, { id: 'v1', maskId: 'm1', encoding: 'rle', data: new Uint8Array([2]), provenance: 'corrected', createdAt: now });
    const v2 = await addMaskVersion(db, { id: 'v2', maskId: 'm1', encoding: 'rle', data: new Uint8Array([3]), provenance: 'corrected', createdAt: now });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect((await listMaskVersions(db, 'm1')).map((v) => v.id)).toEqual(['v1', 'v2']);
    await deleteScan(db, a.id);
    expect(await loadScan(db, a.id)).toBeNull();
    expect(await db.scanChunks.where('scanId').equals(a.id).count()).toBe(0);
    expect(await listRuns(db, a.id)).toEqual([]);
    expect(await listMasks(db, a.id)).toEqual([]);
    expect(await listMaskVersions(db, 'm1')).toEqual([]);
    expect((await listMasks(db, b.id)).length).toBe(1);
    expect(await loadScan(db, b.id)).not.toBeNull();
  });

  it('stores a 512 x 512 x 300 int16 volume (150 MiB) in chunks of at most 1 MiB and loads it back', async () => {
    const db = freshDb();
    const frames = 300;
    const data = new Int16Array(512 * 512 * frames);
    for (let k = 0; k < frames; k++) data.fill(k - 1000, k * 512 * 512, k * 512 * 512 + 1000);
    data[data.length - 1] = 1234;
    const scan = { ...tinyScan('big'), width: 512, height: 512, frames, shape: [frames, 512, 512], data };
    const row = await saveScan(db, scan);
    const sizes: number[] = [];
    await db.scanChunks.where('scanId').equals(row.id).each((c) => void sizes.push(c.data.byteLength));
    expect(sizes.length).toBe(150);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1024 * 1024);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(data.byteLength);
    const back = (await loadScan(db, row.id))!;
    expect(back.data.length).toBe(data.length);
    expect([back.data[0], back.data[299 * 512 * 512], back.data[data.length - 1]]).toEqual([-1000, -701, 1234]);
  });

  it('keeps settings', async () => {
    const db = freshDb();
    expect(await getSetting(db, 'k')).toBeUndefined();
    await setSetting(db, 'k', { a: 1 });
    expect(await getSetting(db, 'k')).toEqual({ a: 1 });
  });
});

describe('full storage', () => {
  it('a quota failure mid-save is a StorageFullError and loses nothing saved before', async () => {
    const db = freshDb();
    const kept = await saveScan(db, tinyScan('kept'));
    // The browser raises QuotaExceededError from the write; make the second write of the transaction fail so.
    db.scans.hook('creating', () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    await expect(saveScan(db, tinyScan('too much'))).rejects.toBeInstanceOf(StorageFullError);
    await expect(saveScan(db, tinyScan('too much'))).rejects.toThrow(/storage is full.*intact/i);
    expect(await db.scanChunks.count()).toBe(1); // the pixel chunks of the failed save were rolled back
    expect((await listScans(db)).map((s) => s.name)).toEqual(['kept']);
    expect(await loadScan(db, kept.id)).not.toBeNull();
  });

  it('refuses up front when the estimate says it will not fit', async () => {
    const db = freshDb();
    const estimate = async () => ({ usage: 990, quota: 1000 });
    await expect(saveScan(db, tinyScan('x'), { estimate })).rejects.toBeInstanceOf(StorageFullError);
    expect(await db.scans.count()).toBe(0);
  });

  it('any other refused write is a sentence (never the browser text) and loses nothing saved before', async () => {
    const db = freshDb();
    await saveScan(db, tinyScan('kept'));
    db.scans.hook('creating', () => {
      throw new DOMException('Internal error opening backing store for indexedDB.open.', 'UnknownError');
    });
    const err = (await saveScan(db, tinyScan('refused')).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(StorageWriteError);
    expect(err.message).toMatch(/^"refused" was not saved: the browser refused to store it .*Everything saved earlier is intact\.$/);
    expect(err.message).not.toMatch(/backing store|indexedDB/);
    expect((await listScans(db)).map((s) => s.name)).toEqual(['kept']);
    expect(await db.scanChunks.count()).toBe(1);
  });

  it('a cancelled save keeps nothing of the scan (a multi-chunk volume, cancelled mid-way)', async () => {
    const db = freshDb();
    const big = { ...tinyScan('big'), dtype: 'uint8' as const, width: 1024, height: 1024, frames: 40, shape: [40, 1024, 1024], data: new Uint8Array(1024 * 1024 * 40) };
    const abort = new AbortController();
    let chunks = 0;
    db.scanChunks.hook('creating', () => {
      if (++chunks === 2) abort.abort();
    });
    await expect(saveScan(db, big, { signal: abort.signal })).rejects.toBeInstanceOf(SaveCancelled);
    await new Promise((r) => setTimeout(r, 50));
    expect(await db.scans.count()).toBe(0);
    expect(await db.scanChunks.count()).toBe(0);
    // and the same scan saves when not cancelled: 40 chunks of 1 MiB
    const row = await saveScan(db, big);
    expect(await db.scanChunks.where('scanId').equals(row.id).count()).toBe(40);
  });
});
