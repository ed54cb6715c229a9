// Hostile-input corpus GENERATOR (nothing binary is committed): ≥ 100 cases across DICOM, NIfTI, NRRD,
// MetaImage, PNG, TIFF, BMP, WebP, JPEG, COCO, DICOM SEG and NIfTI reference masks, multi-file studies,
// and model bundles/manifests. Each case says what the app must do: open it, or refuse it with a clear
// message (matched by `message`) within 3 s. Run by scripts/hostile-corpus.test.ts (the readers in Node)
// and e2e/hostile.spec.ts (the real app in Chromium: open, import, folder import; a good file still
// opens afterwards).
import { createHash } from 'node:crypto';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { dicomImage, dicomEncapsulated, niftiFile, tiffFile, bmpFile, pngFile, jpegFile, type DicomElement } from '../src/scan/testing/builders';
import { writeDicomSeg } from '../src/scan/writers/dicomSeg';
import { toCocoJson, COCO_TYPE } from '../src/scan/writers/coco';
import { fakeScan } from '../src/scan/writers/testScans';

export type Target = 'scan' | 'mask' | 'study' | 'bundle';
export interface CaseFile {
  name: string;
  bytes: Uint8Array;
}
export interface HostileCase {
  id: string;
  target: Target;
  files: CaseFile[];
  expect: 'opens' | 'refused';
  /** For refusals: the user-facing message must match (what is wrong, in words). */
  message?: RegExp;
}

/** The scan reference-mask cases are imported onto: a 16 × 16 DICOM. */
export const MASK_HOST: CaseFile = { name: 'mask-host.dcm', bytes: dicomImage({ rows: 16, cols: 16, bits: 8, pixels: Uint8Array.from({ length: 256 }, (_, i) => i) }) };
/** A good file opened after the hostile ones. */
export const GOOD: CaseFile = { name: 'good-after.png', bytes: pngFile(40, 30, 1) };

const te = new TextEncoder();
const RAW_LIB = /DataView|NaNx|ERROR_CODE|Failed to construct|undefined|is not a function|Cannot read|Unexpected token|dicomParser|must match pattern/;
export const RAW_LIBRARY_TEXT = RAW_LIB;

function chunk(type: string, data: Uint8Array): Uint8Array {
  const td = Buffer.concat([Buffer.from(type, 'ascii'), Buffer.from(data)]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  td.copy(out, 4);
  out.writeUInt32BE(crc32(td) >>> 0, 8 + data.length);
  return out;
}
function png(w: number, h: number, depth: number, colour: number, idat?: Uint8Array, crcBreak = false): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w >>> 0, 0);
  ihdr.writeUInt32BE(h >>> 0, 4);
  ihdr[8] = depth;
  ihdr[9] = colour;
  const parts = [Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), Buffer.from(chunk('IHDR', ihdr))];
  if (idat) parts.push(Buffer.from(chunk('IDAT', idat)));
  parts.push(Buffer.from(chunk('IEND', new Uint8Array(0))));
  const b = new Uint8Array(Buffer.concat(parts));
  if (crcBreak) b[29] ^= 0xff;
  return b;
}
const cut = (b: Uint8Array, n: number): Uint8Array => b.slice(0, n);
const dcm = (extra: DicomElement[], o: Partial<Parameters<typeof dicomImage>[0]> = {}): Uint8Array => dicomImage({ rows: 8, cols: 8, bits: 16, ...o, extra });
const US = (tag: number, value: number): DicomElement => ({ tag, vr: 'US', value });
const DS = (tag: number, value: string): DicomElement => ({ tag, vr: 'DS', value });
const IS = (tag: number, value: string): DicomElement => ({ tag, vr: 'IS', value });

function textVolume(header: string, data: Uint8Array): Uint8Array {
  const h = te.encode(header);
  const out = new Uint8Array(h.length + data.length);
  out.set(h);
  out.set(data, h.length);
  return out;
}
const nrrd = (fields: string, data: Uint8Array) => textVolume(`NRRD0004\n${fields}\n\n`, data);
const mha = (fields: string, data: Uint8Array) => textVolume(`${fields}\nElementDataFile = LOCAL\n`, data);

