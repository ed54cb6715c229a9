// Backend choice and its reasons.
import { describe, expect, it } from 'vitest';
import type { VariantSpec } from '../engine/manifest';
import { chooseBackend, describeAdapter, graphSessionOptions, wasmOnlyGraphs } from './backend';

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

describe('software WebGPU adapters', () => {
  const swiftshader = { features: { has: () => false }, info: { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader device (Subzero)' } };
  const env = (a: object) => ({ gpu: { requestAdapter: async () => a as never }, crossOriginIsolated: true, hardwareConcurrency: 2 });

  it('automatic never picks a software adapter: WASM, and the reason says why', async () => {
    const b = await chooseBackend('auto', env(swiftshader));
    expect(b).toMatchObject({ backend: 'wasm', threads: 2, softwareGpu: true });
    expect(b.reason).toMatch(/software adapter.*swiftshader.*slower than WASM.*2 threads/i);
    // flagged by the browser, whatever its name
    const flagged = await chooseBackend('auto', env({ features: { has: () => false }, info: { vendor: 'x', isFallbackAdapter: true } }));
    expect(flagged.backend).toBe('wasm');
    const legacy = await chooseBackend('auto', env({ features: { has: () => false }, isFallbackAdapter: true }));
    expect(legacy.backend).toBe('wasm');
    const llvm = await chooseBackend('auto', env({ features: { has: () => false }, info: { vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' } }));
    expect(llvm.backend).toBe('wasm');
  });

  it('a hardware adapter is not taken for software; WebGPU asked for explicitly is used even in software', async () => {
    expect(describeAdapter({ features: { has: () => false }, info: { vendor: 'nvidia', architecture: 'ampere' } })).toEqual({ name: 'nvidia ampere', software: false });
    const forced = await chooseBackend('webgpu', env(swiftshader));
    expect(forced).toMatchObject({ backend: 'webgpu', softwareGpu: true });
    expect(forced.reason).toMatch(/^software WebGPU adapter .*requested; slower than WASM/);
  });
});

describe('graphs kept on the WASM EP under WebGPU', () => {
  const graph = (precision: 'fp32' | 'int8' | 'fp16') => ({ file: `${precision}.onnx`, precision, inputs: [], outputs: [] });
  const variant: VariantSpec = { name: 'wasm', backends: ['wasm', 'webgpu'], graphs: { vision: graph('fp32'), text: graph('int8'), decoder: graph('fp32') } };

  it('int8 graphs run on WASM with WebGPU; nothing changes on WASM or for fp16/fp32 graphs', () => {
    expect(wasmOnlyGraphs('webgpu', variant)).toEqual(['text']);
    expect(graphSessionOptions('webgpu', variant, 'text')).toEqual({ executionProviders: ['wasm'] });
    expect(graphSessionOptions('webgpu', variant, 'vision')).toEqual({});
    expect(wasmOnlyGraphs('wasm', variant)).toEqual([]);
    expect(graphSessionOptions('wasm', variant, 'text')).toEqual({});
    const f16: VariantSpec = { name: 'webgpu-fp16', backends: ['webgpu'], graphs: { vision: graph('fp16'), text: graph('fp16'), decoder: graph('fp16') } };
    expect(wasmOnlyGraphs('webgpu', f16)).toEqual([]);
  });
});
