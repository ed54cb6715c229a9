// BMP reader (hand-written; no maintained pure-JS package): 1/4/8-bit palette, 16/24/32-bit, bitfields,
// bottom-up and top-down rows. Every offset is checked against the file size before reading.
import { finishScan } from '../build';
import { checkDims, type Limits } from '../limits';
import { ScanReadError, type Scan } from '../types';
import { alphaOpaque, dropChannels, expandPalette, unpackRows } from './bits';

function maskShift(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

export function readBmp(name: string, b: Uint8Array, limits: Limits): Scan {
  if (b.length < 26) throw new ScanReadError('The BMP file is truncated: its header is incomplete.', 'truncated');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dataOffset = dv.getUint32(10, true);
  const dibSize = dv.getUint32(14, true);
  if (![12, 40, 52, 56, 64, 108, 124].includes(dibSize)) throw new ScanReadError(`The BMP header is corrupt (unknown header size ${dibSize}).`, 'corrupt');
  if (14 + dibSize > b.length) throw new ScanReadError('The BMP file is truncated: its header is incomplete.', 'truncated');
  const core = dibSize === 12;
  const width = core ? dv.getUint16(18, true) : dv.getInt32(18, true);
  const rawHeight = core ? dv.getInt16(20, true) : dv.getInt32(22, true);
  const bpp = core ? dv.getUint16(24, true) : dv.getUint16(28, true);
  const compression = core ? 0 : dv.getUint32(30, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new ScanReadError(`The BMP header is corrupt (${bpp} bits per pixel).`, 'corrupt');
  if (compression === 1 || compression === 2) throw new ScanReadError('Run-length compressed BMP files are not supported; save the image as PNG.', 'unsupported');
  if (compression !== 0 && compression !== 3 && compression !== 6) throw new ScanReadError(`This BMP compression (${compression}) is not supported; save the image as PNG.`, 'unsupported');
  checkDims('BMP', width, height, 1, 4, limits);
  const rowBytes = Math.ceil((bpp * width) / 32) * 4;
  if (dataOffset < 14 + dibSize || dataOffset > b.length) throw new ScanReadError(`The BMP pixel data offset (${dataOffset}) points outside the file.`, 'corrupt');
  if (dataOffset + rowBytes * height > b.length) throw new ScanReadError('The BMP file is truncated: its pixel rows run past the end of the file.', 'truncated');
  // Rows in display order (top first), as a view over the file.
  const rows = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    const src = dataOffset + (topDown ? y : height - 1 - y) * rowBytes;
    rows.set(b.subarray(src, src + rowBytes), y * rowBytes);
  }
  const meta = { bitDepth: bpp };
  const base = { name, format: 'bmp' as const, width, height, frames: 1, metadata: meta };
  if (bpp <= 8) {
    const entry = core ? 3 : 4;
    const palStart = 14 + dibSize + (compression === 3 && dibSize === 40 ? 12 : 0);
    const declared = core ? 0 : dv.getUint32(46, true);
    const count = Math.min(declared || 1 << bpp, 256, Math.floor((dataOffset - palStart) / entry));
    const palette: number[][] = [];
    for (let i = 0; i < count; i++) palette.push([b[palStart + i * entry + 2], b[palStart + i * entry + 1], b[palStart + i * entry]]);
    const idx = bpp === 8 ? unpackRows(rows, width, height, 8, rowBytes) : unpackRows(rows, width, height, bpp, rowBytes);
    const ex = expandPalette(idx, palette.length ? palette : [[0, 0, 0]]);
    return finishScan({ ...base, shape: ex.channels === 1 ? [width, height] : [width, height, ex.channels], channels: ex.channels, data: ex.data });
  }
  let masks: number[];
  if (compression === 3 || compression === 6) {
    const m = 54; // masks follow the 40-byte core of every header that has them
    masks = [dv.getUint32(m, true), dv.getUint32(m + 4, true), dv.getUint32(m + 8, true), dibSize >= 56 || compression === 6 ? dv.getUint32(m + 12, true) : 0];
  } else if (bpp === 16) masks = [0x7c00, 0x03e0, 0x001f, 0];
  else masks = [0xff0000, 0x00ff00, 0x0000ff, 0]; // BI_RGB: a 32-bit pixel's fourth byte is padding
  const out = new Uint8Array(width * height * 4);
  const ms = masks.map(maskShift);
  const bytesPer = bpp / 8;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * rowBytes + x * bytesPer;
      const v = bytesPer === 2 ? rows[o] | (rows[o + 1] << 8) : bytesPer === 3 ? rows[o] | (rows[o + 1] << 8) | (rows[o + 2] << 16) : (rows[o] | (rows[o + 1] << 8) | (rows[o + 2] << 16) | (rows[o + 3] << 24)) >>> 0;
      for (let c = 0; c < 4; c++) {
        const { shift, max } = ms[c];
        out[(y * width + x) * 4 + c] = max ? Math.round((((v & masks[c]) >>> shift) * 255) / max) : 255;
      }
    }
  }
  // 32-bit BMPs often carry an all-zero "alpha" byte that means nothing: treat it as opaque.
  const alphaUseless = !masks[3] || alphaOpaque(out, 255) || out.every((v, i) => i % 4 !== 3 || v === 0);
  if (alphaUseless) {
    const rgb = dropChannels(out, 4, 3, (n) => new Uint8Array(n));
    return finishScan({ ...base, shape: [width, height, 3], channels: 3, data: rgb });
  }
  return finishScan({ ...base, shape: [width, height, 4], channels: 4, data: out });
}
