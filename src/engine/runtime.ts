// The slice of an ONNX runtime the engine uses, stated structurally so that onnxruntime-web (worker) and
// onnxruntime-node (Node tests, CLI) both fit without the engine importing either.

export type OrtDataType = 'float32' | 'int64' | 'float16' | 'int32';

export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
  dispose?(): void;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** Options passed through to InferenceSession.create (executionProviders, threads, graph optimisation). */
export type OrtSessionOptions = Record<string, unknown>;

export interface OrtRuntime {
  createSession(model: Uint8Array, options: OrtSessionOptions): Promise<OrtSession>;
  tensor(type: 'float32', data: Float32Array, dims: readonly number[]): OrtTensor;
  tensor(type: 'int64', data: BigInt64Array, dims: readonly number[]): OrtTensor;
}

/** Bytes held by a tensor's CPU data (0 for GPU-resident tensors), for cache accounting. */
export function tensorBytes(t: OrtTensor): number {
  const d = t.data as { byteLength?: number } | undefined;
  return typeof d?.byteLength === 'number' ? d.byteLength : 0;
}

export function floatData(t: OrtTensor): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new Error(`expected float32 output, got ${t.type}`);
  return t.data;
}
