// What the prompt and results panels do: open the runs of a scan, run a prompt (and the empty prompt
// once per scan), re-threshold from stored probabilities, delete. Pixel work is the mask engine's;
// this module only sequences it with storage, the segmenter and the layer canvases.
import { threshold } from '../../mask/threshold';
import type { Scan } from '../../scan/types';
import { getDb } from '../../storage';
import { deleteRunRecord, listRunRecords, saveRunRecord, updateRunRecord, RUN_RECORD_TYPE, RUN_RECORD_VERSION, type RunRecord } from '../../storage/runs';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';
import { colourFor, referencePixels, runPixels, useRuns, type RunView } from '../../state/runs';
import { getSegmenter, numericTimings } from '../prompts/segmenter';
import { clearRunLayers, drawRun, dropLayerCanvas, runLayerId } from './layers';
import { prepareRunInWorker } from './maskWorker';
import { hexToRgb } from '../../mask/render';
import { emptyPromptRun, rescore, splitScores } from './scoring';
import { loadReference } from './referenceActions';
import { debounce, type Timers } from './debounce';
import { rememberedSelection } from '../prompts/scanPrompt';
import { isAbortError } from '../../worker/client';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
let inflight: AbortController | null = null;
const rescoreTimers: Timers = new Map();

export const RESCORE_MS = 120;

function viewOf(r: RunRecord): RunView {
  const scores: Record<string, number | null> = { ...r.scores };
  for (const k of r.nullScores ?? []) scores[k] = null;
  const d = r.display;
  return {
    // the empty prompt is the influence baseline: kept and scored, shown only when the user asks
    id: r.id, prompt: r.prompt, colour: r.colour, visible: d?.visible ?? r.prompt.trim() !== '', opacity: d?.opacity ?? 0.5, mode: d?.mode ?? 'binary', threshold: r.threshold,
    modelId: r.modelId, variant: r.variant, backend: r.backend, channel: r.channel ?? null, timings: r.timings, scores, createdAt: r.createdAt,
  };
}

/** Load the runs and reference of a scan frame into the store and the layers. */
export async function openRunsFor(scanId: string | null, scan: Scan | null, frame: number): Promise<void> {
  inflight?.abort();
  const st = useRuns.getState();
  st.reset(scanId, frame);
  clearRunLayers();
  runPixels.clear();
  referencePixels.current = null;
  if (!scanId || !scan) return;
  // a newer scan or frame may have been opened while this one was loading
  const stale = (): boolean => useRuns.getState().scanId !== scanId || useRuns.getState().frame !== frame;
  try {
    const records = await listRunRecords(getDb(), scanId, frame);
    if (stale()) return;
    // Thresholded and drawn in the mask worker, as a new run is (an 8000² run read back is 64 M
    // probabilities: a pass over them, and its overlay, would hold the page's thread for a second); the
    // buffer read back from storage is the page's own and is transferred, the pixels come back shared.
    const views: RunView[] = [];
    const overlays = new Map<string, ImageBitmap | Uint8ClampedArray<ArrayBuffer>>();
    for (const r of records) {
      const { width, height } = r.probs;
      const { probs, mask, overlay, suggestion } = await prepareRunInWorker(new Float32Array(r.probs.data), width, height, width, height, r.threshold, hexToRgb(r.colour));
      if (stale()) return;
      runPixels.set(r.id, { width, height, probs, mask: mask.data, suggestion });
      overlays.set(r.id, overlay);
      views.push(viewOf(r));
    }
    st.setRuns(views);
    // the run the user had selected on this scan frame, when they come back to it
    const selected = rememberedSelection(scanId, frame);
    if (selected && views.some((v) => v.id === selected)) st.select(selected);
    views.forEach((v) => drawRun(v, overlays.get(v.id)));
    await loadReference(scanId, scan, frame);
    if (stale()) return;
    await rescore(undefined, false);
    if (stale()) return;
    useRuns.getState().bumpPixels();
  } catch (e) {
    st.setError(`Could not load the runs: ${message(e)}`);
  }
}

