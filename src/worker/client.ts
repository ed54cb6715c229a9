/**
 * InferenceClient — the main thread's handle on the inference worker. The only API the UI uses.
 *
 *   const client = new InferenceClient();                      // starts src/worker/inference.worker.ts
 *   const model = await client.loadModel({ kind: 'shipped', id: 'compact-vlsm' }, { backendPreference: 'auto' });
 *   await client.encodeImage(scanId, scan, { frame, window, signal });   // when a scan is opened
 *   const r = await client.segment(scanId, 'small polyp', { signal });   // per prompt
 *   // r.probabilities: Float32Array, r.width x r.height = the scan's size (row-major, values in [0,1]);
 *   // threshold with r.threshold (manifest default) or the user's: mask[i] = r.probabilities[i] >= t.
 *   // r.timings {preMs, visionMs?, textMs, decoderMs, postMs, totalMs}; r.cache {image, text}: 'hit'|'miss';
 *   // r.modelId, r.variant, r.backend.
 *   client.subscribe((s) => ...)  // InferenceStatus: state, model, backend, reason, threads, progress, error
 *   client.cancel(requestId) / client.forgetScan(scanId) / client.dispose()
 *
 * Latest wins: a newer segment() on the same scan rejects the older pending ones with an AbortError
 * (`isAbortError(e)`), as does aborting the passed signal. A crashed worker is restarted, the model
 * reloaded and scans re-sent on their next use; the pending requests reject with a WorkerCrashedError.
 * loadModel bundle refs: {kind:'shipped', id} (/models/<id>/), {kind:'stored', id} (imported/downloaded,
 * see modelStore.ts), {kind:'url', baseUrl} (same origin only). Nothing here contacts another origin.
 * loadModel options: backendPreference 'auto' | 'webgpu' | 'wasm'; variant (exact name); numThreads (WASM
 * threads, default min(cores, 4) when cross-origin isolated); promptThreads (default: the layout measured
 * fastest, engineDefaults.ts; below numThreads the vision graph runs in its own worker and runtime). The
 * resolved ModelInfo says backend, reason (show it), threads, promptThreads, visionWorker, variant.
 * Probabilities are at the scan's size (bilinear resize of the logits, then the manifest's activation), so
 * callers threshold directly; encodeImage's frame/window pick the slice and, for DICOM/NIfTI, the window
 * applied to 8 bits (a new window is a new encode: use a scan id that includes it, as ui/models does).
 */
import type { Preprocessed } from '../engine/preprocess';
import type { SegmentTimings } from '../engine/engine';
import type { Scan, WindowLevel } from '../scan/types';
import type {
  BundleRef,
  EncodeResult,
  ImageInput,
  LoadModelOptions,
  ModelInfo,
  Reply,
  Request,
  SegmentResult,
  Stage,
} from './protocol';
import { assertNever } from './protocol';

export type { BundleRef, EncodeResult, LoadModelOptions, ModelInfo, SegmentResult } from './protocol';

export interface InferenceStatus {
  state: 'starting' | 'idle' | 'loading' | 'ready' | 'busy' | 'error';
  model?: ModelInfo;
  backend?: ModelInfo['backend'];
  reason?: string;
  threads?: number;
  progress?: { stage: Stage; loaded?: number; total?: number; file?: string };
  error?: string;
  lastTimings?: SegmentTimings;
  restarts: number;
}

export class WorkerCrashedError extends Error {
  constructor() {
    super('the inference worker crashed and was restarted; please try again');
    this.name = 'WorkerCrashedError';
  }
}

export function isAbortError(e: unknown): boolean {
  return (e as { name?: string } | null)?.name === 'AbortError';
}

function abortError(message: string): Error {
  const e = new Error(message);
  e.name = 'AbortError';
  return e;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  type: Request['type'];
  scanId?: string;
  /** segment: its lane (latest wins within a scan key and lane). */
  lane?: string;
}

export interface ClientOptions {
  /** Worker factory (tests); default: the bundled inference worker. */
  createWorker?: () => Worker;
}

/** Frames kept for re-sending after a worker restart (one frame copy each). */
const MAX_SCANS = 16;

const defaultWorker = () => new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'vlsm-inference' });

export class InferenceClient {
  private worker!: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(s: InferenceStatus) => void>();
  private readonly scans = new Map<string, ImageInput>();
  private readonly sent = new Set<string>();
  private lastLoad: { bundle: BundleRef; options: LoadModelOptions } | null = null;
  private current: InferenceStatus = { state: 'starting', restarts: 0 };
  private disposed = false;

  constructor(private readonly options: ClientOptions = {}) {
    this.start();
  }

  get status(): InferenceStatus {
    return this.current;
  }

  subscribe(listener: (s: InferenceStatus) => void): () => void {
    this.listeners.add(listener);
    listener(this.current);
    return () => this.listeners.delete(listener);
  }

