// The VLSM pipeline over an injected ONNX runtime: vision -> (cached features) ; prompt -> text ->
// (cached embeddings) ; decoder(features, embeddings) -> logits -> probabilities at the scan's size.
// Single-graph bundles run the one `model` graph per prompt (no feature caching: that is the baseline).
// Image-only bundles (no text graph) run only the vision graph, once per scan: it gives one logits channel per
// class, and a prompt picks the channel it names (channels.ts); the words steer nothing else.
import type { LoadedBundle } from './bundle';
import { LruCache } from './cache';
import { channelPlane, pickChannel, UnknownClassError } from './channels';
import type { GraphRole, GraphSpec, Manifest, VariantSpec } from './manifest';
import { postprocess } from './postprocess';
import type { InputGeometry, Preprocessed } from './preprocess';
import { floatData, tensorBytes } from './runtime';
import type { OrtRuntime, OrtSession, OrtSessionOptions, OrtTensor } from './runtime';
import { createTokenizer } from './tokenizers';
import type { PromptTokenizer } from './tokenizers';

export type Features = Record<string, OrtTensor>;

export interface EngineCaches {
  images: LruCache<Features>;
  texts: LruCache<Features>;
}

export function createCaches(imageMB = 512, textEntries = 256): EngineCaches {
  const bytes = (f: Features) => Object.values(f).reduce((s, t) => s + tensorBytes(t), 0);
  const dispose = (f: Features) => Object.values(f).forEach((t) => t.dispose?.());
  return {
    images: new LruCache<Features>(imageMB * 1024 * 1024, bytes, dispose),
    texts: new LruCache<Features>(textEntries, () => 1, dispose),
  };
}

/** Runs the vision graph elsewhere (e.g. a worker with its own runtime instance and thread count). */
export interface VisionEncoder {
  encode(pixels: Float32Array, dims: readonly number[]): Promise<Record<string, { data: Float32Array; dims: number[] }>>;
  release(): void;
}

export interface EngineOptions {
  /** Options per graph, e.g. fewer threads for the small graphs. */
  sessionOptions?: (role: GraphRole, graph: GraphSpec) => OrtSessionOptions;
  caches?: EngineCaches;
  /** Builds an external vision encoder from the vision graph's bytes; the engine then opens no vision session. */
  externalVision?: (model: Uint8Array) => Promise<VisionEncoder>;
}

export interface SegmentTimings {
  preMs: number;
  visionMs?: number;
  textMs: number;
  decoderMs: number;
  postMs: number;
  totalMs: number;
}

export interface SegmentOutput {
  /** Probabilities (or raw scores when the activation is 'none') at the scan's size, row-major. */
  probabilities: Float32Array;
  width: number;
  height: number;
  timings: SegmentTimings;
  cache: { image: 'hit' | 'miss'; text: 'hit' | 'miss' };
  modelId: string;
  variant: string;
  threshold: number;
  /** Share of pixels at or above the threshold, counted here (the engine's thread) while the probabilities
   *  are at hand: the page hands them on to the mask worker (transferred) and cannot count them later. */
  foreground: number;
  /** Image-only bundles: the class the prompt picked ('all' for the empty prompt: every class at once). */
  channel?: string;
}

export interface RawLogits {
  data: Float32Array;
  width: number;
  height: number;
}

export class AbortError extends Error {
  constructor(message = 'superseded or cancelled') {
    super(message);
    this.name = 'AbortError';
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AbortError();
}

const now = (): number => globalThis.performance.now();

export class VlsmEngine {
  readonly manifest: Manifest;
  readonly variant: VariantSpec;
  readonly caches: EngineCaches;
  private readonly tokenizer: PromptTokenizer | null;
  private readonly prefix: string;

  private constructor(
    private readonly runtime: OrtRuntime,
    bundle: LoadedBundle,
    private readonly sessions: Partial<Record<GraphRole, OrtSession>>,
    caches: EngineCaches,
    private readonly vision: VisionEncoder | null,
    tokenizer: PromptTokenizer | null,
  ) {
    this.manifest = bundle.manifest;
    this.variant = bundle.variant;
    this.caches = caches;
    this.tokenizer = tokenizer;
    this.prefix = `${bundle.manifest.id}/${bundle.variant.name}/`;
  }

