// Node side of the engine: onnxruntime-node as an OrtRuntime and a file-system BundleSource.
// Used by the Node tests and the command-line tool (scripts/bench-node.ts); never bundled for the browser.
import * as ort from 'onnxruntime-node';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundleSource } from '../engine/bundle';
import type { OrtRuntime, OrtSession, OrtSessionOptions, OrtTensor } from '../engine/runtime';

export function nodeRuntime(defaults: OrtSessionOptions = {}): OrtRuntime {
  return {
    async createSession(model: Uint8Array, options: OrtSessionOptions): Promise<OrtSession> {
      const opts = { ...defaults, ...options } as ort.InferenceSession.SessionOptions;
      return (await ort.InferenceSession.create(model, opts)) as unknown as OrtSession;
    },
    tensor(type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: readonly number[]): OrtTensor {
      return new ort.Tensor(type, data, dims);
    },
  } as OrtRuntime;
}

export function fsSource(dir: string): BundleSource {
  return {
    label: dir,
    async read(path: string): Promise<Uint8Array> {
      return new Uint8Array(await readFile(join(dir, path)));
    },
  };
}
