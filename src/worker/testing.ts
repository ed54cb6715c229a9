// Test helpers for the Node-side engine tests: the tiny bundles made by the real Python toolchain
// (src/engine/testing/make_tiny_bundle.py, into git-ignored models/build/tiny, built by Vitest's global
// setup before any test) and synthetic scans.
import { existsSync } from 'node:fs';
import type { Scan } from '../scan/types';
import type { CacheLike } from './modelStore';
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

/** Cache Storage stand-in for the model store's tests in Node (a Map of bodies and headers). */
export class MemoryCache implements CacheLike {
  readonly map = new Map<string, { body: Uint8Array; headers: Headers }>();
  async match(key: string) {
    const e = this.map.get(key);
    return e ? new Response(e.body.slice() as Uint8Array<ArrayBuffer>, { headers: e.headers }) : undefined;
  }
  async put(key: string, res: Response) {
    this.map.set(key, { body: new Uint8Array(await res.arrayBuffer()), headers: res.headers });
  }
  async delete(key: string) {
    return this.map.delete(key);
  }
  async keys() {
    return [...this.map.keys()].map((url) => ({ url }));
  }
}
