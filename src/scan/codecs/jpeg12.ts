// Decoder for greyscale sequential Huffman JPEG with 12-bit (or 8-bit) samples: DICOM "JPEG Extended"
// (process 2/4, transfer syntax 1.2.840.10008.1.2.4.51). libjpeg-turbo's WASM build is 8-bit only and no
// maintained pure-JS package decodes 12-bit DCT, so this small one does. Loops are bounded by the block
// count from the (already size-checked) frame header; running out of data yields zeros, never a hang.
import { ScanReadError } from '../types';
import type { JpegInfo } from './jpegInfo';

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50,
  43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

interface Huffman {
  /** code length -> (code -> symbol) */
  maps: Map<number, number>[];
}

function buildHuffman(counts: Uint8Array, symbols: Uint8Array): Huffman {
  const maps: Map<number, number>[] = [];
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const m = new Map<number, number>();
    for (let i = 0; i < counts[len - 1]; i++) m.set(code++, symbols[k++]);
    maps.push(m);
    code <<= 1;
  }
  return { maps };
}

const COS = Array.from({ length: 64 }, (_, i) => {
  const x = i >> 3;
  const u = i & 7;
  return (u === 0 ? Math.SQRT1_2 : 1) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
});

function idct(c: Float64Array, out: Float64Array): void {
  const tmp = new Float64Array(64);
  for (let y = 0; y < 8; y++)
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let v = 0; v < 8; v++) s += COS[y * 8 + v] * c[v * 8 + u];
      tmp[y * 8 + u] = s / 2;
    }
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 8; x++) {
      let s = 0;
      for (let u = 0; u < 8; u++) s += COS[x * 8 + u] * tmp[y * 8 + u];
      out[y * 8 + x] = s / 2;
    }
}

export function decodeJpeg12(b: Uint8Array, info: JpegInfo): Uint16Array {
  if (info.components !== 1) throw new ScanReadError('Colour 12-bit JPEG is not supported; only greyscale extended JPEG is.', 'unsupported');
  const qt: Uint16Array[] = [];
  const dc: Huffman[] = [];
  const ac: Huffman[] = [];
  let restart = 0;
  let qSel = 0;
  let off = 2;
  let scan = -1;
  let tables = { dc: 0, ac: 0 };
  while (off + 4 <= b.length && scan < 0) {
    const m = b[off + 1];
    if (b[off] !== 0xff || m === 0xff) {
      off++;
      continue;
    }
    const len = (b[off + 2] << 8) | b[off + 3];
    const seg = b.subarray(off + 4, off + 2 + len);
    if (m === 0xdb) {
      for (let i = 0; i < seg.length; ) {
        const wide = seg[i] >> 4;
        const id = seg[i] & 3;
        const t = new Uint16Array(64);
        for (let k = 0; k < 64; k++) t[k] = wide ? (seg[i + 1 + 2 * k] << 8) | seg[i + 2 + 2 * k] : seg[i + 1 + k];
        qt[id] = t;
        i += 1 + (wide ? 128 : 64);
      }
    } else if (m === 0xc4) {
      for (let i = 0; i + 17 <= seg.length; ) {
        const counts = seg.subarray(i + 1, i + 17);
        const n = counts.reduce((a, v) => a + v, 0);
        const h = buildHuffman(counts, seg.subarray(i + 17, i + 17 + n));
        (seg[i] >> 4 ? ac : dc)[seg[i] & 3] = h;
        i += 17 + n;
      }
    } else if (m === 0xdd) restart = (seg[0] << 8) | seg[1];
    else if (m === 0xc0 || m === 0xc1) qSel = seg[8] & 3;
    else if (m === 0xda) {
      tables = { dc: seg[2] >> 4, ac: seg[2] & 15 };
      scan = off + 2 + len;
    }
    off += 2 + len;
  }
  const q = qt[qSel];
  const hd = dc[tables.dc];
  const ha = ac[tables.ac];
  if (scan < 0 || !q || !hd || !ha) throw new ScanReadError('The 12-bit JPEG data is corrupt: tables or scan header are missing.', 'corrupt');

  let pos = scan;
  let acc = 0;
  let bits = 0;
  const bit = (): number => {
    if (bits === 0) {
      let byte = 0;
      if (pos < b.length && !(b[pos] === 0xff && b[pos + 1] !== 0)) {
        byte = b[pos++];
        if (byte === 0xff) pos++;
      }
      acc = byte;
      bits = 8;
    }
    bits--;
    return (acc >> bits) & 1;
  };
  const receive = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | bit();
    return v;
  };
  const extend = (v: number, n: number): number => (n && v < 1 << (n - 1) ? v - (1 << n) + 1 : v);
  const decode = (h: Huffman): number => {
    let code = 0;
    for (let len = 0; len < 16; len++) {
      code = (code << 1) | bit();
      const s = h.maps[len].get(code);
      if (s !== undefined) return s;
    }
    throw new ScanReadError('The 12-bit JPEG data is corrupt: invalid Huffman code.', 'corrupt');
  };

  const { width, height } = info;
  const bw = Math.ceil(width / 8);
  const bh = Math.ceil(height / 8);
  const out = new Uint16Array(width * height);
  const coef = new Float64Array(64);
  const pix = new Float64Array(64);
  const max = (1 << info.precision) - 1;
  const shift = 1 << (info.precision - 1);
  let pred = 0;
  for (let n = 0; n < bw * bh; n++) {
    if (restart && n > 0 && n % restart === 0) {
      bits = 0;
      while (pos + 1 < b.length && !(b[pos] === 0xff && b[pos + 1] >= 0xd0 && b[pos + 1] <= 0xd7)) pos++;
      pos += 2;
      pred = 0;
    }
    coef.fill(0);
    const t = decode(hd);
    pred += extend(receive(t), t);
    coef[0] = pred * q[0];
    for (let k = 1; k < 64; ) {
      const rs = decode(ha);
      const r = rs >> 4;
      const s = rs & 15;
      if (s === 0) {
        if (r !== 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) break;
      coef[ZIGZAG[k]] = extend(receive(s), s) * q[k];
      k++;
    }
    idct(coef, pix);
    const bx = (n % bw) * 8;
    const by = Math.floor(n / bw) * 8;
    for (let y = 0; y < 8 && by + y < height; y++)
      for (let x = 0; x < 8 && bx + x < width; x++) {
        const v = Math.round(pix[y * 8 + x] + shift);
        out[(by + y) * width + bx + x] = v < 0 ? 0 : v > max ? max : v;
      }
  }
  return out;
}
