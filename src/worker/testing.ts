// Test helpers for the Node-side engine tests: the tiny bundles made by the real Python toolchain
// (src/engine/testing/make_tiny_bundle.py, into git-ignored models/build/tiny) and synthetic scans.
import type { Scan } from '../scan/types';
import { ensurePython } from '../engine/testing/python';

export const TINY = 'models/build/tiny';

/** Builds the tiny bundles once; false (with a reason from pythonSkipReason) when Python is unusable. */
export function ensureTinyBundles(): boolean {
  // done-2: wasm-int8 became all int8 (the marker's number goes up when the toolchain's output changes).
  return ensurePython('src/engine/testing/make_tiny_bundle.py', `${TINY}/done-2`, [TINY]);
}

export function rgbScan(rgb: Uint8Array, width: number, height: number, name = 'test'): Scan {
  return {
    name,
    format: 'png',
    width,
    height,
    frames: 1,
    shape: [width, height],
    channels: 3,
    dtype: 'uint8',
    data: rgb,
    spacing: [1, 1, 1],
    spacingKnown: false,
    photometric: 'RGB',
    window: { center: 128, width: 256 },
    range: [0, 255],
    metadata: {},
  };
}
