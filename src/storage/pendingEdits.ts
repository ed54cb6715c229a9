// The last unsaved correction of a scan frame, written synchronously to localStorage when the page is
// hidden or left (pagehide / visibilitychange). The draft autosave goes through a worker and IndexedDB,
// both asynchronous: a reload or tab close right after a stroke can end the page before either finishes.
// localStorage writes complete before the handler returns, so the stroke survives; on the next open of
// that frame the record is used when it is newer than the saved draft, then removed.
import { cocoCountsToString, cocoStringToCounts, decodeRle, encodeRle } from '../mask/rle';
import type { Mask } from '../mask/types';
import type { VolumeMaskRecord } from './volumeMasks';

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

// --- the 3-D mask (volumeMasks.ts): the same, for hand edits of a volume's mask ----------------------

const VOLUME_PREFIX = 'vlsm:pending-volume:';
const volumeKey = (dbName: string, scanId: string): string => `${VOLUME_PREFIX}${dbName}:${scanId}`;

interface StoredVolume extends Omit<VolumeMaskRecord, 'data'> {
  v: 1;
  counts: string;
  at: number;
}

/** Writes the 3-D mask now (synchronously, RLE). False when the browser refused it (full, disabled). */
export function writePendingVolume(dbName: string, rec: VolumeMaskRecord): boolean {
  const s = store();
  if (!s) return false;
  const { data, ...rest } = rec;
  const counts = cocoCountsToString(encodeRle({ width: rec.width, height: rec.height * rec.slices, data }).counts);
  try {
    s.setItem(volumeKey(dbName, rec.scanId), JSON.stringify({ ...rest, v: 1, counts, at: Date.now() } satisfies StoredVolume));
    return true;
  } catch {
    return false;
  }
}

/** The kept 3-D mask of a scan with when it was kept, if one is there and readable (else removed). */
export function readPendingVolume(dbName: string, scanId: string): { rec: VolumeMaskRecord; at: number } | null {
  const s = store();
  const key = volumeKey(dbName, scanId);
  const text = s?.getItem(key);
  if (!s || !text) return null;
  try {
    const { v, counts, at, ...rest } = JSON.parse(text) as StoredVolume;
    if (v !== 1 || rest.scanId !== scanId || ![rest.width, rest.height, rest.slices].every(Number.isInteger)) throw new Error('bad record');
    const { data } = decodeRle({ width: rest.width, height: rest.height * rest.slices, counts: cocoStringToCounts(counts) });
    return { rec: { ...rest, data, provenance: rest.provenance === 'corrected' ? 'corrected' : 'model' }, at: Number(at) || 0 };
  } catch {
    s.removeItem(key);
    return null;
  }
}

export function clearPendingVolume(dbName: string, scanId: string): void {
  try {
    store()?.removeItem(volumeKey(dbName, scanId));
  } catch {
    /* nothing to clear */
  }
}
