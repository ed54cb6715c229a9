// TIFF reader (utif2 for decompression, after a bounded structure check): 1/8/16/32-bit, integer or
// float samples, grey/RGB/RGBA/palette, planar or chunky, multi-page stacks of equal size as frames.
// Strip TIFFs that declare 3 samples with a greyscale photometric tag load as grey when the samples agree.
import * as UTIF from 'utif2';
import { typedFromBytes, type NumericArrayCtor } from '../../lib/bytes';
import { finishScan } from '../build';
import { checkDims, type Limits } from '../limits';
import { ScanReadError, type PixelArray, type Scan } from '../types';
import { expandPalette, scaleTo8, unpackRows } from './bits';
import { checkTiff } from './tiffCheck';

type Ifd = UTIF.IFD;
const num = (ifd: Ifd, tag: number, dflt: number): number => {
  const v = ifd[`t${tag}`];
  return Array.isArray(v) && typeof v[0] === 'number' ? v[0] : dflt;
};

function samplesOf(bytes: Uint8Array, bps: number, format: number, little: boolean, count: number): PixelArray {
  if (bytes.length < count * (bps / 8)) throw new ScanReadError('The TIFF image data is shorter than its header declares.', 'truncated');
  const ctor: NumericArrayCtor =
    bps === 8 ? (format === 2 ? Int8Array : Uint8Array) : bps === 16 ? (format === 2 ? Int16Array : Uint16Array) : format === 3 ? Float32Array : format === 2 ? Int32Array : Uint32Array;
  return typedFromBytes(bytes, ctor, count, little);
}

function deplanarize(src: PixelArray, spp: number, px: number): PixelArray {
  const out = src.slice();
  for (let c = 0; c < spp; c++) for (let i = 0; i < px; i++) out[i * spp + c] = src[c * px + i];
  return out;
}

function keepChannels(src: PixelArray, spp: number, keep: number, px: number): PixelArray {
  if (spp === keep) return src;
  const out = new (src.constructor as new (n: number) => PixelArray)(px * keep);
  for (let i = 0; i < px; i++) for (let c = 0; c < keep; c++) out[i * keep + c] = src[i * spp + c];
  return out;
}

function samplesAgree(src: PixelArray, spp: number): boolean {
  for (let i = 0; i + 2 < src.length; i += spp) if (src[i] !== src[i + 1] || src[i] !== src[i + 2]) return false;
  return true;
}

interface Page {
  data: PixelArray;
  channels: 1 | 3 | 4;
  photometric: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  note: string;
}

function decodePage(b: Uint8Array, ifd: Ifd, little: boolean): Page {
  const w = ifd.width;
  const h = ifd.height;
  const px = w * h;
  const bps = num(ifd, 258, 1);
  const spp = num(ifd, 277, 1);
  const photo = num(ifd, 262, spp >= 3 ? 2 : 1);
  const format = num(ifd, 339, 1);
  if (!Number.isInteger(bps) || bps < 1 || bps > 64) throw new ScanReadError(`The TIFF header declares ${bps} bits per sample, which is impossible; the file is corrupt.`, 'corrupt');
  if (!Number.isInteger(spp) || spp < 1 || spp > 16) throw new ScanReadError(`The TIFF header declares ${spp} samples per pixel, which is impossible; the file is corrupt.`, 'corrupt');
  const strips = ifd.t279 as number[] | undefined;
  if (num(ifd, 259, 1) === 1 && Array.isArray(strips) && bps >= 8) {
    // uncompressed: the strips must hold every sample (the decoder would pad the rest with zeros)
    const held = strips.reduce((a, n) => a + n, 0);
    const need = Math.ceil((w * bps) / 8) * spp * h;
    if (held < need) throw new ScanReadError(`The TIFF image data is truncated: its strips hold ${held} bytes, ${need} are needed for ${w} x ${h}.`, 'truncated');
  }
  if (![1, 2, 3].includes(format)) throw new ScanReadError(`The TIFF header declares sample format ${format}; only unsigned, signed and floating-point samples exist.`, 'corrupt');
  if (bps < 8) {
    if (spp !== 1) throw new ScanReadError(`TIFF images with ${spp} samples of ${bps} bits are not supported.`, 'unsupported');
    const idx = unpackRows(ifd.data, w, h, bps, Math.ceil((w * bps) / 8));
    if (photo === 3) return { ...expandTiffPalette(idx, ifd, bps), photometric: 'RGB', note: 'palette' };
    return { data: scaleTo8(idx, bps), channels: 1, photometric: photo === 0 ? 'MONOCHROME1' : 'MONOCHROME2', note: `${bps}-bit` };
  }
  if (![8, 16, 32].includes(bps)) throw new ScanReadError(`TIFF images with ${bps} bits per sample are not supported.`, 'unsupported');
  let data = samplesOf(ifd.data, bps, format, little, px * spp);
  if (num(ifd, 284, 1) === 2 && spp > 1) data = deplanarize(data, spp, px);
  if (photo === 3 && bps === 8 && spp === 1) return { ...expandTiffPalette(data as Uint8Array, ifd, 8), photometric: 'RGB', note: 'palette' };
  if (photo <= 1) {
    const grey = spp === 1 || spp === 2 || samplesAgree(data, spp);
    const note = spp >= 3 ? `${spp} samples with a greyscale photometric tag${grey ? '' : ' (samples differ: shown as RGB)'}` : 'grey';
    if (grey) return { data: keepChannels(data, spp, 1, px), channels: 1, photometric: photo === 0 ? 'MONOCHROME1' : 'MONOCHROME2', note };
    return { data: keepChannels(data, spp, 3, px), channels: 3, photometric: 'RGB', note };
  }
  if (photo === 2 && spp >= 3) {
    const channels = spp >= 4 ? 4 : 3;
    return { data: keepChannels(data, spp, channels, px), channels, photometric: 'RGB', note: channels === 4 ? 'RGBA' : 'RGB' };
  }
  throw new ScanReadError(`This TIFF colour space (photometric ${photo}) is not supported; save the image as PNG.`, 'unsupported');
}

