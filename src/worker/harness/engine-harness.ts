// Test and benchmark page for the inference worker alone (no app shell): exposes window.__vlsmEngine so
// Playwright (e2e/engine*.spec.ts, scripts/bench.mjs) can drive the real client + worker + onnxruntime-web.
import type { Scan } from '../../scan/types';
import { InferenceClient } from '../client';
import { webRuntime } from '../webRuntime';
import type { BundleRef, LoadModelOptions, SegmentResult } from '../client';

export interface SegmentSummary {
  width: number;
  height: number;
  timings: SegmentResult['timings'];
  cache: SegmentResult['cache'];
  backend: string;
  variant: string;
  modelId: string;
  /** Fraction of pixels at or above the threshold, and the mean probability. */
  foreground: number;
  mean: number;
  wallMs: number;
}

/** A run's summary; `bits`, when given, receives its thresholded mask (1 at or above the threshold). */
function summarise(r: SegmentResult, wallMs: number, bits?: Uint8Array): SegmentSummary {
  let fg = 0;
  let sum = 0;
  r.probabilities.forEach((p, i) => {
    sum += p;
    if (p >= r.threshold) {
      fg++;
      if (bits) bits[i] = 1;
    }
  });
  const n = r.probabilities.length;
  return { width: r.width, height: r.height, timings: r.timings, cache: r.cache, backend: r.backend, variant: r.variant, modelId: r.modelId, foreground: fg / n, mean: sum / n, wallMs };
}

function rgbScan(rgb: Uint8Array, width: number, height: number): Scan {
  return {
    name: 'harness', format: 'png', width, height, frames: 1, shape: [width, height], channels: 3, dtype: 'uint8', data: rgb,
    spacing: [1, 1, 1], spacingKnown: false, photometric: 'RGB', window: { center: 128, width: 256 }, range: [0, 255], metadata: {},
  };
}

async function decodeImage(bytes: Uint8Array): Promise<{ rgb: Uint8Array; width: number; height: number }> {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const rgb = new Uint8Array(bitmap.width * bitmap.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return { rgb, width: bitmap.width, height: bitmap.height };
}

let client = new InferenceClient();

const api = {
  get client() {
    return client;
  },
  restart(): void {
    client.dispose();
    client = new InferenceClient();
  },
  crossOriginIsolated: () => globalThis.crossOriginIsolated,
  load: (ref: BundleRef, opts: LoadModelOptions) => client.loadModel(ref, opts),
  async encodeSynthetic(scanId: string, width: number, height: number) {
    const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 31 + (i >> 7)) % 256);
    const t0 = performance.now();
    const r = await client.encodeImage(scanId, rgbScan(rgb, width, height));
    return { ...r, wallMs: performance.now() - t0 };
  },
  async encodeImageBytes(scanId: string, base64: string) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const img = await decodeImage(bytes);
    const t0 = performance.now();
    const r = await client.encodeImage(scanId, rgbScan(img.rgb, img.width, img.height));
    return { ...r, width: img.width, height: img.height, wallMs: performance.now() - t0 };
  },
  /** Raw interleaved RGB (base64) as a scan, for parity checks against the Python toolchain. */
  async encodeRgb(scanId: string, base64: string, width: number, height: number) {
    const rgb = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return client.encodeImage(scanId, rgbScan(rgb, width, height));
  },
  /** Full probabilities as a plain array (small scans only). */
  async probabilities(scanId: string, prompt: string): Promise<number[]> {
    return Array.from((await client.segment(scanId, prompt)).probabilities);
  },
  /** The thresholded mask (one byte per pixel, 0/1, base64) with the run's summary, to compare backends. */
  async mask(scanId: string, prompt: string): Promise<SegmentSummary & { mask: string }> {
    const t0 = performance.now();
    const r = await client.segment(scanId, prompt);
    const bits = new Uint8Array(r.probabilities.length);
    const summary = summarise(r, performance.now() - t0, bits);
    let bin = '';
    for (let i = 0; i < bits.length; i += 0x8000) bin += String.fromCharCode(...bits.subarray(i, i + 0x8000));
    return { ...summary, mask: btoa(bin) };
  },
  async segment(scanId: string, prompt: string): Promise<SegmentSummary> {
    const t0 = performance.now();
    const r = await client.segment(scanId, prompt);
    return summarise(r, performance.now() - t0);
  },
  /** Two prompts back to back on one scan: the first must reject as superseded. */
  async supersede(scanId: string): Promise<{ first: string; second: string }> {
    const a = client.segment(scanId, 'first prompt').then(() => 'resolved', (e: Error) => e.name);
    const b = client.segment(scanId, 'second prompt').then(() => 'resolved', (e: Error) => e.name);
    return { first: await a, second: await b };
  },
  /** One graph of a bundle (same-origin URL) on one execution provider of the WebGPU-capable onnxruntime-web
   * build, on this page's thread: one session, one run per feeds, the first output of each (e2e/webgpu-int8
   * checks what the WebGPU EP computes for int8 graphs, which the engine keeps on WASM: backend.ts). */
  async runGraph(url: string, ep: 'wasm' | 'webgpu', feedsList: Record<string, { type: 'int64' | 'float32'; dims: number[]; data: number[] }>[]): Promise<number[][]> {
    const rt = await webRuntime({ backend: 'webgpu', threads: 1, reason: '', shaderF16: false, crossOriginIsolated: globalThis.crossOriginIsolated });
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const session = await rt.createSession(bytes, { executionProviders: [ep] });
    try {
      const outs: number[][] = [];
      for (const feeds of feedsList) {
        const tensors = Object.fromEntries(
          Object.entries(feeds).map(([name, f]) => [
            name,
            f.type === 'int64' ? rt.tensor('int64', BigInt64Array.from(f.data, (v) => BigInt(v)), f.dims) : rt.tensor('float32', Float32Array.from(f.data), f.dims),
          ]),
        );
        const out = await session.run(tensors);
        outs.push(Array.from(out[session.outputNames[0]].data as Float32Array));
      }
      return outs;
    } finally {
      await session.release();
    }
  },
  status: () => client.status,
  /** Fires the worker's error event, as a crash (out of memory, wasm abort) would. */
  simulateCrash(): void {
    (client as unknown as { worker: Worker }).worker.dispatchEvent(new ErrorEvent('error', { message: 'simulated crash' }));
  },
};

declare global {
  interface Window {
    __vlsmEngine: typeof api;
  }
}

window.__vlsmEngine = api;
(document.querySelector('[data-testid="harness-status"]') as HTMLElement).textContent = 'ready';
