// PNG reader (fast-png): every colour type and depth, palette expanded, 16-bit kept, header checked first.
import { decode } from 'fast-png';
import { finishScan } from '../build';
import { checkDims, type Limits } from '../limits';
import { ScanReadError, type Scan } from '../types';
import { alphaOpaque, dropChannels, expandPalette, scaleTo8, unpackRows } from './bits';

const be32 = (b: Uint8Array, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** Walks the chunk list (bounded by the file size) so truncation is reported as such, not as a decoder crash. */
function checkChunks(b: Uint8Array): void {
  let off = 8;
  let sawIdat = false;
  while (off + 8 <= b.length) {
    const len = be32(b, off);
    const type = String.fromCharCode(b[off + 4], b[off + 5], b[off + 6], b[off + 7]);
    if (off + 12 + len > b.length) throw new ScanReadError(`The PNG file is truncated: its ${type} chunk runs past the end of the file.`, 'truncated');
    if (type === 'IDAT') sawIdat = true;
    if (type === 'IEND') {
      if (!sawIdat) throw new ScanReadError('The PNG file has no image data (no IDAT chunk).', 'corrupt');
      return;
    }
    off += 12 + len;
  }
  throw new ScanReadError('The PNG file is truncated: it ends before its IEND chunk.', 'truncated');
}

export function readPng(name: string, b: Uint8Array, limits: Limits): Scan {
  if (b.length < 33 || String.fromCharCode(b[12], b[13], b[14], b[15]) !== 'IHDR') {
    throw new ScanReadError('The PNG file is truncated or corrupt: no IHDR header.', b.length < 33 ? 'truncated' : 'corrupt');
  }
  const width = be32(b, 16);
  const height = be32(b, 20);
  const depth = b[24];
  checkDims('PNG', width, height, 1, depth === 16 ? 8 : 4, limits);
  checkChunks(b);
  let png: ReturnType<typeof decode>;
  try {
    png = decode(b, { checkCrc: true });
  } catch (e) {
    throw new ScanReadError(`The PNG file is corrupt: ${(e as Error).message}.`, 'corrupt');
  }
  const meta: Record<string, string | number> = { bitDepth: png.depth, pngChannels: png.channels };
  const base = { name, format: 'png' as const, width, height, frames: 1, metadata: meta };
  if (png.palette) {
    const idx = png.depth === 8 ? (png.data as Uint8Array) : unpackRows(png.data as Uint8Array, width, height, png.depth, Math.ceil((width * png.depth) / 8));
    const ex = expandPalette(idx, png.palette, png.transparency);
    meta.colorMode = 'palette';
    return finishScan({ ...base, shape: [width, height], channels: ex.channels, data: ex.data });
  }
  let data = png.data as Uint8Array | Uint16Array;
  if (png.depth < 8) data = scaleTo8(unpackRows(data as Uint8Array, width, height, png.depth, Math.ceil((width * png.depth) / 8)), png.depth);
  const wide = data instanceof Uint16Array;
  const make = (n: number): Uint8Array | Uint16Array => (wide ? new Uint16Array(n) : new Uint8Array(n));
  let channels: 1 | 3 | 4;
  if (png.channels === 1) channels = 1;
  else if (png.channels === 2) {
    data = dropChannels(data, 2, 1, make);
    channels = 1;
  } else if (png.channels === 3) channels = 3;
  else if (alphaOpaque(data, wide ? 65535 : 255)) {
    data = dropChannels(data, 4, 3, make);
    channels = 3;
  } else channels = 4;
  meta.colorMode = ['L', 'LA', 'RGB', 'RGBA'][png.channels - 1] ?? String(png.channels);
  return finishScan({ ...base, shape: channels === 1 ? [width, height] : [width, height, channels], channels, data });
}
