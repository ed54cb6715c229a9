// Backend choice in plain words, and the self-test's verdict.
import { describe, expect, it } from 'vitest';
import { backendLabel, decisionNote, pickFaster, plainReason } from './backendChoice';
import { loadProgressText, durationWords } from './format';

describe('backend choice', () => {
  it('keeps WebGPU only when it is clearly faster than the CPU', () => {
    expect(pickFaster(50, 120)).toBe('webgpu');
    expect(pickFaster(115, 120)).toBe('wasm'); // within 10 %: not worth it
    expect(pickFaster(900, 120)).toBe('wasm');
    expect(pickFaster(Infinity, 120)).toBe('wasm'); // WebGPU failed its test
  });

  it('says where the model runs and why in words a clinician reads', () => {
    expect(backendLabel('wasm', 2)).toBe('CPU (WebAssembly, 2 threads)');
    expect(backendLabel('wasm', 1)).toBe('CPU (WebAssembly, 1 thread)');
    expect(backendLabel('webgpu', 4)).toBe('GPU (WebGPU)');
    const sw = 'WebGPU is only a software adapter here (google swiftshader), emulated on the CPU and much slower than WASM; cross-origin isolated: WASM with 2 threads';
    expect(plainReason('wasm', sw, true, 'auto')).toMatch(/^Automatic: this computer offers only a software WebGPU \(google swiftshader\).*CPU\.$/);
    expect(plainReason('wasm', 'WASM requested; cross-origin isolated: WASM with 2 threads', false, 'wasm')).toBe('You chose the CPU.');
    expect(plainReason('wasm', 'no WebGPU in this browser; page is not cross-origin isolated, so WASM runs single-threaded', false, 'auto')).toMatch(/no WebGPU/);
    expect(plainReason('wasm', 'WebGPU failed (x); cross-origin isolated: WASM with 2 threads', false, 'auto')).toMatch(/WebGPU failed/);
    expect(plainReason('webgpu', 'software WebGPU adapter (google swiftshader)', true, 'webgpu')).toMatch(/software WebGPU emulated on the CPU/);
    const note = decisionNote({ adapter: 'nvidia ampere', backend: 'wasm', webgpuMs: 180.4, wasmMs: 95.2, at: 0 });
    expect(note).toMatch(/180 ms on WebGPU and 95 ms on the CPU, so the CPU \(WebAssembly\) was as fast or faster/);
  });

  it('model loading in bytes and percent; durations in words', () => {
    expect(loadProgressText({ stage: 'download', loaded: 7_654_321, total: 18_500_000 })).toBe('Loading model: 7.3 MB of 18 MB (41 %)');
    expect(loadProgressText({ stage: 'session' })).toBe('Preparing the model…');
    expect(durationWords(42)).toBe('42 ms');
    expect(durationWords(912)).toBe('0.9 s');
    expect(durationWords(15_300)).toBe('15 s');
    expect(durationWords(65_000)).toBe('1 min 5 s');
  });
});
