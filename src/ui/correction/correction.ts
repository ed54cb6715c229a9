// The correction session's glue: start from a run's mask (or the saved draft), draw dirty rectangles
// into the 'correction' layer canvas, autosave the draft (debounced, < 1 s) and accept versions.
import { create } from 'zustand';
import type { Rect } from '../../mask/types';
import { fullRect } from '../../mask/types';
import { hexToRgb, renderBinary } from '../../mask/render';
import { getDb } from '../../storage';
import { acceptCorrection, loadDraft } from '../../storage/runs';
import { saveDraftOffThread } from '../../storage/drafts';
import { clearPendingEdit, readPendingEdit, writePendingEdit } from '../../storage/pendingEdits';
import { useLayers } from '../../state/layers';
import { notify } from '../../state/notices';
import { runPixels, useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { useToolSettings } from '../../state/tool';
import { useView } from '../../state/view';
import { CorrectionSession, getSession, setSession } from '../../tools/session';
import { blit, dropLayerCanvas, layerCanvas } from '../results/layers';
import { adoptCorrectionAsReference } from '../results/referenceActions';

export const CORRECTION_LAYER = 'correction';
/** Magenta: no run's palette colour is near it, so the edited mask never looks like a run's. */
export const CORRECTION_COLOUR = '#ff2bd6';

/** How the correction layer is shown (its own entry in the results list); no pixels here. */
interface CorrectionLayerState {
  /** A correction session exists on the open scan frame. */
  active: boolean;
  visible: boolean;
  opacity: number;
  colour: string;
  set(patch: Partial<Pick<CorrectionLayerState, 'visible' | 'opacity' | 'colour'>>): void;
}

export const useCorrectionLayer = create<CorrectionLayerState>((set, get) => ({
  active: false,
  visible: true,
  opacity: 0.6,
  colour: CORRECTION_COLOUR,
  set: (patch) => {
    const before = get().colour;
    set(patch);
    const layers = useLayers.getState();
    if (patch.visible !== undefined || patch.opacity !== undefined) layers.update(CORRECTION_LAYER, { visible: get().visible, opacity: get().opacity });
    const s = getSession();
    if (patch.colour && patch.colour !== before && s) {
      rgb = hexToRgb(patch.colour);
      draw(s, fullRect(s.mask));
    }
  },
}));
export const AUTOSAVE_MS = 400;

let detach: (() => void) | null = null;
let saveTimer: ReturnType<typeof setTimeout> | null = null;
let saving: Promise<void> = Promise.resolve();
let target: { scanId: string; frame: number } | null = null;
/** The scan frame whose saved draft is being read: a session started on it by an early stroke is not
 *  saved until the draft is known (it would overwrite it), then it is kept or rebased onto the draft. */
let resuming: { scanId: string; frame: number } | null = null;
const same = (a: { scanId: string; frame: number } | null, b: { scanId: string; frame: number } | null): boolean =>
  !!a && !!b && a.scanId === b.scanId && a.frame === b.frame;
let rgb = hexToRgb(CORRECTION_COLOUR);
/** Reused RGBA buffer for stroke-sized rectangles, so painting allocates nothing per frame. */
let scratch: Uint8ClampedArray<ArrayBuffer> = new Uint8ClampedArray(0);
let touchQueued = false;
let autosaveFailed = false;
/** Changes to the session so far, and how many of them a completed draft write holds. */
let changeSeq = 0;
let savedSeq = 0;

/** One writer per scan across tabs: the tab holding the scan's Web Lock edits; another tab showing the
 *  same scan is read-only until the lock is free (it then reloads the saved draft and may edit). */
export const useEditLock = create<{ readOnly: boolean }>(() => ({ readOnly: false }));
let lockScan: string | null = null;
let lockRelease: (() => void) | null = null;
let lockWait: AbortController | null = null;
let readOnlyNoticeAt = 0;

const lockName = (scanId: string): string => `vlsm-edit:${getDb().name}:${scanId}`;

function releaseLock(): void {
  lockWait?.abort();
  lockWait = null;
  lockRelease?.();
  lockRelease = null;
  lockScan = null;
  useEditLock.setState({ readOnly: false });
}

/** Takes the edit lock of a scan, or becomes read-only and queues for it. Resolves once it is known which. */
function takeLock(scanId: string | null): Promise<void> {
  if (scanId === lockScan) return Promise.resolve();
  releaseLock();
  const locks = globalThis.navigator?.locks;
  if (!scanId || !locks) return Promise.resolve();
  lockScan = scanId;
  const hold = (): Promise<void> => new Promise<void>((r) => (lockRelease = r));
  return new Promise<void>((known) => {
    locks
      .request(lockName(scanId), { ifAvailable: true }, (lock) => {
        if (lockScan !== scanId) return known();
        if (lock) {
          known();
          return hold();
        }
        useEditLock.setState({ readOnly: true });
        known();
        notify('info', 'Read-only in this tab', 'This scan is being corrected in another tab. Edits are made there; this tab takes over when the other one closes the scan.');
        const wait = new AbortController();
        lockWait = wait;
        void locks
          .request(lockName(scanId), { signal: wait.signal }, async () => {
            if (lockScan !== scanId) return;
            lockWait = null;
            useEditLock.setState({ readOnly: false });
            // the other tab's edits are in the saved draft: start from it
            closeCorrection();
            await resumeCorrection(scanId, useView.getState().frame);
            if (lockScan !== scanId) return;
            notify('info', 'You can edit this scan now', 'The other tab closed it; its saved correction is loaded here.');
            await hold();
          })
          .catch(() => undefined); // aborted: the scan was left
        return undefined;
      })
      .catch(() => known());
  });
}

function refuseReadOnly(): boolean {
  if (!useEditLock.getState().readOnly) return false;
  const now = Date.now();
  if (now - readOnlyNoticeAt > 4000) {
    readOnlyNoticeAt = now;
    notify('info', 'Read-only in this tab', 'This scan is being corrected in another tab; edit it there, or close it there first.');
  }
  return true;
}

/** Synchronously keeps unsaved edits when the page is hidden or left (see storage/pendingEdits.ts). */
export function keepUnsavedEdits(): void {
  const s = getSession();
  const t = target;
  if (!s || !t || changeSeq === savedSeq || useEditLock.getState().readOnly) return;
  writePendingEdit(getDb().name, t.scanId, t.frame, s.mask, s.source);
}

/** `blank`: the mask is known to be empty, so the canvas is cleared instead of rendered (a new session on
 *  a 2048² scan starts with the first stroke, often while a model run is in flight). */
function draw(session: CorrectionSession, rect: Rect, blank = false): void {
  const canvas = layerCanvas(CORRECTION_LAYER, session.mask.width, session.mask.height);
  if (blank) canvas.getContext('2d')?.clearRect(rect.x0, rect.y0, rect.x1 - rect.x0, rect.y1 - rect.y0);
  else {
    const need = (rect.x1 - rect.x0) * (rect.y1 - rect.y0) * 4;
    if (scratch.length < need) scratch = new Uint8ClampedArray(need);
    blit(canvas, rect, renderBinary(session.mask, rect, rgb, scratch.subarray(0, need)));
  }
  const layers = useLayers.getState();
  if (!layers.layers.some((l) => l.id === CORRECTION_LAYER)) {
    const look = useCorrectionLayer.getState();
    layers.upsert({ id: CORRECTION_LAYER, canvas, visible: look.visible, opacity: look.opacity, version: 1, z: 10 });
    return;
  }
  // The canvas is up to date at once; the viewer redraws at most once per animation frame.
  if (touchQueued) return;
  touchQueued = true;
  const touch = () => {
    touchQueued = false;
    useLayers.getState().touch(CORRECTION_LAYER);
  };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(touch);
  else touch();
}

function scheduleSave(): void {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => void flushDraft(), AUTOSAVE_MS);
}

