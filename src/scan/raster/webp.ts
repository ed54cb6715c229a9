// WebP reader: the size comes from the RIFF header (checked before decoding); pixels from libwebp
// compiled to WebAssembly (@cwasm/webp, 95 KB, MIT), instantiated through Vite's `?init` import so the
// same code runs in the browser, in workers and in Node (vitest). Loaded on first use only.
import { finishScan } from '../build';
import { checkDims, type Limits } from '../limits';
import { ScanReadError, type Scan } from '../types';
import { alphaOpaque, dropChannels } from './bits';

export function webpSize(b: Uint8Array): { width: number; height: number } {
  if (b.length < 30) throw new ScanReadError('The WebP file is truncated: its header is incomplete.', 'truncated');
  const riffSize = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0;
  if (riffSize + 8 > b.length) throw new ScanReadError('The WebP file is truncated: it is shorter than its RIFF header says.', 'truncated');
  const chunk = String.fromCharCode(b[12], b[13], b[14], b[15]);
  if (chunk === 'VP8X') return { width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)), height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)) };
  if (chunk === 'VP8L') {
    const v = (b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)) >>> 0;
    return { width: 1 + (v & 0x3fff), height: 1 + ((v >>> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') return { width: (b[26] | (b[27] << 8)) & 0x3fff, height: (b[28] | (b[29] << 8)) & 0x3fff };
  throw new ScanReadError(`The WebP file is corrupt (unknown chunk "${chunk}").`, 'corrupt');
}

interface LibWebp {
  memory: WebAssembly.Memory;
  malloc(n: number): number;
  free(p: number): void;
  WebPDecodeRGBA(data: number, size: number, width: number, height: number): number;
}

let lib: Promise<LibWebp> | undefined;

function libwebp(): Promise<LibWebp> {
  const fail = (): never => {
    throw new Error('libwebp called a system function');
  };
  lib ??= import('@cwasm/webp/webp.wasm?init')
    .then((m) => m.default({ wasi_snapshot_preview1: { fd_close: fail, fd_seek: fail, fd_write: fail } }))
    .then((instance) => instance.exports as unknown as LibWebp);
  lib.catch(() => (lib = undefined));
  return lib;
}

/** Decodes to RGBA with libwebp; every pointer is freed, whatever happens. */
async function decodeRgba(b: Uint8Array): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  let w: LibWebp;
  try {
    w = await libwebp();
  } catch (e) {
    throw new ScanReadError(`The WebP decoder could not be loaded: ${(e as Error).message}.`, 'unsupported');
  }
  const input = w.malloc(b.length);
  const meta = w.malloc(8);
  try {
    return decodeIn(w, b, input, meta);
  } catch (e) {
    if (e instanceof ScanReadError) throw e;
    lib = undefined; // a trapped WASM instance may have a broken heap: start afresh next time
    throw new ScanReadError(`The WebP file is corrupt (${(e as Error).message}).`, 'corrupt');
  } finally {
    try {
      w.free(input);
      w.free(meta);
    } catch {
      lib = undefined;
    }
  }
}


function decodeIn(w: LibWebp, b: Uint8Array, input: number, meta: number): { width: number; height: number; rgba: Uint8Array } {
  new Uint8Array(w.memory.buffer, input, b.length).set(b);
  const out = w.WebPDecodeRGBA(input, b.length, meta, meta + 4);
  if (!out) throw new ScanReadError('The WebP file is corrupt or animated (only still WebP images are supported).', 'corrupt');
  const [width, height] = new Uint32Array(w.memory.buffer, meta, 2);
  const rgba = new Uint8Array(w.memory.buffer, out, width * height * 4).slice();
  w.free(out);
  return { width, height, rgba };
}

export async function readWebp(name: string, b: Uint8Array, limits: Limits): Promise<Scan> {
  const { width, height } = webpSize(b);
  checkDims('WebP', width, height, 1, 4, limits);
  const d = await decodeRgba(b);
  if (d.width !== width || d.height !== height) throw new ScanReadError('The WebP file is corrupt: its header and image sizes differ.', 'corrupt');
  const opaque = alphaOpaque(d.rgba, 255);
  const data = opaque ? dropChannels(d.rgba, 4, 3, (n) => new Uint8Array(n)) : d.rgba;
  const channels = opaque ? 3 : 4;
  return finishScan({ name, format: 'webp', width, height, frames: 1, shape: [width, height, channels], channels, data, metadata: { colorMode: opaque ? 'RGB' : 'RGBA' } });
}
