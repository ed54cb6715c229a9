// DICOM pixel data to stored sample values, frame by frame: native (little/big endian, 1-bit packed,
// float), RLE, and the JPEG family / JPEG 2000 / HTJ2K through the lazily loaded codecs.
// Output: one typed array for all frames, samples interleaved, signedness applied (sign-extended from
// Bits Stored); colour is left as stored except where the codec itself returns RGB.
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { typedFromBytes } from '../../lib/bytes';
import { decodeJpeg } from '../codecs/jpeg';
import { decodeWithCodec, type CodecName } from '../codecs/wasm';
import { checkAbort, type Limits } from '../limits';
import { ScanReadError, type PixelArray } from '../types';
import { decodeRle } from './rle';

export interface PixelFormat {
  rows: number;
  cols: number;
  frames: number;
  spp: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  photometric: string;
  planar: number;
  syntax: string;
  float: 0 | 32 | 64;
}

const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2']);
const JPEG = new Set(['50', '51', '53', '55', '57', '70', '80', '81'].map((s) => `1.2.840.10008.1.2.4.${s}`));
const J2K = new Set(['90', '91', '92', '93'].map((s) => `1.2.840.10008.1.2.4.${s}`));
const HTJ2K = new Set(['201', '202', '203'].map((s) => `1.2.840.10008.1.2.4.${s}`));
export const RLE = '1.2.840.10008.1.2.5';

export function syntaxName(uid: string): string {
  if (NATIVE.has(uid)) return uid.endsWith('.2') && uid.length === 19 ? 'explicit big endian' : uid.endsWith('.99') ? 'deflated' : 'uncompressed';
  if (uid === RLE) return 'RLE';
  if (JPEG.has(uid)) return uid.endsWith('80') || uid.endsWith('81') ? 'JPEG-LS' : 'JPEG';
  if (J2K.has(uid)) return 'JPEG 2000';
  if (HTJ2K.has(uid)) return 'HTJ2K';
  return uid;
}

export function isCompressed(uid: string): boolean {
  return !NATIVE.has(uid);
}

function encodedFrame(ds: DataSet, pd: Element, i: number, frames: number): Uint8Array {
  const frags = pd.fragments ?? [];
  if (!frags.length) throw new ScanReadError('The DICOM compressed pixel data has no fragments.', 'corrupt');
  try {
    if (frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, pd, 0, frags.length) as Uint8Array;
    if (pd.basicOffsetTable?.length) return dicomParser.readEncapsulatedImageFrame(ds, pd, i) as Uint8Array;
    if (frags.length === frames) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, pd, i, 1) as Uint8Array;
    const bot = dicomParser.createJPEGBasicOffsetTable(ds, pd);
    return dicomParser.readEncapsulatedImageFrame(ds, pd, i, bot) as Uint8Array;
  } catch (e) {
    throw new ScanReadError(`Frame ${i + 1} of the DICOM compressed pixel data could not be located (${e instanceof Error ? e.message : String(e)}).`, 'corrupt');
  }
}

/** JPEG 2000 in a JP2/JPH file wrapper: the codecs want the bare codestream of the 'jp2c' box. */
function jp2Codestream(b: Uint8Array): Uint8Array {
  if (!(b.length > 12 && b[4] === 0x6a && b[5] === 0x50 && b[6] === 0x20 && b[7] === 0x20)) return b;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let off = 0; off + 8 <= b.length; ) {
    let len = dv.getUint32(off);
    const type = String.fromCharCode(b[off + 4], b[off + 5], b[off + 6], b[off + 7]);
    const head = len === 1 && off + 16 <= b.length ? 16 : 8;
    if (len === 1) len = Number(dv.getBigUint64(off + 8));
    if (len === 0) len = b.length - off;
    if (type === 'jp2c') return b.subarray(off + head, Math.min(b.length, off + len));
    if (len < head) break;
    off += len;
  }
  throw new ScanReadError('The DICOM JPEG 2000 frame is a JP2 file without a codestream box.', 'corrupt');
}

