// Backend choice, with the reason shown to the user: WebGPU when a hardware adapter exists (fp16 variants
// when it has shader-f16), else multithreaded WASM when cross-origin isolated, else single-threaded WASM.
// A software/fallback WebGPU adapter (SwiftShader, llvmpipe, WARP: what Chromium offers without a GPU) is
// 20-100x slower than WASM on the CPU, so 'auto' never picks it; 'webgpu' (the user asked) still does.
// Also: which graphs of a WebGPU variant stay on the WASM execution provider.
import type { BackendName, GraphRole, VariantSpec } from '../engine/manifest';
import type { OrtSessionOptions } from '../engine/runtime';
import type { BackendInfo, BackendPreference } from './protocol';

export interface GpuAdapterLike {
  features: { has(name: string): boolean };
  info?: { vendor?: string; architecture?: string; description?: string; device?: string; isFallbackAdapter?: boolean };
  /** Older Chromium: on the adapter itself (newer: adapter.info.isFallbackAdapter). */
  isFallbackAdapter?: boolean;
}

/** Names of software WebGPU implementations, as adapter.info reports them. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render|\bwarp\b/i;

/** What the adapter is: its name for people, and whether it is a software (CPU-emulated) adapter. */
export function describeAdapter(adapter: GpuAdapterLike): { name: string; software: boolean } {
  const i = adapter.info ?? {};
  const name = [i.vendor, i.architecture, i.description || i.device].filter(Boolean).join(' ').trim();
  const software = adapter.isFallbackAdapter === true || i.isFallbackAdapter === true || SOFTWARE.test(name);
  return { name, software };
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
  const { name, software } = describeAdapter(adapter);
  if (software && pref === 'auto') {
    return { ...wasm(`WebGPU is only a software adapter here${name ? ` (${name})` : ''}, emulated on the CPU and much slower than WASM; `), softwareGpu: true };
  }
  return {
    backend: 'webgpu',
    reason: `${software ? 'software ' : ''}WebGPU adapter${name ? ` (${name})` : ''}${f16 ? ' with shader-f16: fp16 graphs' : ' without shader-f16: fp32 graphs'}${software ? ' (requested; slower than WASM)' : ''}`,
    threads,
    softwareGpu: software,
    shaderF16: f16,
    crossOriginIsolated: env.crossOriginIsolated,
  };
}

/** Graphs of a variant that run on the WASM execution provider although the backend is WebGPU: the int8
 * ones (dynamic quantisation: DynamicQuantizeLinear, MatMulInteger, uint8 Gather + DequantizeLinear).
 * onnxruntime-web 1.30's WebGPU EP computed them wrongly (the compact model's int8 text graph: text
 * embeddings off by 14.8 on a scale of 16.5, masks empty; e2e/webgpu.spec.ts), and they are the small,
 * cheap graphs of a split model anyway; fp32 and fp16 graphs run on the GPU. */
export function wasmOnlyGraphs(backend: BackendName, variant: VariantSpec): GraphRole[] {
  if (backend !== 'webgpu') return [];
  return (Object.entries(variant.graphs) as [GraphRole, { precision: string }][])
    .filter(([, g]) => g.precision === 'int8' || g.precision === 'uint8')
    .map(([role]) => role);
}

/** onnxruntime-web session options for one graph (merged over the runtime's defaults). */
export function graphSessionOptions(backend: BackendName, variant: VariantSpec, role: GraphRole): OrtSessionOptions {
  return wasmOnlyGraphs(backend, variant).includes(role) ? { executionProviders: ['wasm'] } : {};
}
