import { describe, expect, it } from 'vitest';
import { freshDb } from './testing';
import { acceptCorrection, deleteRunRecord, isRunRecord, listCorrections, listRunRecords, loadDraft, loadReferenceRow, maskFromBytes, maskToBytes, saveDraft, saveReference, saveRunRecord, updateRunRecord, RUN_RECORD_TYPE, type RunRecord } from './runs';
import { sameBinary } from '../mask/types';
import { paintDisc } from '../mask/paint';
import { SCAN_CHUNK_BYTES } from './schema';
import { deleteScan } from './scans';

function mask(seed: number) {
  const m = { width: 40, height: 30, data: new Uint8Array(1200) };
  paintDisc(m, 5 + seed * 3, 15, 6, 1);
  return m;
}

function run(id: string, createdAt: number): RunRecord {
  return {
    id, scanId: 's1', frame: 0, prompt: `p ${id}`, modelId: 'm', backend: 'wasm', threshold: 0.5, timings: { textMs: 3 },
    scores: { area: 5 }, createdAt, type: RUN_RECORD_TYPE, formatVersion: 1, variant: 'wasm', colour: '#ff0000',
    probs: { width: 2, height: 2, data: new Float32Array([0.1, 0.9, 0.5, 0.2]).buffer },
  };
}

describe('runs repository', () => {
  it('saves, lists (validated) and updates runs with their probabilities', async () => {
    const db = freshDb('runs1');
    await saveRunRecord(db, run('b', 2));
    await saveRunRecord(db, run('a', 1));
    await db.runs.put({ id: 'junk', scanId: 's1', frame: 0, prompt: 'x', modelId: 'm', backend: 'b', threshold: 0.5, timings: {}, scores: {}, createdAt: 0 });
    const rows = await listRunRecords(db, 's1');
    expect(rows.map((r) => r.id)).toEqual(['a', 'b']);
    expect(Array.from(new Float32Array(rows[0].probs.data))).toEqual([expect.closeTo(0.1), expect.closeTo(0.9), 0.5, expect.closeTo(0.2)]);
    await updateRunRecord(db, 'a', { threshold: 0.3, scores: { dice: 0.5 } });
    expect((await listRunRecords(db, 's1'))[0].threshold).toBe(0.3);
    expect(isRunRecord({ ...run('c', 0), probs: { width: 3, height: 3, data: new ArrayBuffer(4) } })).toBe(false);
  });

  it('stores probabilities in chunks, reads them back whole, from a view on shared memory too; deletes them with the run', async () => {
    const db = freshDb('runs3');
    const w = 1000;
    const h = 700; // 2.67 MiB: three chunks
    const shared = new Float32Array(new SharedArrayBuffer(w * h * 4)).map((_, i) => (i % 997) / 996);
    await saveRunRecord(db, { ...run('big', 1), probs: { width: w, height: h, data: shared } });
    await saveRunRecord(db, { ...run('small', 2), frame: 1 });
    const chunks = await db.runChunks.where('runId').equals('big').toArray();
    expect(chunks.length).toBe(Math.ceil((w * h * 4) / SCAN_CHUNK_BYTES));
    expect(chunks.every((c) => c.data.byteLength <= SCAN_CHUNK_BYTES)).toBe(true);
    // the run row holds no buffer
    const row = (await db.runs.get('big')) as unknown as { probs: Record<string, unknown> };
    expect(row.probs).toEqual({ width: w, height: h, bytes: w * h * 4, chunks: 3 });
    const [back] = await listRunRecords(db, 's1', 0);
    expect(back.id).toBe('big');
    const probs = new Float32Array(back.probs.data);
    expect(probs.length).toBe(w * h);
    expect(probs.every((v, i) => v === shared[i])).toBe(true);
    // saved again (same id): its chunks are replaced, not added to
    await saveRunRecord(db, { ...run('big', 1), probs: { width: 2, height: 2, data: new Float32Array([1, 0, 1, 0]) } });
    expect(await db.runChunks.where('runId').equals('big').count()).toBe(1);
    expect(Array.from(new Float32Array((await listRunRecords(db, 's1', 0))[0].probs.data))).toEqual([1, 0, 1, 0]);
    // a run whose chunks are missing is skipped, not thrown
    await db.runChunks.delete(['small', 0]);
    expect((await listRunRecords(db, 's1')).map((r) => r.id)).toEqual(['big']);
    await deleteRunRecord(db, 'big');
    expect(await db.runChunks.where('runId').equals('big').count()).toBe(0);
    // deleting the scan removes its runs' chunks
    await saveRunRecord(db, run('c', 3));
    await deleteScan(db, 's1');
    expect(await db.runs.count()).toBe(0);
    expect(await db.runChunks.count()).toBe(0);
  });

  it('a size mismatch is refused before anything is written', async () => {
    const db = freshDb('runs4');
    await expect(saveRunRecord(db, { ...run('x', 1), probs: { width: 3, height: 3, data: new ArrayBuffer(8) } })).rejects.toThrow(/do not match/);
    expect(await db.runs.count()).toBe(0);
    expect(await db.runChunks.count()).toBe(0);
  });

  it('masks as RLE bytes round-trip', () => {
    const m = mask(1);
    expect(sameBinary(maskFromBytes(maskToBytes(m), 40, 30), m)).toBe(true);
  });

  it('reference, draft and accepted versions', async () => {
    const db = freshDb('runs2');
    expect(await loadReferenceRow(db, 's1', 0)).toBeNull();
    await saveReference(db, 's1', 0, mask(1), 'ref.png');
    const ref = await loadReferenceRow(db, 's1', 0);
    expect(ref?.label).toBe('ref.png');
    await saveDraft(db, 's1', 0, mask(2), 'run-a');
    const d = await loadDraft(db, 's1', 0);
    expect(d && sameBinary(d.mask, mask(2))).toBe(true);
    expect(d?.source).toBe('run-a');
    await acceptCorrection(db, 's1', 0, mask(3), 'run-a');
    await acceptCorrection(db, 's1', 0, mask(4), 'run-a');
    const versions = await listCorrections(db, 's1', 0);
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(sameBinary(maskFromBytes(versions[0].data as Uint8Array, 40, 30), mask(3))).toBe(true);
  });
});
