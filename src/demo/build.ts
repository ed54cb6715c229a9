// Wraps generated pixels into the common Scan type.
import type { Scan } from '../scan/types';

export function demoScan(name: string, size: number, channels: 1 | 3, data: Uint8Array, modality: string): Scan {
  let min = 255;
  let max = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return {
    name, format: 'demo', width: size, height: size, frames: 1, shape: [size, size], channels, dtype: 'uint8', data,
    spacing: [1, 1, 1], spacingKnown: false, photometric: channels === 1 ? 'MONOCHROME2' : 'RGB',
    window: { center: 127.5, width: 255 }, range: [min, max], modality, metadata: { generator: name },
  };
}
