// A corpus of broken and hostile inputs, generated in code (no committed binaries): each must make
// readScan throw a ScanReadError with the given code and a message matching `message`, quickly.
// Exported for the e2e tests, which feed the same files to the UI.
import { gzipSync, zipSync } from 'fflate';
import type { ScanReadError } from '../types';
import { bmpFile, concat, dicomEncapsulated, dicomFile, dicomImage, jpegFile, niftiFile, niftiHeader, pngFile, tiffFile } from './builders';

export interface BadFile {
  name: string;
  bytes: Uint8Array;
  code: ScanReadError['code'];
  /** What the message must say (a fragment, case-insensitive). */
  message: RegExp;
  why: string;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const be32 = (b: Uint8Array, o: number, v: number): void => new DataView(b.buffer, b.byteOffset).setUint32(o, v, false);
const le32 = (b: Uint8Array, o: number, v: number): void => new DataView(b.buffer, b.byteOffset).setUint32(o, v, true);

/** Deterministic pseudo-random bytes (xorshift), so the corpus is the same on every run. */
function noise(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function crc32(b: Uint8Array): number {
  let c = ~0;
  for (const v of b) {
    c ^= v;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** Rewrites the IHDR size and fixes the CRC, so only the size is wrong. */
function pngClaiming(w: number, h: number): Uint8Array {
  const b = pngFile(8, 8).slice();
  be32(b, 16, w);
  be32(b, 20, h);
  be32(b, 29, crc32(b.subarray(12, 29)));
  return b;
}

function pngIdat(mutate: (b: Uint8Array, data: number, len: number) => void): Uint8Array {
  const b = pngFile(16, 16).slice();
  let off = 8;
  while (String.fromCharCode(...b.subarray(off + 4, off + 8)) !== 'IDAT') off += 12 + new DataView(b.buffer).getUint32(off);
  mutate(b, off + 8, new DataView(b.buffer).getUint32(off));
  return b;
}

function jpegClaiming(w: number, h: number): Uint8Array {
  const b = jpegFile(16, 16).slice();
  for (let i = 2; i + 9 < b.length; i++) {
    if (b[i] === 0xff && b[i + 1] === 0xc0) {
      b.set([h >> 8, h & 0xff, w >> 8, w & 0xff], i + 5);
      break;
    }
  }
  return b;
}

function niftiGz(dims: number[], datatype: number, bitpix: number, dataBytes: number): Uint8Array {
  return gzipSync(niftiFile({ dims, datatype, bitpix }, new Uint8Array(dataBytes)));
}

function tiffLoop(): Uint8Array {
  const t = tiffFile({ width: 4, height: 4, bps: 8, spp: 1, photometric: 1, data: new Uint8Array(16), nextIfd: 8 });
  return t;
}

function dicomTruncatedElement(): Uint8Array {
  const d = dicomImage({ rows: 4, cols: 4 });
  // A patient-name element whose declared length runs far past the end of the file.
  return concat([d, Uint8Array.from([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 0xff, 0x7f]), text('DOE^JOHN')]);
}

export function badFiles(): BadFile[] {
  const png = pngFile(16, 16);
  const jpg = jpegFile(16, 16);
  const bmp = bmpFile({ width: 8, height: 8, bpp: 24, pixel: () => [1, 2, 3] });
  const nii = niftiFile({ dims: [3, 4, 4, 4] }, new Uint8Array(64));
  const seg = '1.2.840.10008.5.1.4.1.1.66.4';
  const files: BadFile[] = [
    { name: 'empty.png', bytes: new Uint8Array(0), code: 'empty', message: /empty/i, why: 'zero bytes' },
    { name: 'notes.txt', bytes: text('Patient notes: nothing to see here.\n'.repeat(20)), code: 'unsupported', message: /text file/i, why: 'plain text' },
    { name: 'scan.png', bytes: text('<!DOCTYPE html><html><body>Not found</body></html>'), code: 'unsupported', message: /HTML/i, why: 'HTML saved as .png' },
    { name: 'scans.zip', bytes: zipSync({ 'a.txt': text('hello') }), code: 'unsupported', message: /ZIP/i, why: 'zip archive' },
    { name: 'random.dcm', bytes: noise(4096, 7), code: 'unknown-format', message: /not a recognised image format/i, why: 'random bytes' },
    { name: 'wrong-magic.png', bytes: concat([Uint8Array.from([0x89, 0x50, 0x4e, 0x46]), noise(200, 3)]), code: 'unknown-format', message: /not a recognised/i, why: 'PNG magic off by one byte' },
    { name: 'anim.gif', bytes: concat([text('GIF89a'), noise(64, 5)]), code: 'unsupported', message: /GIF/i, why: 'GIF' },
    { name: 'report.pdf', bytes: text('%PDF-1.4\n%...'), code: 'unsupported', message: /PDF/i, why: 'PDF' },
    // PNG
    { name: 'truncated.png', bytes: png.subarray(0, Math.floor(png.length / 2)), code: 'truncated', message: /truncated/i, why: 'PNG cut in half' },
    { name: 'header-only.png', bytes: png.subarray(0, 20), code: 'truncated', message: /truncated/i, why: 'PNG cut inside IHDR' },
    { name: 'bad-crc.png', bytes: pngIdat((b, d) => (b[d + 2] ^= 0xff)), code: 'corrupt', message: /corrupt/i, why: 'IDAT byte flipped, CRC now wrong' },
    { name: 'bad-idat.png', bytes: pngIdat((b, d, len) => { b.set(noise(len, 9), d); be32(b, d + len, crc32(b.subarray(d - 4, d + len))); }), code: 'corrupt', message: /corrupt/i, why: 'IDAT garbage with a valid CRC' },
    { name: 'huge.png', bytes: pngClaiming(100000, 100000), code: 'too-large', message: /100000 x 100000/, why: 'IHDR claims 100000 x 100000' },
    { name: 'zero-size.png', bytes: pngClaiming(0, 10), code: 'corrupt', message: /impossible size/i, why: 'IHDR width 0' },
    // JPEG
    { name: 'truncated.jpg', bytes: jpg.subarray(0, Math.floor(jpg.length * 0.7)), code: 'truncated', message: /truncated/i, why: 'JPEG without its end' },
    { name: 'header-only.jpg', bytes: jpg.subarray(0, 30), code: 'truncated', message: /truncated/i, why: 'JPEG cut in its headers' },
    { name: 'huge.jpg', bytes: jpegClaiming(65000, 65000), code: 'too-large', message: /65000 x 65000/, why: 'SOF claims 65000 x 65000' },
    { name: 'garbage-after-soi.jpg', bytes: concat([Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), noise(300, 11)]), code: 'corrupt', message: /corrupt|marker/i, why: 'JPEG SOI then noise' },
    // BMP
    { name: 'bogus-offset.bmp', bytes: (() => { const b = bmp.slice(); le32(b, 10, 0x7fffffff); return b; })(), code: 'corrupt', message: /offset/i, why: 'pixel data offset past EOF' },
    { name: 'truncated.bmp', bytes: bmp.subarray(0, 80), code: 'truncated', message: /truncated/i, why: 'BMP rows cut' },
    { name: 'huge.bmp', bytes: (() => { const b = bmp.slice(); le32(b, 18, 200000); le32(b, 22, 200000); return b; })(), code: 'too-large', message: /200000 x 200000/, why: 'BMP claims 200000 x 200000' },
    { name: 'bpp7.bmp', bytes: (() => { const b = bmp.slice(); b[28] = 7; return b; })(), code: 'corrupt', message: /bits per pixel/i, why: '7 bits per pixel' },
    // TIFF
    { name: 'cyclic.tif', bytes: tiffLoop(), code: 'corrupt', message: /loop/i, why: 'IFD chain points back to itself' },
    { name: 'ifd-outside.tif', bytes: (() => { const b = tiffFile({ width: 4, height: 4, bps: 8, spp: 1, photometric: 1, data: new Uint8Array(16) }); le32(b, 4, 999999); return b; })(), code: 'corrupt', message: /outside the file/i, why: 'first IFD offset past EOF' },
    { name: 'huge.tif', bytes: tiffFile({ width: 60000, height: 60000, bps: 16, spp: 1, photometric: 1, data: new Uint8Array(16) }), code: 'too-large', message: /60000 x 60000/, why: 'TIFF claims 60000 x 60000' },
    // WebP
    { name: 'garbage.webp', bytes: (() => { const b = concat([text('RIFF'), new Uint8Array(4), text('WEBPVP8L'), new Uint8Array(4), Uint8Array.from([0x2f, 0x06, 0x40, 0x01, 0x00]), noise(64, 6)]); le32(b, 4, b.length - 8); le32(b, 16, b.length - 20); return b; })(), code: 'corrupt', message: /WebP file is corrupt/, why: 'WebP header, garbage bitstream' },
    { name: 'truncated.webp', bytes: concat([text('RIFF'), Uint8Array.from([0xff, 0, 0, 0]), text('WEBPVP8L'), noise(20, 4)]), code: 'truncated', message: /truncated/i, why: 'RIFF size past EOF' },
    // DICOM
    { name: 'element-past-eof.dcm', bytes: dicomTruncatedElement(), code: 'truncated', message: /truncated|past the end/i, why: 'element length past EOF' },
    { name: 'no-pixels.dcm', bytes: dicomImage({ rows: 4, cols: 4, omitPixels: true }), code: 'not-an-image', message: /no pixel data/i, why: 'no PixelData' },
    { name: 'seg.dcm', bytes: dicomImage({ rows: 4, cols: 4, sopClass: seg, modality: 'SEG' }), code: 'not-an-image', message: /Segmentation.*reference mask/i, why: 'DICOM SEG opened as a scan' },
    { name: 'dicomdir', bytes: dicomFile([{ tag: 0x00041130, vr: 'CS', value: 'FILESET' }], undefined, '1.2.840.10008.1.3.10'), code: 'not-an-image', message: /DICOMDIR/, why: 'DICOMDIR' },
    { name: 'huge-frames.dcm', bytes: dicomImage({ rows: 65535, cols: 65535, frames: 1000, bits: 16 }), code: 'too-large', message: /65535 x 65535/, why: '65535 x 65535 x 1000 frames' },
    { name: 'many-frames.dcm', bytes: dicomImage({ rows: 512, cols: 512, frames: 100000, bits: 16 }), code: 'too-large', message: /GiB/, why: '100000 frames of 512 x 512: 52 GB' },
    { name: 'short-pixels.dcm', bytes: dicomImage({ rows: 256, cols: 256, bits: 16, pixels: new Uint8Array(1000) }), code: 'truncated', message: /pixel data is truncated/i, why: 'pixel data shorter than rows x cols' },
    { name: 'bits7.dcm', bytes: dicomImage({ rows: 4, cols: 4, extra: [{ tag: 0x00280100, vr: 'US', value: 7 }] }), code: 'unsupported', message: /bits allocated/i, why: 'bits allocated 7' },
    { name: 'spp2.dcm', bytes: dicomImage({ rows: 4, cols: 4, spp: 2 }), code: 'corrupt', message: /samples per pixel/i, why: 'two samples per pixel' },
    { name: 'zero-rows.dcm', bytes: dicomImage({ rows: 0, cols: 4 }), code: 'corrupt', message: /impossible size/i, why: 'rows 0' },
    { name: 'preamble-only.dcm', bytes: concat([new Uint8Array(128), text('DICM')]), code: 'truncated', message: /truncated/i, why: 'DICM and nothing else' },
    // Compressed DICOM with damaged codestreams: each codec must fail cleanly.
    ...(
      [
        ['rle-bad-offsets.dcm', '1.2.840.10008.1.2.5', concat([Uint8Array.from([1, 0, 0, 0, 0xff, 0xff, 0, 0]), new Uint8Array(56), noise(40, 21)]), 'corrupt', /segment offset/i],
        ['rle-short.dcm', '1.2.840.10008.1.2.5', Uint8Array.from([1, 0, 0, 0]), 'truncated', /segment table/i],
        ['j2k-garbage.dcm', '1.2.840.10008.1.2.4.90', concat([Uint8Array.from([0xff, 0x4f, 0xff, 0x51]), noise(300, 22)]), 'corrupt', /JPEG 2000/],
        ['htj2k-garbage.dcm', '1.2.840.10008.1.2.4.201', concat([Uint8Array.from([0xff, 0x4f, 0xff, 0x51]), noise(300, 23)]), 'corrupt', /HTJ2K/],
        ['jpegls-garbage.dcm', '1.2.840.10008.1.2.4.80', concat([Uint8Array.from([0xff, 0xd8, 0xff, 0xf7, 0x00, 0x0b, 8, 0, 16, 0, 16, 1, 1, 0x11, 0]), noise(200, 24), Uint8Array.from([0xff, 0xd9])]), 'corrupt', /JPEG-LS|corrupt/i],
        ['jpeg-wrong-size.dcm', '1.2.840.10008.1.2.4.50', jpegFile(16, 16), 'corrupt', /decodes to 16 x 16, but the header says 32 x 32/],
        ['j2k-huge-siz.dcm', '1.2.840.10008.1.2.4.91', Uint8Array.from([0xff, 0x4f, 0xff, 0x51, 0, 41, 0, 0, 0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, ...noise(40, 26)]), 'corrupt', /60000 x 60000/],
        ['mpeg.dcm', '1.2.840.10008.1.2.4.100', noise(64, 25), 'unsupported', /not supported/i],
      ] as const
    ).map(([name, syntax, frame, code, message]) => ({
      name,
      bytes: dicomEncapsulated({ rows: 32, cols: 32, syntax, frames: [frame], spp: name.startsWith('jpeg-') ? 3 : 1 }),
      code,
      message,
      why: `encapsulated ${syntax} with a damaged frame`,
    })),
    // NIfTI
    { name: 'absurd.nii', bytes: niftiFile({ dims: [3, 30000, 30000, 30000] }, new Uint8Array(16)), code: 'too-large', message: /30000 x 30000/, why: '30000^3 voxels' },
    { name: 'negative.nii', bytes: niftiFile({ dims: [3, 64, -64, 10] }, new Uint8Array(16)), code: 'corrupt', message: /dimension of -64/, why: 'negative dim' },
    { name: 'dim0-9.nii', bytes: niftiFile({ dims: [9, 4, 4, 4] }, new Uint8Array(64)), code: 'corrupt', message: /dim\[0\] = 9/, why: 'dim[0] = 9' },
    { name: 'truncated.nii', bytes: nii.subarray(0, 360), code: 'truncated', message: /truncated/i, why: 'voxels missing' },
    { name: 'header-cut.nii', bytes: concat([niftiHeader({ dims: [3, 4, 4, 4] }).subarray(0, 200), new Uint8Array(148)]).subarray(0, 200), code: 'unknown-format', message: /not a recognised/i, why: 'header cut at 200 bytes (no magic left)' },
    { name: 'complex.nii', bytes: niftiFile({ dims: [3, 4, 4, 4], datatype: 32, bitpix: 64 }, new Uint8Array(512)), code: 'unsupported', message: /complex64/, why: 'complex data' },
    { name: 'bad-datatype.nii', bytes: niftiFile({ dims: [3, 4, 4, 4], datatype: 999 }, new Uint8Array(64)), code: 'corrupt', message: /datatype 999/, why: 'unknown datatype' },
    { name: 'vox-offset.nii', bytes: niftiFile({ dims: [3, 4, 4, 4], voxOffset: 3e9 }, new Uint8Array(64)), code: 'corrupt', message: /vox_offset/, why: 'vox_offset 3e9' },
    { name: 'pair.hdr', bytes: niftiHeader({ dims: [3, 4, 4, 4], magic: 'ni1\0' }), code: 'unsupported', message: /\.hdr \+ \.img/, why: 'NIfTI pair header' },
    { name: 'bomb.nii.gz', bytes: niftiGz([3, 2048, 2048, 2048], 16, 32, 4096), code: 'too-large', message: /GiB/, why: 'small gzip declaring 32 GiB of float32' },
    { name: 'short.nii.gz', bytes: niftiGz([3, 512, 512, 256], 4, 16, 4096), code: 'truncated', message: /truncated/i, why: 'gzip declares 128 MiB, holds 4 KiB' },
    { name: 'cut.nii.gz', bytes: gzipSync(nii).subarray(0, 30), code: 'corrupt', message: /corrupt|truncated/i, why: 'gzip stream cut' },
    { name: 'not-nifti.gz', bytes: gzipSync(text('just some text '.repeat(100))), code: 'unsupported', message: /does not contain a NIfTI/i, why: 'gzip of text' },
    // NRRD and MetaImage
    { name: 'volume.nrrd', bytes: text('NRRD0004\ntype: short\ndimension: 3\nsizes: 4 4 4\nencoding: raw\n\n'), code: 'truncated', message: /NRRD file is truncated/, why: 'NRRD header, no voxels' },
    { name: 'huge.nrrd', bytes: text('NRRD0004\ntype: float\ndimension: 3\nsizes: 100000 100000 10\nencoding: gzip\n\n'), code: 'too-large', message: /100000 x 100000/, why: 'NRRD claims 100000 x 100000 x 10' },
    { name: 'detached.nhdr', bytes: text('NRRD0004\ntype: short\ndimension: 3\nsizes: 4 4 4\nencoding: raw\ndata file: x.raw\n\n'), code: 'unsupported', message: /separate data file/, why: 'detached NRRD header' },
    { name: 'no-end.nrrd', bytes: text('NRRD0004\ntype: short'), code: 'truncated', message: /header is truncated/, why: 'NRRD header never ends' },
    { name: 'volume.mha', bytes: text('ObjectType = Image\nNDims = 3\nDimSize = 4 4 4\nElementType = MET_SHORT\nElementDataFile = LOCAL\n'), code: 'truncated', message: /MetaImage file is truncated/, why: 'MetaImage header, no voxels' },
    { name: 'detached.mhd', bytes: text('ObjectType = Image\nNDims = 3\nDimSize = 4 4 4\nElementType = MET_SHORT\nElementDataFile = x.raw\n'), code: 'unsupported', message: /separate data file/, why: 'detached MetaImage header' },
    { name: 'bad-dims.mha', bytes: text('ObjectType = Image\nNDims = 3\nDimSize = 4 -4 4\nElementType = MET_SHORT\nElementDataFile = LOCAL\n'), code: 'corrupt', message: /DimSize/, why: 'negative MetaImage size' },
  ];
  return files;
}
