// onnxruntime-web as the engine's OrtRuntime. The runtime's .wasm and its .mjs loader come from this
// origin (Vite `?url` assets, precached by the service worker), never a CDN.
import * as ort from 'onnxruntime-web';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import type { OrtRuntime, OrtSession, OrtSessionOptions, OrtTensor } from '../engine/runtime';
import type { BackendInfo } from './protocol';

/** URLs of the runtime files, for the service worker's precache and the offline test. */
export const ORT_ASSETS = { mjs: ortMjs, wasm: ortWasm };

let configured = false;

/** Sets the WASM paths and thread count once (onnxruntime-web reads them on first session creation). */
export function configureOrt(info: BackendInfo): void {
  if (!configured) {
    ort.env.wasm.wasmPaths = { mjs: new URL(ortMjs, globalThis.location.href).href, wasm: new URL(ortWasm, globalThis.location.href).href };
    ort.env.wasm.numThreads = info.threads;
    ort.env.wasm.proxy = false;
    ort.env.logLevel = 'error';
    configured = true;
  }
}

export function webRuntime(info: BackendInfo): OrtRuntime {
  configureOrt(info);
  const executionProviders = info.backend === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
  return {
    async createSession(model: Uint8Array, options: OrtSessionOptions): Promise<OrtSession> {
      const opts = { executionProviders, graphOptimizationLevel: 'all', ...options } as ort.InferenceSession.SessionOptions;
      return (await ort.InferenceSession.create(model, opts)) as unknown as OrtSession;
    },
    tensor(type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: readonly number[]): OrtTensor {
      return new ort.Tensor(type, data, dims);
    },
  } as OrtRuntime;
}
