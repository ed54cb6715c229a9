// Reader behaviour on small synthetic files: colour modes, bit depths, byte orders, row orders,
// rescale, frame ordering and limits. Real-file coverage lives in samples.test.ts and datasets.test.ts.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'fflate';
import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { readScan } from './index';
import { decodeRle } from './dicom/rle';
import { bmpFile, concat, dicomImage, jpegFile, niftiFile, sequence, tiffFile } from './testing/builders';

const read = (name: string, bytes: Uint8Array, opts?: Parameters<typeof readScan>[1]) => readScan({ name, bytes }, opts);
const u16 = (vals: number[], little: boolean): Uint8Array => {
  const b = new Uint8Array(vals.length * 2);
  vals.forEach((v, i) => new DataView(b.buffer).setUint16(i * 2, v, little));
  return b;
};

describe('BMP', () => {
  const pixel = (x: number, y: number) => [x * 10, y * 20, 7, 128];
  it('24-bit bottom-up and top-down give the same pixels', async () => {
    const a = await read('a.bmp', bmpFile({ width: 5, height: 3, bpp: 24, pixel }));
    const b = await read('b.bmp', bmpFile({ width: 5, height: 3, bpp: 24, pixel, topDown: true }));
    expect(a.channels).toBe(3);
    expect(Array.from(a.data.subarray(0, 6))).toEqual([0, 0, 7, 10, 0, 7]);
    expect(Array.from(a.data.subarray(15, 18))).toEqual([0, 20, 7]);
    expect(b.data).toEqual(a.data);
  });
  it('8-bit grey palette loads as one channel; 1-bit and 4-bit unpack', async () => {
    const g = await read('g.bmp', bmpFile({ width: 4, height: 2, bpp: 8, pixel: (x) => [x * 50] }));
    expect([g.channels, Array.from(g.data.subarray(0, 4))]).toEqual([1, [0, 50, 100, 150]]);
    const one = await read('1.bmp', bmpFile({ width: 9, height: 2, bpp: 1, pixel: (x) => [x % 2] }));
    expect(Array.from(one.data.subarray(0, 9))).toEqual([0, 255, 0, 255, 0, 255, 0, 255, 0]);
    const pal = [[255, 0, 0], [0, 255, 0], ...Array.from({ length: 14 }, () => [0, 0, 0])];
    const four = await read('4.bmp', bmpFile({ width: 3, height: 1, bpp: 4, palette: pal, pixel: (x) => [x === 1 ? 1 : 0] }));
    expect([four.channels, Array.from(four.data)]).toEqual([3, [255, 0, 0, 0, 255, 0, 255, 0, 0]]);
  });
  it('32-bit BI_RGB treats the fourth byte as padding', async () => {
    const s = await read('a.bmp', bmpFile({ width: 2, height: 2, bpp: 32, pixel }));
    expect([s.channels, Array.from(s.data.subarray(0, 3))]).toEqual([3, [0, 0, 7]]);
  });
});

describe('TIFF', () => {
  it('8-bit grey, 16-bit big-endian grey', async () => {
    const a = await read('a.tif', tiffFile({ width: 2, height: 2, bps: 8, spp: 1, photometric: 1, data: Uint8Array.from([1, 2, 3, 4]) }));
    expect([a.dtype, a.channels, Array.from(a.data)]).toEqual(['uint8', 1, [1, 2, 3, 4]]);
    const b = await read('b.tif', tiffFile({ width: 2, height: 1, bps: 16, spp: 1, photometric: 1, little: false, data: u16([1000, 65000], false) }));
    expect([b.dtype, Array.from(b.data)]).toEqual(['uint16', [1000, 65000]]);
  });
  it('3 samples under a greyscale photometric tag load as grey when the samples agree, RGB otherwise', async () => {
    const grey = await read('g.tif', tiffFile({ width: 2, height: 1, bps: 16, spp: 3, photometric: 1, data: u16([5, 5, 5, 900, 900, 900], true) }));
    expect([grey.channels, grey.photometric, Array.from(grey.data)]).toEqual([1, 'MONOCHROME2', [5, 900]]);
    const mixed = await read('m.tif', tiffFile({ width: 1, height: 1, bps: 8, spp: 3, photometric: 1, data: Uint8Array.from([1, 2, 3]) }));
    expect(mixed.channels).toBe(3);
  });
  it('WhiteIsZero becomes MONOCHROME1; RGB stays RGB', async () => {
    const w = await read('w.tif', tiffFile({ width: 1, height: 1, bps: 8, spp: 1, photometric: 0, data: Uint8Array.from([9]) }));
    expect(w.photometric).toBe('MONOCHROME1');
    const rgb = await read('c.tif', tiffFile({ width: 1, height: 1, bps: 8, spp: 3, photometric: 2, data: Uint8Array.from([1, 2, 3]) }));
    expect([rgb.channels, Array.from(rgb.data)]).toEqual([3, [1, 2, 3]]);
  });
});

