// Mutation fuzzing: small real and synthetic files with random byte changes, truncations and large
// words written into them. Whatever happens, readScan must resolve or reject with a ScanReadError,
// never throw anything else (decoder internals, RangeError, strings) and never hang.
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readScan, ScanReadError } from './index';
import { bmpFile, dicomImage, jpegFile, niftiFile, pngFile, tiffFile } from './testing/builders';
import { hasData, readData } from './testing/data';

const REAL = [
  'dicom/pydicom/MR_small_RLE.dcm', 'dicom/pydicom/MR_small_jp2klossless.dcm', 'dicom/pydicom/MR_small_jpeg_ls_lossless.dcm',
  'dicom/pydicom/SC_rgb_jpeg_dcmtk.dcm', 'dicom/pydicom/JPGExtended.dcm', 'dicom/pydicom/image_dfl.dcm',
  'dicom/pydicom/MR_small_bigendian.dcm', 'dicom/pydicom/SC_rgb_rle.dcm', 'nifti/nibabel/standard.nii.gz', 'nifti/niivue/minimal.nii.gz',
];
const MUTATIONS = 24;

function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function mutate(bytes: Uint8Array, k: number, r: () => number): Uint8Array {
  const m = bytes.slice();
  if (k % 3 === 1) return m.subarray(0, Math.floor(r() * m.length));
  const edits = k % 3 === 0 ? 1 + Math.floor(r() * 8) : 3;
  for (let i = 0; i < edits; i++) {
    const o = Math.floor(r() * Math.max(1, m.length - 4));
    if (k % 3 === 0) m[o] = Math.floor(r() * 256);
    else m.set([0xff, 0xff, 0xff, 0x7f].map((v) => (r() < 0.5 ? v : Math.floor(r() * 256))), o);
  }
  return m;
}

const synthetic: [string, Uint8Array][] = [
  ['p.png', pngFile(20, 20)],
  ['j.jpg', jpegFile(20, 20)],
  ['b.bmp', bmpFile({ width: 9, height: 7, bpp: 8, pixel: (x) => [x] })],
  ['t.tif', tiffFile({ width: 4, height: 4, bps: 16, spp: 1, photometric: 1, data: new Uint8Array(32) })],
  ['d.dcm', dicomImage({ rows: 8, cols: 8, bits: 16 })],
  ['n.nii.gz', gzipSync(niftiFile({ dims: [3, 4, 4, 4] }, new Uint8Array(64)))],
  ['w.webp', Uint8Array.from(atob('UklGRkgAAABXRUJQVlA4IDwAAAAQAgCdASoHAAUAAUAmJbACdLoB+AH4AAPIAP7Q7YHUP/0vcn/9NFGFMfYA/+6ooKhRw0gtDePf+NQAAAA='), (c) => c.charCodeAt(0))],
];

describe('fuzzed inputs', () => {
  const files = [...synthetic, ...(hasData ? REAL.map((f): [string, Uint8Array] => [f, readData(`sample-files/${f}`).bytes]) : [])];
  for (const [name, bytes] of files) {
    it(`${name}: ${MUTATIONS} mutations end in a Scan or a ScanReadError`, async () => {
      const r = rng(name.length * 7919 + bytes.length);
      const wrong: string[] = [];
      for (let k = 0; k < MUTATIONS; k++) {
        try {
          await readScan({ name, bytes: mutate(bytes, k, r) });
        } catch (e) {
          if (!(e instanceof ScanReadError)) wrong.push(`mutation ${k}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        }
      }
      expect(wrong).toEqual([]);
    }, 20_000);
  }
});
