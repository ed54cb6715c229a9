// Worker that writes correction drafts (and 3-D mask edits, volumeMasks.ts, and imported references on
// shared memory, saveReferenceOffThread): it receives the mask pixels (transferred), encodes them (RLE, as
// saveDraft always has) and writes the draft row to IndexedDB through its own Dexie connection, so the
// autosave costs the main thread one copy of the mask. Writes run one after another, in arrival order.
import { saveDraft, saveReference } from './runs';
import { saveVolumeMask } from './volumeMasks';
import { WorkbenchDB } from './schema';
import { StorageFullError } from './errors';
import type { DraftReply, DraftRequest } from './drafts';

const dbs = new Map<string, WorkbenchDB>();
let chain: Promise<void> = Promise.resolve();

const reply = (r: DraftReply): void => (self as unknown as Worker).postMessage(r);

self.onmessage = (e: MessageEvent<DraftRequest>) => {
  const m = e.data;
  chain = chain.then(async () => {
    try {
      let db = dbs.get(m.dbName);
      if (!db) {
        db = new WorkbenchDB(m.dbName);
        dbs.set(m.dbName, db);
      }
      if (m.kind === 'volume') await saveVolumeMask(db, m.record);
      else if (m.kind === 'reference') await saveReference(db, m.scanId, m.frame, m.mask, m.label);
      else await saveDraft(db, m.scanId, m.frame, { width: m.width, height: m.height, data: m.data }, m.source);
      reply({ id: m.id, ok: true });
    } catch (err) {
      reply({ id: m.id, ok: false, full: err instanceof StorageFullError, message: err instanceof Error ? err.message : String(err) });
    }
  });
};