/** Write the draft now (also used before Accept and by tests). */
export async function flushDraft(): Promise<void> {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  const s = getSession();
  const t = target;
  if (!s || !t) return;
  // not before the frame's saved draft is read (resumeCorrection saves the session once it is)
  if (same(t, resuming)) return;
  if (useEditLock.getState().readOnly) return;
  const seq = changeSeq;
  saving = saving
    .then(() => {
      // the part of the save that runs on the main thread (user timing, read by npm run bench:paint)
      const t0 = performance.now();
      const write = saveDraftOffThread(getDb(), t.scanId, t.frame, s.mask, s.source);
      performance.measure('vlsm:autosave-main', { start: t0 });
      return write;
    })
    .then(() => {
      autosaveFailed = false;
      if (getSession() === s && seq > savedSeq) {
        savedSeq = seq;
        if (savedSeq === changeSeq) clearPendingEdit(getDb().name, t.scanId, t.frame);
      }
    })
    .catch((e: unknown) => {
      // Report once per failure streak; the edits stay in memory and the next change retries.
      if (!autosaveFailed) notify('error', 'The correction was not autosaved', e instanceof Error ? e.message : String(e));
      autosaveFailed = true;
    });
  await saving;
}

function attach(session: CorrectionSession, scanId: string, frame: number, blank = false): void {
  detach?.();
  target = { scanId, frame };
  setSession(session);
  changeSeq = 0;
  savedSeq = 0;
  const off = session.onChange((rect, kind) => {
    draw(session, rect);
    if (kind !== 'cancel') changeSeq++;
    if (kind !== 'stroke') {
      useToolSettings.getState().bumpMask(session.history.undoDepth, session.history.redoDepth);
      if (kind !== 'cancel') scheduleSave();
    }
  });
  detach = () => {
    off();
    detach = null;
  };
  draw(session, fullRect(session.mask), blank);
  useToolSettings.getState().bumpMask(session.history.undoDepth, session.history.redoDepth);
  useCorrectionLayer.setState({ active: true });
}