describe('PNG and JPEG', () => {
  it('16-bit grey stays 16-bit; opaque RGBA drops alpha; grey palette is one channel', async () => {
    const g = await read('g.png', encodePng({ width: 2, height: 1, channels: 1, depth: 16, data: Uint16Array.from([300, 60000]) }));
    expect([g.dtype, Array.from(g.data)]).toEqual(['uint16', [300, 60000]]);
    const rgba = await read('a.png', encodePng({ width: 1, height: 1, channels: 4, depth: 8, data: Uint8Array.from([1, 2, 3, 255]) }));
    expect([rgba.channels, Array.from(rgba.data)]).toEqual([3, [1, 2, 3]]);
    const see = await read('s.png', encodePng({ width: 1, height: 1, channels: 4, depth: 8, data: Uint8Array.from([1, 2, 3, 100]) }));
    expect(see.channels).toBe(4);
    const pal = await read('p.png', encodePng({ width: 2, height: 1, channels: 1, depth: 8, data: Uint8Array.from([0, 1]), palette: [[7, 7, 7], [200, 200, 200]] }));
    expect([pal.channels, Array.from(pal.data)]).toEqual([1, [7, 200]]);
  });
  it('JPEG decodes through the WASM codec', async () => {
    const s = await read('x.jpg', jpegFile(24, 16));
    expect([s.format, s.width, s.height, s.channels, s.dtype]).toEqual(['jpeg', 24, 16, 3, 'uint8']);
  });
  it('sniffs the format, not the extension', async () => {
    const s = await read('actually-a-png.jpg', encodePng({ width: 1, height: 1, channels: 1, depth: 8, data: Uint8Array.from([5]) }));
    expect(s.format).toBe('png');
  });
});

describe('WebP', () => {
  const vp8l = (w: number, h: number): Uint8Array => {
    const b = new Uint8Array(40);
    const dv = new DataView(b.buffer);
    b.set(new TextEncoder().encode('RIFF'), 0);
    dv.setUint32(4, 32, true);
    b.set(new TextEncoder().encode('WEBPVP8L'), 8);
    dv.setUint32(16, 20, true);
    b[20] = 0x2f;
    dv.setUint32(21, (w - 1) | ((h - 1) << 14), true);
    return b;
  };
  // Tiny WebP files made with Pillow for this test (lossless 7x5 with one red pixel, RGBA 4x3, lossy 7x5).
  const b64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const LOSSLESS = b64('UklGRiIAAABXRUJQVlA4TBYAAAAvBgABAA8wyF/4H4/5Dy287y+i/9EB');
  const ALPHA = b64('UklGRiAAAABXRUJQVlA4TBQAAAAvA4AAEAdQgVQIIAAKmgLGiIj+Bw==');
  const LOSSY = b64('UklGRkgAAABXRUJQVlA4IDwAAAAQAgCdASoHAAUAAUAmJbACdLoB+AH4AAPIAP7Q7YHUP/0vcn/9NFGFMfYA/+6ooKhRw0gtDePf+NQAAAA=');
  it('decodes lossless, lossy and alpha WebP with the WASM libwebp', async () => {
    const s = await read('t.webp', LOSSLESS);
    expect([s.width, s.height, s.channels]).toEqual([7, 5, 3]);
    expect(Array.from(s.data.subarray(0, 3))).toEqual([10, 200, 30]);
    expect(Array.from(s.data.subarray((7 + 1) * 3, (7 + 1) * 3 + 3))).toEqual([255, 0, 0]);
    const a = await read('a.webp', ALPHA);
    expect([a.channels, Array.from(a.data.subarray(0, 4))]).toEqual([4, [1, 2, 3, 128]]);
    const l = await read('l.webp', LOSSY);
    expect([l.width, l.height, l.channels]).toEqual([7, 5, 3]);
  });
  it('checks the header size first and rejects damaged data', async () => {
    await expect(read('x.webp', vp8l(16000, 16000))).rejects.toMatchObject({ code: 'too-large' });
    const bad = LOSSLESS.slice();
    bad.fill(0x55, 21);
    await expect(read('x.webp', bad)).rejects.toMatchObject({ code: 'corrupt' });
  });
});

