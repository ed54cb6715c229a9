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
// The plain build is compiled once for both workers: the inference worker compiles it
// (WebAssembly.compileStreaming) and posts the WebAssembly.Module to the nested vision worker; each
// instantiates it through Emscripten's `instantiateWasm` hook, which onnxruntime-web does not expose, so
// its loader is imported through a small wrapper module (a blob: URL) that adds the hook. Instances share
// the compiled code (and its tier-up), so the second worker costs no compile time in Chrome's worker pool.
import type * as Ort from 'onnxruntime-web';
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
let compiled: Promise<WebAssembly.Module> | null = null;

const abs = (url: string): string => new URL(url, globalThis.location.href).href;

/** The plain build's WebAssembly, compiled once in this worker (or shared in by shareCompiledWasm). */
export function compiledWasm(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const res = await fetch(abs(wasmWasm));
    if (!res.ok) throw new Error(`onnxruntime-web WebAssembly: HTTP ${res.status}`);
    return WebAssembly.compileStreaming(res);
  })();
  const mine = compiled;
  mine.catch(() => {
    if (compiled === mine) compiled = null; // a later load tries again
  });
  return mine;
}

/** Uses a module compiled by another worker (call before the first session). */
export function shareCompiledWasm(module: WebAssembly.Module): void {
  compiled = Promise.resolve(module);
}

type Instantiate = (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => void;

/** Emscripten's hook: instantiate the compiled module with the loader's imports. loadOrt awaits the
 * compile first, so a fetch or compile failure rejects the session creation with its own message. */
const instantiate: Instantiate = (imports, done) => {
  void compiledWasm()
    .then(async (module) => done(await WebAssembly.instantiate(module, imports), module))
    .catch((e: unknown) => console.error('onnxruntime-web: instantiating its WebAssembly failed', e));
};

/** The plain build's loader (.mjs) wrapped so that Emscripten instantiates the shared compiled module. */
function wrappedLoader(mjs: string): string {
  (globalThis as { __vlsmOrtInstantiate?: Instantiate }).__vlsmOrtInstantiate = instantiate;
  const src =
    `import factory from ${JSON.stringify(mjs)};\n` +
    `export default (config) => factory({ ...config, instantiateWasm: (imports, done) => globalThis.__vlsmOrtInstantiate(imports, done) });\n`;
  return URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
}

/** The onnxruntime-web build for a backend, imported and configured once per worker (onnxruntime-web reads
 * the WASM paths and thread count on its first session creation, so the first caller's threads decide). */
export function loadOrt(info: BackendInfo): Promise<OrtModule> {
  let p = loading.get(info.backend);
  if (!p) {
    const assets = ORT_ASSETS[info.backend];
    const imported = info.backend === 'webgpu' ? import('onnxruntime-web') : Promise.all([import('onnxruntime-web/wasm') as Promise<OrtModule>, compiledWasm()]).then(([m]) => m);
    p = imported.then((ort) => {
      const mjs = info.backend === 'wasm' ? wrappedLoader(abs(assets.mjs)) : abs(assets.mjs);
      ort.env.wasm.wasmPaths = { mjs, wasm: abs(assets.wasm) };
      ort.env.wasm.numThreads = info.threads;
      ort.env.wasm.proxy = false;
      ort.env.logLevel = 'error';
      return ort;
    });
    loading.set(info.backend, p);
    p.catch(() => loading.delete(info.backend));
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