/** Start correcting from a run's mask (or an empty mask when runId is null). Undoable as one step. */
export function startCorrection(runId: string | null): void {
  const px = runId ? runPixels.get(runId) : undefined;
  startCorrectionFrom(px?.mask ?? null, runId);
}

/** Start from given pixels (e.g. an accepted version); null = empty. Undoable when a session exists. */
export function startCorrectionFrom(data: Uint8Array | null, source: string | null): void {
  const { activeId, scan } = useScans.getState();
  if (!activeId || !scan || (data && data.length !== scan.width * scan.height)) return;
  if (refuseReadOnly()) return;
  const frame = useView.getState().frame;
  const existing = getSession();
  if (existing && target?.scanId === activeId && target.frame === frame) {
    existing.load(data ?? new Uint8Array(scan.width * scan.height), source);
    return;
  }
  attach(new CorrectionSession(scan.width, scan.height, data ?? undefined, source), activeId, frame, !data);
  scheduleSave();
}

/** The session tools paint into; started on demand from the selected run (or empty). */
export function ensureSession(): CorrectionSession | null {
  if (refuseReadOnly()) return null;
  const s = getSession();
  if (s) return s;
  startCorrection(useRuns.getState().selectedId);
  return getSession();
}

/**
 * On opening a scan frame: resume its saved draft, if any. A stroke may land before the draft is read (the
 * tools start a session from the selected run or an empty mask at once): that session is kept with its
 * undo history; when a draft was saved, its steps are replayed on top of the draft (only the pixels they
 * changed), so neither the earlier edits nor the new strokes or their undo steps are lost.
 */
