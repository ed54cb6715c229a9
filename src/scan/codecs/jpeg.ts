// Decodes one JPEG-family stream (baseline/extended/progressive 8-bit, lossless, JPEG-LS) into samples,
// picking the codec from the frame header. Used by the JPEG file reader and by DICOM.
import { checkDims, type Limits } from '../limits';
import { ScanReadError } from '../types';
import { jpegInfo, type JpegInfo } from './jpegInfo';
import { decodeWithCodec } from './wasm';

export interface DecodedJpeg {
  width: number;
  height: number;
  components: number;
  /** Interleaved samples; colour is already RGB for DCT streams (the codec applies the YCbCr transform). */
  data: Uint8Array | Uint16Array;
  info: JpegInfo;
}

function toSamples(bytes: Uint8Array, bits: number): Uint8Array | Uint16Array {
  if (bits <= 8) return bytes;
  const out = new Uint16Array(bytes.length >> 1);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 2));
  return out;
}

async function decodeLossless(b: Uint8Array, info: JpegInfo): Promise<Uint8Array | Uint16Array> {
  const { Decoder } = await import('jpeg-lossless-decoder-js');
  try {
    const copy = b.slice().buffer;
    const out = new Decoder().decode(copy, 0, copy.byteLength, info.precision > 8 ? 2 : 1);
    return out.BYTES_PER_ELEMENT === 1 ? new Uint8Array(out) : new Uint16Array(out);
  } catch (e) {
    throw new ScanReadError(`The lossless JPEG data is corrupt (${(e as Error).message}).`, 'corrupt');
  }
}

/** Adobe CMYK JPEGs are stored inverted; a plain multiply is enough for display. */
function cmykToRgb(src: Uint8Array): Uint8Array {
  const n = src.length >> 2;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const k = src[i * 4 + 3] / 255;
    out[i * 3] = src[i * 4] * k;
    out[i * 3 + 1] = src[i * 4 + 1] * k;
    out[i * 3 + 2] = src[i * 4 + 2] * k;
  }
  return out;
}

/** Inserts an Adobe APP14 marker saying "no colour transform" right after SOI. */
function markAsRgb(b: Uint8Array): Uint8Array {
  const app14 = [0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00];
  const out = new Uint8Array(b.length + app14.length);
  out.set(b.subarray(0, 2));
  out.set(app14, 2);
  out.set(b.subarray(2), 2 + app14.length);
  return out;
}

export interface DecodeJpegOptions {
  /**
   * The container says the samples are RGB (DICOM photometric RGB): without a JFIF or Adobe marker a
   * 3-component stream must then not get the YCbCr->RGB transform libjpeg would otherwise assume.
   */
  storedAsRgb?: boolean;
  /** Size the container declares: a different frame header is refused before decoding. */
  expectSize?: { width: number; height: number };
}

export async function decodeJpeg(input: Uint8Array, limits: Limits, what = 'JPEG', opts: DecodeJpegOptions = {}): Promise<DecodedJpeg> {
  const info = jpegInfo(input, what);
  const b = opts.storedAsRgb && info.components === 3 && !info.jfif && info.adobeTransform === undefined ? markAsRgb(input) : input;
  const want = opts.expectSize;
  if (want && (want.width !== info.width || want.height !== info.height)) {
    throw new ScanReadError(`The ${what} frame decodes to ${info.width} x ${info.height}, but the header says ${want.width} x ${want.height}.`, 'corrupt');
  }
  checkDims(what, info.width, info.height, 1, info.components * (info.precision > 8 ? 2 : 1), limits);
  if (!info.complete) throw new ScanReadError(`The ${what} data is truncated: it has no end-of-image marker.`, 'truncated');
  let data: Uint8Array | Uint16Array;
  let components = info.components;
  if (info.sof === 0xc3) data = await decodeLossless(b, info);
  else if (info.sof === 0xf7) {
    const r = await decodeWithCodec('jpegls', b);
    data = toSamples(r.bytes, r.info.bitsPerSample);
  } else if ((info.sof === 0xc0 || info.sof === 0xc1 || info.sof === 0xc2) && info.precision === 8) {
    const r = await decodeWithCodec('jpeg', b);
    data = r.bytes;
    components = r.info.componentCount;
  } else if ((info.sof === 0xc1 || info.sof === 0xc0) && info.precision === 12) {
    const { decodeJpeg12 } = await import('./jpeg12');
    data = decodeJpeg12(b, info);
  } else {
    throw new ScanReadError(
      `This ${what} uses a coding process that is not supported (SOF ${info.sof.toString(16)}, ${info.precision}-bit); arithmetic and hierarchical JPEG are rare: convert it to baseline JPEG or PNG.`,
      'unsupported',
    );
  }
  if (components === 4 && data instanceof Uint8Array) {
    data = cmykToRgb(data);
    components = 3;
  }
  const need = info.width * info.height * components;
  if (data.length < need) throw new ScanReadError(`The ${what} data decoded to fewer samples than its header declares.`, 'corrupt');
  return { width: info.width, height: info.height, components, data: data.length > need ? data.subarray(0, need) : data, info };
}