/** Compares the JPEG 2000 SIZ marker with the DICOM size before the codec allocates anything. */
function checkCodestreamSize(cs: Uint8Array, f: PixelFormat, i: number, label: string): void {
  if (cs.length < 24 || cs[0] !== 0xff || cs[1] !== 0x4f || cs[2] !== 0xff || cs[3] !== 0x51) {
    throw new ScanReadError(`DICOM frame ${i + 1} is not a ${label} codestream.`, 'corrupt');
  }
  const dv = new DataView(cs.buffer, cs.byteOffset, cs.byteLength);
  const w = dv.getUint32(8) - dv.getUint32(16);
  const h = dv.getUint32(12) - dv.getUint32(20);
  if (w !== f.cols || h !== f.rows) {
    const size = w > 0 && h > 0 ? `${w} x ${h}` : 'an impossible size';
    throw new ScanReadError(`DICOM frame ${i + 1} declares ${size} in its ${label} header, but the DICOM header says ${f.cols} x ${f.rows}.`, 'corrupt');
  }
}

function container(bits: number, n: number): Uint8Array | Uint16Array | Uint32Array {
  return bits <= 8 ? new Uint8Array(n) : bits <= 16 ? new Uint16Array(n) : new Uint32Array(n);
}

function fromBytes(bytes: Uint8Array, bits: number, n: number, little: boolean): Uint8Array | Uint16Array | Uint32Array {
  if (bits <= 8) return bytes.subarray(0, n);
  return bits <= 16 ? typedFromBytes(bytes, Uint16Array, n, little) : typedFromBytes(bytes, Uint32Array, n, little);
}

/** Samples (not bytes) per frame as stored: 4:2:2 native colour keeps 2 samples per pixel. */
function storedSamples(f: PixelFormat): number {
  const px = f.rows * f.cols;
  return f.photometric === 'YBR_FULL_422' ? px * 2 : px * f.spp;
}

function nativeFrames(ds: DataSet, pd: Element, f: PixelFormat, little: boolean): PixelArray {
  const per = storedSamples(f);
  const total = per * f.frames;
  const avail = Math.max(0, Math.min(pd.length, ds.byteArray.length - pd.dataOffset));
  const bits = f.float || f.bitsAllocated;
  const need = bits === 1 ? Math.ceil(total / 8) : total * (bits / 8);
  if (avail < need) throw new ScanReadError(`The DICOM pixel data is truncated: ${avail} bytes present, ${need} needed for ${f.frames} frame(s) of ${f.cols} x ${f.rows}.`, 'truncated');
  const bytes = ds.byteArray.subarray(pd.dataOffset, pd.dataOffset + need) as Uint8Array;
  if (bits === 1) {
    const out = new Uint8Array(total);
    for (let i = 0; i < total; i++) out[i] = (bytes[i >> 3] >> (i & 7)) & 1;
    return out;
  }
  if (f.float) return f.float === 32 ? typedFromBytes(bytes, Float32Array, total, little) : typedFromBytes(bytes, Float64Array, total, little);
  if (bits <= 8 && !little && pd.vr === 'OW') {
    // explicit VR big endian with 8-bit samples in OW words: each word's two bytes are swapped (PS3.5 8.1.1)
    const words = ds.byteArray.subarray(pd.dataOffset, pd.dataOffset + Math.min(avail, need + (need & 1))) as Uint8Array;
    const out = new Uint8Array(total);
    for (let i = 0; i < total; i++) out[i] = words[i ^ 1] ?? 0;
    return out;
  }
  return bits <= 8 ? bytes.slice(0, total) : fromBytes(bytes, bits, total, little);
}

