// One prompt, every slice: runs the 2-D model slice by slice on the open volume (in the inference
// worker, through the same segmenter as single prompts; each slice's image features stay cached in the
// worker, so a second prompt on the same volume skips the vision encoder), with progress, an ETA and
// cancel. The result is one 3-D mask (slice k at k * width * height) shown as a mask layer that follows
// the slice on screen, saved in IndexedDB (one RLE row per scan, frame -1), with its statistics (its
// full-volume exports are ui/export/volumeExport.ts). The mask pixels live here, never in a store (state/ holds no pixels). Hand
// edits (mprEdit.ts) change these pixels in place and mark the mask 'corrected' (storage/volumeMasks.ts).
import { create } from 'zustand';
import { resizeBilinear } from '../../mask/resize';
import { volumeStats, type VolumeStats } from '../../mask/volumeStats';
import { slicesPerVolume } from '../../scan/volume/orientation';
import type { Scan } from '../../scan/types';
import { getDb } from '../../storage';
import { saveVolumeMaskOffThread } from '../../storage/drafts';
import { clearPendingVolume, readPendingVolume } from '../../storage/pendingEdits';
import { loadVolumeMask as loadSavedVolumeMask, saveVolumeMask as saveVolumeMaskRow } from '../../storage/volumeMasks';
import { useInference } from '../../state/inference';
import { useScans } from '../../state/scans';
import { SliceLayer } from './sliceLayer';
import { useView } from '../../state/view';
import { getSegmenter } from '../prompts/segmenter';

export const VOLUME_LAYER = 'volume-mask';
/** The 3-D mask's colour (also its DICOM SEG segment's). */
export const VOLUME_MASK_RGB: readonly [number, number, number] = [0, 220, 255];
const COLOUR = VOLUME_MASK_RGB;

export interface VolumeMask {
  scanId: string;
  prompt: string;
  width: number;
  height: number;
  /** Slices the mask covers: the scan's slices (of its first time point). */
  slices: number;
  /** First and last slice (0-based, inclusive) the model was run on. */
  from: number;
  to: number;
  data: Uint8Array;
  modelId: string;
  /** Version of the model bundle that made it (engine/bundle.ts bundleHash); DICOM SEG records it. */
  bundleHash?: string;
  createdAt: number;
  /** 'corrected' once edited by hand (the field 2-D corrections use; DICOM SEG: SEMIAUTOMATIC). */
  provenance: 'model' | 'corrected';
}

export interface Progress {
  done: number;
  total: number;
  startedAt: number;
  /** Estimated milliseconds left, once a slice has finished. */
  etaMs: number | null;
}

interface VolumeRunState {
  /** Metadata of the current 3-D mask (pixels are in `current`); null when none. */
  info: Omit<VolumeMask, 'data'> | null;
  stats: VolumeStats | null;
  progress: Progress | null;
  /** Last finished run: how long it took, for the user and the tests. */
  last: { prompt: string; slices: number; ms: number; cancelled: boolean } | null;
  error: string | null;
  cancel: (() => void) | null;
  /** Bumped as slices of a run come in (at most every MASK_REFRESH_MS, and at its end): views redraw the mask. */
  maskTick: number;
}

export const useVolumeRun = create<VolumeRunState>(() => ({ info: null, stats: null, progress: null, last: null, error: null, cancel: null, maskTick: 0 }));

/** Views showing the 3-D mask (the three views) refresh it at most this often while a run fills it. */
export const MASK_REFRESH_MS = 250;
const tick = (): void => useVolumeRun.setState((s) => ({ maskTick: s.maskTick + 1 }));

let current: VolumeMask | null = null;
const maskLayer = new SliceLayer(VOLUME_LAYER, { colour: COLOUR, opacity: 0.45, z: 5, visible: () => true });

export const currentVolumeMask = (): VolumeMask | null => current;

/** Draws the shown slice of the 3-D mask into its layer. */
export function drawVolumeLayer(): void {
  const { activeId } = useScans.getState();
  if (!current || current.scanId !== activeId) return maskLayer.remove();
  maskLayer.draw(current.data, current.width, current.height, Math.min(useView.getState().frame, current.slices - 1));
}

