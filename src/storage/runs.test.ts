import { describe, expect, it } from 'vitest';
import { freshDb } from './testing';
import { acceptCorrection, isRunRecord, listCorrections, listRunRecords, loadDraft, loadReferenceRow, maskFromBytes, maskToBytes, saveDraft, saveReference, saveRunRecord, updateRunRecord, RUN_RECORD_TYPE, type RunRecord } from './runs';
import { sameBinary } from '../mask/types';
import { paintDisc } from '../mask/paint';

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