/** Run one prompt on the open scan; latest wins (an older pending prompt is aborted). */
export async function runPrompt(prompt: string): Promise<string | null> {
  const { activeId: scanId, scan } = useScans.getState();
  const seg = getSegmenter();
  const st = useRuns.getState();
  if (!scanId || !scan) return null;
  if (!seg) {
    st.setError('No model is loaded yet.');
    return null;
  }
  const frame = useView.getState().frame;
  inflight?.abort();
  const ctrl = new AbortController();
  inflight = ctrl;
  st.setError(null);
  st.setBusy(prompt.trim() ? `Running “${prompt}”…` : 'Running the model without words (the baseline for influence)…');
  try {
    const res = await seg.segment(scanId, prompt, frame, ctrl.signal);
    if (ctrl.signal.aborted || useRuns.getState().scanId !== scanId) return null;
    // Whole-scan work (resize to the scan, threshold, overlay bitmap, scores) runs in the mask worker:
    // painting continues meanwhile, and the page never passes over the scan's pixels (64 M of them for an
    // 8000² photo). The probabilities are handed over (transferred) and come back at the scan's size.
    const t = res.threshold ?? 0.5;
    const colour = colourFor(useRuns.getState().runs.length);
    const { probs, mask, overlay, suggestion } = await prepareRunInWorker(res.probabilities, res.width, res.height, scan.width, scan.height, t, hexToRgb(colour));
    if (ctrl.signal.aborted || useRuns.getState().scanId !== scanId) return null;
    const id = globalThis.crypto.randomUUID();
    const rec: Omit<RunRecord, 'probs'> = {
      id, scanId, frame, prompt, modelId: res.modelId, backend: res.backend ?? 'unknown', threshold: t,
      timings: numericTimings(res.timings), scores: {}, createdAt: Date.now(), type: RUN_RECORD_TYPE,
      formatVersion: RUN_RECORD_VERSION, variant: res.variant, colour,
      ...(res.channel ? { channel: res.channel } : {}),
    };
    runPixels.set(id, { width: scan.width, height: scan.height, probs, mask: mask.data, suggestion });
    const view = viewOf({ ...rec, probs: { width: scan.width, height: scan.height, data: new ArrayBuffer(0) } });
    useRuns.getState().upsertRun(view);
    // its layer in the next task: the panels' render of the new run and the stage's render of a new
    // Konva layer for it are two tasks, not one (the run as it is then; gone with its scan or if deleted)
    await new Promise((resolve) => globalThis.setTimeout(resolve, 0));
    const shown = useRuns.getState().runs.find((r) => r.id === id);
    if (shown) drawRun(shown, overlay);
    // the new run's scores are saved with it; a new empty prompt changes the others' influence, which
    // is saved with them (the new run's row is written once, with its probabilities' chunks)
    await rescore([id], false);
    const scored = useRuns.getState().runs.find((r) => r.id === id) ?? view;
    // storage copies the probabilities (on shared memory) 1 MiB at a time into chunks, never the whole
    // buffer in one task. A refused write leaves the run shown (not saved) and says so; nothing earlier is lost.
    if (inflight === ctrl) useRuns.getState().setBusy(`Saving ${prompt.trim() ? `the run “${prompt}”` : 'the run without words'}…`);
    try {
      await saveRunRecord(getDb(), { ...rec, ...splitScores(scored.scores), probs: { width: scan.width, height: scan.height, data: probs } });
    } catch (e) {
      useRuns.getState().setError(`${message(e)} The run stays shown until this scan is closed or the page is reloaded.`);
      useRuns.getState().bumpPixels();
      return id;
    }
    if (prompt.trim() === '') await rescore(useRuns.getState().runs.filter((r) => r.id !== id).map((r) => r.id));
    useRuns.getState().bumpPixels();
    return id;
  } catch (e) {
    // superseded in the worker by a newer prompt on this frame (or its model replaced): that one answers, no error
    if (!ctrl.signal.aborted && !isAbortError(e)) useRuns.getState().setError(`The prompt failed: ${message(e)}`);
    return null;
  } finally {
    if (inflight === ctrl) {
      inflight = null;
      useRuns.getState().setBusy(null);
    }
  }
}

/** Once per scan frame, as soon as a model is ready: the empty prompt (the influence baseline). */
const baselineTries = new Map<string, number>();
/** Automatic no-words runs per scan frame and model: a second try when the first was superseded or failed (a
 *  model switch under it), never a loop of failures. */
const BASELINE_TRIES = 2;

export async function ensureBaseline(key = ''): Promise<void> {
  const st = useRuns.getState();
  const { activeId } = useScans.getState();
  if (!activeId || st.scanId !== activeId || st.busy || emptyPromptRun() || !getSegmenter()) return;
  const tries = baselineTries.get(key) ?? 0;
  if (tries >= BASELINE_TRIES) return;
  baselineTries.set(key, tries + 1);
  if (baselineTries.size > 512) baselineTries.delete(baselineTries.keys().next().value as string);
  await runPrompt('');
}

/** Run the user's prompt, preceded once per scan frame by the empty prompt (for influence). */
export async function runWithBaseline(prompt: string): Promise<string | null> {
  if (!emptyPromptRun() && prompt.trim() !== '') await runPrompt('');
  return runPrompt(prompt);
}

/** Re-threshold from the stored probabilities (no model run). */
export function setRunThreshold(id: string, t: number): void {
  const px = runPixels.get(id);
  const run = useRuns.getState().runs.find((r) => r.id === id);
  if (!px || !run) return;
  threshold(px.probs, t, px.mask);
  // the worker's reading of the mask no longer holds: suggestions read the new mask on the page
  delete px.suggestion;
  useRuns.getState().patchRun(id, { threshold: t });
  drawRun({ ...run, threshold: t });
  // scores (HD95 needs two distance transforms) follow once the slider rests
  debounce(rescoreTimers, id, RESCORE_MS, () => {
    void rescore(run.prompt.trim() === '' ? undefined : [id]);
    useRuns.getState().bumpPixels();
  });
}

const displayTimers: Timers = new Map();

/** Change how a run is shown (visibility, opacity, mode, colour); saved with the run. */
export function setRunView(id: string, patch: Partial<Pick<RunView, 'visible' | 'opacity' | 'mode' | 'colour'>>): void {
  const run = useRuns.getState().runs.find((r) => r.id === id);
  if (!run) return;
  const next = { ...run, ...patch };
  useRuns.getState().patchRun(id, patch);
  if (patch.mode !== undefined || patch.colour !== undefined) drawRun(next);
  debounce(displayTimers, id, 250, () => {
    const display = { visible: next.visible, opacity: next.opacity, mode: next.mode };
    updateRunRecord(getDb(), id, { display, colour: next.colour }).catch(() => undefined);
  });
}

export async function deleteRun(id: string): Promise<void> {
  useRuns.getState().removeRun(id);
  runPixels.delete(id);
  dropLayerCanvas(runLayerId(id));
  await deleteRunRecord(getDb(), id);
  await rescore();
}
