// The correction draft's autosave, off the main thread: the mask is copied once and transferred to a
// worker (draftWorker.ts) that encodes it and writes the row itself. Same row, same encoding and the same
// errors as saveDraft (a full disk is a StorageFullError; the previous draft stays intact, the write
// being one put). Where no worker can run (tests in Node) or the worker fails to start, saveDraft runs
// here on the main thread instead, so a draft is never dropped for want of a worker.
import type { Mask } from '../mask/types';
import { StorageFullError } from './errors';
import { saveDraft, saveReference } from './runs';
import type { WorkbenchDB } from './schema';
import { saveVolumeMask, type VolumeMaskRecord } from './volumeMasks';

export type DraftRequest = FrameDraftRequest | VolumeDraftRequest | ReferenceDraftRequest;

/** An imported reference mask on shared memory: encoded (RLE) and written by the worker. */
export interface ReferenceDraftRequest {
  kind: 'reference';
  id: number;
  dbName: string;
  scanId: string;
  frame: number;
  mask: Mask;
  label: string;
}

/** A 3-D mask edit (the whole mask, transferred), written by saveVolumeMask in the worker. */
export interface VolumeDraftRequest {
  kind: 'volume';
  id: number;
  dbName: string;
  record: VolumeMaskRecord;
}

export interface FrameDraftRequest {
  kind?: 'frame';
  id: number;
  dbName: string;
  scanId: string;
  frame: number;
  width: number;
  height: number;
  data: Uint8Array;
  source: string | null;
}

export type DraftReply = { id: number; ok: true } | { id: number; ok: false; full: boolean; message: string };

class WorkerGone extends Error {}

/** No reply in this long: the worker is taken as hung, stopped (aborting its write) and not used again. */
const REPLY_TIMEOUT_MS = 15_000;

let worker: Worker | null | undefined;
let seq = 0;
const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

function retire(w: Worker, why: string): void {
  w.terminate();
  if (worker === w) worker = null;
  for (const p of pending.values()) p.reject(new WorkerGone(why));
  pending.clear();
}

function draftWorker(): Worker | null {
  if (worker !== undefined) return worker;
  if (typeof Worker === 'undefined') return (worker = null);
  try {
    const w = new Worker(new URL('./draftWorker.ts', import.meta.url), { type: 'module', name: 'draft-writer' });
    w.onmessage = (e: MessageEvent<DraftReply>) => {
      const r = e.data;
      const p = pending.get(r.id);
      if (!p) return;
      pending.delete(r.id);
      if (r.ok) p.resolve();
      else p.reject(r.full ? new StorageFullError('the correction') : new Error(r.message));
    };
    // A worker that cannot start or crashes is not used again; its writes are redone on this thread.
    w.onerror = () => retire(w, 'the draft worker stopped');
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

/**
 * Saves the correction draft of a scan frame, encoding and writing it in a worker where one can run. The
 * main thread copies the mask once (transferred). If the worker is gone before it answers, the draft is
 * written here from `mask` as it is then (the same strokes or newer ones).
 */
export async function saveDraftOffThread(db: WorkbenchDB, scanId: string, frame: number, mask: Mask, source: string | null): Promise<void> {
  const data = mask.data.slice();
  await post(
    (id) => ({ id, dbName: db.name, scanId, frame, width: mask.width, height: mask.height, data, source }),
    [data.buffer],
    () => saveDraft(db, scanId, frame, mask, source),
  );
}

/**
 * Saves a 3-D mask in the worker (RLE-encoding a whole volume takes a while): the mask is copied once
 * here and transferred. Falls back to writing on this thread where no worker can run.
 */
export async function saveVolumeMaskOffThread(db: WorkbenchDB, record: VolumeMaskRecord): Promise<void> {
  const data = record.data.slice();
  const savedAt = Date.now(); // this version's time: the pixels as they are now
  await post((id) => ({ kind: 'volume', id, dbName: db.name, record: { ...record, data, savedAt } }), [data.buffer], () => saveVolumeMask(db, { ...record, data, savedAt }));
}

/** Saves an imported reference: in the worker when its pixels are shared memory (no copy here), else here. */
export async function saveReferenceOffThread(db: WorkbenchDB, scanId: string, frame: number, mask: Mask, label: string): Promise<void> {
  const here = () => saveReference(db, scanId, frame, mask, label);
  if (!(typeof SharedArrayBuffer === 'function' && mask.data.buffer instanceof SharedArrayBuffer)) return here();
  await post((id) => ({ kind: 'reference', id, dbName: db.name, scanId, frame, mask, label }), [], here);
}

async function post(make: (id: number) => DraftRequest, transfer: Transferable[], here: () => Promise<void>): Promise<void> {
  const w = draftWorker();
  if (!w) return here();
  const id = ++seq;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      timer = setTimeout(() => retire(w, 'the draft worker did not answer'), REPLY_TIMEOUT_MS);
      w.postMessage(make(id), transfer);
    });
  } catch (e) {
    if (e instanceof WorkerGone) return here();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