describe('NIfTI', () => {
  const vals = [1, -2, 300, -32768, 32767, 0, 5, 6];
  const i16 = (little: boolean) => {
    const b = new Uint8Array(16);
    vals.forEach((v, i) => new DataView(b.buffer).setInt16(i * 2, v, little));
    return b;
  };
  it('big- and little-endian files read the same; frames are slices then volumes', async () => {
    const dims = [4, 2, 1, 2, 2];
    const le = await read('le.nii', niftiFile({ dims, datatype: 4, bitpix: 16 }, i16(true)));
    const be = await read('be.nii', niftiFile({ dims, datatype: 4, bitpix: 16, little: false }, i16(false)));
    expect(Array.from(le.data)).toEqual(vals);
    expect(be.data).toEqual(le.data);
    expect([le.width, le.height, le.frames, le.shape]).toEqual([2, 1, 4, [2, 1, 2, 2]]);
    expect(be.metadata.byteOrder).toBe('big');
  });
  it('stops inflating a .nii.gz once the declared voxels are read (a huge tail is never expanded)', async () => {
    const file = concat([niftiFile({ dims: [3, 4, 4, 4] }, new Uint8Array(64)), new Uint8Array(32 << 20)]);
    const gz = gzipSync(file, { level: 1 });
    const t0 = performance.now();
    const s = await read('tail.nii.gz', gz, { maxBytes: 1 << 20 });
    expect([s.width, s.height, s.frames]).toEqual([4, 4, 4]);
    expect(performance.now() - t0).toBeLessThan(1500);
  });
  it('reports the progress of inflating a large .nii.gz: rising fractions up to 0.9', async () => {
    const file = niftiFile({ dims: [3, 256, 256, 256] }, Uint8Array.from({ length: 256 ** 3 }, (_, i) => (i * 7) & 0xff));
    const fractions: number[] = [];
    const s = await read('big.nii.gz', gzipSync(file, { level: 1 }), { onProgress: (f) => fractions.push(f) });
    expect(s.frames).toBe(256);
    expect(fractions.length).toBeGreaterThanOrEqual(3); // 16 MiB in 4 MiB steps
    expect(fractions.every((f, i) => f > 0 && f <= 0.9 && (i === 0 || f > fractions[i - 1]))).toBe(true);
    expect(fractions.at(-1)).toBeGreaterThan(0.8);
  });
  it('applies scl_slope/scl_inter and reads spacing; .nii.gz works', async () => {
    const file = niftiFile({ dims: [3, 2, 2, 2], datatype: 2, bitpix: 8, sclSlope: 0.5, sclInter: 10, pixdim: [1, 0.8, 0.9, 3] }, Uint8Array.from([0, 2, 4, 6, 8, 10, 12, 14]));
    const s = await read('s.nii.gz', gzipSync(file));
    expect(s.dtype).toBe('float32');
    expect(Array.from(s.data.subarray(0, 3))).toEqual([10, 11, 12]);
    expect(s.spacing.map((v) => +v.toFixed(3))).toEqual([0.8, 0.9, 3]);
    expect(s.geometry?.affine?.slice(0, 3).map((v) => +v.toFixed(3))).toEqual([-0.8, 0, 0]); // no qform/sform: nibabel's radiological base affine
    expect(s.geometry?.nifti?.header.byteLength).toBe(348);
  });
});

