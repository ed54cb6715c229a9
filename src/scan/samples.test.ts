// Every file in ../shared/data/sample-files/MANIFEST.csv loads with the manifest's shape, dtype and
// min/max, or fails with a clear ScanReadError when it is not an image (SEG).
// The manifest was made with pydicom/nibabel: DICOM min/max are stored values (before rescale, palette and
// colour conversion; for JPEG-coded YBR, pydicom reported YCbCr), NIfTI min/max are after scl_slope.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import dicomParser from 'dicom-parser';
import { readScan } from './index';
import { concat, dicomEncapsulated } from './testing/builders';
import { DATA_ROOT, hasData, parseCsv, readData } from './testing/data';
import { ScanReadError, type Scan } from './types';

const rows = hasData ? parseCsv(readFileSync(resolve(DATA_ROOT, 'sample-files/MANIFEST.csv'), 'utf8')) : [];
const DTYPE: Record<string, string> = { '>i2': 'int16', '<i2': 'int16' };
let passed = 0;

/** Range after converting RGB back to YCbCr: what pydicom reported for JPEG-coded YBR images. */
function ybrRange(s: Scan): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i + 2 < s.data.length; i += 3) {
    const [r, g, b] = [s.data[i], s.data[i + 1], s.data[i + 2]];
    for (const v of [0.299 * r + 0.587 * g + 0.114 * b, 128 - 0.168736 * r - 0.331264 * g + 0.5 * b, 128 + 0.5 * r - 0.418688 * g - 0.081312 * b]) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return [lo, hi];
}

function expectRange(s: Scan, row: Record<string, string>): void {
  const [min, max] = [Number(row.min), Number(row.max)];
  const stored = s.format === 'dicom' ? [Number(s.metadata.storedMin), Number(s.metadata.storedMax)] : s.range;
  const close = (a: number[], tol: number): boolean => Math.abs(a[0] - min) <= tol && Math.abs(a[1] - max) <= tol;
  if (row.photometric.startsWith('YBR') && !close(stored, 0)) {
    expect(close(ybrRange(s), 3), `${row.path}: YCbCr range ${ybrRange(s)} vs ${min}..${max}`).toBe(true);
    return;
  }
  expect(stored[0]).toBeCloseTo(min, 3);
  expect(stored[1]).toBeCloseTo(max, 3);
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let [sa, sb, saa, sbb, sab] = [0, 0, 0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    sa += a[i];
    sb += b[i];
    saa += a[i] * a[i];
    sbb += b[i] * b[i];
    sab += a[i] * b[i];
  }
  const n = a.length;
  return (sab - (sa * sb) / n) / Math.sqrt((saa - (sa * sa) / n) * (sbb - (sb * sb) / n));
}

/** The note column holds nibabel's zooms and axis codes, e.g. "zooms=(2.0, 2.0, 2.2, 2000.0) axcodes=LAS". */
function expectNiftiGeometry(s: Scan, note: string): void {
  const a = s.geometry?.affine ?? [];
  expect(a).toHaveLength(16);
  const zooms = (/zooms=\(([^)]*)\)/.exec(note)?.[1] ?? '').split(',').map(Number);
  zooms.slice(0, 3).forEach((z, i) => expect(s.spacing[i]).toBeCloseTo(z, 3));
  const codes = /axcodes=(\w+)/.exec(note)?.[1] ?? '';
  const letters = [0, 1, 2].map((c) => {
    const r = [0, 1, 2].reduce((best, k) => (Math.abs(a[k * 4 + c]) > Math.abs(a[best * 4 + c]) ? k : best), 0);
    return ['LR', 'PA', 'IS'][r][a[r * 4 + c] > 0 ? 1 : 0];
  });
  expect(letters.join('')).toBe(codes);
}

