// Window/level: auto window, presets, drag, pixel read-out.
import { describe, expect, it } from 'vitest';
import type { Scan } from '../scan/types';
import { autoWindow, dragWindow, formatWindow, pixelValue, presetsFor, presetWindow } from './windowing';

function scan(data: number[], w: number, h: number, frames = 1, channels: 1 | 3 = 1): Scan {
  const arr = Float32Array.from(data);
  let min = Infinity;
  let max = -Infinity;
  for (const v of arr) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return {
    name: 't', format: 'dicom', width: w, height: h, frames, shape: [w, h], channels, dtype: 'float32', data: arr,
    spacing: [1, 1, 1], spacingKnown: false, photometric: channels === 1 ? 'MONOCHROME2' : 'RGB',
    window: { center: 7, width: 3 }, range: [min, max], metadata: {},
  };
}

describe('windowing', () => {
  it('auto window ignores outliers beyond the 1st/99th percentile', () => {
    const data = Array.from({ length: 1000 }, (_, i) => (i < 5 ? -5000 : i > 994 ? 9000 : (i % 100)));
    const w = autoWindow(scan(data, 100, 10), 0);
    expect(w.center - w.width / 2).toBeGreaterThan(-100);
    expect(w.center + w.width / 2).toBeLessThan(200);
    expect(w.width).toBeGreaterThan(50);
  });

  it('auto window reads the requested frame only', () => {
    const data = [...Array(100).fill(0).map((_, i) => i), ...Array(100).fill(0).map((_, i) => 1000 + i)];
    const w1 = autoWindow(scan(data, 10, 10, 2), 1);
    expect(w1.center).toBeGreaterThan(1000);
  });

  it('constant images get a non-zero width', () => {
    expect(autoWindow(scan([4, 4, 4, 4], 2, 2), 0).width).toBeGreaterThan(0);
  });

  it('presets: CT presets only for medical formats; file default is the scan window', () => {
    const s = scan([0, 1, 2, 3], 2, 2);
    expect(presetsFor(s).map((p) => p.id)).toContain('ct-lung');
    expect(presetsFor({ format: 'png' }).map((p) => p.id)).toEqual(['file', 'auto']);
    expect(presetWindow('file', s, 0)).toEqual({ center: 7, width: 3 });
    expect(presetWindow('ct-lung', s, 0)).toEqual({ center: -600, width: 1500 });
  });

  it('drag changes width horizontally and level vertically, never below a minimum width', () => {
    const w = dragWindow({ center: 100, width: 200 }, 10, 0, [0, 512]);
    expect(w.width).toBe(210);
    expect(w.center).toBe(100);
    expect(dragWindow({ center: 100, width: 200 }, 0, 10, [0, 512]).center).toBe(90);
    expect(dragWindow({ center: 100, width: 200 }, -10000, 0, [0, 512]).width).toBeGreaterThan(0);
  });

  it('reads grey and RGB pixel values in the right frame', () => {
    const s = scan([1, 2, 3, 4, 5.5, 6, 7, 8], 2, 2, 2);
    expect(pixelValue(s, 0, 1, 1)).toBe('4');
    expect(pixelValue(s, 1, 0, 0)).toBe('5.5');
    const rgb = scan([10, 20, 30, 40, 50, 60], 2, 1, 1, 3);
    expect(pixelValue(rgb, 0, 1, 0)).toBe('40, 50, 60');
    expect(formatWindow({ center: -600, width: 1500 })).toBe('W 1500 / L -600');
  });
});