describe('DICOM (synthetic)', () => {
  it('a deflated file whose compressed bytes after the meta group spell a VR (SQ) opens (read by its group length)', async () => {
    // made by src/scan/testing/volume_matrix.py (dicom_series, deflated): 1 of 2000 such files hit this
    const bytes = new Uint8Array(readFileSync(new URL('./testing/fixtures/deflated-sq-lookalike.dcm', import.meta.url)));
    expect(String.fromCharCode(bytes[356], bytes[357])).toBe('SQ');
    const s = await readScan({ name: 'deflated.dcm', bytes });
    expect([s.format, s.width, s.height]).toEqual(['dicom', 7, 5]);
  });
  const px = u16([0, 100, 200, 4095], true);
  const extra = [
    { tag: 0x00281052, vr: 'DS', value: '-1024' },
    { tag: 0x00281053, vr: 'DS', value: '1' },
    { tag: 0x00281050, vr: 'DS', value: '40' },
    { tag: 0x00281051, vr: 'DS', value: '400' },
    { tag: 0x00280030, vr: 'DS', value: '0.5\\0.7' },
  ];
  it('applies rescale, keeps window, spacing and MONOCHROME1', async () => {
    const s = await read('ct.dcm', dicomImage({ rows: 2, cols: 2, bits: 16, pixels: px, photometric: 'MONOCHROME1', extra }));
    expect([s.dtype, Array.from(s.data)]).toEqual(['int16', [-1024, -924, -824, 3071]]);
    expect(s.window).toEqual({ center: 40, width: 400 });
    expect([s.spacing[0], s.spacing[1], s.spacingKnown]).toEqual([0.7, 0.5, true]);
    expect(s.photometric).toBe('MONOCHROME1');
    expect(s.geometry?.dicom?.sopInstanceUIDs).toEqual(['1.2.3.4.5.6']);
  });
  it('non-integer slope gives float32', async () => {
    const s = await read('pet.dcm', dicomImage({ rows: 2, cols: 2, bits: 16, pixels: px, extra: [{ tag: 0x00281053, vr: 'DS', value: '0.25' }] }));
    expect([s.dtype, s.data[3]]).toEqual(['float32', 4095 / 4]);
  });
  it('enhanced multi-frame: per-frame rescale and positions from the functional groups', async () => {
    const frame = (k: number) => [
      sequence(0x00289145, [[{ tag: 0x00281052, vr: 'DS', value: String(k * 100) }, { tag: 0x00281053, vr: 'DS', value: k === 1 ? '0.5' : '1' }]]),
      sequence(0x00209113, [[{ tag: 0x00200032, vr: 'DS', value: `0\\0\\${k * 3}` }]]),
    ];
    const s = await read('enh.dcm', dicomImage({
      rows: 1, cols: 2, frames: 2, bits: 16, pixels: u16([10, 20, 10, 20], true),
      extra: [
        sequence(0x52009229, [[sequence(0x00289110, [[{ tag: 0x00280030, vr: 'DS', value: '2\\2' }]]), sequence(0x00209116, [[{ tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' }]])]]),
        sequence(0x52009230, [frame(0), frame(1)]),
      ],
    }));
    expect([s.dtype, Array.from(s.data)]).toEqual(['float32', [10, 20, 105, 110]]);
    expect(s.geometry?.dicom?.imagePositionPatient).toEqual([[0, 0, 0], [0, 0, 3]]);
    expect(s.spacing.slice(0, 2)).toEqual([2, 2]);
    expect(s.geometry?.affine?.slice(8, 12)).toEqual([0, 0, 3, 0]);
  });
  it('planar RGB and native YBR_FULL become interleaved RGB', async () => {
    const planar = await read('p.dcm', dicomImage({ rows: 1, cols: 2, spp: 3, pixels: Uint8Array.from([1, 2, 3, 4, 5, 6]), extra: [{ tag: 0x00280006, vr: 'US', value: 1 }] }));
    expect(Array.from(planar.data)).toEqual([1, 3, 5, 2, 4, 6]);
    const ybr = await read('y.dcm', dicomImage({ rows: 1, cols: 2, spp: 3, photometric: 'YBR_FULL', pixels: Uint8Array.from([128, 128, 128, 76, 85, 255]) }));
    expect(Array.from(ybr.data.subarray(0, 3))).toEqual([128, 128, 128]);
    expect(Array.from(ybr.data.subarray(3, 6)).map((v) => Math.round(v / 4))).toEqual([255 / 4, 0, 0].map(Math.round));
  });
  it('reads a dataset without the 128-byte preamble', async () => {
    const full = dicomImage({ rows: 2, cols: 2, bits: 16, pixels: px });
    const start = 132 + 12 + new DataView(full.buffer).getUint32(140, true); // preamble, DICM, group length, meta group
    const s = await read('raw', full.subarray(start));
    expect(Array.from(s.data)).toEqual([0, 100, 200, 4095]);
  });
  it('RLE: literal and repeat runs, MSB segment first', () => {
    const header = new Uint8Array(64);
    new DataView(header.buffer).setUint32(0, 2, true);
    new DataView(header.buffer).setUint32(4, 64, true);
    new DataView(header.buffer).setUint32(8, 66, true);
    const msb = Uint8Array.from([0xfe, 0x01]); // repeat 0x01 three times
    const lsb = Uint8Array.from([0x02, 0x0a, 0x0b, 0x0c]); // three literals
    const out = decodeRle(concat([header, msb, lsb]), 3, 1, 2);
    expect(Array.from(new Uint16Array(out.buffer))).toEqual([0x010a, 0x010b, 0x010c]);
  });
});

describe('limits and cancellation', () => {
  it('maxPixels is honoured before decoding', async () => {
    await expect(read('a.png', encodePng({ width: 100, height: 100, channels: 1, depth: 8, data: new Uint8Array(10000) }), { maxPixels: 5000 })).rejects.toMatchObject({ code: 'too-large' });
  });
  it('an aborted signal stops the read', async () => {
    const c = new AbortController();
    c.abort();
    await expect(read('a.jpg', jpegFile(8, 8), { signal: c.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
