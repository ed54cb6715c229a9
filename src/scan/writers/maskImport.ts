// Reference masks from files -> binary mask at the scan's size. PNG (fast-png) and JPEG (jpeg-js):
// first channel; values >= 128 are foreground, except when the image only holds small labels (max < 128,
// e.g. 0/1 or a label map) where any non-zero value is. NIfTI and DICOM SEG go through their readers;
// our COCO RLE JSON export is validated and its first mask used. A mask must have the scan's size: one of
// another size is refused (never stretched), and sizes are checked from the declared header before any
// pixel is decoded (a 30000² PNG or a COCO of 8192² masks costs nothing). Every failure is a MaskReadError
// with a sentence for the user; raw library text never reaches them.
import { decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import type { Mask } from '../../mask/types';
import type { Scan } from '../types';
import { readNiftiMask } from './nifti';
import { readDicomSeg } from './dicomSeg';
import { parseCocoJson } from './coco';

export type MaskFileKind = 'png' | 'jpeg' | 'nifti' | 'dicom-seg' | 'coco-json';

export function sniffMaskFile(name: string, b: Uint8Array): MaskFileKind | null {
  if (b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length > 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d) return 'dicom-seg';
  if (/\.nii(\.gz)?$/i.test(name)) return 'nifti';
  if (/\.json$/i.test(name) || (b.length > 0 && b[0] === 0x7b)) return 'coco-json';
  if (b.length > 2 && b[0] === 0x1f && b[1] === 0x8b) return 'nifti';
  if (b.length >= 348) {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (dv.getInt32(0, true) === 348 || dv.getInt32(0, false) === 348) return 'nifti';
  }
  return null;
}

/** Grey values (first channel) -> binary, with the 128 rule described above. */
export function binarizeGrey(values: ArrayLike<number>, stride: number, count: number, maxValue = 255): Uint8Array {
  const out = new Uint8Array(count);
  let max = 0;
  for (let i = 0; i < count; i++) if (values[i * stride] > max) max = values[i * stride];
  const cut = maxValue > 255 ? (maxValue + 1) / 2 : 128;
  const small = max < cut;
  for (let i = 0; i < count; i++) {
    const v = values[i * stride];
    out[i] = small ? (v !== 0 ? 1 : 0) : v >= cut ? 1 : 0;
  }
  return out;
}

export class MaskReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MaskReadError';
  }
}

/** The scan fields a mask reader needs (no pixels, so it can be posted to a worker cheaply). */
export type MaskTarget = Pick<Scan, 'width' | 'height' | 'frames' | 'spacing' | 'spacingKnown' | 'geometry'>;

function sameSize(what: string, w: number, h: number, scan: MaskTarget): void {
  if (w === scan.width && h === scan.height) return;
  const size = Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0 ? `${w} × ${h} pixels` : 'of no valid size';
  throw new MaskReadError(`The ${what} mask is ${size}, but the scan is ${scan.width} × ${scan.height}. A reference mask must have the scan's exact size; it is not stretched. Export the mask at the scan's size and import it again.`);
}

/** PNG width and height from the IHDR chunk, before decoding anything. */
function pngSize(b: Uint8Array): [number, number] {
  if (b.length < 24 || String.fromCharCode(b[12], b[13], b[14], b[15]) !== 'IHDR') throw new MaskReadError('The PNG mask is truncated or corrupt: it has no image header.');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return [dv.getUint32(16), dv.getUint32(20)];
}

/** JPEG width and height from its first SOF marker, before decoding. */
function jpegSize(b: Uint8Array): [number, number] {
  for (let o = 2; o + 9 < b.length; ) {
    if (b[o] !== 0xff) {
      o++;
      continue;
    }
    const m = b[o + 1];
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7) || m === 0xff) {
      o += m === 0xff ? 1 : 2;
      continue;
    }
    const len = (b[o + 2] << 8) | b[o + 3];
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return [(b[o + 7] << 8) | b[o + 8], (b[o + 5] << 8) | b[o + 6]];
    o += 2 + len;
  }
  throw new MaskReadError('The JPEG mask is truncated or corrupt: it has no frame header.');
}

function readRaster(kind: 'png' | 'jpeg', bytes: Uint8Array, scan: MaskTarget): Mask {
  if (kind === 'png') {
    const [w, h] = pngSize(bytes);
    sameSize('PNG', w, h, scan);
    const img = decodePng(bytes);
    sameSize('PNG', img.width, img.height, scan);
    const ch = img.channels ?? 1;
    const depth = img.depth ?? 8;
    const count = img.width * img.height;
    const max = depth === 16 ? 65535 : depth === 8 ? 255 : (1 << depth) - 1;
    // palette images decode to indices; treat them as labels
    const data = img.palette ? binarizeGrey(img.data, 1, count, 1) : binarizeGrey(img.data, ch, count, max);
    return { width: img.width, height: img.height, data };
  }
  const [w, h] = jpegSize(bytes);
  sameSize('JPEG', w, h, scan);
  const img = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: Math.ceil((w * h) / 1e6) + 1, maxMemoryUsageInMB: 1024 });
  sameSize('JPEG', img.width, img.height, scan);
  return { width: img.width, height: img.height, data: binarizeGrey(img.data, 4, img.width * img.height) };
}

const KIND_NAME: Record<MaskFileKind, string> = { png: 'PNG', jpeg: 'JPEG', nifti: 'NIfTI', 'dicom-seg': 'DICOM SEG', 'coco-json': 'COCO JSON' };

/** Read a reference mask for frame `frame` of `scan`. Masks of another size are refused. */
export function readMaskFile(file: { name: string; bytes: Uint8Array }, scan: MaskTarget, frame = 0): Mask {
  const kind = sniffMaskFile(file.name, file.bytes);
  if (!kind) throw new MaskReadError(`"${file.name}" is not a mask file this app reads: use a PNG or JPEG (white = inside), a NIfTI (.nii/.nii.gz), a DICOM SEG or this app's COCO JSON export.`);
  try {
    const m = readKind(kind, file.bytes, scan, frame);
    sameSize(KIND_NAME[kind], m.width, m.height, scan);
    return m;
  } catch (e) {
    if (e instanceof MaskReadError) throw e;
    // raw library text (DataView offsets, zlib codes, dcmjs) is not for the user
    const why = e instanceof Error && /^(The |This |Not a |Unsupported |Annotation )/.test(e.message) ? ` ${e.message}` : '';
    throw new MaskReadError(`"${file.name}" could not be read as a ${KIND_NAME[kind]} mask: the file is damaged, truncated or not what its name says.${why}`);
  }
}

function readKind(kind: MaskFileKind, bytes: Uint8Array, scan: MaskTarget, frame: number): Mask {
  switch (kind) {
    case 'png':
    case 'jpeg':
      return readRaster(kind, bytes, scan);
    case 'nifti':
      return readNiftiMask(bytes, scan, frame);
    case 'dicom-seg':
      return readDicomSeg(bytes, scan, frame).mask;
    case 'coco-json': {
      // our own COCO RLE export (validated, sizes checked before decoding): the first annotation
      const { entries } = parseCocoJson(new TextDecoder().decode(bytes), { width: scan.width, height: scan.height, first: true });
      if (entries.length === 0) throw new MaskReadError('The COCO file holds no masks.');
      return entries[0].mask;
    }
  }
}