  /** Loads a bundle (replacing the current model); abort the signal to cancel a long download/verify. */
  async loadModel(bundle: BundleRef, options: LoadModelOptions & { signal?: AbortSignal } = {}): Promise<ModelInfo> {
    const { signal, ...opts } = options;
    this.lastLoad = { bundle, options: opts };
    this.sent.clear();
    this.setStatus({ state: 'loading', progress: undefined, error: undefined });
    try {
      const info = (await this.request({ type: 'loadModel', bundle, ...opts }, signal)) as ModelInfo;
      this.setStatus({ state: 'ready', model: info, backend: info.backend, reason: info.reason, threads: info.threads, progress: undefined });
      return info;
    } catch (e) {
      // The worker let the previous model go before loading this one.
      if (isAbortError(e)) this.setStatus({ state: 'idle', model: undefined, error: 'model loading cancelled', progress: undefined });
      else this.setStatus({ state: 'error', error: (e as Error).message, progress: undefined });
      throw e;
    }
  }

  /** Encodes a scan (one frame, copied and transferred to the worker), or a preprocessed input. */
  async encodeImage(
    scanId: string,
    image: Scan | Preprocessed,
    opts: { frame?: number; window?: WindowLevel; signal?: AbortSignal } = {},
  ): Promise<EncodeResult> {
    const input = toInput(image, opts.frame, opts.window);
    // Keep our own copy of just this frame (not the caller's scan), for re-sending after a worker restart.
    // copied a few MiB per task: a 64 Mpx frame copied at once held the main thread for about a second
    const copy = await cloneInputInSteps(input);
    this.remember(scanId, copy);
    this.sent.add(scanId);
    return (await this.request({ type: 'encodeImage', scanId, input: await cloneInputInSteps(copy) }, opts.signal, 'vision')) as EncodeResult;
  }

  async segment(scanId: string, prompt: string, opts: { signal?: AbortSignal; lane?: string } = {}): Promise<SegmentResult> {
    const lane = opts.lane ?? '';
    // Latest wins on the client side too: older prompts on this scan in this lane are rejected at once.
    for (const [id, p] of this.pending) {
      if (p.type === 'segment' && p.scanId === scanId && (p.lane ?? '') === lane) {
        this.pending.delete(id);
        p.reject(abortError('superseded by a newer prompt'));
        this.post({ type: 'cancel', id: this.nextId++, target: id });
      }
    }
    const known = this.scans.get(scanId);
    const input = known && !this.sent.has(scanId) ? cloneInput(known) : undefined;
    if (input) this.sent.add(scanId);
    let r: SegmentResult;
    try {
      r = (await this.request({ type: 'segment', scanId, prompt, input, lane }, opts.signal, 'decoder')) as SegmentResult;
    } catch (e) {
      // The worker dropped this scan's input (bounded memory): send it again once.
      if ((e as Error).name !== 'NotEncodedError' || !known || input) throw e;
      r = (await this.request({ type: 'segment', scanId, prompt, input: cloneInput(known), lane }, opts.signal, 'decoder')) as SegmentResult;
    }
    this.setStatus({ lastTimings: r.timings });
    return r;
  }

  /** Cancels one request by id (the ids are internal; prefer AbortSignal) or every pending request. */
  cancel(requestId?: number): void {
    const ids = requestId === undefined ? [...this.pending.keys()] : [requestId];
    for (const id of ids) {
      const p = this.pending.get(id);
      if (!p) continue;
      this.pending.delete(id);
      p.reject(abortError('cancelled'));
      this.post({ type: 'cancel', id: this.nextId++, target: id });
    }
    this.refreshBusy();
  }

  /** Drops a scan's cached features in the worker (scan closed or deleted). */
  forgetScan(scanId: string): void {
    this.scans.delete(scanId);
    this.sent.delete(scanId);
    this.post({ type: 'dispose', id: this.nextId++, scanId });
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
    this.worker.terminate();
    this.listeners.clear();
  }

  private remember(scanId: string, input: ImageInput): void {
    this.scans.delete(scanId);
    this.scans.set(scanId, input);
    while (this.scans.size > MAX_SCANS) {
      const oldest = this.scans.keys().next().value as string;
      this.scans.delete(oldest);
      this.sent.delete(oldest);
    }
  }

