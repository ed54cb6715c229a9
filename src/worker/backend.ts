// Backend choice, with the reason shown to the user: WebGPU when an adapter exists (fp16 variants when it
// has shader-f16), else multithreaded WASM when cross-origin isolated, else single-threaded WASM.
import type { BackendInfo, BackendPreference } from './protocol';

interface GpuAdapterLike {
  features: { has(name: string): boolean };
  info?: { vendor?: string; architecture?: string };
}

export interface BackendEnv {
  gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> };
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
}

export function currentEnv(): BackendEnv {
  const nav = globalThis.navigator as Navigator & { gpu?: BackendEnv['gpu'] };
  return {
    gpu: nav?.gpu,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: nav?.hardwareConcurrency ?? 1,
  };
}

export function wasmThreads(env: BackendEnv, requested?: number): { threads: number; why: string } {
  if (!env.crossOriginIsolated) return { threads: 1, why: 'page is not cross-origin isolated, so WASM runs single-threaded' };
  const threads = Math.max(1, Math.min(requested ?? Math.min(env.hardwareConcurrency, 4), env.hardwareConcurrency || 1));
  return { threads, why: `cross-origin isolated: WASM with ${threads} thread${threads > 1 ? 's' : ''}` };
}

export async function chooseBackend(pref: BackendPreference, env: BackendEnv, requestedThreads?: number): Promise<BackendInfo> {
  const { threads, why } = wasmThreads(env, requestedThreads);
  const wasm = (prefix: string): BackendInfo => ({
    backend: 'wasm',
    reason: `${prefix}${why}`,
    threads,
    shaderF16: false,
    crossOriginIsolated: env.crossOriginIsolated,
  });
  if (pref === 'wasm') return wasm('WASM requested; ');
  if (!env.gpu) return wasm('no WebGPU in this browser; ');
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await env.gpu.requestAdapter();
  } catch {
    adapter = null;
  }
  if (!adapter) return wasm('WebGPU has no adapter (GPU blocked or absent); ');
  const f16 = adapter.features.has('shader-f16');
  const name = [adapter.info?.vendor, adapter.info?.architecture].filter(Boolean).join(' ');
  return {
    backend: 'webgpu',
    reason: `WebGPU adapter${name ? ` (${name})` : ''}${f16 ? ' with shader-f16: fp16 graphs' : ' without shader-f16: fp32 graphs'}`,
    threads,
    shaderF16: f16,
    crossOriginIsolated: env.crossOriginIsolated,
  };
}