export async function resumeCorrection(scanId: string | null, frame: number): Promise<void> {
  const key = scanId ? { scanId, frame } : null;
  if (!same(target, key)) closeCorrection();
  resuming = key;
  try {
    await flushDraft();
    await saving; // every earlier write (e.g. this frame's, when it is reopened at once) lands before the read
    await takeLock(scanId);
    if (!key) return;
    let draft = await loadDraft(getDb(), key.scanId, key.frame);
    // edits kept when the page was left before their autosave landed: newer than the draft, so they win
    const pending = useEditLock.getState().readOnly ? null : readPendingEdit(getDb().name, key.scanId, key.frame);
    let recovered = false;
    if (pending && (!draft || pending.at >= draft.savedAt)) {
      draft = { mask: pending.mask, source: pending.source, savedAt: pending.at };
      recovered = true;
    } else if (pending) clearPendingEdit(getDb().name, key.scanId, key.frame);
    const { activeId } = useScans.getState();
    if (activeId !== key.scanId || useView.getState().frame !== key.frame) return;
    // a stroke made before this tab learnt it is read-only is not kept (the other tab owns the scan)
    if (useEditLock.getState().readOnly && same(target, key)) closeCorrection();
    const early = same(target, key) ? getSession() : null;
    if (!early) {
      if (draft) attach(new CorrectionSession(draft.mask.width, draft.mask.height, draft.mask.data, draft.source), key.scanId, key.frame);
      if (recovered) {
        changeSeq = 1; // not in IndexedDB yet: save it (and keep the record until that write lands)
        if (same(resuming, key)) resuming = null;
        await flushDraft();
      }
      return;
    }
    if (draft && draft.mask.width === early.mask.width && draft.mask.height === early.mask.height) await rebase(early, draft, key);
    if (same(resuming, key)) resuming = null;
    scheduleSave();
  } finally {
    if (same(resuming, key)) resuming = null;
  }
}

/** Replays an early session's steps on top of the saved draft, once its gesture (if any) has ended. */
async function rebase(early: CorrectionSession, draft: { mask: { width: number; height: number; data: Uint8Array }; source: string | null }, key: { scanId: string; frame: number }): Promise<void> {
  while (early.history.inGesture && getSession() === early) await new Promise((r) => setTimeout(r, 30));
  if (getSession() !== early || !same(target, key)) return;
  const next = new CorrectionSession(draft.mask.width, draft.mask.height, draft.mask.data, draft.source);
  next.history.replay(early.history.steps);
  attach(next, key.scanId, key.frame);
}

export function closeCorrection(): void {
  detach?.();
  setSession(null);
  target = null;
  dropLayerCanvas(CORRECTION_LAYER);
  useToolSettings.getState().bumpMask(0, 0);
  useToolSettings.getState().setLastAccepted(null);
  useCorrectionLayer.setState({ active: false });
}

export async function acceptCurrent(): Promise<number | null> {
  const s = getSession();
  const t = target;
  if (!s || !t) return null;
  if (refuseReadOnly()) return null;
  await flushDraft();
  const row = await acceptCorrection(getDb(), t.scanId, t.frame, s.mask, s.source);
  adoptCorrectionAsReference(s.mask, row.version);
  useToolSettings.getState().bumpVersions();
  return row.version;
}

/** Accept (button, Ctrl+S): saves the correction as a new version and says so; explains when there is none. */
export async function acceptAndTell(): Promise<number | null> {
  if (!getSession()) {
    notify('info', 'Nothing to save yet', 'Correct a mask first: pick a tool (Brush B, Fill K) or press Correct on a result.');
    return null;
  }
  try {
    const v = await acceptCurrent();
    if (v !== null) {
      useToolSettings.getState().setLastAccepted(v);
      notify('success', 'Mask accepted', `Saved as version ${v}. Undo still works; Accept again saves a new version.`);
    }
    return v;
  } catch (e) {
    notify('error', 'Accept failed', e instanceof Error ? e.message : String(e));
    return null;
  }
}

export function undo(): void {
  getSession()?.undo();
}

export function redo(): void {
  getSession()?.redo();
}
