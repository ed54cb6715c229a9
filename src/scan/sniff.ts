// Format detection from magic bytes (the extension is only a hint for messages and headerless DICOM).
export type Sniffed =
  | 'png'
  | 'jpeg'
  | 'webp'
  | 'bmp'
  | 'tiff'
  | 'dicom'
  | 'nifti'
  | 'nifti-pair'
  | 'analyze'
  | 'gzip'
  | 'nrrd'
  | 'metaimage'
  | 'zip'
  | 'gif'
  | 'pdf'
  | 'html'
  | 'text'
  | 'unknown';

const at = (b: Uint8Array, off: number, sig: number[]): boolean =>
  b.length >= off + sig.length && sig.every((v, i) => b[off + i] === v);
const ascii = (b: Uint8Array, off: number, len: number): string =>
  String.fromCharCode(...b.subarray(off, Math.min(b.length, off + len)));

function int32(b: Uint8Array, off: number, little: boolean): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(off, little);
}

/** NIfTI-1 (sizeof_hdr 348) or NIfTI-2 (540) in either byte order, with its magic. */
export function sniffNifti(b: Uint8Array): 'nifti' | 'nifti-pair' | undefined {
  if (b.length < 348) return undefined;
  for (const little of [true, false]) {
    const size = int32(b, 0, little);
    if (size === 348) {
      const magic = ascii(b, 344, 4);
      if (magic === 'n+1\0') return 'nifti';
      if (magic === 'ni1\0') return 'nifti-pair';
    }
    if (size === 540 && b.length >= 12) {
      const magic = ascii(b, 4, 4);
      if (magic === 'n+2\0') return 'nifti';
      if (magic === 'ni2\0') return 'nifti-pair';
    }
  }
  return undefined;
}

/** ANALYZE 7.5 header (.hdr): NIfTI-1's 348-byte layout without its magic, with a plausible dim[0]. */
function looksLikeAnalyze(b: Uint8Array): boolean {
  if (b.length !== 348 && !(b.length > 348 && b.length < 1024)) return false;
  for (const little of [true, false]) {
    if (int32(b, 0, little) !== 348) continue;
    const dim0 = new DataView(b.buffer, b.byteOffset, b.byteLength).getInt16(40, little);
    if (dim0 >= 1 && dim0 <= 7) return true;
  }
  return false;
}

/** DICOM without the 128-byte preamble: a little-endian group 0002 or 0008 element at offset 0. */
function looksLikeRawDicom(b: Uint8Array): boolean {
  if (b.length < 8) return false;
  const group = b[0] | (b[1] << 8);
  if (group !== 0x0002 && group !== 0x0008) return false;
  const vr = ascii(b, 4, 2);
  return /^[A-Z]{2}$/.test(vr) || b[6] === 0 || b[7] === 0;
}

function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  if (n === 0) return false;
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128) printable++;
    if (c === 0) return false;
  }
  return printable / n > 0.95;
}

export function sniff(b: Uint8Array): Sniffed {
  if (at(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (at(b, 0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  // Before TIFF: some DICOM files carry a TIFF header in their preamble (dual-format files).
  if (ascii(b, 128, 4) === 'DICM') return 'dicom';
  if (ascii(b, 0, 2) === 'BM' && b.length >= 26) return 'bmp';
  if (at(b, 0, [0x49, 0x49, 0x2a, 0x00]) || at(b, 0, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  const nifti = sniffNifti(b);
  if (nifti) return nifti;
  if (looksLikeAnalyze(b)) return 'analyze';
  if (at(b, 0, [0x1f, 0x8b])) return 'gzip';
  if (ascii(b, 0, 4) === 'NRRD') return 'nrrd';
  if (/^(ObjectType|NDims)\s*=/.test(ascii(b, 0, 16))) return 'metaimage';
  if (at(b, 0, [0x50, 0x4b, 0x03, 0x04]) || at(b, 0, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (ascii(b, 0, 4) === 'GIF8') return 'gif';
  if (ascii(b, 0, 5) === '%PDF-') return 'pdf';
  if (looksLikeRawDicom(b)) return 'dicom';
  if (looksLikeText(b)) {
    const head = ascii(b, 0, 256).trimStart().toLowerCase();
    return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<?xml') ? 'html' : 'text';
  }
  return 'unknown';
}
