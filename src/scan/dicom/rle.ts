// DICOM RLE Lossless decoder (PS3.5 Annex G): a 64-byte segment table, then PackBits segments, one per
// byte plane (most significant first) of each sample. Output is interleaved, little-endian samples.
import { ScanReadError } from '../types';

function unpackBits(src: Uint8Array, start: number, end: number, out: Uint8Array): void {
  let i = start;
  let o = 0;
  while (i < end && o < out.length) {
    const n = src[i++];
    if (n < 128) {
      const count = Math.min(n + 1, end - i, out.length - o);
      out.set(src.subarray(i, i + count), o);
      i += n + 1;
      o += count;
    } else if (n > 128) {
      const count = Math.min(257 - n, out.length - o);
      out.fill(src[i++], o, o + count);
      o += count;
    }
  }
}

/** Decodes one RLE frame of `pixels` pixels, `spp` samples of `bytesPerSample` bytes each. */
export function decodeRle(frame: Uint8Array, pixels: number, spp: number, bytesPerSample: number): Uint8Array {
  if (frame.length < 64) throw new ScanReadError('The DICOM RLE frame is truncated: its segment table is incomplete.', 'truncated');
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = dv.getUint32(0, true);
  const expected = spp * bytesPerSample;
  if (segments !== expected) throw new ScanReadError(`The DICOM RLE frame has ${segments} segments, but ${expected} are needed for its pixel format.`, 'corrupt');
  const offsets: number[] = [];
  for (let s = 0; s < segments; s++) offsets.push(dv.getUint32(4 + 4 * s, true));
  const out = new Uint8Array(pixels * expected);
  const plane = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    const start = offsets[s];
    const end = s + 1 < segments ? offsets[s + 1] : frame.length;
    if (start < 64 || start > frame.length || end < start || end > frame.length) {
      throw new ScanReadError('The DICOM RLE frame is corrupt: a segment offset points outside the frame.', 'corrupt');
    }
    plane.fill(0);
    unpackBits(frame, start, end, plane);
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    for (let p = 0; p < pixels; p++) out[(p * spp + sample) * bytesPerSample + byteInSample] = plane[p];
  }
  return out;
}
