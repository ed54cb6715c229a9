// Reads a JPEG stream's frame header (size, precision, components, process) without decoding,
// walking marker segments with bounds checks, and tells whether the stream reaches its EOI marker.
import { ScanReadError } from '../types';

export interface JpegInfo {
  width: number;
  height: number;
  precision: number;
  components: number;
  /** Start-of-frame marker: 0xc0 baseline, 0xc1 extended, 0xc2 progressive, 0xc3 lossless, 0xf7 JPEG-LS. */
  sof: number;
  /** Component ids, e.g. [82, 71, 66] ('R','G','B') when the encoder skipped the colour transform. */
  ids: number[];
  adobeTransform?: number;
  jfif: boolean;
  complete: boolean;
}

const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf, 0xf7]);

export function jpegInfo(b: Uint8Array, what = 'JPEG'): JpegInfo {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) throw new ScanReadError(`The ${what} data does not start with a JPEG marker.`, 'corrupt');
  let off = 2;
  let info: Omit<JpegInfo, 'complete'> | undefined;
  let adobe: number | undefined;
  let jfif = false;
  while (off + 4 <= b.length) {
    if (b[off] !== 0xff) throw new ScanReadError(`The ${what} data is corrupt: expected a marker at byte ${off}.`, 'corrupt');
    const m = b[off + 1];
    if (m === 0xff) {
      off++;
      continue;
    }
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      off += 2;
      continue;
    }
    if (m === 0xd9) break;
    const len = (b[off + 2] << 8) | b[off + 3];
    if (len < 2 || off + 2 + len > b.length) throw new ScanReadError(`The ${what} file is truncated: a marker segment runs past the end of the file.`, 'truncated');
    const seg = off + 4;
    if (m === 0xe0 && String.fromCharCode(...b.subarray(seg, seg + 4)) === 'JFIF') jfif = true;
    if (m === 0xee && len >= 14 && String.fromCharCode(...b.subarray(seg, seg + 5)) === 'Adobe') adobe = b[seg + 11];
    if (SOF.has(m) && !info) {
      const n = b[seg + 5];
      if (len < 8 + 3 * n) throw new ScanReadError(`The ${what} frame header is corrupt.`, 'corrupt');
      const ids: number[] = [];
      for (let i = 0; i < n; i++) ids.push(b[seg + 6 + 3 * i]);
      info = { precision: b[seg], height: (b[seg + 1] << 8) | b[seg + 2], width: (b[seg + 3] << 8) | b[seg + 4], components: n, sof: m, ids, jfif };
    }
    if (m === 0xda) {
      if (!info) throw new ScanReadError(`The ${what} data has no frame header before its image data.`, 'corrupt');
      // Entropy-coded data cannot contain FF D9 except as the end-of-image marker.
      let complete = false;
      for (let i = seg + len - 2; i + 1 < b.length; i++) {
        if (b[i] === 0xff && b[i + 1] === 0xd9) {
          complete = true;
          break;
        }
      }
      return { ...info, jfif, adobeTransform: adobe, complete };
    }
    off += 2 + len;
  }
  if (!info) throw new ScanReadError(`The ${what} file is truncated or corrupt: no frame header found.`, off + 4 > b.length ? 'truncated' : 'corrupt');
  throw new ScanReadError(`The ${what} file is truncated: it ends before the image data.`, 'truncated');
}
