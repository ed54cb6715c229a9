// Pixel-layout helpers shared by the raster readers: unpacking sub-byte samples, palettes, alpha.
import type { PixelArray } from '../types';

/** Unpacks MSB-first packed samples (1/2/4 bits) with byte-aligned rows of `rowBytes` into one byte per sample. */
export function unpackRows(src: Uint8Array, width: number, height: number, depth: number, rowBytes: number, offset = 0): Uint8Array {
  const out = new Uint8Array(width * height);
  const perByte = 8 / depth;
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    const row = offset + y * rowBytes;
    for (let x = 0; x < width; x++) {
      const byte = src[row + Math.floor(x / perByte)] ?? 0;
      const shift = 8 - depth * ((x % perByte) + 1);
      out[y * width + x] = (byte >> shift) & mask;
    }
  }
  return out;
}

/** Stretches samples of `depth` bits (1/2/4) to 0..255 so they display as the format intends. */
export function scaleTo8(values: Uint8Array, depth: number): Uint8Array {
  const k = 255 / ((1 << depth) - 1);
  for (let i = 0; i < values.length; i++) values[i] = Math.round(values[i] * k);
  return values;
}

export interface Expanded {
  data: Uint8Array;
  channels: 1 | 3 | 4;
}

/** Expands palette indices; a palette whose entries are all grey yields one channel. */
export function expandPalette(indices: Uint8Array, palette: ArrayLike<number>[], alpha?: ArrayLike<number>): Expanded {
  const grey = palette.every((c) => c[0] === c[1] && c[1] === c[2]);
  const hasAlpha = alpha !== undefined && Array.from(alpha).some((a, i) => i < palette.length && a < 255);
  const channels: 1 | 3 | 4 = hasAlpha ? 4 : grey ? 1 : 3;
  const out = new Uint8Array(indices.length * channels);
  for (let i = 0; i < indices.length; i++) {
    const c = palette[indices[i]] ?? [0, 0, 0];
    if (channels === 1) out[i] = c[0];
    else {
      const o = i * channels;
      out[o] = c[0];
      out[o + 1] = c[1];
      out[o + 2] = c[2];
      if (channels === 4) out[o + 3] = alpha?.[indices[i]] ?? 255;
    }
  }
  return { data: out, channels };
}

/** Keeps `keep` of every `stride` samples (e.g. drops alpha from grey+alpha or RGBA). */
export function dropChannels<T extends PixelArray>(src: T, stride: number, keep: number, make: (n: number) => T): T {
  const n = Math.floor(src.length / stride);
  const out = make(n * keep);
  for (let i = 0; i < n; i++) for (let c = 0; c < keep; c++) out[i * keep + c] = src[i * stride + c];
  return out;
}

/** True when every alpha sample (each 4th, from index 3) is at `max`. */
export function alphaOpaque(src: PixelArray, max: number): boolean {
  for (let i = 3; i < src.length; i += 4) if (src[i] !== max) return false;
  return true;
}
