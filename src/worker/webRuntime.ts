// onnxruntime-web as the engine's OrtRuntime. The runtime's .wasm and its .mjs loader come from this
// origin (Vite `?url` assets, precached by the service worker), never a CDN.
//
// Two builds, loaded on demand by the backend actually chosen, since compiling the WebAssembly is what
// costs (it runs in Chrome's shared worker thread pool, where it delays the page's compositor commits):
// - WASM: 'onnxruntime-web/wasm' with the plain ort-wasm-simd-threaded.wasm (about 12 MB: CPU kernels only);
// - WebGPU: 'onnxruntime-web' with the JSEP build ort-wasm-simd-threaded.jsep.wasm (about 27 MB: CPU kernels
//   plus the WebGPU execution provider), which also runs the int8 graphs kept on the WASM EP.
// Each build is a separate onnxruntime-web instance; a worker only ever loads the one its backend needs
// (both only after a WebGPU failure falls back to WASM).
// The onnxruntime-web modules themselves are `?url` assets imported by URL, not bundled chunks: Vite bundles
// each worker (inference, nested vision) on its own, so a bundled import would emit each build twice.
import type * as Ort from 'onnxruntime-web';
import ortWasmJs from 'onnxruntime-web/wasm?url';
import ortJsepJs from 'onnxruntime-web?url';
import wasmMjs from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import wasmWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import jsepMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import jsepWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import type { BackendName } from '../engine/manifest';
import type { OrtRuntime, OrtSession, OrtSessionOptions, OrtTensor } from '../engine/runtime';
import type { BackendInfo } from './protocol';

type OrtModule = typeof Ort;

/** URLs of the runtime files per build, for the service worker's precache and the offline test. */
export const ORT_ASSETS: Record<BackendName, { mjs: string; wasm: string }> = {
  wasm: { mjs: wasmMjs, wasm: wasmWasm },
  webgpu: { mjs: jsepMjs, wasm: jsepWasm },
};

const loading = new Map<BackendName, Promise<OrtModule>>();

/** The onnxruntime-web build for a backend, imported and configured once per worker (onnxruntime-web reads
 * the WASM paths and thread count on its first session creation, so the first caller's threads decide). */
export function loadOrt(info: BackendInfo): Promise<OrtModule> {
  let p = loading.get(info.backend);
  if (!p) {
    const assets = ORT_ASSETS[info.backend];
    const url = new URL(info.backend === 'webgpu' ? ortJsepJs : ortWasmJs, globalThis.location.href).href;
    p = (import(/* @vite-ignore */ url) as Promise<OrtModule>).then((ort) => {
      ort.env.wasm.wasmPaths = { mjs: new URL(assets.mjs, globalThis.location.href).href, wasm: new URL(assets.wasm, globalThis.location.href).href };
      ort.env.wasm.numThreads = info.threads;
      ort.env.wasm.proxy = false;
      ort.env.logLevel = 'error';
      return ort;
    });
    loading.set(info.backend, p);
  }
  return p;
}

export async function webRuntime(info: BackendInfo): Promise<OrtRuntime> {
  const ort = await loadOrt(info);
  const executionProviders = info.backend === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
  return {
    async createSession(model: Uint8Array, options: OrtSessionOptions): Promise<OrtSession> {
      const opts = { executionProviders, graphOptimizationLevel: 'all', ...options } as Ort.InferenceSession.SessionOptions;
      return (await ort.InferenceSession.create(model, opts)) as unknown as OrtSession;
    },
    tensor(type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: readonly number[]): OrtTensor {
      return new ort.Tensor(type, data, dims);
    },
  } as OrtRuntime;
}
