// The 3-D mask row: round trip of the voxels, 'model' until corrected by hand, then 'corrected' (the
// provenance field 2-D drafts use); the off-thread save writes the same row where no worker runs (Node).
// Scan pixels are written and read one chunk at a time: a multi-chunk scan comes back equal.
import { describe, expect, it } from 'vitest';
import { saveVolumeMaskOffThread } from './drafts';
import { SCAN_CHUNK_BYTES } from './schema';
import { loadScan, saveScan } from './scans';
import { freshDb, tinyScan } from './testing';
import { loadVolumeMask, loadVolumeReferences, saveVolumeMask, saveVolumeReferences, volumeMaskId } from './volumeMasks';

describe('volume mask rows', () => {
  it('round-trips the voxels and the provenance', async () => {
    const db = freshDb();
    const data = new Uint8Array(5 * 4 * 3);
    data[7] = 1;
    data[5 * 4 * 2 + 3] = 1;
    await saveVolumeMask(db, { scanId: 's', width: 5, height: 4, slices: 3, data, provenance: 'model', meta: { prompt: 'liver' }, createdAt: 1 });
    const a = await loadVolumeMask(db, 's');
    expect(a).toMatchObject({ width: 5, height: 4, slices: 3, provenance: 'model', meta: { prompt: 'liver' } });
    expect(a!.data).toEqual(data);
    data[0] = 1;
    await saveVolumeMaskOffThread(db, { ...a!, data, provenance: 'corrected' });
    const b = await loadVolumeMask(db, 's');
    expect(b!.provenance).toBe('corrected');
    expect(b!.data).toEqual(data);
    expect((await db.masks.get(volumeMaskId('s')))?.provenance).toBe('corrected');
    expect(await loadVolumeMask(db, 'other')).toBeNull();
  });
});

describe('3-D reference rows', () => {
  it('keeps every segment in order with its label, colour and algorithm; a new set replaces the old one', async () => {
    const db = freshDb();
    const vol = (i: number) => new Uint8Array(5 * 4 * 3).map((_, j) => (j % (i + 2) === 0 ? 1 : 0));
    const rec = (i: number, label: string) => ({
      scanId: 's', width: 5, height: 4, slices: 3, data: vol(i), label, source: 'seg.dcm', createdAt: 1,
      ...(i === 1 ? { rgb: [255, 200, 0] as [number, number, number], algorithmType: 'SEMIAUTOMATIC', algorithmName: 'm@h' } : {}),
    });
    await saveVolumeReferences(db, 's', [rec(0, 'a'), rec(1, 'b'), rec(2, 'c')]);
    await saveVolumeMask(db, { scanId: 's', width: 5, height: 4, slices: 3, data: vol(0), provenance: 'model', meta: {}, createdAt: 1 });
    const back = await loadVolumeReferences(db, 's');
    expect(back.map((r) => r.label)).toEqual(['a', 'b', 'c']);
    back.forEach((r, i) => expect(r.data).toEqual(vol(i)));
    expect(back[1]).toMatchObject({ rgb: [255, 200, 0], algorithmType: 'SEMIAUTOMATIC', algorithmName: 'm@h', source: 'seg.dcm', height: 4, slices: 3 });
    expect(back[0].rgb).toBeUndefined();
    await saveVolumeReferences(db, 's', [rec(2, 'only')]);
    expect((await loadVolumeReferences(db, 's')).map((r) => r.label)).toEqual(['only']);
    // the 3-D mask row is not a reference and is left alone
    expect(await loadVolumeMask(db, 's')).not.toBeNull();
    await saveVolumeReferences(db, 's', []);
    expect(await loadVolumeReferences(db, 's')).toEqual([]);
  });
});

describe('scan chunks one at a time', () => {
  it('a scan over several chunks saves and loads equal; a missing chunk makes it incomplete', async () => {
    const db = freshDb();
    const scan = tinyScan('big', 1);
    const n = Math.ceil((2.5 * SCAN_CHUNK_BYTES) / 2);
    const data = new Int16Array(n).map((_, i) => (i * 7) % 3000);
    const big = { ...scan, width: n, height: 1, frames: 1, shape: [1, 1, n], data };
    const row = await saveScan(db, big);
    expect(await db.scanChunks.where('scanId').equals(row.id).count()).toBe(3);
    const back = await loadScan(db, row.id);
    expect(back!.data).toEqual(data);
    await db.scanChunks.delete([row.id, 1]);
    expect(await loadScan(db, row.id)).toBeNull();
  });
});
