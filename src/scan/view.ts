// Display and inspection helpers over a Scan: frame views, window/level to 8-bit RGBA, statistics.
import type { PixelArray, Scan, WindowLevel } from './types';

/** The samples of frame f (a view, not a copy): width*height*channels values. */
export function frameView(scan: Scan, f: number): PixelArray {
  if (!Number.isInteger(f) || f < 0 || f >= scan.frames) throw new RangeError(`frame ${f} is outside 0..${scan.frames - 1}`);
  const n = scan.width * scan.height * scan.channels;
  return scan.data.subarray(f * n, (f + 1) * n);
}

/**
 * Renders frame f to RGBA with the DICOM linear window (PS3.3 C.11.2.1.2): values below
 * center - width/2 go black, above center + width/2 white. MONOCHROME1 is inverted. RGB(A) data passes
 * through (clamped to 0..255); alpha is kept for RGBA.
 */
export function windowLevelToRGBA(scan: Scan, frame: number, window: WindowLevel, out?: Uint8ClampedArray): Uint8ClampedArray {
  const src = frameView(scan, frame);
  const px = scan.width * scan.height;
  const dst = out && out.length >= px * 4 ? out : new Uint8ClampedArray(px * 4);
  if (scan.channels === 1) {
    const w = Math.max(window.width, 1);
    const lo = window.center - 0.5 - (w - 1) / 2;
    const scale = 255 / (w - 1 || 1);
    const invert = scan.photometric === 'MONOCHROME1';
    for (let i = 0; i < px; i++) {
      let v = (src[i] - lo) * scale;
      v = v < 0 ? 0 : v > 255 ? 255 : v;
      if (invert) v = 255 - v;
      const o = i * 4;
      dst[o] = dst[o + 1] = dst[o + 2] = v;
      dst[o + 3] = 255;
    }
    return dst;
  }
  const c = scan.channels;
  for (let i = 0; i < px; i++) {
    const o = i * 4;
    dst[o] = src[i * c];
    dst[o + 1] = src[i * c + 1];
    dst[o + 2] = src[i * c + 2];
    dst[o + 3] = c === 4 ? src[i * c + 3] : 255;
  }
  return dst;
}

export interface ScanStats {
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Finite values counted. */
  count: number;
  /** NaN or infinite values skipped. */
  nonFinite: number;
  /** 0.5th and 99.5th percentiles (from a 1024-bin histogram): a robust default window. */
  p005: number;
  p995: number;
}

/** Statistics of one frame, or of the whole scan when `frame` is omitted. Colour samples count individually. */
export function scanStats(scan: Scan, frame?: number): ScanStats {
  const src = frame === undefined ? scan.data : frameView(scan, frame);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sum2 = 0;
  let count = 0;
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sum2 += v * v;
    count++;
  }
  if (!count) return { min: 0, max: 0, mean: 0, std: 0, count: 0, nonFinite: src.length, p005: 0, p995: 0 };
  const mean = sum / count;
  const bins = new Uint32Array(1024);
  const span = max - min || 1;
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (Number.isFinite(v)) bins[Math.min(1023, Math.floor(((v - min) / span) * 1024))]++;
  }
  const at = (q: number): number => {
    let acc = 0;
    for (let b = 0; b < 1024; b++) {
      acc += bins[b];
      if (acc >= q * count) return min + (b / 1024) * span;
    }
    return max;
  };
  return { min, max, mean, std: Math.sqrt(Math.max(0, sum2 / count - mean * mean)), count, nonFinite: src.length - count, p005: at(0.005), p995: Math.min(max, at(0.995) + span / 1024) };
}
