// Test helpers for the Node-side engine tests: the tiny bundles made by the real Python toolchain
// (src/engine/testing/make_tiny_bundle.py, into git-ignored models/build/tiny, built by Vitest's global
// setup before any test) and synthetic scans.
import { existsSync } from 'node:fs';
import type { Scan } from '../scan/types';
import { tinyBundles, TINY } from '../engine/testing/python';

export { TINY };

/** Whether the tiny bundles are there; when not, skip with pythonSkipReason (which fails under CI). */
export function ensureTinyBundles(): boolean {
  return existsSync(tinyBundles.output);
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
