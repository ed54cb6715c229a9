// Preprocessing: 8-bit conversion (identity for 8-bit RGB, window/level and MONOCHROME1 for wider data,
// frames), colour handling, letterbox box and normalisation, and postprocess's crop back to the scan.
import { describe, expect, it } from 'vitest';
import type { Scan } from '../scan/types';
import type { Manifest } from './manifest';
import { postprocess, threshold } from './postprocess';
import { preprocess, scanToRgb8 } from './preprocess';

function scan(p: Partial<Scan>): Scan {
  return {
    name: 't', format: 'png', width: 2, height: 1, frames: 1, shape: [2, 1], channels: 1, dtype: 'uint8', data: new Uint8Array(2),
    spacing: [1, 1, 1], spacingKnown: false, photometric: 'MONOCHROME2', window: { center: 128, width: 256 }, range: [0, 255], metadata: {}, ...p,
  };
}

const input = (p: Partial<Manifest['input']> = {}): Manifest['input'] => ({
  size: [4, 4], mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', colour: 'rgb', scale: 1, ...p,
});

describe('scanToRgb8', () => {
  it('passes 8-bit data through and replicates grey, dropping alpha', () => {
    expect(Array.from(scanToRgb8(scan({ data: Uint8Array.from([0, 255]) })))).toEqual([0, 0, 0, 255, 255, 255]);
    const rgba = scan({ channels: 4, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), photometric: 'RGB' });
    expect(Array.from(scanToRgb8(rgba))).toEqual([1, 2, 3, 5, 6, 7]);
  });

  it('applies the current window to wide data, inverts MONOCHROME1, picks the frame', () => {
    const ct = scan({ dtype: 'int16', data: Int16Array.from([-1000, 40, 0, 80]), frames: 2, format: 'dicom', window: { center: 40, width: 80 } });
    expect(Array.from(scanToRgb8(ct)).filter((_, i) => i % 3 === 0)).toEqual([0, 127]);
    expect(Array.from(scanToRgb8(ct, { frame: 1 })).filter((_, i) => i % 3 === 0)).toEqual([0, 255]);
    expect(Array.from(scanToRgb8(ct, { window: { center: 0, width: 2000 } })).filter((_, i) => i % 3 === 0)).toEqual([0, 132]);
    const m1 = scan({ dtype: 'uint16', data: Uint16Array.from([0, 100]), photometric: 'MONOCHROME1', window: { center: 50, width: 100 } });
    expect(Array.from(scanToRgb8(m1)).filter((_, i) => i % 3 === 0)).toEqual([255, 0]);
  });
});

describe('preprocess / postprocess', () => {
  it('normalises planar CHW with scale/mean/std', () => {
    const s = scan({ width: 4, height: 4, channels: 3, photometric: 'RGB', data: new Uint8Array(48).fill(10) });
    const p = preprocess(s, input({ mean: [1, 2, 3], std: [1, 2, 4], scale: 1 }));
    expect(p.dims).toEqual([1, 3, 4, 4]);
    expect([p.pixelValues[0], p.pixelValues[16], p.pixelValues[32]]).toEqual([9, 4, 1.75]);
  });

  it('converts colour to luma for grey-to-rgb models', () => {
    const s = scan({ width: 4, height: 4, channels: 3, photometric: 'RGB', data: Uint8Array.from({ length: 48 }, (_, i) => (i % 3 === 0 ? 255 : 0)) });
    const p = preprocess(s, input({ colour: 'grey-to-rgb' }));
    expect([p.pixelValues[0], p.pixelValues[16], p.pixelValues[32]]).toEqual([76, 76, 76]);
  });

  it('letterboxes keeping the aspect ratio and crops it away again', () => {
    const s = scan({ width: 8, height: 4, channels: 1, data: new Uint8Array(32).fill(200) });
    const p = preprocess(s, input({ resize: 'letterbox' }));
    expect(p.box).toEqual({ x: 0, y: 1, width: 4, height: 2 });
    expect(p.pixelValues[0]).toBe(0); // padding row
    expect(p.pixelValues[4]).toBe(200);
    const logits = Float32Array.from({ length: 16 }, (_, i) => (i >= 4 && i < 12 ? 10 : -10));
    const prob = postprocess({ logits, outWidth: 4, outHeight: 4, inputSize: [4, 4], box: p.box, scanWidth: 8, scanHeight: 4, activation: 'sigmoid' });
    expect(prob.length).toBe(32);
    expect(Array.from(threshold(prob, 0.5)).every((v) => v === 1)).toBe(true);
  });
});
