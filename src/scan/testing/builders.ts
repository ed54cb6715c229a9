// Tiny writers for synthetic test files (DICOM, NIfTI, BMP, TIFF, PNG, JPEG), so tests and the bad-input
// corpus never need committed binaries. Correct enough to be read back; deliberately minimal.
import { concatBytes } from '../../lib/bytes';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpegJs } from 'jpeg-js';

const LONG_VR = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'SQ', 'UT', 'UN', 'UC', 'UR']);
const enc = new TextEncoder();

export interface DicomElement {
  tag: number;
  vr: string;
  value: Uint8Array | string | number;
  /** Override the written length (to lie about it). */
  length?: number;
}

function valueBytes(vr: string, v: DicomElement['value']): Uint8Array {
  if (v instanceof Uint8Array) return v.length % 2 ? Uint8Array.from([...v, 0]) : v;
  if (typeof v === 'number') {
    const b = new Uint8Array(vr === 'UL' ? 4 : 2);
    const dv = new DataView(b.buffer);
    if (vr === 'UL') dv.setUint32(0, v, true);
    else dv.setUint16(0, v, true);
    return b;
  }
  const s = v.length % 2 ? v + (vr === 'UI' ? '\0' : ' ') : v;
  return enc.encode(s);
}

function element(e: DicomElement): Uint8Array {
  const val = valueBytes(e.vr, e.value);
  const long = LONG_VR.has(e.vr);
  const head = new Uint8Array(long ? 12 : 8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, e.tag >>> 16, true);
  dv.setUint16(2, e.tag & 0xffff, true);
  head[4] = e.vr.charCodeAt(0);
  head[5] = e.vr.charCodeAt(1);
  if (long) dv.setUint32(8, e.length ?? val.length, true);
  else dv.setUint16(6, e.length ?? val.length, true);
  return concat([head, val]);
}

/** A sequence (SQ) element whose items hold the given elements (defined lengths). */
export function sequence(tag: number, items: DicomElement[][]): DicomElement {
  const encoded = items.map((els) => {
    const body = concat([...els].sort((a, b) => a.tag - b.tag).map(element));
    const head = new Uint8Array(8);
    const dv = new DataView(head.buffer);
    dv.setUint16(0, 0xfffe, true);
    dv.setUint16(2, 0xe000, true);
    dv.setUint32(4, body.length, true);
    return concat([head, body]);
  });
  return { tag, vr: 'SQ', value: concat(encoded) };
}

/** Joins byte parts (test file builders). */
export const concat = (parts: Uint8Array[]): Uint8Array => concatBytes(parts);

/** A Part 10 file: preamble, DICM, file meta group, then the dataset elements (explicit VR little endian). */
export function dicomFile(elements: DicomElement[], syntax = '1.2.840.10008.1.2.1', sopClass = '1.2.840.10008.5.1.4.1.1.7'): Uint8Array {
  const meta = concat([
    element({ tag: 0x00020001, vr: 'OB', value: Uint8Array.from([0, 1]) }),
    element({ tag: 0x00020002, vr: 'UI', value: sopClass }),
    element({ tag: 0x00020003, vr: 'UI', value: '1.2.3.4.5' }),
    element({ tag: 0x00020010, vr: 'UI', value: syntax }),
  ]);
  const groupLength = element({ tag: 0x00020000, vr: 'UL', value: meta.length });
  const body = [...elements].sort((a, b) => a.tag - b.tag).map(element);
  return concat([new Uint8Array(128), enc.encode('DICM'), groupLength, meta, ...body]);
}

export interface DicomImageOptions {
  rows: number;
  cols: number;
  frames?: number;
  bits?: 8 | 16;
  spp?: number;
  photometric?: string;
  sopClass?: string;
  modality?: string;
  pixels?: Uint8Array;
  pixelLength?: number;
  extra?: DicomElement[];
  omitPixels?: boolean;
}