describe.skipIf(!hasData)('sample-files/MANIFEST.csv', () => {
  it('lists the files it describes', () => expect(rows.length).toBeGreaterThan(50));

  for (const row of rows) {
    it(`${row.path}`, async () => {
      const file = readData(`sample-files/${row.path}`);
      if (row.modality === 'SEG') {
        await expect(readScan(file)).rejects.toMatchObject({ code: 'not-an-image', message: expect.stringContaining('Segmentation') });
      } else if (row.kind === '.nrrd' || row.kind === '.mha') {
        // No reference values in the manifest: NRRD is the same FLAIR volume as the NIfTI; MHA is checked for sanity.
        const s = await readScan(file);
        expect(s.geometry?.affine).toHaveLength(16);
        if (row.kind === '.nrrd') {
          const nii = await readScan(readData('sample-files/nifti/niivue/FLAIR.nii.gz'));
          expect(s.shape).toEqual(nii.shape);
          let same = s.data.length === nii.data.length;
          for (let i = 0; same && i < s.data.length; i++) same = s.data[i] === nii.data[i];
          expect(same, 'NRRD voxels equal the NIfTI voxels').toBe(true);
          s.geometry?.affine?.forEach((v, i) => expect(v).toBeCloseTo(nii.geometry?.affine?.[i] ?? NaN, 3));
        } else expect([s.shape, s.dtype, s.spacingKnown]).toEqual([[64, 64, 37], 'int16', true]);
      } else if (row.path.endsWith('JPGExtended.dcm')) {
        // 12-bit DCT JPEG (hand-written decoder; pydicom had no reference): the same bone scan is stored
        // losslessly in JPEG-LL.dcm, so the lossy decode must match it closely.
        const s = await readScan(file);
        const ref = await readScan(readData('sample-files/dicom/pydicom-data/JPEG-LL.dcm'));
        expect([s.width, s.height, s.channels]).toEqual([ref.width, ref.height, 1]);
        expect(correlation(s.data, ref.data)).toBeGreaterThan(0.98);
      } else {
        const s = await readScan(file);
        expect(s.data.length).toBe(s.width * s.height * s.frames * s.channels);
        // The app transfers data.buffer to/from its worker: it must hold exactly the pixels.
        expect([s.data.byteOffset, s.data.byteLength]).toEqual([0, s.data.buffer.byteLength]);
        // Palette images are expanded to RGB here; pydicom reported the index array.
        if (row.shape) expect(s.shape.join('x')).toBe(row.photometric === 'PALETTE COLOR' ? `${row.shape}x3` : row.shape);
        if (row.dtype && !row.dtype.startsWith('[')) expect(s.metadata.storedDtype ?? s.dtype).toBe(DTYPE[row.dtype] ?? row.dtype);
        if (row.dtype.startsWith('[')) expect(s.channels).toBe(3);
        if (row.min !== '' && row.max !== '') expectRange(s, row);
        if (row.photometric === 'MONOCHROME1') expect(s.photometric).toBe('MONOCHROME1');
        if (row.kind.startsWith('NIfTI')) expectNiftiGeometry(s, row.note);
        if (row.kind === 'DICOM') expect(s.geometry?.dicom?.sopClassUID).toMatch(/^1\.2\.840\./);
      }
      passed++;
    });
  }

  it('JPEG 2000 frames wrapped in a JP2 file box decode like the bare codestream', async () => {
    const f = readData('sample-files/dicom/pydicom/MR_small_jp2klossless.dcm');
    const ref = await readScan(f);
    const ds = dicomParser.parseDicom(f.bytes);
    const pd = ds.elements.x7fe00010;
    const cs = dicomParser.readEncapsulatedPixelDataFromFragments(ds, pd, 0, pd.fragments?.length ?? 1) as Uint8Array;
    const box = (type: string, body: Uint8Array): Uint8Array => {
      const h = new Uint8Array(8);
      new DataView(h.buffer).setUint32(0, body.length + 8);
      h.set(new TextEncoder().encode(type), 4);
      return concat([h, body]);
    };
    const jp2 = concat([box('jP  ', Uint8Array.from([0x0d, 0x0a, 0x87, 0x0a])), box('ftyp', new TextEncoder().encode('jp2 \0\0\0\0jp2 ')), box('jp2c', cs)]);
    const s = await readScan({ name: 'w.dcm', bytes: dicomEncapsulated({ rows: 64, cols: 64, bits: 16, syntax: '1.2.840.10008.1.2.4.90', frames: [jp2] }) });
    expect(Array.from(s.data)).toEqual(Array.from(ref.data));
  });

  it('rejects with ScanReadError, never a bare Error', async () => {
    await expect(readScan(readData('sample-files/dicom/pydicom/liver_1frame.dcm'))).rejects.toBeInstanceOf(ScanReadError);
  });

  afterAll(() => {
    console.log(`sample-files: ${passed} / ${rows.length} manifest files pass`);
  });
});
