// DICOM reader: parses, refuses non-images and oversize headers, decodes all frames, converts colour
// (planar, YBR, palette) to RGB, applies rescale slope/intercept, and keeps window, spacing and geometry.
// Shape follows pydicom: [rows, cols] for one frame, [frames, rows, cols] for several, plus 3 for colour.
import type { DataSet } from 'dicom-parser';
import { finishScan, valueRange } from '../build';
import { checkAbort, checkDims, type Limits } from '../limits';
import { ScanReadError, type PixelArray, type Scan } from '../types';
import { applyPalette, expand422, interleave, ybrFullToRgb } from './color';
import { frameRescales, geometryOf, modalityLutOf, spacingOf, windowOf } from './meta';
import { assertImage, parseDataSet } from './parse';
import { isCompressed, storedPixels, syntaxName, type PixelFormat } from './pixels';

function formatOf(ds: DataSet, syntax: string): PixelFormat & { highBit?: number; pixelRepresentation?: number } {
  const rows = ds.uint16('x00280010') ?? 0;
  const cols = ds.uint16('x00280011') ?? 0;
  const framesStr = ds.string('x00280008');
  const frames = framesStr === undefined || framesStr === '' ? 1 : Number(framesStr);
  const float = ds.elements.x7fe00010 ? 0 : ds.elements.x7fe00008 ? 32 : 64;
  return {
    rows,
    cols,
    frames,
    spp: ds.uint16('x00280002') ?? 1,
    highBit: ds.uint16('x00280102'),
    pixelRepresentation: ds.uint16('x00280103'),
    bitsAllocated: ds.uint16('x00280100') ?? 16,
    bitsStored: ds.uint16('x00280101') ?? ds.uint16('x00280100') ?? 16,
    signed: ds.uint16('x00280103') === 1,
    photometric: (ds.string('x00280004') ?? (ds.uint16('x00280002') === 3 ? 'RGB' : 'MONOCHROME2')).toUpperCase(),
    planar: ds.uint16('x00280006') ?? 0,
    syntax,
    float,
  };
}

function checkFormat(f: PixelFormat & { highBit?: number; pixelRepresentation?: number }, limits: Limits): void {
  const bad = (what: string) => new ScanReadError(`The DICOM header is inconsistent: ${what}. The file is corrupt or was written by faulty software; export it again from the source.`, 'corrupt');
  if (![1, 3].includes(f.spp)) throw bad(`it declares ${f.spp} samples per pixel, where only 1 (greyscale) or 3 (colour) are possible`);
  if (!f.float && ![1, 8, 16, 32].includes(f.bitsAllocated)) throw new ScanReadError(`The DICOM header declares ${f.bitsAllocated} bits allocated; only 1, 8, 16 or 32 are supported.`, 'unsupported');
  if (!f.float) {
    if (f.bitsStored < 1 || f.bitsStored > f.bitsAllocated) throw bad(`Bits Stored is ${f.bitsStored} but Bits Allocated is ${f.bitsAllocated} (stored bits must fit in the allocated ones)`);
    if (f.highBit !== undefined && (f.highBit >= f.bitsAllocated || f.highBit + 1 < f.bitsStored)) throw bad(`High Bit is ${f.highBit}, impossible with ${f.bitsStored} of ${f.bitsAllocated} bits`);
    if (f.pixelRepresentation !== undefined && f.pixelRepresentation !== 0 && f.pixelRepresentation !== 1) throw bad(`Pixel Representation is ${f.pixelRepresentation}; it must be 0 (unsigned) or 1 (signed)`);
  }
  if (f.spp === 3 && f.photometric.startsWith('MONOCHROME')) throw bad(`3 samples per pixel with the greyscale photometric interpretation ${f.photometric}`);
  if (f.spp === 1 && (f.photometric === 'RGB' || f.photometric.startsWith('YBR'))) throw bad(`1 sample per pixel with the colour photometric interpretation ${f.photometric}`);
  checkDims('DICOM', f.cols, f.rows, f.frames, f.spp * Math.max(1, (f.float || f.bitsAllocated) / 8), limits);
}

