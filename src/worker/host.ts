// Worker-side request handling, independent of the worker global so Node tests can drive it with
// onnxruntime-node: a serial queue (one ORT run at a time), latest-wins per scan, cancel, progress.
import { bundleHash, loadBundle } from '../engine/bundle';
import type { BundleSource } from '../engine/bundle';
import { AbortError, createCaches, VlsmEngine } from '../engine/engine';
import type { VisionEncoder } from '../engine/engine';
import { preprocess } from '../engine/preprocess';
import type { InputGeometry, Preprocessed } from '../engine/preprocess';
import type { OrtRuntime } from '../engine/runtime';
import { chooseBackend, graphSessionOptions, wasmOnlyGraphs } from './backend';
import { promptThreadsFor } from './engineDefaults';
import type { BackendEnv } from './backend';
import { assertNever } from './protocol';
import type { BackendInfo, BundleRef, EncodeResult, ImageInput, ModelInfo, Reply, Request, SegmentResult } from './protocol';

export interface HostDeps {
  /** The runtime for a backend (the browser imports the onnxruntime-web build it needs on demand). */
  runtimeFor(info: BackendInfo): OrtRuntime | Promise<OrtRuntime>;
  /** A vision graph in its own worker (browser); absent in Node tests. */
  externalVision?: (model: Uint8Array, threads: number) => Promise<VisionEncoder>;
  sourceFor(ref: BundleRef): BundleSource;
  env(): BackendEnv;
}

type Post = (reply: Reply, transfer?: Transferable[]) => void;

const now = (): number => globalThis.performance.now();
const MAX_INPUTS = 32;
/** Geometries kept (a few numbers each): every slice of a big volume, so a second prompt on all its slices
 *  runs on the cached features without the page sending each slice again. */
const MAX_GEOMETRIES = 8192;

export class InferenceHost {
  private chain: Promise<void> = Promise.resolve();
  private readonly pending = new Map<number, { ctl: AbortController; scanId?: string; kind: Request['type']; lane?: string }>();
  private readonly inputs = new Map<string, Preprocessed>();
  /** Each encoded scan's place in the model input, kept after its pixels (inputs) are dropped. */
  private readonly geometry = new Map<string, InputGeometry>();
  private readonly caches = createCaches(512, 256);
  private engine: VlsmEngine | null = null;
  private info: BackendInfo | null = null;
  /** onnxruntime-web reads its thread count once per instance: the first model decides. */
  private ortThreads: number | null = null;

  constructor(
    private readonly post: Post,
    private readonly deps: HostDeps,
  ) {}

  handle(req: Request): void {
    if (req.type === 'cancel') {
      this.abort(req.target, 'cancelled');
      this.post({ type: 'result', id: req.id, result: null });
      return;
    }
    if (req.type === 'segment') {
      // Latest wins: older prompts on this scan in the same lane, queued or running, are answered as aborted now.
      const lane = req.lane ?? '';
      for (const [id, p] of this.pending) if (p.kind === 'segment' && p.scanId === req.scanId && (p.lane ?? '') === lane) this.abort(id, 'superseded by a newer prompt');
    }
    const ctl = new AbortController();
    this.pending.set(req.id, { ctl, scanId: 'scanId' in req ? req.scanId : undefined, kind: req.type, ...(req.type === 'segment' ? { lane: req.lane ?? '' } : {}) });
    this.chain = this.chain.then(() => this.exec(req, ctl.signal));
  }

  private abort(id: number, why: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    p.ctl.abort();
    this.pending.delete(id);
    this.post({ type: 'error', id, error: { name: 'AbortError', message: why } });
  }

  private async exec(req: Exclude<Request, { type: 'cancel' }>, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    try {
      const [result, transfer] = await this.run(req, signal);
      if (!this.pending.has(req.id)) return; // answered already (aborted meanwhile)
      this.pending.delete(req.id);
      this.post({ type: 'result', id: req.id, result }, transfer);
    } catch (e) {
      if (!this.pending.has(req.id)) return;
      this.pending.delete(req.id);
      const err = e as Error;
      this.post({ type: 'error', id: req.id, error: { name: err instanceof AbortError ? 'AbortError' : (err.name ?? 'Error'), message: err.message ?? String(e) } });
    }
  }

  private async run(
    req: Exclude<Request, { type: 'cancel' }>,
    signal: AbortSignal,
  ): Promise<[ModelInfo | EncodeResult | SegmentResult | null, Transferable[]]> {
    switch (req.type) {
      case 'loadModel':
        return [await this.loadModel(req, signal), []];
      case 'encodeImage':
        return [await this.encode(req.scanId, req.input, signal), []];
      case 'segment': {
        const r = await this.segment(req.scanId, req.prompt, req.input, signal);
        return [r, [r.probabilities.buffer as ArrayBuffer]];
      }
      case 'dispose':
        if (req.scanId) {
          this.inputs.delete(req.scanId);
          this.geometry.delete(req.scanId);
          this.engine?.forgetImage(req.scanId);
        } else {
          await this.engine?.dispose();
          this.engine = null;
          this.inputs.clear();
          this.geometry.clear();
        }
        return [null, []];
      default:
        return assertNever(req);
    }
  }

