// The one typed message protocol between the inference client (main thread) and the worker.
// Requests: loadModel | encodeImage | segment | cancel | dispose. Replies: progress | result | error.
// Every message carries the request id; pixel and probability buffers are transferred, never copied twice.
import type { Preprocessed } from '../engine/preprocess';
import type { SegmentOutput } from '../engine/engine';
import type { BackendName, Manifest } from '../engine/manifest';
import type { Scan, WindowLevel } from '../scan/types';

/** Where a bundle lives. Shipped: /models/<id>/ on this origin; stored: imported or downloaded into Cache
 * Storage (served from /user-models/<id>/); url: any same-origin base URL (tests, benchmarks). */
export type BundleRef = { kind: 'shipped'; id: string } | { kind: 'stored'; id: string } | { kind: 'url'; baseUrl: string };

export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

export interface LoadModelOptions {
  backendPreference?: BackendPreference;
  /** Exact variant name (benchmarks); default: the manifest's first variant for the chosen backend. */
  variant?: string;
  /** WASM threads; default min(hardwareConcurrency, 4) when cross-origin isolated, else 1. */
  numThreads?: number;
  /** Threads for the prompt graphs (text, decoder); below numThreads the vision graph runs in its own worker
   * with numThreads. Default: the thread layout measured fastest (src/worker/engineDefaults.ts, from a
   * committed `npm run bench` result). Equal to numThreads: everything in one runtime instance. Fixed by the
   * first model loaded in a worker. */
  promptThreads?: number;
}

/** A scan to encode: the worker preprocesses it (one frame, copied), or an already preprocessed input. */
export type ImageInput =
  | { kind: 'scan'; scan: Scan; frame?: number; window?: WindowLevel }
  | { kind: 'preprocessed'; pre: Preprocessed };

export type Request =
  | ({ type: 'loadModel'; id: number; bundle: BundleRef } & LoadModelOptions)
  | { type: 'encodeImage'; id: number; scanId: string; input: ImageInput }
  /** lane: latest-wins applies among the segments of one scan key in one lane ('' = the prompt box); another
   *  lane's (e.g. 'volume', the all-slices run) neither supersedes them nor is superseded by them. */
  | { type: 'segment'; id: number; scanId: string; prompt: string; input?: ImageInput; lane?: string }
  | { type: 'cancel'; id: number; target: number }
  | { type: 'dispose'; id: number; scanId?: string };

export interface BackendInfo {
  backend: BackendName;
  /** Why this backend: shown to the user. */
  reason: string;
  threads: number;
  shaderF16: boolean;
  crossOriginIsolated: boolean;
  /** The WebGPU adapter is a software one (SwiftShader etc.): set when it was seen, whichever backend won. */
  softwareGpu?: boolean;
}

export interface ModelInfo extends BackendInfo {
  /** Threads of the runtime that runs the prompt graphs (text, decoder; the whole model if single). */
  promptThreads: number;
  /** True when the vision graph runs in its own worker with `threads` threads. */
  visionWorker: boolean;
  modelId: string;
  modelName: string;
  /** The bundle's version: 12 hex digits of the sha256 over its files' hashes (engine/bundle.ts bundleHash). */
  bundleHash: string;
  variant: string;
  kind: Manifest['kind'];
  threshold: number;
  inputSize: [number, number];
  promptExamples: string[];
  classes: string[];
  /** The bundle's model card as shipped (shown in the Model card view; newer fields may be absent). */
  card?: Manifest['modelCard'];
  license?: string;
  loadMs: number;
}

export interface EncodeResult {
  scanId: string;
  cached: boolean;
  visionMs: number;
  preMs: number;
}

/** The engine's output plus what the worker adds: the backend it ran on and the request it answers. */
export interface SegmentResult extends SegmentOutput {
  backend: BackendName;
  prompt: string;
  scanId: string;
}

export type Stage = 'download' | 'verify' | 'session' | 'preprocess' | 'vision' | 'text' | 'decoder';

export type Reply =
  | { type: 'progress'; id: number; stage: Stage; loaded?: number; total?: number; file?: string }
  | { type: 'result'; id: number; result: ModelInfo | EncodeResult | SegmentResult | null }
  | { type: 'error'; id: number; error: { name: string; message: string } };

export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}

/** Messages to the nested vision worker (its own onnxruntime-web instance, so the big graph can use
 * more threads than the small prompt graphs; onnxruntime-web has one thread pool per instance). */
export type VisionRequest =
  | { type: 'init'; id: number; model: Uint8Array; threads: number }
  | { type: 'run'; id: number; pixels: Float32Array; dims: number[] }
  | { type: 'dispose'; id: number };

export type VisionReply =
  | { type: 'ready'; id: number }
  | { type: 'features'; id: number; outputs: { name: string; data: Float32Array; dims: number[] }[] }
  | { type: 'error'; id: number; message: string };
