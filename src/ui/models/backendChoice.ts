// Which compute backend the model runs on, decided once per device and remembered (localStorage: this
// browser profile on this computer), and said in plain words. The user's choice ('wasm', 'webgpu') wins;
// 'auto' (the default):
//  - no WebGPU, or only a software adapter (SwiftShader and the like, what Chromium offers without a
//    GPU): the CPU (WebAssembly), decided by the worker's chooseBackend from adapter.info;
//  - a hardware adapter: a short self-test encodes a synthetic image on both backends and keeps the faster
//    one; the result is remembered for this adapter, so the test runs once per device.
import type { Scan } from '../../scan/types';
import type { InferenceClient, ModelInfo } from '../../worker/client';
import type { BackendPreference, BundleRef } from '../../worker/protocol';
import { describeAdapter, type GpuAdapterLike } from '../../worker/backend';

const PREF_KEY = 'vlsm.backendPreference';
const AUTO_KEY = 'vlsm.backendAuto';

export function backendPreference(): BackendPreference {
  const v = globalThis.localStorage?.getItem(PREF_KEY);
  return v === 'wasm' || v === 'webgpu' ? v : 'auto';
}

export function setBackendPreference(p: BackendPreference): void {
  globalThis.localStorage?.setItem(PREF_KEY, p);
}

/** The self-test's verdict for one adapter. */
export interface AutoDecision {
  adapter: string;
  backend: 'wasm' | 'webgpu';
  webgpuMs: number;
  wasmMs: number;
  at: number;
}

export function rememberedDecision(): AutoDecision | null {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(AUTO_KEY) ?? 'null') as AutoDecision | null;
    return v && (v.backend === 'wasm' || v.backend === 'webgpu') && typeof v.adapter === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function rememberDecision(d: AutoDecision | null): void {
  if (d) globalThis.localStorage?.setItem(AUTO_KEY, JSON.stringify(d));
  else globalThis.localStorage?.removeItem(AUTO_KEY);
}

/** The faster backend of a self-test; WebGPU must win clearly (10 %) to be worth its start-up cost. */
export function pickFaster(webgpuMs: number, wasmMs: number): 'wasm' | 'webgpu' {
  return Number.isFinite(webgpuMs) && webgpuMs < wasmMs * 0.9 ? 'webgpu' : 'wasm';
}

/** The hardware adapter's name on this page, or null (no WebGPU, no adapter, or a software adapter). */
export async function hardwareAdapter(): Promise<string | null> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } } | undefined)?.gpu;
  if (!gpu) return null;
  try {
    const a = await gpu.requestAdapter();
    if (!a) return null;
    const { name, software } = describeAdapter(a);
    return software ? null : name || 'WebGPU adapter';
  } catch {
    return null;
  }
}

/** A synthetic 256x256 RGB picture (smooth gradients and a disc): enough to time the image encoder. */
function testScan(): Scan {
  const n = 256;
  const data = new Uint8Array(n * n * 3);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const i = (y * n + x) * 3;
      const disc = (x - 150) ** 2 + (y - 110) ** 2 < 40 ** 2 ? 90 : 0;
      data[i] = Math.min(255, x + disc);
      data[i + 1] = y;
      data[i + 2] = (x + y) >> 1;
    }
  }
  return {
    name: 'self-test', format: 'png', width: n, height: n, frames: 1, shape: [n, n, 3], channels: 3, dtype: 'uint8', data,
    spacing: [1, 1, 1], spacingKnown: false, photometric: 'RGB', window: { center: 127.5, width: 255 }, range: [0, 255], metadata: {},
  };
}

/** Median-free, short: one warm-up encode, then the best of two (ms of the image encoder). */
async function timeEncode(client: InferenceClient, tag: string): Promise<number> {
  const scan = testScan();
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const key = `__selftest-${tag}-${i}`;
    const r = await client.encodeImage(key, scan);
    client.forgetScan(key);
    if (i > 0) best = Math.min(best, r.visionMs);
  }
  return best;
}