export function dicomImage(o: DicomImageOptions): Uint8Array {
  const bits = o.bits ?? 8;
  const spp = o.spp ?? 1;
  const frames = o.frames ?? 1;
  const sop = o.sopClass ?? '1.2.840.10008.5.1.4.1.1.7';
  const n = Math.min(o.rows * o.cols * frames * spp * (bits / 8), 1 << 20);
  const defaults: DicomElement[] = [
    { tag: 0x00080016, vr: 'UI', value: sop },
    { tag: 0x00080018, vr: 'UI', value: '1.2.3.4.5.6' },
    { tag: 0x00080060, vr: 'CS', value: o.modality ?? 'OT' },
    { tag: 0x0020000d, vr: 'UI', value: '1.2.3.4' },
    { tag: 0x0020000e, vr: 'UI', value: '1.2.3.4.5' },
    { tag: 0x00280002, vr: 'US', value: spp },
    { tag: 0x00280004, vr: 'CS', value: o.photometric ?? (spp === 3 ? 'RGB' : 'MONOCHROME2') },
    ...(frames !== 1 ? [{ tag: 0x00280008, vr: 'IS', value: String(frames) }] : []),
    { tag: 0x00280010, vr: 'US', value: o.rows },
    { tag: 0x00280011, vr: 'US', value: o.cols },
    { tag: 0x00280100, vr: 'US', value: bits },
    { tag: 0x00280101, vr: 'US', value: bits },
    { tag: 0x00280102, vr: 'US', value: bits - 1 },
    { tag: 0x00280103, vr: 'US', value: 0 },
  ];
  // an extra element replaces the default with the same tag (e.g. another SOP or series UID)
  const els = [...defaults.filter((d) => !o.extra?.some((x) => x.tag === d.tag)), ...(o.extra ?? [])];
  if (!o.omitPixels) els.push({ tag: 0x7fe00010, vr: bits === 8 ? 'OB' : 'OW', value: o.pixels ?? new Uint8Array(n), length: o.pixelLength });
  return dicomFile(els, undefined, sop);
}

/** Encapsulated pixel data (undefined length, empty offset table, one fragment per frame) for compressed syntaxes. */
export function dicomEncapsulated(o: { rows: number; cols: number; syntax: string; frames: Uint8Array[]; bits?: 8 | 16; spp?: number; photometric?: string }): Uint8Array {
  const item = (payload: Uint8Array): Uint8Array => {
    const h = new Uint8Array(8);
    const dv = new DataView(h.buffer);
    dv.setUint16(0, 0xfffe, true);
    dv.setUint16(2, 0xe000, true);
    dv.setUint32(4, payload.length, true);
    return concat([h, payload]);
  };
  const head = Uint8Array.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  const end = Uint8Array.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  const pixels = concat([head, item(new Uint8Array(0)), ...o.frames.map((f) => item(f.length % 2 ? concat([f, new Uint8Array(1)]) : f)), end]);
  const base = dicomImage({ rows: o.rows, cols: o.cols, bits: o.bits, spp: o.spp, photometric: o.photometric, frames: o.frames.length, omitPixels: true });
  const withSyntax = replaceSyntax(base, o.syntax);
  return concat([withSyntax, pixels]);
}

/** Rebuilds the file meta group with another transfer syntax (keeps the dataset bytes). */
function replaceSyntax(file: Uint8Array, syntax: string): Uint8Array {
  const metaLen = new DataView(file.buffer, file.byteOffset).getUint32(140, true);
  const dataset = file.subarray(144 + metaLen);
  const meta = dicomFile([], syntax);
  return concat([meta, dataset]);
}

export interface NiftiOptions {
  dims: number[];
  datatype?: number;
  bitpix?: number;
  voxOffset?: number;
  magic?: string;
  little?: boolean;
  pixdim?: number[];
  sclSlope?: number;
  sclInter?: number;
}

/** A NIfTI-1 header (348 bytes + 4 extension bytes); `dims` as written into dim[0..7] (dim[0] first). */
export function niftiHeader(o: NiftiOptions): Uint8Array {
  const b = new Uint8Array(352);
  const dv = new DataView(b.buffer);
  const le = o.little ?? true;
  dv.setInt32(0, 348, le);
  o.dims.slice(0, 8).forEach((d, i) => dv.setInt16(40 + 2 * i, d, le));
  dv.setInt16(70, o.datatype ?? 2, le);
  dv.setInt16(72, o.bitpix ?? 8, le);
  (o.pixdim ?? [1, 1, 1, 1]).forEach((p, i) => dv.setFloat32(76 + 4 * i, p, le));
  dv.setFloat32(108, o.voxOffset ?? 352, le);
  dv.setFloat32(112, o.sclSlope ?? 1, le);
  dv.setFloat32(116, o.sclInter ?? 0, le);
  b.set(enc.encode(o.magic ?? 'n+1\0'), 344);
  return b;
}

