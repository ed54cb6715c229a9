// DICOM colour handling on interleaved samples: planar to interleaved, YBR_FULL(_422) to RGB, palette lookup.
import type { DataSet } from 'dicom-parser';
import { ScanReadError, type PixelArray } from '../types';

export function interleave(src: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    out[p * 3] = src[p];
    out[p * 3 + 1] = src[pixels + p];
    out[p * 3 + 2] = src[2 * pixels + p];
  }
  return out;
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

export function ybrFullToRgb(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i + 2 < src.length; i += 3) {
    const y = src[i];
    const cb = src[i + 1] - 128;
    const cr = src[i + 2] - 128;
    out[i] = clamp(y + 1.402 * cr);
    out[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    out[i + 2] = clamp(y + 1.772 * cb);
  }
  return out;
}

/** Native YBR_FULL_422: each pair of pixels is stored as Y1 Y2 Cb Cr. Returns YBR_FULL, 3 samples per pixel. */
export function expand422(src: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let p = 0, i = 0; p < pixels; p += 2, i += 4) {
    out[p * 3] = src[i];
    out[p * 3 + 1] = src[i + 2];
    out[p * 3 + 2] = src[i + 3];
    if (p + 1 < pixels) {
      out[p * 3 + 3] = src[i + 1];
      out[p * 3 + 4] = src[i + 2];
      out[p * 3 + 5] = src[i + 3];
    }
  }
  return out;
}

interface Lut {
  first: number;
  data: Uint8Array;
}

/**
 * Expands a segmented palette LUT (PS3.3 C.7.9.2): discrete (opcode 0), linear (1) and indirect (2)
 * segments of 16-bit words. Indirect segments are followed once (no nesting) so a hostile table cannot loop.
 */
function segmentedLut(words: Uint16Array, entries: number): Uint16Array {
  const out = new Uint16Array(entries);
  let n = 0;
  const run = (start: number, end: number, nested: boolean): void => {
    let i = start;
    while (i + 1 < end && n < entries) {
      const op = words[i];
      const len = words[i + 1];
      if (op === 0) {
        for (let k = 0; k < len && n < entries && i + 2 + k < end; k++) out[n++] = words[i + 2 + k];
        i += 2 + len;
      } else if (op === 1) {
        const from = n ? out[n - 1] : 0;
        const to = words[i + 2] ?? from;
        for (let k = 1; k <= len && n < entries; k++) out[n++] = Math.round(from + ((to - from) * k) / len);
        i += 3;
      } else if (op === 2 && !nested) {
        const offset = words[i + 2] | (words[i + 3] << 16);
        let j = offset;
        for (let seg = 0; seg < len && j + 1 < words.length; seg++) {
          const segLen = words[j] === 1 ? 3 : 2 + words[j + 1];
          run(j, Math.min(words.length, j + segLen), true);
          j += segLen;
        }
        i += 4;
      } else break;
    }
  };
  run(0, words.length, false);
  return out;
}

function readLut(ds: DataSet, descTag: string, dataTag: string, colour: string): Lut {
  const el = ds.elements[dataTag];
  const entries = ds.uint16(descTag, 0) || 65536;
  const segTag = `x0028122${descTag.slice(-1)}`;
  const seg = ds.elements[segTag];
  if (!el && seg) {
    const little = ds.byteArrayParser.readUint16(new Uint8Array([1, 0]), 0) === 1;
    const dv = new DataView(ds.byteArray.buffer, ds.byteArray.byteOffset + seg.dataOffset, Math.min(seg.length, ds.byteArray.length - seg.dataOffset));
    const words = new Uint16Array(dv.byteLength >> 1);
    for (let i = 0; i < words.length; i++) words[i] = dv.getUint16(i * 2, little);
    const wide = segmentedLut(words, entries);
    const bits = ds.uint16(descTag, 2) ?? 16;
    const first = ds.elements[descTag]?.vr === 'SS' ? (ds.int16(descTag, 1) ?? 0) : (ds.uint16(descTag, 1) ?? 0);
    return { first, data: Uint8Array.from(wide, (v) => (bits === 8 ? v & 0xff : v >> 8)) };
  }
  if (!el) throw new ScanReadError(`The DICOM palette colour image has no ${colour} lookup table.`, 'corrupt');
  const first = ds.elements[descTag]?.vr === 'SS' ? (ds.int16(descTag, 1) ?? 0) : (ds.uint16(descTag, 1) ?? 0);
  const bits = ds.uint16(descTag, 2) ?? 16;
  const raw = ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length);
  const data = new Uint8Array(entries);
  const little = ds.byteArrayParser.readUint16(new Uint8Array([1, 0]), 0) === 1;
  if (raw.length >= entries * 2) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < entries; i++) {
      const v = dv.getUint16(i * 2, little);
      data[i] = bits === 8 ? v & 0xff : v >> 8;
    }
  } else if (raw.length >= entries) data.set(raw.subarray(0, entries));
  else throw new ScanReadError(`The DICOM ${colour} palette is shorter than its descriptor declares.`, 'corrupt');
  return { first, data };
}

export function applyPalette(ds: DataSet, indices: PixelArray): Uint8Array {
  const luts = [
    readLut(ds, 'x00281101', 'x00281201', 'red'),
    readLut(ds, 'x00281102', 'x00281202', 'green'),
    readLut(ds, 'x00281103', 'x00281203', 'blue'),
  ];
  const out = new Uint8Array(indices.length * 3);
  for (let i = 0; i < indices.length; i++) {
    for (let c = 0; c < 3; c++) {
      const { first, data } = luts[c];
      const k = Math.min(Math.max(indices[i] - first, 0), data.length - 1);
      out[i * 3 + c] = data[k];
    }
  }
  return out;
}