async function decodeFrame(ds: DataSet, pd: Element, f: PixelFormat, i: number, limits: Limits): Promise<Uint8Array | Uint16Array | Uint32Array> {
  const enc = encodedFrame(ds, pd, i, f.frames);
  const px = f.rows * f.cols;
  const bits = f.bitsAllocated;
  if (f.syntax === RLE) return fromBytes(decodeRle(enc, px, f.spp, bits / 8), bits, px * f.spp, true);
  let out: Uint8Array | Uint16Array | Uint32Array;
  let w: number;
  let h: number;
  if (JPEG.has(f.syntax)) {
    const j = await decodeJpeg(enc, limits, 'DICOM JPEG', { storedAsRgb: f.photometric === 'RGB', expectSize: { width: f.cols, height: f.rows } });
    [out, w, h] = [j.data, j.width, j.height];
  } else {
    const name: CodecName | undefined = J2K.has(f.syntax) ? 'j2k' : HTJ2K.has(f.syntax) ? 'htj2k' : undefined;
    if (!name) throw new ScanReadError(`DICOM transfer syntax ${f.syntax} (video or another rare encoding) is not supported.`, 'unsupported');
    const cs = jp2Codestream(enc);
    checkCodestreamSize(cs, f, i, name === 'j2k' ? 'JPEG 2000' : 'HTJ2K');
    const r = await decodeWithCodec(name, cs);
    [w, h] = [r.info.width, r.info.height];
    out = fromBytes(r.bytes, r.info.bitsPerSample > 8 ? 16 : 8, w * h * r.info.componentCount, true);
  }
  if (w !== f.cols || h !== f.rows) throw new ScanReadError(`DICOM frame ${i + 1} decodes to ${w} x ${h}, but the header says ${f.cols} x ${f.rows}.`, 'corrupt');
  if (out.length < px * f.spp) throw new ScanReadError(`DICOM frame ${i + 1} decodes to fewer samples than the header declares.`, 'corrupt');
  return out.length > px * f.spp ? out.subarray(0, px * f.spp) : out;
}

function signExtend(a: PixelArray, bitsStored: number): PixelArray {
  const out = a instanceof Uint8Array ? new Int8Array(a.length) : a instanceof Uint16Array ? new Int16Array(a.length) : new Int32Array(a.length);
  const s = 32 - bitsStored;
  for (let i = 0; i < a.length; i++) out[i] = (a[i] << s) >> s;
  return out;
}

/**
 * Unsigned values keep only their Bits Stored low bits: the bits above (old overlay planes, or garbage
 * from the writer) are not part of the value, as pydicom and dcmtk read them. Copies only when needed.
 */
function maskHighBits(a: PixelArray, bitsStored: number): PixelArray {
  const max = 2 ** bitsStored - 1;
  let i = 0;
  while (i < a.length && a[i] <= max) i++;
  if (i === a.length) return a;
  const out = a.slice();
  for (; i < out.length; i++) out[i] = out[i] & max;
  return out;
}

export async function storedPixels(ds: DataSet, f: PixelFormat, limits: Limits): Promise<PixelArray> {
  const pd = ds.elements.x7fe00010 ?? ds.elements.x7fe00008 ?? ds.elements.x7fe00009;
  let data: PixelArray;
  if (!isCompressed(f.syntax)) data = nativeFrames(ds, pd, f, f.syntax !== '1.2.840.10008.1.2.2');
  else {
    if (!pd.encapsulatedPixelData) throw new ScanReadError('The DICOM transfer syntax says compressed, but the pixel data is not encapsulated.', 'corrupt');
    const per = f.rows * f.cols * f.spp;
    let all: Uint8Array | Uint16Array | Uint32Array | undefined;
    for (let i = 0; i < f.frames; i++) {
      checkAbort(limits.signal);
      const frame = await decodeFrame(ds, pd, f, i, limits);
      all ??= container(frame.BYTES_PER_ELEMENT * 8, per * f.frames);
      all.set(frame, i * per);
      // decoding compressed frames is most of a multi-frame DICOM's work: reported as 0-90 %
      if (f.frames > 1) limits.onProgress?.((0.9 * (i + 1)) / f.frames);
    }
    data = all ?? new Uint8Array(0);
  }
  if (f.signed && !f.float && f.bitsAllocated > 1) data = signExtend(data, Math.min(f.bitsStored || f.bitsAllocated, data.BYTES_PER_ELEMENT * 8));
  else if (!f.float && f.bitsStored > 0 && f.bitsStored < data.BYTES_PER_ELEMENT * 8) data = maskHighBits(data, f.bitsStored);
  return data;
}
