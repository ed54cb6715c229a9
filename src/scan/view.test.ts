// Window/level rendering, frame views and statistics.
import { describe, expect, it } from 'vitest';
import { finishScan } from './build';
import { frameView, scanStats, windowLevelToRGBA } from './index';
import type { PixelArray, Scan } from './types';

const grey = (data: PixelArray, frames = 1, photometric: Scan['photometric'] = 'MONOCHROME2'): Scan =>
  finishScan({ name: 't', format: 'demo', width: data.length / frames, height: 1, frames, shape: [data.length / frames, 1, frames], channels: 1, data, photometric });

describe('windowLevelToRGBA', () => {
  it('maps center-width/2 to black and center+width/2 to white (DICOM linear)', () => {
    const s = grey(Int16Array.from([-1000, 0, 100, 200, 3000]));
    const rgba = windowLevelToRGBA(s, 0, { center: 100, width: 200 });
    expect(Array.from(rgba.filter((_, i) => i % 4 === 0))).toEqual([0, 0, 128, 255, 255]);
    expect(rgba[3]).toBe(255);
  });
  it('inverts MONOCHROME1', () => {
    const s = grey(Uint16Array.from([0, 1023]), 1, 'MONOCHROME1');
    const rgba = windowLevelToRGBA(s, 0, { center: 512, width: 1024 });
    expect([rgba[0], rgba[4]]).toEqual([255, 0]);
  });
  it('passes RGB through and keeps RGBA alpha; reuses the output buffer', () => {
    const rgb = finishScan({ name: 'c', format: 'demo', width: 2, height: 1, frames: 1, shape: [2, 1, 3], channels: 3, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
    const out = new Uint8ClampedArray(8);
    const r = windowLevelToRGBA(rgb, 0, { center: 0, width: 1 }, out);
    expect(r).toBe(out);
    expect(Array.from(r)).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
    const rgba = finishScan({ name: 'a', format: 'demo', width: 1, height: 1, frames: 1, shape: [1, 1, 4], channels: 4, data: Uint8Array.from([9, 8, 7, 50]) });
    expect(Array.from(windowLevelToRGBA(rgba, 0, rgba.window))).toEqual([9, 8, 7, 50]);
  });
  it('renders the requested frame', () => {
    const s = grey(Uint8Array.from([0, 0, 255, 255]), 2);
    expect(Array.from(windowLevelToRGBA(s, 1, { center: 128, width: 256 }).filter((_, i) => i % 4 === 0))).toEqual([255, 255]);
  });
});

describe('frameView and scanStats', () => {
  it('frameView is a view of one frame and checks bounds', () => {
    const s = grey(Uint8Array.from([1, 2, 3, 4, 5, 6]), 3);
    expect(Array.from(frameView(s, 2))).toEqual([5, 6]);
    expect(frameView(s, 1).buffer).toBe(s.data.buffer);
    expect(() => frameView(s, 3)).toThrow(RangeError);
  });
  it('scanStats skips NaN and gives robust percentiles', () => {
    const data = new Float32Array(1000).map((_, i) => i);
    data[5] = NaN;
    const st = scanStats(grey(data));
    expect([st.min, st.max, st.count, st.nonFinite]).toEqual([0, 999, 999, 1]);
    expect(st.mean).toBeCloseTo(499.5, 0);
    expect(st.p005).toBeLessThan(10);
    expect(st.p995).toBeGreaterThan(990);
    expect(scanStats(grey(Uint8Array.from([1, 2, 3, 4]), 2), 1).mean).toBe(3.5);
  });
  it('default window: identity for 8-bit, data range otherwise', () => {
    expect(grey(Uint8Array.from([10, 20])).window).toEqual({ center: 128, width: 256 });
    expect(grey(Int16Array.from([-100, 300])).window).toEqual({ center: 100, width: 400 });
  });
});
