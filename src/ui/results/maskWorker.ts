// Client of the mask worker (mask.worker.ts): whole-scan scoring and result preparation off the main
// thread. One worker, started on first use, jobs answered in order. Where no Worker exists (Node tests)
// a job runs in the calling thread before the promise is returned, so callers see the same numbers.
import { canShare, runMaskJob, type MaskJob, type MaskJobResult, type MaskSuggestion } from '../../mask/jobs';
import type { Rgb } from '../../mask/render';
import type { ScoreInputs, Scores } from '../../mask/scores';
import type { Mask } from '../../mask/types';

export type MaskWorkerReply =
  { id: number; ok: true; result: MaskJobResult } | { id: number; ok: false; message: string };

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve(r: MaskJobResult): void; reject(e: Error): void }>();

function spawn(): Worker {
  const w = new Worker(new URL('./mask.worker.ts', import.meta.url), { type: 'module', name: 'vlsm-mask' });
  w.addEventListener('message', (e: MessageEvent<MaskWorkerReply>) => {
    const p = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    if (!p) return;
    if (e.data.ok) p.resolve(e.data.result);
    else p.reject(new Error(e.data.message));
  });
  w.addEventListener('error', (e) => {
    e.preventDefault();
    // a crashed worker fails its jobs; the next job starts a new one
    for (const p of waiting.values())
      p.reject(new Error(`mask worker stopped: ${e.message || 'worker error'}`));
    waiting.clear();
    w.terminate();
    if (worker === w) worker = null;
  });
  return w;
}

/** Whether jobs run in a Web Worker (a browser) or in the calling thread (Node). */
export const inWorker = (): boolean => typeof Worker === 'function';

/** Runs a job in the worker; buffers of the job are copied (structured clone) unless listed in `transfer`. */
function runJob(job: MaskJob, transfer: Transferable[] = []): Promise<MaskJobResult> {
  if (!inWorker()) {
    try {
      return Promise.resolve(runMaskJob(job).result);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
  worker ??= spawn();
  const id = nextId++;
  const w = worker;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.postMessage({ id, job }, transfer);
  });
}

/** Scores of several runs (keys are the caller's), computed in the worker. */
export async function scoreInWorker(
  items: { key: string; inputs: ScoreInputs }[],
): Promise<Map<string, Scores>> {
  if (items.length === 0) return new Map();
  return scoreMap(await runJob({ type: 'score', items }), 'mask worker: unexpected reply');
}

/** The score job in the calling thread (no Worker available). */
export function scoreJobNow(items: { key: string; inputs: ScoreInputs }[]): Map<string, Scores> {
  return scoreMap(runMaskJob({ type: 'score', items }).result, 'mask job: unexpected result');
}

function scoreMap(r: MaskJobResult, unexpected: string): Map<string, Scores> {
  if (r.type !== 'score') throw new Error(unexpected);
  return new Map(r.scores.map((s) => [s.key, s.scores]));
}

/** A model result (probabilities of `srcWidth` × `srcHeight`) resized to the scan (`width` × `height`),
 *  thresholded, with its binary overlay, all made in the worker. The probabilities are transferred: the
 *  caller gives its array up and gets the scan-sized one back, on a SharedArrayBuffer where the page can
 *  share memory (then scoring and saving the run copy nothing here). The overlay comes back as an
 *  ImageBitmap from a browser worker, as RGBA where the job ran in this thread; with the mask's attributes
 *  and shape for prompt suggestions, read in the worker too. */
export async function prepareRunInWorker(
  probs: Float32Array,
  srcWidth: number,
  srcHeight: number,
  width: number,
  height: number,
  threshold: number,
  rgb: Rgb,
): Promise<{ probs: Float32Array; mask: Mask; overlay: ImageBitmap | Uint8ClampedArray<ArrayBuffer>; suggestion: MaskSuggestion }> {
  const own = probs.byteOffset === 0 && probs.byteLength === probs.buffer.byteLength && probs.buffer instanceof ArrayBuffer ? probs : probs.slice();
  const job: MaskJob = { type: 'prepareRun', probs: own, srcWidth, srcHeight, width, height, threshold, rgb, shared: canShare() };
  const r = await runJob(job, inWorker() ? [own.buffer as ArrayBuffer] : []);
  if (r.type !== 'prepareRun') throw new Error('mask worker: unexpected reply');
  return { probs: r.probs, mask: r.mask, overlay: r.bitmap ?? r.rgba, suggestion: r.suggestion };
}

/** A reference mask ready to show, made in the worker: the mask (transferred; back on a SharedArrayBuffer
 *  where the page can share memory, so scoring copies nothing) and its outline, an ImageBitmap from a
 *  browser worker, RGBA in this thread. */
export async function prepareReferenceInWorker(mask: Mask, rgb: Rgb, thickness: number): Promise<{ mask: Mask; outline: ImageBitmap | Uint8ClampedArray<ArrayBuffer> }> {
  const own = mask.data.byteOffset === 0 && mask.data.byteLength === mask.data.buffer.byteLength && mask.data.buffer instanceof ArrayBuffer ? mask.data : mask.data.slice();
  const job: MaskJob = { type: 'prepareReference', mask: { width: mask.width, height: mask.height, data: own }, rgb, thickness, shared: canShare() };
  const r = await runJob(job, inWorker() ? [own.buffer as ArrayBuffer] : []);
  if (r.type !== 'prepareReference') throw new Error('mask worker: unexpected reply');
  return { mask: r.mask, outline: r.bitmap ?? r.rgba };
}