function expandTiffPalette(idx: Uint8Array, ifd: Ifd, bps: number): { data: Uint8Array; channels: 1 | 3 | 4 } {
  const map = ifd.t320;
  const n = 1 << bps;
  if (!Array.isArray(map) || map.length < 3 * n) throw new ScanReadError('The TIFF palette (ColorMap) is missing or short.', 'corrupt');
  const palette: number[][] = [];
  for (let i = 0; i < n; i++) palette.push([Number(map[i]) >> 8, Number(map[n + i]) >> 8, Number(map[2 * n + i]) >> 8]);
  return expandPalette(idx, palette);
}

export function readTiff(name: string, b: Uint8Array, limits: Limits): Scan {
  const layout = checkTiff(b);
  const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  let ifds: Ifd[];
  try {
    ifds = (UTIF.decode as (b: ArrayBuffer, prm: object) => Ifd[])(buf, { parseMN: false, debug: false }).slice(0, layout.pages.length);
  } catch (e) {
    throw new ScanReadError(`The TIFF file is corrupt: ${(e as Error).message}.`, 'corrupt');
  }
  const first = ifds[0];
  if (!first || first.t256 === undefined) throw new ScanReadError('The TIFF file has no image in its first directory.', 'corrupt');
  const width = num(first, 256, 0);
  const height = num(first, 257, 0);
  const bps = num(first, 258, 1);
  const spp = num(first, 277, 1);
  const same = ifds.filter((d) => num(d, 256, 0) === width && num(d, 257, 0) === height && num(d, 258, 1) === bps && num(d, 277, 1) === spp);
  checkDims('TIFF', width, height, same.length, Math.max(1, (bps / 8) * spp), limits);
  const pages: Page[] = [];
  for (const ifd of same) {
    try {
      UTIF.decodeImage(buf, ifd);
    } catch (e) {
      throw new ScanReadError(`The TIFF image data could not be decoded: ${(e as Error).message}.`, 'corrupt');
    }
    if (!ifd.data) throw new ScanReadError('The TIFF image data could not be decoded (unsupported compression?).', 'unsupported');
    // utif2 already swaps 16-bit samples of big-endian files to little endian (not 32-bit ones).
    pages.push(decodePage(b, ifd, bps === 16 || layout.little));
  }
  const p0 = pages[0];
  const ok = pages.filter((p) => p.channels === p0.channels && p.data.constructor === p0.data.constructor);
  const per = p0.data.length;
  const data = new (p0.data.constructor as new (n: number) => PixelArray)(per * ok.length);
  ok.forEach((p, i) => data.set(p.data, i * per));
  const frames = ok.length;
  const shape = [width, height, ...(frames > 1 ? [frames] : []), ...(p0.channels > 1 ? [p0.channels] : [])];
  return finishScan({
    name, format: 'tiff', width, height, frames, shape, channels: p0.channels, data, photometric: p0.photometric,
    metadata: { bitDepth: bps, samplesPerPixel: spp, colorMode: p0.note, pages: layout.pages.length },
  });
}