  private start(): void {
    this.worker = (this.options.createWorker ?? defaultWorker)();
    this.worker.addEventListener('message', (e: MessageEvent<Reply>) => this.onReply(e.data));
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.restart();
    });
    this.worker.addEventListener('messageerror', () => this.restart());
    if (this.current.state === 'starting') this.setStatus({ state: 'idle' });
  }

  private restart(): void {
    if (this.disposed) return;
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new WorkerCrashedError());
    this.pending.clear();
    this.sent.clear();
    this.setStatus({ state: 'error', error: 'inference worker crashed; restarted', restarts: this.current.restarts + 1 });
    this.start();
    if (this.lastLoad) this.loadModel(this.lastLoad.bundle, this.lastLoad.options).catch(() => undefined);
  }

  private request(body: DistributiveOmit<Request, 'id'>, signal?: AbortSignal, busyStage?: Stage): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(abortError('aborted'));
    const id = this.nextId++;
    const msg = { ...body, id } as Request;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, type: msg.type, scanId: 'scanId' in msg ? msg.scanId : undefined, ...(msg.type === 'segment' ? { lane: msg.lane ?? '' } : {}) });
      signal?.addEventListener('abort', () => this.cancel(id), { once: true });
      this.post(msg, transferables(msg));
      if (busyStage) this.setStatus({ state: 'busy', progress: { stage: busyStage } });
    });
  }

  private post(msg: Request, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private onReply(reply: Reply): void {
    switch (reply.type) {
      case 'progress':
        if (this.pending.has(reply.id)) this.setStatus({ progress: { stage: reply.stage, loaded: reply.loaded, total: reply.total, file: reply.file } });
        return;
      case 'result': {
        const p = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        p?.resolve(reply.result);
        this.refreshBusy();
        return;
      }
      case 'error': {
        const p = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if (p) {
          const e = new Error(reply.error.message);
          e.name = reply.error.name;
          p.reject(e);
        }
        this.refreshBusy();
        return;
      }
      default:
        assertNever(reply);
    }
  }

  private refreshBusy(): void {
    const busy = [...this.pending.values()].some((p) => p.type !== 'loadModel');
    if (this.current.state === 'busy' && !busy) this.setStatus({ state: this.current.model ? 'ready' : 'idle', progress: undefined });
  }

  private setStatus(patch: Partial<InferenceStatus>): void {
    this.current = { ...this.current, ...patch };
    for (const l of this.listeners) l(this.current);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function isPreprocessed(x: Scan | Preprocessed): x is Preprocessed {
  return (x as Preprocessed).pixelValues instanceof Float32Array;
}

function toInput(image: Scan | Preprocessed, frame?: number, window?: WindowLevel): ImageInput {
  return isPreprocessed(image) ? { kind: 'preprocessed', pre: image } : { kind: 'scan', scan: image, frame, window };
}

/** A transferable copy of just the needed frame, so the viewer keeps its pixels. */
function cloneInput(input: ImageInput): ImageInput {
  if (input.kind === 'preprocessed') return { kind: 'preprocessed', pre: { ...input.pre, pixelValues: input.pre.pixelValues.slice() } };
  const { scan } = input;
  const frame = Math.min(Math.max(0, input.frame ?? 0), scan.frames - 1);
  const n = scan.width * scan.height * scan.channels;
  const data = scan.data.slice(frame * n, (frame + 1) * n);
  const { geometry: _g, metadata: _m, ...rest } = scan;
  return { kind: 'scan', scan: { ...rest, metadata: {}, frames: 1, data }, frame: 0, window: input.window };
}

/** Most bytes copied in one task by cloneInputInSteps. */
const COPY_STEP_BYTES = 4 * 2 ** 20;

/** As cloneInput, but a large frame is copied COPY_STEP_BYTES at a time, yielding between steps. */
async function cloneInputInSteps(input: ImageInput): Promise<ImageInput> {
  if (input.kind === 'preprocessed') return cloneInput(input);
  const { scan } = input;
  const frame = Math.min(Math.max(0, input.frame ?? 0), scan.frames - 1);
  const n = scan.width * scan.height * scan.channels;
  if (n * scan.data.BYTES_PER_ELEMENT <= COPY_STEP_BYTES) return cloneInput(input);
  const src = scan.data.subarray(frame * n, (frame + 1) * n);
  const data = new (scan.data.constructor as new (n: number) => typeof scan.data)(n);
  const step = Math.floor(COPY_STEP_BYTES / scan.data.BYTES_PER_ELEMENT);
  for (let at = 0; at < n; at += step) {
    data.set(src.subarray(at, Math.min(n, at + step)), at);
    if (at + step < n) await new Promise((r) => setTimeout(r, 0));
  }
  const { geometry: _g, metadata: _m, ...rest } = scan;
  return { kind: 'scan', scan: { ...rest, metadata: {}, frames: 1, data }, frame: 0, window: input.window };
}

function transferables(msg: Request): Transferable[] {
  const input = msg.type === 'encodeImage' ? msg.input : msg.type === 'segment' ? msg.input : undefined;
  if (!input) return [];
  return [(input.kind === 'scan' ? input.scan.data.buffer : input.pre.pixelValues.buffer) as ArrayBuffer];
}