  private async loadModel(req: Extract<Request, { type: 'loadModel' }>, signal: AbortSignal): Promise<ModelInfo> {
    const t0 = now();
    let info = await chooseBackend(req.backendPreference ?? 'auto', this.deps.env(), req.numThreads);
    const source = this.deps.sourceFor(req.bundle);
    const progress = (p: { file: string; loaded: number; total: number }) =>
      this.post({ type: 'progress', id: req.id, stage: 'download', ...p });
    if (this.engine) {
      await this.engine.dispose();
      this.engine = null;
    }
    let engine: VlsmEngine;
    let promptThreads = info.threads;
    let visionWorker = false;
    try {
      const bundle = await loadBundle(source, { backend: info.backend, shaderF16: info.shaderF16, name: req.variant }, progress, signal);
      this.post({ type: 'progress', id: req.id, stage: 'session' });
      // Default: the thread layout measured fastest (engineDefaults.ts, from a committed bench result).
      const wanted = Math.min(req.promptThreads ?? promptThreadsFor(info.threads), info.threads);
      const external = this.deps.externalVision;
      visionWorker = !!external && info.backend === 'wasm' && bundle.manifest.kind !== 'single' && wanted < info.threads;
      promptThreads = this.ortThreads ?? (visionWorker ? wanted : info.threads);
      if (promptThreads >= info.threads) visionWorker = false;
      this.ortThreads = promptThreads;
      const threads = info.threads;
      const backend = info.backend;
      engine = await VlsmEngine.create(await this.deps.runtimeFor({ ...info, threads: promptThreads }), bundle, {
        caches: this.caches,
        externalVision: visionWorker && external ? (m) => external(m, threads) : undefined,
        sessionOptions: (role) => graphSessionOptions(backend, bundle.variant, role),
      });
      if (visionWorker) info = { ...info, reason: `${info.reason}; vision graph in its own worker, prompts on ${promptThreads} thread${promptThreads > 1 ? 's' : ''}` };
      const onWasm = wasmOnlyGraphs(backend, bundle.variant);
      if (onWasm.length) info = { ...info, reason: `${info.reason}; int8 ${onWasm.join(' and ')} graph${onWasm.length > 1 ? 's' : ''} on WASM` };
    } catch (e) {
      if (info.backend !== 'webgpu' || signal.aborted) throw e;
      // A WebGPU failure (driver, missing op) is not the user's problem: fall back to WASM and say why.
      const fallback = await chooseBackend('wasm', this.deps.env(), req.numThreads);
      info = { ...fallback, reason: `WebGPU failed (${(e as Error).message.slice(0, 120)}); ${fallback.reason.replace('WASM requested; ', '')}` };
      const bundle = await loadBundle(source, { backend: 'wasm', name: req.variant }, progress);
      promptThreads = this.ortThreads ?? info.threads;
      this.ortThreads = promptThreads;
      engine = await VlsmEngine.create(await this.deps.runtimeFor({ ...info, threads: promptThreads }), bundle, { caches: this.caches });
    }
    this.engine = engine;
    this.info = info;
    this.inputs.clear();
    this.geometry.clear();
    const m = engine.manifest;
    return {
      ...info,
      promptThreads,
      visionWorker,
      modelId: m.id,
      modelName: m.name,
      bundleHash: await bundleHash(m),
      variant: engine.variant.name,
      kind: m.kind,
      threshold: m.output.threshold,
      inputSize: m.input.size,
      promptExamples: m.modelCard.promptExamples ?? [],
      classes: m.modelCard.classes ?? m.output.channels?.map((c) => c.name) ?? [],
      card: m.modelCard,
      license: m.license,
      loadMs: now() - t0,
    };
  }

  private requireEngine(): VlsmEngine {
    if (!this.engine) throw new Error('no model loaded');
    return this.engine;
  }

  private async encode(scanId: string, input: ImageInput, signal: AbortSignal): Promise<EncodeResult> {
    const engine = this.requireEngine();
    const t0 = now();
    const pre = input.kind === 'scan' ? preprocess(input.scan, engine.manifest.input, input) : input.pre;
    const preMs = now() - t0;
    this.inputs.delete(scanId);
    this.inputs.set(scanId, pre);
    // Bounded: the oldest preprocessed inputs go (the client re-sends one when asked for it again).
    while (this.inputs.size > MAX_INPUTS) this.inputs.delete(this.inputs.keys().next().value as string);
    const { pixelValues: _pixels, ...geometry } = pre;
    this.geometry.delete(scanId);
    this.geometry.set(scanId, geometry);
    while (this.geometry.size > MAX_GEOMETRIES) this.geometry.delete(this.geometry.keys().next().value as string);
    const r = await engine.encodeImage(scanId, pre, signal);
    return { scanId, cached: r.cached, visionMs: r.visionMs, preMs };
  }

  private async segment(scanId: string, prompt: string, input: ImageInput | undefined, signal: AbortSignal): Promise<SegmentResult> {
    const engine = this.requireEngine();
    let preMs = 0;
    let encoded: EncodeResult | undefined;
    if (input) {
      encoded = await this.encode(scanId, input, signal);
      preMs = encoded.preMs;
    }
    // the preprocessed pixels when still kept; else, when the features are cached, the geometry is enough
    const pre = this.inputs.get(scanId) ?? (engine.hasImage(scanId) ? this.geometry.get(scanId) : undefined);
    if (!pre) {
      const e = new Error(`scan '${scanId}' has not been opened (encodeImage) with this model`);
      e.name = 'NotEncodedError';
      throw e;
    }
    const out = await engine.segment(scanId, prompt, pre, signal);
    const fresh = encoded && !encoded.cached;
    const visionMs = fresh ? encoded?.visionMs : out.timings.visionMs;
    return {
      ...out,
      cache: fresh ? { ...out.cache, image: 'miss' } : out.cache,
      timings: { ...out.timings, visionMs, preMs, totalMs: out.timings.totalMs + preMs + (fresh ? (visionMs ?? 0) : 0) },
      backend: (this.info as BackendInfo).backend,
      prompt,
      scanId,
    };
  }
}