/** Colour to interleaved RGB (uint8); greyscale untouched. Returns the channels now in `data`. */
function toRgb(ds: DataSet, f: PixelFormat, data: PixelArray): { data: PixelArray; channels: 1 | 3 } {
  const px = f.rows * f.cols;
  const compressed = isCompressed(f.syntax);
  if (f.photometric === 'PALETTE COLOR') return { data: applyPalette(ds, data), channels: 3 };
  if (f.spp === 1) return { data, channels: 1 };
  if (!(data instanceof Uint8Array)) throw new ScanReadError(`${f.bitsAllocated}-bit colour DICOM images are not supported.`, 'unsupported');
  const out = new Uint8Array(px * 3 * f.frames);
  const codecDidColour = compressed && f.syntax !== '1.2.840.10008.1.2.5';
  for (let k = 0; k < f.frames; k++) {
    let fr: Uint8Array;
    if (!compressed && f.photometric === 'YBR_FULL_422') fr = expand422(data.subarray(k * px * 2, (k + 1) * px * 2), px);
    else {
      fr = data.subarray(k * px * 3, (k + 1) * px * 3);
      if (f.planar === 1 && !compressed) fr = interleave(fr, px);
    }
    // JPEG and JPEG 2000 codecs already return RGB; RLE and native YBR need converting here.
    if (!codecDidColour && f.photometric.startsWith('YBR_FULL')) fr = ybrFullToRgb(fr);
    out.set(fr, k * px * 3);
  }
  return { data: out, channels: 3 };
}

function rescale(data: PixelArray, slope: number, intercept: number): PixelArray {
  if (slope === 1 && intercept === 0) return data;
  const [lo, hi] = valueRange(data);
  const a = lo * slope + intercept;
  const b = hi * slope + intercept;
  const integral = Number.isInteger(slope) && Number.isInteger(intercept) && !(data instanceof Float32Array || data instanceof Float64Array);
  const [mn, mx] = [Math.min(a, b), Math.max(a, b)];
  const out =
    integral && mn >= -32768 && mx <= 32767 ? new Int16Array(data.length) : integral && mn >= -(2 ** 31) && mx < 2 ** 31 ? new Int32Array(data.length) : new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * slope + intercept;
  return out;
}

function rescaleFrames(data: PixelArray, rescales: { slope: number; intercept: number }[], perFrame: number): Float32Array {
  const out = new Float32Array(data.length);
  rescales.forEach(({ slope, intercept }, k) => {
    for (let i = k * perFrame; i < (k + 1) * perFrame; i++) out[i] = data[i] * slope + intercept;
  });
  return out;
}

function applyLut(data: PixelArray, { first, table }: { first: number; table: Uint8Array | Uint16Array }): PixelArray {
  const out = new (table.constructor as Uint8ArrayConstructor | Uint16ArrayConstructor)(data.length);
  const last = table.length - 1;
  for (let i = 0; i < data.length; i++) {
    const k = data[i] - first;
    out[i] = table[k < 0 ? 0 : k > last ? last : k];
  }
  return out;
}

export async function readDicom(name: string, bytes: Uint8Array, limits: Limits): Promise<Scan> {
  const { ds, syntax } = parseDataSet(bytes, limits);
  assertImage(ds);
  const f = formatOf(ds, syntax);
  checkFormat(f, limits);
  checkAbort(limits.signal);
  const stored = await storedPixels(ds, f, limits);
  const storedRange = valueRange(stored);
  const { data: coloured, channels } = toRgb(ds, f, stored);
  const rescales = frameRescales(ds, f.frames);
  const { slope, intercept } = rescales[0];
  const lut = channels === 1 ? modalityLutOf(ds) : undefined;
  const data = channels !== 1 ? coloured : lut ? applyLut(coloured, lut) : rescales.length === 1 ? rescale(coloured, slope, intercept) : rescaleFrames(coloured, rescales, f.rows * f.cols);
  const { spacing, known } = spacingOf(ds);
  const shape = [...(f.frames > 1 ? [f.frames] : []), f.rows, f.cols, ...(channels === 3 ? [3] : [])];
  const photometric = channels === 3 ? 'RGB' : f.photometric === 'MONOCHROME1' ? 'MONOCHROME1' : 'MONOCHROME2';
  const storedDtype = stored instanceof Int8Array ? 'int8' : stored instanceof Uint8Array ? 'uint8' : stored instanceof Int16Array ? 'int16' : stored instanceof Uint16Array ? 'uint16' : stored.constructor.name.replace('Array', '').toLowerCase();
  return finishScan({
    name, format: 'dicom', width: f.cols, height: f.rows, frames: f.frames, shape, channels, data, spacing, spacingKnown: known,
    photometric, window: channels === 1 ? windowOf(ds) : { center: 128, width: 256 }, modality: ds.string('x00080060'),
    metadata: {
      transferSyntax: f.syntax, transferSyntaxName: syntaxName(f.syntax), storedPhotometric: f.photometric,
      bitsAllocated: f.bitsAllocated, bitsStored: f.bitsStored, pixelRepresentation: f.signed ? 1 : 0,
      rescaleSlope: slope, rescaleIntercept: intercept, storedMin: storedRange[0], storedMax: storedRange[1], storedDtype,
      ...(ds.string('x00080060') ? { modality: ds.string('x00080060') as string } : {}),
      ...(ds.string('x0008103e') ? { seriesDescription: ds.string('x0008103e') as string } : {}),
    },
    geometry: geometryOf(ds, f.frames, spacing),
  });
}