export interface Loaded {
  info: ModelInfo;
  /** What to tell the user about the choice, in plain words (null: the worker's reason says it). */
  note: string | null;
}

/**
 * Loads `bundle` on the backend this device should use. `auto` with a hardware GPU and no remembered verdict
 * runs the self-test (both backends, a few hundred ms each on real hardware) and remembers the result.
 */
export async function loadWithChoice(client: InferenceClient, bundle: BundleRef, pref: BackendPreference, signal?: AbortSignal): Promise<Loaded> {
  if (pref !== 'auto') return { info: await client.loadModel(bundle, { backendPreference: pref, signal }), note: null };
  const adapter = await hardwareAdapter();
  const known = rememberedDecision();
  if (adapter && known && known.adapter === adapter) {
    const info = await client.loadModel(bundle, { backendPreference: known.backend, signal });
    return { info, note: decisionNote(known) };
  }
  const first = await client.loadModel(bundle, { backendPreference: 'auto', signal });
  if (first.backend !== 'webgpu' || !adapter) return { info: first, note: null };
  // A hardware GPU: is it faster than the CPU here? (Integrated GPUs and old drivers often are not.)
  const webgpuMs = await timeEncode(client, 'webgpu').catch(() => Infinity);
  const cpu = await client.loadModel(bundle, { backendPreference: 'wasm', signal });
  const wasmMs = await timeEncode(client, 'wasm');
  const decision: AutoDecision = { adapter, backend: pickFaster(webgpuMs, wasmMs), webgpuMs, wasmMs, at: Date.now() };
  rememberDecision(decision);
  const info = decision.backend === 'webgpu' ? await client.loadModel(bundle, { backendPreference: 'webgpu', signal }) : cpu;
  return { info, note: decisionNote(decision) };
}

const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'failed');

export function decisionNote(d: AutoDecision): string {
  const faster = d.backend === 'webgpu' ? 'the graphics processor (WebGPU) was faster' : 'the CPU (WebAssembly) was as fast or faster';
  return `Chosen by a short speed test on this computer (${d.adapter}): reading an image took ${ms(d.webgpuMs)} on WebGPU and ${ms(d.wasmMs)} on the CPU, so ${faster}. Remembered for this device; change it below.`;
}

/** "CPU (WebAssembly, 2 threads)" / "GPU (WebGPU)". */
export function backendLabel(backend: string | null, threads: number | null): string {
  if (backend === 'webgpu') return 'GPU (WebGPU)';
  if (backend === 'wasm') {
    const t = threads ?? 1;
    return `CPU (WebAssembly, ${t} thread${t === 1 ? '' : 's'})`;
  }
  return 'not chosen yet';
}

/** Why this backend, in plain words, from the worker's technical reason. */
export function plainReason(backend: string | null, reason: string | null, softwareGpu: boolean, pref: BackendPreference): string {
  const r = reason ?? '';
  if (backend === 'wasm') {
    if (/^WebGPU failed/.test(r)) return 'WebGPU failed to start on this computer, so the model runs on the CPU.';
    if (pref === 'wasm') return 'You chose the CPU.';
    if (softwareGpu) {
      const name = /\(([^)]*)\)/.exec(r)?.[1];
      return `Automatic: this computer offers only a software WebGPU${name ? ` (${name})` : ''}, emulated on the CPU and many times slower, so the model runs directly on the CPU.`;
    }
    if (/no WebGPU/.test(r)) return 'Automatic: this browser has no WebGPU, so the model runs on the CPU.';
    if (/no adapter/.test(r)) return 'Automatic: WebGPU found no graphics processor (blocked or absent), so the model runs on the CPU.';
    if (/not cross-origin isolated/.test(r)) return 'The page is not isolated, so WebAssembly runs on one thread only.';
    return 'The model runs on the CPU.';
  }
  if (backend === 'webgpu') {
    if (softwareGpu) return 'You chose WebGPU, but this is a software WebGPU emulated on the CPU: slower than the CPU setting.';
    return pref === 'webgpu' ? 'You chose WebGPU.' : 'Automatic: a graphics processor with WebGPU was found.';
  }
  return '';
}
