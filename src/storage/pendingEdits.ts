// The last unsaved correction of a scan frame, written synchronously to localStorage when the page is
// hidden or left (pagehide / visibilitychange). The draft autosave goes through a worker and IndexedDB,
// both asynchronous: a reload or tab close right after a stroke can end the page before either finishes.
// localStorage writes complete before the handler returns, so the stroke survives; on the next open of
// that frame the record is used when it is newer than the saved draft, then removed.
import { cocoCountsToString, cocoStringToCounts, decodeRle, encodeRle } from '../mask/rle';
import type { Mask } from '../mask/types';

const PREFIX = 'vlsm:pending-edit:';

interface Stored {
  v: 1;
  width: number;
  height: number;
  counts: string;
  source: string | null;
  at: number;
}

export interface PendingEdit {
  mask: Mask;
  source: string | null;
  /** When it was written (ms since epoch). */
  at: number;
}

const keyOf = (dbName: string, scanId: string, frame: number): string => `${PREFIX}${dbName}:${scanId}:${frame}`;

function store(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled by the browser
  }
}

/** Writes the record now (synchronously). Returns false when the browser refused it (full or disabled). */
export function writePendingEdit(dbName: string, scanId: string, frame: number, mask: Mask, source: string | null): boolean {
  const s = store();
  if (!s) return false;
  const rec: Stored = { v: 1, width: mask.width, height: mask.height, counts: cocoCountsToString(encodeRle(mask).counts), source, at: Date.now() };
  try {
    s.setItem(keyOf(dbName, scanId, frame), JSON.stringify(rec));
    return true;
  } catch {
    return false;
  }
}

/** The record for a scan frame, if one is there and readable (an unreadable one is removed). */
export function readPendingEdit(dbName: string, scanId: string, frame: number): PendingEdit | null {
  const s = store();
  const key = keyOf(dbName, scanId, frame);
  const text = s?.getItem(key);
  if (!s || !text) return null;
  try {
    const r = JSON.parse(text) as Stored;
    if (r.v !== 1 || !Number.isInteger(r.width) || !Number.isInteger(r.height) || typeof r.counts !== 'string') throw new Error('bad record');
    const mask = decodeRle({ width: r.width, height: r.height, counts: cocoStringToCounts(r.counts) });
    return { mask, source: typeof r.source === 'string' ? r.source : null, at: Number(r.at) || 0 };
  } catch {
    s.removeItem(key);
    return null;
  }
}

export function clearPendingEdit(dbName: string, scanId: string, frame: number): void {
  try {
    store()?.removeItem(keyOf(dbName, scanId, frame));
  } catch {
    /* nothing to clear */
  }
}