  static async create(runtime: OrtRuntime, bundle: LoadedBundle, options: EngineOptions = {}): Promise<VlsmEngine> {
    // The tokenizer first (none for an image-only bundle): a wrong or unreadable file fails before any graph is built.
    const text = bundle.manifest.text;
    const tok = text ? bundle.files.get(text.tokenizer) : undefined;
    if (text && !tok) throw new Error('tokenizer bytes missing');
    const tokenizer = text && tok ? createTokenizer(new TextDecoder().decode(tok), text.tokenizerType) : null;
    const sessions: Partial<Record<GraphRole, OrtSession>> = {};
    let vision: VisionEncoder | null = null;
    try {
      for (const [role, graph] of Object.entries(bundle.variant.graphs) as [GraphRole, GraphSpec][]) {
        const bytes = bundle.files.get(graph.file);
        if (!bytes) throw new Error(`graph file '${graph.file}' not loaded`);
        if (role === 'vision' && options.externalVision) vision = await options.externalVision(bytes);
        else sessions[role] = await runtime.createSession(bytes, options.sessionOptions?.(role, graph) ?? {});
      }
    } catch (e) {
      vision?.release();
      await Promise.all(Object.values(sessions).map((s) => s.release()));
      throw e;
    }
    return new VlsmEngine(runtime, bundle, sessions, options.caches ?? createCaches(), vision, tokenizer);
  }

  get kind(): Manifest['kind'] {
    return this.manifest.kind;
  }

  hasImage(imageKey: string): boolean {
    return this.caches.images.has(this.prefix + imageKey);
  }

  forgetImage(imageKey: string): void {
    this.caches.images.delete(this.prefix + imageKey);
  }

  /** Runs (or reuses) the vision graph for a scan (image-only bundles: the class logits themselves); single-graph
   * bundles just keep the pixel tensor. */
  async encodeImage(imageKey: string, pre: Preprocessed, signal?: AbortSignal): Promise<{ visionMs: number; cached: boolean }> {
    const key = this.prefix + imageKey;
    if (this.caches.images.get(key)) return { visionMs: 0, cached: true };
    throwIfAborted(signal);
    const pixels = this.runtime.tensor('float32', pre.pixelValues, pre.dims);
    const t0 = now();
    // Single-graph bundles keep only the pixel tensor: the whole model runs again for every prompt.
    const features = this.kind === 'single' ? { pixel_values: pixels } : this.vision ? await this.remoteVision(pre) : await this.run('vision', { pixel_values: pixels });
    this.caches.images.set(key, features);
    return { visionMs: now() - t0, cached: false };
  }

  /** Text embeddings for a prompt (cached per prompt). */
  async encodeText(prompt: string): Promise<{ features: Features; ms: number; cached: boolean }> {
    const key = this.prefix + prompt;
    const hit = this.caches.texts.get(key);
    if (hit) return { features: hit, ms: 0, cached: true };
    const t0 = now();
    const features = await this.run('text', this.textFeeds(prompt));
    this.caches.texts.set(key, features);
    return { features, ms: now() - t0, cached: false };
  }

  /** Model-resolution logits for an encoded image (tests and parity checks). */
  async logits(imageKey: string, prompt: string, signal?: AbortSignal): Promise<RawLogits & { textMs: number; decoderMs: number; textCached: boolean }> {
    const image = this.caches.images.get(this.prefix + imageKey);
    if (!image) throw new Error(`image '${imageKey}' is not encoded for ${this.prefix}`);
    throwIfAborted(signal);
    let textMs = 0;
    let textCached = false;
    let out: Features;
    const t0 = now();
    if (this.kind === 'image-only') {
      const channels = this.manifest.output.channels ?? [];
      const pick = pickChannel(prompt, channels);
      if (pick === null) throw new UnknownClassError(prompt, channels);
      const t = image.logits;
      if (!t) throw new Error('the vision graph gave no logits');
      const [, c, h, w] = t.dims;
      return { data: channelPlane(floatData(t), c, h, w, pick), width: w, height: h, textMs: 0, decoderMs: now() - t0, textCached: false };
    }
    if (this.kind === 'single') {
      out = await this.run('model', { ...image, ...this.textFeeds(prompt) });
    } else {
      const text = await this.encodeText(prompt);
      textMs = text.ms;
      textCached = text.cached;
      throwIfAborted(signal);
      const decoder = this.variant.graphs.decoder as GraphSpec;
      const feeds: Features = {};
      for (const inp of decoder.inputs) {
        const t = text.features[inp.name] ?? image[inp.name];
        if (!t) throw new Error(`decoder input '${inp.name}' was not produced`);
        feeds[inp.name] = t;
      }
      out = await this.run('decoder', feeds);
    }
    const decoderMs = now() - t0 - textMs;
    const graph = (this.variant.graphs.decoder ?? this.variant.graphs.model) as GraphSpec;
    const name = graph.outputs.find((o) => o.name === 'logits')?.name ?? graph.outputs[0].name;
    const t = out[name];
    const dims = t.dims;
    return { data: floatData(t), width: dims[dims.length - 1], height: dims[dims.length - 2], textMs, decoderMs, textCached };
  }