export function niftiFile(o: NiftiOptions, data: Uint8Array): Uint8Array {
  return concat([niftiHeader(o), data]);
}

/** Uncompressed BMP with a 40-byte header; `rows` are top-first RGB (24/32-bit) or palette indices. */
export function bmpFile(o: { width: number; height: number; bpp: 1 | 4 | 8 | 24 | 32; pixel: (x: number, y: number) => number[]; palette?: number[][]; topDown?: boolean }): Uint8Array {
  const rowBytes = Math.ceil((o.bpp * o.width) / 32) * 4;
  const pal = o.bpp <= 8 ? (o.palette ?? Array.from({ length: 1 << o.bpp }, (_, i) => [i, i, i].map((v) => Math.round((v * 255) / ((1 << o.bpp) - 1))))) : [];
  const offset = 54 + pal.length * 4;
  const b = new Uint8Array(offset + rowBytes * o.height);
  const dv = new DataView(b.buffer);
  b.set([0x42, 0x4d]);
  dv.setUint32(2, b.length, true);
  dv.setUint32(10, offset, true);
  dv.setUint32(14, 40, true);
  dv.setInt32(18, o.width, true);
  dv.setInt32(22, o.topDown ? -o.height : o.height, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, o.bpp, true);
  dv.setUint32(46, pal.length, true);
  pal.forEach((c, i) => b.set([c[2], c[1], c[0], 0], 54 + 4 * i));
  for (let y = 0; y < o.height; y++) {
    const row = offset + (o.topDown ? y : o.height - 1 - y) * rowBytes;
    for (let x = 0; x < o.width; x++) {
      const px = o.pixel(x, y);
      if (o.bpp <= 8) {
        const bitPos = x * o.bpp;
        b[row + (bitPos >> 3)] |= px[0] << (8 - o.bpp - (bitPos & 7));
      } else {
        const p = row + x * (o.bpp / 8);
        b.set([px[2], px[1], px[0], ...(o.bpp === 32 ? [px[3] ?? 255] : [])], p);
      }
    }
  }
  return b;
}

export interface TiffOptions {
  width: number;
  height: number;
  bps: 8 | 16;
  spp: number;
  photometric: number;
  data: Uint8Array;
  little?: boolean;
  /** Offset written as the "next IFD" pointer (to build loops); default 0. */
  nextIfd?: number;
}

/** A single-strip, uncompressed TIFF; `data` holds the raw samples in the file's byte order. */
export function tiffFile(o: TiffOptions): Uint8Array {
  const le = o.little ?? true;
  const tags: [number, number, number, number][] = [
    [256, 3, 1, o.width], [257, 3, 1, o.height], [258, 3, 1, o.bps], [259, 3, 1, 1], [262, 3, 1, o.photometric],
    [273, 4, 1, 0], [277, 3, 1, o.spp], [278, 3, 1, o.height], [279, 4, 1, o.data.length], [284, 3, 1, 1],
  ];
  const ifd = 8;
  const dataOff = ifd + 2 + tags.length * 12 + 4;
  const b = new Uint8Array(dataOff + o.data.length);
  const dv = new DataView(b.buffer);
  b.set(le ? [0x49, 0x49] : [0x4d, 0x4d]);
  dv.setUint16(2, 42, le);
  dv.setUint32(4, ifd, le);
  dv.setUint16(ifd, tags.length, le);
  tags.forEach(([tag, type, count, value], i) => {
    const e = ifd + 2 + i * 12;
    dv.setUint16(e, tag, le);
    dv.setUint16(e + 2, type, le);
    dv.setUint32(e + 4, count, le);
    if (tag === 273) dv.setUint32(e + 8, dataOff, le);
    else if (type === 3) dv.setUint16(e + 8, value, le);
    else dv.setUint32(e + 8, value, le);
  });
  dv.setUint32(ifd + 2 + tags.length * 12, o.nextIfd ?? 0, le);
  b.set(o.data, dataOff);
  return b;
}

export function pngFile(width: number, height: number, channels = 3, depth: 8 | 16 = 8): Uint8Array {
  const n = width * height * channels;
  const data = depth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = (i * 37) % (depth === 16 ? 65536 : 256);
  return encodePng({ width, height, data, channels, depth });
}

export function jpegFile(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 13) % 256;
  return new Uint8Array(encodeJpegJs({ width, height, data }, 90).data);
}
