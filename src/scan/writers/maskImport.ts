// Reference masks from files -> binary mask at the scan's size. PNG (fast-png) and JPEG (jpeg-js):
// first channel; values >= 128 are foreground, except when the image only holds small labels (max < 128,
// e.g. 0/1 or a label map) where any non-zero value is. NIfTI and DICOM SEG go through their readers;
// our COCO RLE JSON export is validated and its first mask used.
import { decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import type { Mask } from '../../mask/types';
import { resizeNearest } from '../../mask/resize';
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

function fitToScan(m: Mask, scan: Scan): Mask {
  if (m.width === scan.width && m.height === scan.height) return m;
  return { width: scan.width, height: scan.height, data: resizeNearest(m.data, m.width, m.height, scan.width, scan.height) };
}

function readRaster(kind: 'png' | 'jpeg', bytes: Uint8Array): Mask {
  if (kind === 'png') {
    const img = decodePng(bytes);
    const ch = img.channels ?? 1;
    const depth = img.depth ?? 8;
    const count = img.width * img.height;
    const max = depth === 16 ? 65535 : depth === 8 ? 255 : (1 << depth) - 1;
    // palette images decode to indices; treat them as labels
    const data = img.palette ? binarizeGrey(img.data, 1, count, 1) : binarizeGrey(img.data, ch, count, max);
    return { width: img.width, height: img.height, data };
  }
  const img = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true });
  return { width: img.width, height: img.height, data: binarizeGrey(img.data, 4, img.width * img.height) };
}

/** Read a reference mask for frame `frame` of `scan`. Raster masks of another size are resized (nearest). */
export function readMaskFile(file: { name: string; bytes: Uint8Array }, scan: Scan, frame = 0): Mask {
  const kind = sniffMaskFile(file.name, file.bytes);
  switch (kind) {
    case 'png':
    case 'jpeg':
      return fitToScan(readRaster(kind, file.bytes), scan);
    case 'nifti':
      return readNiftiMask(file.bytes, scan, frame);
    case 'dicom-seg':
      return readDicomSeg(file.bytes, scan, frame).mask;
    case 'coco-json': {
      // our own COCO RLE export (validated): the first annotation, e.g. the corrected mask
      const { entries } = parseCocoJson(new TextDecoder().decode(file.bytes));
      if (entries.length === 0) throw new Error('The COCO file holds no masks.');
      return fitToScan(entries[0].mask, scan);
    }
    default:
      throw new Error(`"${file.name}" is not a PNG, JPEG, NIfTI or DICOM SEG mask.`);
  }
}