  /** Full prompt path for an encoded image: text (cached) -> decoder -> probabilities at the scan's size.
   *  `pre` may come without its pixels (InputGeometry) when the image's features are cached. */
  async segment(imageKey: string, prompt: string, pre: Preprocessed | InputGeometry, signal?: AbortSignal): Promise<SegmentOutput> {
    const t0 = now();
    let visionMs: number | undefined;
    let imageHit: 'hit' | 'miss' = this.kind === 'single' ? 'miss' : 'hit';
    if (!this.hasImage(imageKey)) {
      if (!('pixelValues' in pre)) {
        const e = new Error(`image '${imageKey}' is no longer encoded and its pixels are not at hand`);
        e.name = 'NotEncodedError';
        throw e;
      }
      visionMs = (await this.encodeImage(imageKey, pre, signal)).visionMs;
      imageHit = 'miss';
    }
    const raw = await this.logits(imageKey, prompt, signal);
    throwIfAborted(signal);
    const tp = now();
    const probabilities = postprocess({
      logits: raw.data,
      outWidth: raw.width,
      outHeight: raw.height,
      inputSize: this.manifest.input.size,
      box: pre.box,
      scanWidth: pre.scanWidth,
      scanHeight: pre.scanHeight,
      activation: this.manifest.output.activation,
    });
    const postMs = now() - tp;
    const cut = this.manifest.output.threshold;
    let fg = 0;
    for (let i = 0; i < probabilities.length; i++) if (probabilities[i] >= cut) fg++;
    return {
      probabilities,
      foreground: probabilities.length ? fg / probabilities.length : 0,
      width: pre.scanWidth,
      height: pre.scanHeight,
      timings: { preMs: 0, visionMs, textMs: raw.textMs, decoderMs: raw.decoderMs, postMs, totalMs: now() - t0 },
      cache: { image: imageHit, text: this.kind === 'split' && raw.textCached ? 'hit' : 'miss' },
      modelId: this.manifest.id,
      variant: this.variant.name,
      threshold: this.manifest.output.threshold,
      ...(this.kind === 'image-only' ? { channel: this.channelFor(prompt) ?? undefined } : {}),
    };
  }

  /** Token ids of a prompt (none for an image-only bundle: it has no tokenizer). */
  tokenize(prompt: string): number[] {
    return this.tokenizer && this.manifest.text ? this.tokenizer.encode(prompt, this.manifest.text).ids : [];
  }

  /** Which class an image-only bundle shows for a prompt ('all' for the empty prompt); null for other kinds or no class. */
  channelFor(prompt: string): string | 'all' | null {
    if (this.kind !== 'image-only') return null;
    const channels = this.manifest.output.channels ?? [];
    const pick = pickChannel(prompt, channels);
    return pick === null || pick === 'all' ? pick : channels[pick].name;
  }

  private async remoteVision(pre: Preprocessed): Promise<Features> {
    const out = await (this.vision as VisionEncoder).encode(pre.pixelValues, pre.dims);
    return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, this.runtime.tensor('float32', t.data, t.dims)]));
  }

  async dispose(): Promise<void> {
    this.vision?.release();
    this.caches.images.deletePrefix(this.prefix);
    this.caches.texts.deletePrefix(this.prefix);
    await Promise.all(Object.values(this.sessions).map((s) => s.release()));
  }

  private textFeeds(prompt: string): Features {
    if (!this.tokenizer || !this.manifest.text) throw new Error(`bundle '${this.manifest.id}' has no text graph`);
    const tokens = this.tokenizer.encode(prompt, this.manifest.text);
    const dims = [1, tokens.ids.length];
    const graph = (this.variant.graphs.text ?? this.variant.graphs.model) as GraphSpec;
    const feeds: Features = {};
    for (const inp of graph.inputs) {
      if (inp.name === 'input_ids') feeds.input_ids = this.runtime.tensor('int64', tokens.inputIds, dims);
      if (inp.name === 'attention_mask') feeds.attention_mask = this.runtime.tensor('int64', tokens.attentionMask, dims);
    }
    return feeds;
  }

  private async run(role: GraphRole, feeds: Features): Promise<Features> {
    const session = this.sessions[role];
    if (!session) throw new Error(`no ${role} graph in variant ${this.variant.name}`);
    const wanted: Features = {};
    for (const name of session.inputNames) {
      if (!feeds[name]) throw new Error(`${role} graph needs input '${name}'`);
      wanted[name] = feeds[name];
    }
    return session.run(wanted);
  }
}