/** Shows `mask` as the open scan's 3-D mask (also after hand edits: statistics recomputed, layer redrawn). */
export function setCurrent(mask: VolumeMask | null, scan: Scan | null): void {
  current = mask;
  const { data: _pixels, ...info } = mask ?? ({} as VolumeMask);
  useVolumeRun.setState({ info: mask ? info : null, stats: mask && scan ? volumeStats(mask.data, scan) : null });
  drawVolumeLayer();
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Loads the saved 3-D mask of the open scan, if any (called when a scan opens). */
export async function loadVolumeMask(): Promise<void> {
  const { activeId, scan } = useScans.getState();
  if (!activeId || !scan) return setCurrent(null, null);
  if (current?.scanId === activeId) return drawVolumeLayer();
  try {
    let rec = await loadSavedVolumeMask(getDb(), activeId);
    if (useScans.getState().activeId !== activeId) return;
    // hand edits kept when the page was left before their autosave landed: newer than the row, so they win
    const pending = readPendingVolume(getDb().name, activeId);
    const recovered = !!pending && (!rec || pending.at >= (rec.savedAt ?? 0)) && pending.rec.width === scan.width && pending.rec.height === scan.height;
    if (recovered) rec = pending.rec;
    else if (pending) clearPendingVolume(getDb().name, activeId);
    if (!rec) return setCurrent(null, scan);
    const meta = rec.meta as Partial<VolumeMask>;
    setCurrent({
      scanId: activeId, prompt: String(meta.prompt ?? ''), width: rec.width, height: rec.height, slices: rec.slices,
      from: Number(meta.from ?? 0), to: Number(meta.to ?? rec.slices - 1), data: rec.data, modelId: String(meta.modelId ?? ''),
      ...(typeof meta.bundleHash === 'string' ? { bundleHash: meta.bundleHash } : {}),
      createdAt: rec.createdAt, provenance: rec.provenance,
    }, scan);
    if (recovered) {
      await saveVolumeMaskOffThread(getDb(), rec);
      clearPendingVolume(getDb().name, activeId);
    }
  } catch (e) {
    useVolumeRun.setState({ error: `The saved 3-D mask could not be loaded: ${message(e)}` });
  }
}

/** The row written for a mask (also by the off-thread autosave of hand edits). */
export function volumeMaskRecord(mask: VolumeMask, data = mask.data) {
  const { data: _d, scanId, width, height, slices, provenance, createdAt, ...meta } = mask;
  return { scanId, width, height, slices, provenance, createdAt, meta, data };
}

async function saveVolumeMask(mask: VolumeMask): Promise<void> {
  await saveVolumeMaskRow(getDb(), volumeMaskRecord(mask));
}

/** An empty 3-D mask on the open volume, to correct by hand when no prompt has been run. */
export function emptyVolumeMask(): VolumeMask | null {
  const { activeId: scanId, scan } = useScans.getState();
  if (!scanId || !scan) return null;
  const slices = slicesPerVolume(scan);
  const mask: VolumeMask = {
    scanId, prompt: 'drawn by hand', width: scan.width, height: scan.height, slices, from: 0, to: slices - 1,
    data: new Uint8Array(scan.width * scan.height * slices), modelId: '', createdAt: Date.now(), provenance: 'corrected',
  };
  setCurrent(mask, scan);
  return mask;
}

function probsAtScanSize(p: Float32Array, w: number, h: number, scan: Scan): Float32Array {
  return w === scan.width && h === scan.height ? p : resizeBilinear(p, w, h, scan.width, scan.height);
}

/**
 * Runs `prompt` on slices from..to (0-based, inclusive) of the open volume. Resolves when done or
 * cancelled (the slices finished by then are kept). Never throws: failures go to `error`.
 */
export async function runAllSlices(prompt: string, from?: number, to?: number): Promise<void> {
  const { activeId: scanId, scan } = useScans.getState();
  const seg = getSegmenter();
  if (!scanId || !scan) return void useVolumeRun.setState({ error: 'Open a saved volume first.' });
  if (!seg) return void useVolumeRun.setState({ error: 'No model is loaded yet.' });
  if (useVolumeRun.getState().progress) return;
  const slices = slicesPerVolume(scan);
  const a = Math.max(0, Math.min(slices - 1, Math.round(from ?? 0)));
  const b = Math.max(a, Math.min(slices - 1, Math.round(to ?? slices - 1)));
  const plane = scan.width * scan.height;
  const mask: VolumeMask = {
    scanId, prompt, width: scan.width, height: scan.height, slices, from: a, to: b,
    data: new Uint8Array(plane * slices), modelId: '', createdAt: Date.now(), provenance: 'model',
  };
  const ctrl = new AbortController();
  const startedAt = performance.now();
  const total = b - a + 1;
  useVolumeRun.setState({ error: null, progress: { done: 0, total, startedAt, etaMs: null }, cancel: () => ctrl.abort() });
  let done = 0;
  let lastTick = performance.now();
  try {
    for (let k = a; k <= b; k++) {
      if (ctrl.signal.aborted || useScans.getState().activeId !== scanId) break;
      const res = await seg.segment(scanId, prompt, k, ctrl.signal, 'volume');
      const probs = probsAtScanSize(res.probabilities, res.width, res.height, scan);
      const t = res.threshold ?? 0.5;
      const out = mask.data.subarray(k * plane, (k + 1) * plane);
      for (let i = 0; i < plane; i++) out[i] = probs[i] >= t ? 1 : 0;
      mask.modelId = res.modelId;
      const model = useInference.getState().model;
      if (model?.modelId === res.modelId) mask.bundleHash = model.bundleHash;
      done++;
      const elapsed = performance.now() - startedAt;
      useVolumeRun.setState({ progress: { done, total, startedAt, etaMs: (elapsed / done) * (total - done) } });
      // the slice on screen shows its mask as soon as it is ready; the three views, throttled
      if (k === useView.getState().frame || done === 1) setCurrent(mask, scan);
      if (performance.now() - lastTick >= MASK_REFRESH_MS) {
        lastTick = performance.now();
        tick();
      }
    }
  } catch (e) {
    if (!ctrl.signal.aborted) useVolumeRun.setState({ error: `Running on all slices stopped at slice ${a + done + 1}: ${message(e)}` });
  }
  const cancelled = ctrl.signal.aborted || done < total;
  useVolumeRun.setState({ progress: null, cancel: null, last: { prompt, slices: done, ms: performance.now() - startedAt, cancelled } });
  if (!done || useScans.getState().activeId !== scanId) return;
  if (cancelled) mask.to = a + done - 1;
  setCurrent(mask, scan);
  tick();
  try {
    await saveVolumeMask(mask);
  } catch (e) {
    useVolumeRun.setState({ error: `The 3-D mask is shown but not saved: ${message(e)}` });
  }
}

declare global {
  interface Window {
    /** Read-out for e2e specs and `npm run bench:volume`: the last all-slices run, progress, error. */
    __vlsmVolume?: { state(): Pick<VolumeRunState, 'last' | 'progress' | 'error' | 'info' | 'stats'> };
  }
}

export function installVolumeTestHook(): void {
  window.__vlsmVolume = {
    state: () => {
      const { last, progress, error, info, stats } = useVolumeRun.getState();
      return { last, progress, error, info, stats };
    },
  };
}
