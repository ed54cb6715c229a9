// Backend choice and its reasons.
import { describe, expect, it } from 'vitest';
import { chooseBackend } from './backend';

const adapter = (f16: boolean) => ({ features: { has: (n: string) => f16 && n === 'shader-f16' }, info: { vendor: 'acme' } });

describe('chooseBackend', () => {
  it('prefers WebGPU with an adapter, fp16 only with shader-f16', async () => {
    const b = await chooseBackend('auto', { gpu: { requestAdapter: async () => adapter(true) }, crossOriginIsolated: true, hardwareConcurrency: 8 });
    expect(b).toMatchObject({ backend: 'webgpu', shaderF16: true });
    expect(b.reason).toMatch(/acme.*shader-f16/);
    const c = await chooseBackend('auto', { gpu: { requestAdapter: async () => adapter(false) }, crossOriginIsolated: true, hardwareConcurrency: 8 });
    expect(c).toMatchObject({ backend: 'webgpu', shaderF16: false });
  });

  it('falls back to threaded WASM when isolated, single-threaded otherwise', async () => {
    const a = await chooseBackend('auto', { gpu: { requestAdapter: async () => null }, crossOriginIsolated: true, hardwareConcurrency: 2 });
    expect(a).toMatchObject({ backend: 'wasm', threads: 2 });
    expect(a.reason).toMatch(/no adapter.*2 threads/);
    const b = await chooseBackend('auto', { crossOriginIsolated: false, hardwareConcurrency: 8 });
    expect(b).toMatchObject({ backend: 'wasm', threads: 1 });
    expect(b.reason).toMatch(/not cross-origin isolated/);
    const c = await chooseBackend('wasm', { gpu: { requestAdapter: async () => adapter(true) }, crossOriginIsolated: true, hardwareConcurrency: 16 }, 2);
    expect(c).toMatchObject({ backend: 'wasm', threads: 2 });
    const d = await chooseBackend('wasm', { crossOriginIsolated: true, hardwareConcurrency: 16 });
    expect(d.threads).toBe(4);
  });
});