function bmpHeader(w: number, h: number, bpp: number, dataLen = 0): Uint8Array {
  const b = Buffer.alloc(54 + dataLen);
  b.write('BM', 0, 'ascii');
  b.writeUInt32LE(54 + dataLen, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18);
  b.writeInt32LE(h, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(bpp, 28);
  return new Uint8Array(b);
}
function jpegSof(w: number, h: number): Uint8Array {
  // SOI, a baseline SOF0 declaring w × h, then EOI (no tables, no scan)
  return Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, h >> 8, h & 255, w >> 8, w & 255, 1, 1, 0x11, 0, 0xff, 0xd9]);
}
const webp = Uint8Array.from(atob('UklGRkgAAABXRUJQVlA4IDwAAAAQAgCdASoHAAUAAUAmJbACdLoB+AH4AAPIAP7Q7YHUP/0vcn/9NFGFMfYA/+6ooKhRw0gtDePf+NQAAAA='), (c) => c.charCodeAt(0));

function segFor(w: number, h: number): Uint8Array {
  const scan = fakeScan(w, h, { format: 'dicom' }, { dicom: { studyInstanceUID: '1.2.3.4', seriesInstanceUID: '1.2.3.4.5', sopInstanceUIDs: ['1.2.3.4.5.6'], sopClassUID: '1.2.840.10008.5.1.4.1.1.7', frameOfReferenceUID: '1.2.9' } });
  const mask = { width: w, height: h, data: Uint8Array.from({ length: w * h }, (_, i) => ((i % w) > w / 3 && (i % w) < (2 * w) / 3 ? 1 : 0)) };
  return writeDicomSeg(mask, scan, 0, { uid: (() => { let n = 0; return () => `2.25.${++n}`; })() });
}
const coco = (w: number, h: number, n = 1): Uint8Array => {
  const m = { width: w, height: h, data: new Uint8Array(w * h).fill(1, 0, Math.floor((w * h) / 3)) };
  return te.encode(JSON.stringify(toCocoJson('x', Array.from({ length: n }, () => ({ label: 'polyp', mask: m })))));
};

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
function bundle(id: string, mutate: (m: Record<string, unknown>, files: Record<string, Uint8Array>) => void): CaseFile[] {
  const files: Record<string, Uint8Array> = {
    'tokenizer.json': te.encode('{"model":{"type":"BPE","vocab":{},"merges":[]}}'),
    'model.onnx': Uint8Array.from({ length: 2048 }, (_, i) => (i * 7) % 251),
  };
  const graph = { file: 'model.onnx', precision: 'fp32', inputs: [{ name: 'pixel_values', dtype: 'float32', shape: [1, 3, 8, 8] }, { name: 'input_ids', dtype: 'int64', shape: [1, 77] }], outputs: [{ name: 'logits', dtype: 'float32', shape: [1, 1, 8, 8] }] };
  const m: Record<string, unknown> = {
    format: 'vlsm-bundle', formatVersion: 1, id, name: `Hostile ${id}`, architecture: 'test', license: 'test', modelCard: { summary: 's' },
    input: { size: [8, 8], mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', colour: 'rgb' },
    text: { tokenizer: 'tokenizer.json', maxLength: 77, padding: 'none' }, kind: 'single',
    variants: [{ name: 'fp32', backends: ['wasm'], graphs: { model: graph } }],
    output: { activation: 'sigmoid', threshold: 0.5, size: [8, 8] },
    files: Object.entries(files).map(([path, b]) => ({ path, bytes: b.byteLength, sha256: sha(b) })),
  };
  mutate(m, files);
  return [{ name: 'manifest.json', bytes: te.encode(typeof m.__raw === 'string' ? m.__raw : JSON.stringify(m)) }, ...Object.entries(files).map(([name, bytes]) => ({ name, bytes }))];
}
const filesOf = (m: Record<string, unknown>) => m.files as { path: string; bytes: number; sha256: string }[];

export function hostileCorpus(): HostileCase[] {
  const out: HostileCase[] = [];
  const scan = (id: string, name: string, bytes: Uint8Array, expect: 'opens' | 'refused', message?: RegExp) => out.push({ id, target: 'scan', files: [{ name, bytes }], expect, message });
  const mask = (id: string, name: string, bytes: Uint8Array, expect: 'opens' | 'refused', message?: RegExp) => out.push({ id, target: 'mask', files: [{ name, bytes }], expect, message });

  // ---- DICOM (header validation, pixel data, compression) ----
  const inconsistent = /DICOM header is inconsistent|corrupt/i;
  scan('dcm-good', 'dcm-good.dcm', dcm([]), 'opens');
  scan('dcm-spp4', 'dcm-spp4.dcm', dcm([US(0x00280002, 4)]), 'refused', /4 samples per pixel/);
  scan('dcm-spp0', 'dcm-spp0.dcm', dcm([US(0x00280002, 0)]), 'refused', /0 samples per pixel/);
  scan('dcm-spp2', 'dcm-spp2.dcm', dcm([US(0x00280002, 2)]), 'refused', /2 samples per pixel/);
  scan('dcm-stored-gt-alloc', 'dcm-stored.dcm', dcm([US(0x00280101, 24)]), 'refused', /Bits Stored is 24 but Bits Allocated is 16/);
  scan('dcm-stored-0', 'dcm-stored0.dcm', dcm([US(0x00280101, 0)]), 'refused', inconsistent);
  scan('dcm-highbit-40', 'dcm-highbit.dcm', dcm([US(0x00280102, 40)]), 'refused', /High Bit is 40/);
  scan('dcm-pixrep-2', 'dcm-pixrep.dcm', dcm([US(0x00280103, 2)]), 'refused', /Pixel Representation is 2/);
  scan('dcm-bits-12', 'dcm-bits12.dcm', dcm([US(0x00280100, 12)]), 'refused', /12 bits allocated/);
  scan('dcm-rows-0', 'dcm-rows0.dcm', dcm([], { rows: 0 }), 'refused', /impossible size|corrupt/i);
  scan('dcm-huge', 'dcm-huge.dcm', dcm([], { rows: 65535, cols: 65535 }), 'refused', /Mpx|limit|GiB/);
  scan('dcm-frames-neg', 'dcm-frames.dcm', dcm([IS(0x00280008, '-3')]), 'refused', /impossible size|corrupt/i);
  scan('dcm-frames-text', 'dcm-frames-text.dcm', dcm([IS(0x00280008, 'abc')]), 'refused', /impossible size|corrupt/i);
  scan('dcm-frames-huge', 'dcm-frames-huge.dcm', dcm([IS(0x00280008, '999999999')]), 'refused', /GiB|limit|truncated/i);
  scan('dcm-truncated-pixels', 'dcm-trunc.dcm', dcm([], { pixels: new Uint8Array(10) }), 'refused', /truncated/i);
  scan('dcm-no-pixels', 'dcm-nopix.dcm', dcm([], { omitPixels: true }), 'refused', /pixel|image/i);
  scan('dcm-seg-modality', 'dcm-seg.dcm', dcm([], { modality: 'SEG' }), 'refused', /Segmentation|SEG/);
  scan('dcm-mono-rgb', 'dcm-mono3.dcm', dcm([], { spp: 3, photometric: 'MONOCHROME2', bits: 8 }), 'refused', /greyscale photometric/);
  scan('dcm-rgb-1', 'dcm-rgb1.dcm', dcm([], { photometric: 'RGB' }), 'refused', /colour photometric/);
  scan('dcm-window-inf', 'dcm-window-inf.dcm', dcm([DS(0x00281050, 'Infinity'), DS(0x00281051, 'Infinity')]), 'opens');
  scan('dcm-slope-nan', 'dcm-slope.dcm', dcm([DS(0x00281053, 'NaN')]), 'opens');
  scan('dcm-preamble-only', 'dcm-preamble.dcm', cut(dcm([]), 132), 'refused', /DICOM|corrupt|truncated/i);
  scan('dcm-cut-header', 'dcm-cut.dcm', cut(dcm([]), 300), 'refused', /DICOM|corrupt|truncated/i);
  scan('dcm-rle-bad-segments', 'dcm-rle.dcm', dicomEncapsulated({ rows: 8, cols: 8, syntax: '1.2.840.10008.1.2.5', frames: [new Uint8Array(64).fill(7)] }), 'refused', /RLE/);
  scan('dcm-jpeg-garbage', 'dcm-jpeg.dcm', dicomEncapsulated({ rows: 8, cols: 8, syntax: '1.2.840.10008.1.2.4.50', frames: [new Uint8Array(100).fill(0x55)], bits: 8 }), 'refused', /JPEG|corrupt|decode/i);
  scan('dcm-j2k-size-lie', 'dcm-j2k.dcm', dicomEncapsulated({ rows: 8, cols: 8, syntax: '1.2.840.10008.1.2.4.90', frames: [Uint8Array.from([0xff, 0x4f, 0xff, 0x51, 0, 41, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])], bits: 8 }), 'refused', /JPEG 2000/);
  scan('dcm-deflate-garbage', 'dcm-deflate.dcm', (() => { const b = dcm([{ tag: 0x00020010, vr: 'UI', value: '1.2.840.10008.1.2.1.99' }]); return b; })(), 'refused', /deflate|corrupt|DICOM/i);
  scan('dcm-unknown-syntax', 'dcm-syntax.dcm', dicomEncapsulated({ rows: 8, cols: 8, syntax: '1.2.840.10008.1.2.4.100', frames: [new Uint8Array(16)], bits: 8 }), 'refused', /not supported/);

  // ---- NIfTI ----
  const nii = (h: Parameters<typeof niftiFile>[0], n = 64) => niftiFile(h, Uint8Array.from({ length: n }, (_, i) => i));
  scan('nii-good', 'nii-good.nii', nii({ dims: [3, 4, 4, 4] }), 'opens');
  scan('nii-good-gz', 'nii-good.nii.gz', gzipSync(nii({ dims: [3, 4, 4, 4] })), 'opens');
  scan('nii-dim-neg', 'nii-neg.nii', nii({ dims: [3, -4, 4, 4] }), 'refused', /impossible|corrupt/i);
  // a 0 in dim[1..dim[0]] means no voxels: refused (not read as 1)
  scan('nii-dim-zero', 'nii-zero.nii', nii({ dims: [3, 0, 4, 4] }), 'refused', /dimension 1 \(dim\[1\]\) is 0/);
  scan('nii-dim3-zero', 'nii-zero3.nii', nii({ dims: [3, 4, 4, 0] }), 'refused', /dimension 3 \(dim\[3\]\) is 0/);
  // a 0 beyond dim[0] is unused and ignored: it opens
  scan('nii-dim-zero-unused', 'nii-zero-unused.nii', nii({ dims: [3, 4, 4, 4, 0] }), 'opens');
  // voxels of +Infinity and -Infinity among finite ones: opens, the window spans the finite values only
  scan('nii-voxels-inf', 'nii-inf.nii', (() => { const b = nii({ dims: [3, 4, 4, 4], datatype: 16, bitpix: 32 }, 256); const dv = new DataView(b.buffer, b.byteOffset); const off = 352; for (let i = 0; i < 64; i++) dv.setFloat32(off + 4 * i, i === 0 ? Infinity : i === 1 ? -Infinity : i, true); return b; })(), 'opens');
  scan('nii-ndim-9', 'nii-ndim.nii', nii({ dims: [9, 4, 4, 4] }), 'refused', /NIfTI|corrupt|dimension/i);
  scan('nii-huge', 'nii-huge.nii', nii({ dims: [3, 32767, 32767, 32767] }), 'refused', /Mpx|limit|GiB/);
  scan('nii-datatype-1', 'nii-binary.nii', nii({ dims: [3, 4, 4, 4], datatype: 1, bitpix: 1 }), 'refused', /datatype|not supported/i);
  scan('nii-datatype-99', 'nii-dt99.nii', nii({ dims: [3, 4, 4, 4], datatype: 99 }), 'refused', /datatype|not supported|corrupt/i);
  scan('nii-truncated', 'nii-trunc.nii', nii({ dims: [3, 40, 40, 40] }, 100), 'refused', /truncated|shorter/i);
  scan('nii-voxoffset-huge', 'nii-off.nii', nii({ dims: [3, 4, 4, 4], voxOffset: 1e12 }), 'refused', /vox_offset|corrupt/i);
  scan('nii-cal-inf', 'nii-cal.nii', (() => { const b = nii({ dims: [3, 4, 4, 4], datatype: 16, bitpix: 32 }, 256); const dv = new DataView(b.buffer); dv.setFloat32(124, Infinity, true); dv.setFloat32(128, -Infinity, true); return b; })(), 'opens');
  scan('nii-scl-nan', 'nii-scl.nii', nii({ dims: [3, 4, 4, 4], sclSlope: Number.NaN }), 'opens');
  scan('nii-gz-bomb', 'nii-bomb.nii.gz', gzipSync(Buffer.concat([Buffer.from(niftiFile({ dims: [3, 4096, 4096, 128] }, new Uint8Array(0))), Buffer.alloc(64 * 1024 * 1024)])), 'refused', /GiB|limit|Mpx/);
  scan('nii-gz-truncated', 'nii-cut.nii.gz', cut(gzipSync(nii({ dims: [3, 32, 32, 32] }, 32768)), 200), 'refused', /truncated|corrupt/i);
  scan('nii-pair', 'pair.hdr', (() => { const b = nii({ dims: [3, 4, 4, 4], magic: 'ni1\0' }); return b.slice(0, 348); })(), 'refused', /\.hdr|pair|\.img/);

  // ---- NRRD / MetaImage ----
  const vox = new Uint8Array(64).map((_, i) => i);
  scan('nrrd-good', 'good.nrrd', nrrd('type: uint8\ndimension: 3\nsizes: 4 4 4\nencoding: raw', vox), 'opens');
  scan('nrrd-datafile', 'ext.nrrd', nrrd('type: uint8\ndimension: 3\nsizes: 4 4 4\nencoding: raw\ndata file: ../../etc/passwd', new Uint8Array(0)), 'refused', /separate data file/);
  scan('nrrd-type', 'type.nrrd', nrrd('type: block\ndimension: 3\nsizes: 4 4 4\nencoding: raw', vox), 'refused', /not supported/);
  scan('nrrd-encoding', 'enc.nrrd', nrrd('type: uint8\ndimension: 3\nsizes: 4 4 4\nencoding: bzip2', vox), 'refused', /encoding/);
  scan('nrrd-huge', 'huge.nrrd', nrrd('type: float\ndimension: 3\nsizes: 4096 4096 4096\nencoding: raw', vox), 'refused', /Mpx|limit|GiB/);
  scan('nrrd-negative', 'neg.nrrd', nrrd('type: uint8\ndimension: 3\nsizes: 4 -4 4\nencoding: raw', vox), 'refused', /impossible|corrupt/i);
  scan('nrrd-truncated', 'cut.nrrd', nrrd('type: uint8\ndimension: 3\nsizes: 40 40 40\nencoding: raw', vox), 'refused', /truncated|short/i);
  scan('nrrd-gzip-bomb', 'bomb.nrrd', nrrd('type: uint8\ndimension: 3\nsizes: 8 8 8\nencoding: gzip', new Uint8Array(gzipSync(Buffer.alloc(32 * 1024 * 1024)))), 'opens'); // inflated only as far as the 512 declared voxels
  scan('mha-good', 'good.mha', mha('ObjectType = Image\nNDims = 3\nDimSize = 4 4 4\nElementType = MET_UCHAR', vox), 'opens');
  scan('mha-external', 'ext.mhd', mha('ObjectType = Image\nNDims = 3\nDimSize = 4 4 4\nElementType = MET_UCHAR', vox).map((v) => v), 'opens');
  out[out.length - 1] = { id: 'mha-external', target: 'scan', files: [{ name: 'ext.mha', bytes: textVolume('ObjectType = Image\nNDims = 3\nDimSize = 4 4 4\nElementType = MET_UCHAR\nElementDataFile = other.raw\n', vox) }], expect: 'refused', message: /separate data file/ };
  scan('mha-type', 'type.mha', mha('ObjectType = Image\nNDims = 3\nDimSize = 4 4 4\nElementType = MET_STRING', vox), 'refused', /not supported/);
  scan('mha-dims-lie', 'dims.mha', mha('ObjectType = Image\nNDims = 3\nDimSize = 4 4', vox), 'refused', /corrupt|NDims|not supported/i);
  scan('mha-huge', 'huge.mha', mha('ObjectType = Image\nNDims = 3\nDimSize = 50000 50000 50\nElementType = MET_UCHAR', vox), 'refused', /Mpx|limit|GiB/);
  scan('mha-channels', 'ch.mha', mha('ObjectType = Image\nNDims = 3\nDimSize = 4 4 4\nElementNumberOfChannels = 7\nElementType = MET_UCHAR', vox), 'refused', /channels/);

  // ---- PNG / TIFF / BMP / WebP / JPEG ----
  scan('png-good', 'png-good.png', pngFile(20, 10), 'opens');
  scan('png-huge', 'png-huge.png', png(100000, 100000, 8, 2), 'refused', /Mpx|limit/);
  scan('png-1bit-30000', 'png-1bit.png', png(30000, 30000, 1, 0, new Uint8Array(deflateSync(Buffer.alloc(30000 * 3751)))), 'refused', /Mpx|limit/);
  scan('png-zero', 'png-zero.png', png(0, 10, 8, 0), 'refused', /impossible|corrupt/i);
  scan('png-bad-depth', 'png-depth.png', png(10, 10, 3, 0), 'refused', /PNG|corrupt|depth/i);
  scan('png-no-idat', 'png-noidat.png', png(10, 10, 8, 0), 'refused', /PNG|corrupt|truncated|data/i);
  scan('png-bad-crc', 'png-crc.png', png(10, 10, 8, 0, new Uint8Array(deflateSync(Buffer.alloc(110))), true), 'refused', /PNG|corrupt|CRC/i);
  scan('png-truncated', 'png-cut.png', cut(pngFile(64, 64), 120), 'refused', /PNG|corrupt|truncated/i);
  scan('tiff-good', 'tiff-good.tif', tiffFile({ width: 4, height: 4, bps: 8, spp: 1, photometric: 1, data: new Uint8Array(16) }), 'opens');
  scan('tiff-bps-0', 'tiff-bps0.tif', tiffFile({ width: 4, height: 4, bps: 0 as 8, spp: 1, photometric: 1, data: new Uint8Array(16) }), 'refused', /0 bits per sample/);
  scan('tiff-bps-64k', 'tiff-bps.tif', tiffFile({ width: 4, height: 4, bps: 65535 as 8, spp: 1, photometric: 1, data: new Uint8Array(16) }), 'refused', /bits per sample/);
  scan('tiff-spp-0', 'tiff-spp.tif', tiffFile({ width: 4, height: 4, bps: 8, spp: 0, photometric: 1, data: new Uint8Array(16) }), 'refused', /samples per pixel|TIFF/);
  scan('tiff-loop', 'tiff-loop.tif', tiffFile({ width: 4, height: 4, bps: 8, spp: 1, photometric: 1, data: new Uint8Array(16), nextIfd: 8 }), 'refused', /loop/);
  scan('tiff-huge', 'tiff-huge.tif', tiffFile({ width: 60000, height: 60000, bps: 8, spp: 1, photometric: 1, data: new Uint8Array(16) }), 'refused', /Mpx|limit|shorter|truncated/);
  scan('tiff-short-data', 'tiff-short.tif', tiffFile({ width: 64, height: 64, bps: 16, spp: 1, photometric: 1, data: new Uint8Array(16) }), 'refused', /shorter|truncated/);
  scan('tiff-bigtiff', 'big.tif', Uint8Array.from([0x49, 0x49, 43, 0, 8, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0]), 'refused', /BigTIFF|not a recognised image format/);
  scan('tiff-ifd-outside', 'tiff-ifd.tif', Uint8Array.from([0x49, 0x49, 42, 0, 0xff, 0xff, 0, 0]), 'refused', /outside|TIFF/);
  scan('bmp-good', 'good.bmp', bmpFile({ width: 9, height: 7, bpp: 8, pixel: (x) => [x] }), 'opens');
  scan('bmp-huge', 'huge.bmp', bmpHeader(100000, 100000, 24), 'refused', /Mpx|limit/);
  scan('bmp-zero', 'zero.bmp', bmpHeader(0, 10, 24), 'refused', /impossible|corrupt|BMP/i);
  scan('bmp-bpp-7', 'bpp.bmp', bmpHeader(4, 4, 7, 64), 'refused', /bits|BMP|not supported/i);
  scan('bmp-truncated', 'cut.bmp', bmpHeader(64, 64, 24, 10), 'refused', /truncated|short|BMP/i);
  scan('webp-good', 'good.webp', webp, 'opens');
  scan('webp-truncated', 'cut.webp', cut(webp, 30), 'refused', /WebP|corrupt|truncated/i);
  scan('webp-riff-lie', 'lie.webp', (() => { const b = webp.slice(); new DataView(b.buffer).setUint32(4, 0x7fffffff, true); return b; })(), 'refused', /WebP|corrupt|truncated/i);
  scan('jpeg-good', 'good.jpg', jpegFile(16, 16), 'opens');
  scan('jpeg-truncated', 'cut.jpg', cut(jpegFile(64, 64), 200), 'refused', /JPEG|corrupt|truncated/i);
  scan('jpeg-huge-sof', 'huge.jpg', jpegSof(65535, 65535), 'refused', /Mpx|limit|JPEG/);
  scan('jpeg-no-sof', 'nosof.jpg', Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]), 'refused', /JPEG|corrupt|truncated/i);
  scan('gif', 'anim.gif', te.encode('GIF89a\x01\x00\x01\x00'), 'refused', /GIF/);
  scan('zip', 'study.zip', Uint8Array.from([0x50, 0x4b, 3, 4, ...new Array(26).fill(0)]), 'refused', /ZIP/);
  scan('html', 'page.dcm', te.encode('<!doctype html><html><script>alert(1)</script></html>'), 'refused', /HTML/);
  scan('svg-script', 'image.png', te.encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'refused', /not a recognised|HTML|XML|text file/);
  scan('empty', 'empty.png', new Uint8Array(0), 'refused', /empty/);
  scan('name-injection', '<img src=x onerror=alert(1)>.png', pngFile(8, 8), 'opens');

  // ---- reference masks onto MASK_HOST (16 × 16) ----
  const notStretched = /must have the scan's exact size; it is not stretched/;
  mask('mask-png-good', 'ref.png', pngFile(16, 16, 1), 'opens');
  mask('mask-png-10x10', 'small.png', pngFile(10, 10, 1), 'refused', notStretched);
  mask('mask-png-1bit-30000', 'bomb.png', png(30000, 30000, 1, 0, new Uint8Array(deflateSync(Buffer.alloc(30000 * 3751)))), 'refused', notStretched);
  mask('mask-png-truncated', 'cut.png', cut(pngFile(16, 16, 1), 60), 'refused', /damaged|truncated/);
  mask('mask-jpeg-other-size', 'other.jpg', jpegFile(32, 32), 'refused', notStretched);
  mask('mask-jpeg-huge-sof', 'huge.jpg', jpegSof(65535, 65535), 'refused', notStretched);
  mask('mask-coco-good', 'ref.json', coco(16, 16), 'opens');
  mask('mask-coco-8192-x64', 'bomb.json', (() => { const rle = toCocoJson('x', [{ label: 'a', mask: { width: 8192, height: 8192, data: new Uint8Array(0) } }]); void rle; return te.encode(JSON.stringify({ type: COCO_TYPE, version: 1, images: [{ id: 1, file_name: 'x', width: 8192, height: 8192 }], categories: [{ id: 1, name: 'a' }], annotations: Array.from({ length: 64 }, (_, i) => ({ id: i + 1, image_id: 1, category_id: 1, segmentation: { size: [8192, 8192], counts: '0' }, area: 0, bbox: [0, 0, 0, 0], iscrowd: 0 })) })); })(), 'refused', notStretched);
  mask('mask-coco-360b', 'tiny.json', te.encode(JSON.stringify({ type: COCO_TYPE, version: 1, images: [{ id: 1, file_name: 'x', width: 65536, height: 65536 }], categories: [], annotations: [{ segmentation: { size: [65536, 65536], counts: '0' } }] })), 'refused', notStretched);
  mask('mask-coco-bad-counts', 'counts.json', te.encode(JSON.stringify({ type: COCO_TYPE, version: 1, images: [{ id: 1, file_name: 'x', width: 16, height: 16 }], categories: [], annotations: [{ segmentation: { size: [16, 16], counts: '\u00ff\u00ff' } }] })), 'refused', /COCO/);
  mask('mask-coco-counts-overflow', 'over.json', te.encode(JSON.stringify({ type: COCO_TYPE, version: 1, images: [{ id: 1, file_name: 'x', width: 16, height: 16 }], categories: [], annotations: [{ segmentation: { size: [16, 16], counts: 'PPPPPPPPPPPPPPP' } }] })), 'refused', /COCO/);
  mask('mask-coco-wrong-type', 'other.json', te.encode(JSON.stringify({ images: [], annotations: [] })), 'refused', /COCO|Not a/);
  mask('mask-coco-not-json', 'broken.json', te.encode('{"type": "vlsm-workbench/coco-rle", '), 'refused', /not valid JSON|COCO/);
  mask('mask-coco-empty', 'empty.json', te.encode(JSON.stringify({ type: COCO_TYPE, version: 1, images: [{ id: 1, file_name: 'x', width: 16, height: 16 }], categories: [], annotations: [] })), 'refused', /no masks/);
  mask('mask-coco-nan-size', 'nan.json', te.encode('{"type":"vlsm-workbench/coco-rle","version":1,"images":[{"id":1,"width":1e999,"height":-1}],"categories":[],"annotations":[]}'), 'refused', /malformed|COCO/);
  mask('mask-seg-good', 'ref-seg.dcm', segFor(16, 16), 'opens');
  mask('mask-seg-other-size', 'seg-32.dcm', segFor(32, 32), 'refused', notStretched);
  mask('mask-seg-truncated', 'seg-cut.dcm', (() => {
    // cut inside the pixel data (7FE0,0010 OB: tag, VR, 2 reserved, 4-byte length, then the bits)
    const s = segFor(16, 16);
    const at = s.findIndex((v, i) => v === 0xe0 && s[i + 1] === 0x7f && s[i + 2] === 0x10 && s[i + 3] === 0 && s[i + 4] === 0x4f);
    return s.slice(0, at + 12 + 10);
  })(), 'refused', /truncated|damaged/);
  mask('mask-seg-cut-header', 'seg-head.dcm', cut(segFor(16, 16), 400), 'refused', /damaged|truncated/);
  mask('mask-seg-not-seg', 'image.dcm', MASK_HOST.bytes, 'refused', /not a Segmentation/);
  mask('mask-nii-good', 'ref.nii.gz', gzipSync(niftiFile({ dims: [3, 16, 16, 1] }, new Uint8Array(256).fill(1, 0, 80))), 'opens');
  mask('mask-nii-other-size', 'small.nii.gz', gzipSync(niftiFile({ dims: [3, 10, 10, 1] }, new Uint8Array(100))), 'refused', notStretched);
  mask('mask-nii-bomb', 'bomb.nii.gz', gzipSync(Buffer.concat([Buffer.from(niftiFile({ dims: [3, 16, 16, 1] }, new Uint8Array(256))), Buffer.alloc(256 * 1024 * 1024)])), 'opens');
  mask('mask-nii-truncated', 'cut.nii', niftiFile({ dims: [3, 16, 16, 1] }, new Uint8Array(20)), 'refused', /truncated/);
  mask('mask-unknown', 'notes.txt', te.encode('hello'), 'refused', /not a mask file/);

  // ---- studies: several files opened together ----
  const slice = (z: number, rows = 8) => dcm([{ tag: 0x00200032, vr: 'DS', value: `0\\0\\${z}` }, { tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' }, { tag: 0x00080018, vr: 'UI', value: `1.2.3.4.5.${z}.${rows}` }], { rows, cols: 8 });
  out.push({ id: 'study-good', target: 'study', files: [0, 1, 2].map((z) => ({ name: `s${z}.dcm`, bytes: slice(z) })), expect: 'opens' });
  out.push({ id: 'study-mixed-sizes', target: 'study', files: [{ name: 'a0.dcm', bytes: slice(0) }, { name: 'a1.dcm', bytes: slice(1) }, { name: 'a2.dcm', bytes: slice(2, 16) }], expect: 'opens', message: /different size/ });
  out.push({ id: 'study-bad-member', target: 'study', files: [{ name: 'b0.dcm', bytes: slice(0) }, { name: 'b1.dcm', bytes: cut(slice(1), 200) }, { name: 'b2.dcm', bytes: slice(2) }], expect: 'opens', message: /b1\.dcm.*(truncated|damaged)/ });
  out.push({ id: 'study-all-bad', target: 'study', files: [{ name: 'c0.dcm', bytes: cut(slice(0), 150) }, { name: 'c1.txt', bytes: te.encode('x') }], expect: 'refused', message: /c0\.dcm|c1\.txt/ });
  out.push({ id: 'study-duplicates', target: 'study', files: [{ name: 'd0.dcm', bytes: slice(0) }, { name: 'd0-copy.dcm', bytes: slice(0) }], expect: 'opens', message: /share a slice position/ });

  // ---- bundles and manifests (folder import in the Model panel) ----
  const b = (id: string, mutate: (m: Record<string, unknown>, f: Record<string, Uint8Array>) => void, expect: 'opens' | 'refused', message?: RegExp) =>
    out.push({ id: `bundle-${id}`, target: 'bundle', files: bundle(`hostile-${id}`, mutate), expect, message });
  b('good', () => undefined, 'opens');
  b('dotdot', (m) => { filesOf(m)[1].path = '../compact-vlsm/manifest.json'; }, 'refused', /not a plain relative path inside the bundle/);
  b('deep-dotdot', (m) => { filesOf(m)[1].path = 'a/../../x/model.onnx'; }, 'refused', /not a plain relative path inside the bundle/);
  b('absolute', (m) => { filesOf(m)[1].path = '/etc/passwd'; }, 'refused', /not a plain relative path inside the bundle/);
  b('backslash', (m) => { filesOf(m)[1].path = 'a\\model.onnx'; }, 'refused', /not a plain relative path inside the bundle/);
  b('id-dotdot', (m) => { m.id = '../evil'; }, 'refused', /id "..\/evil" is not allowed/);
  b('sha-mismatch', (m) => { filesOf(m)[1].sha256 = '0'.repeat(64); }, 'refused', /sha256/);
  b('size-lie', (m) => { filesOf(m)[1].bytes = 4; }, 'refused', /manifest says 4|bytes/);
  b('missing-file', (m, f) => { delete f['model.onnx']; }, 'refused', /lacks model.onnx/);
  b('not-json', (m) => { m.__raw = '{"format": "vlsm-bundle", '; }, 'refused', /not valid JSON/);
  b('tokenizer-unlisted', (m) => { (m.text as Record<string, unknown>).tokenizer = 'other.json'; }, 'refused', /not in files/);
  b('huge-declared', (m) => { filesOf(m)[1].bytes = 2 ** 40; }, 'refused', /bytes|manifest says/);
  b('script-name', (m) => { m.name = '<img src=x onerror=alert(1)>'; }, 'opens');
  return out;
}
