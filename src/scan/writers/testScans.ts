// Test helpers: small synthetic scans with the geometry the writers need (no shared data copied here).
import type { Mask } from '../../mask/types';
import { paintDisc } from '../../mask/paint';
import type { Scan, ScanGeometry } from '../types';

export function fakeScan(width: number, height: number, over: Partial<Scan> = {}, geometry?: ScanGeometry): Scan {
  return {
    name: 'fake', format: 'png', width, height, frames: 1, shape: [width, height], channels: 1, dtype: 'uint8',
    data: new Uint8Array(width * height), spacing: [1, 1, 1], spacingKnown: false, photometric: 'MONOCHROME2',
    window: { center: 127.5, width: 255 }, range: [0, 255], metadata: {}, geometry, ...over,
  };
}

export function blobMask(width: number, height: number, seed = 1): Mask {
  const m: Mask = { width, height, data: new Uint8Array(width * height) };
  let s = seed;
  for (let k = 0; k < 6; k++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    paintDisc(m, s % width, (s >> 9) % height, 3 + (s % 11), k === 4 ? 0 : 1);
  }
  return m;
}
