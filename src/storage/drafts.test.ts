// The draft autosave's client where no worker can run (Node): it writes on this thread, the same row
// saveDraft writes, so loadDraft reads every stroke back. (The worker path is covered end to end:
// e2e/loop.spec.ts and e2e/correction-race.spec.ts reload / read the draft row the worker wrote.)
import { describe, expect, it } from 'vitest';
import { freshDb } from './testing';
import { saveDraftOffThread } from './drafts';
import { loadDraft } from './runs';
import { createMask, sameBinary } from '../mask/types';
import { paintDisc } from '../mask/paint';

describe('saveDraftOffThread without a worker', () => {
  it('saves the draft on this thread, readable by loadDraft', async () => {
    expect(typeof Worker).toBe('undefined');
    const db = freshDb();
    const m = createMask(64, 48);
    paintDisc(m, 20, 20, 6, 1);
    await saveDraftOffThread(db, 's1', 0, m, 'run-a');
    const d = await loadDraft(db, 's1', 0);
    expect(d?.source).toBe('run-a');
    expect(sameBinary(d!.mask, m)).toBe(true);
  });
});
