// Series -> volume on synthetic instances (shuffled, gaps, mixed sizes/orientations, duplicates,
// enhanced multi-frame) and on the real series of ../shared/data/sample-files.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readScan } from '../index';
import { dicomImage, sequence, type DicomElement } from '../testing/builders';
import { DATA_ROOT, hasData, readData } from '../testing/data';
import type { Scan } from '../types';
import { assembleSeries, sliceNormal } from './series';

interface SliceOpts {
  z: number;
  value?: number;
  series?: string;
  rows?: number;
  cols?: number;
  iop?: string;
  sop?: string;
}

/** A 16-bit single-frame CT slice at position (-10, -20, z) LPS, every pixel = value. */
async function slice(o: SliceOpts): Promise<Scan> {
  const rows = o.rows ?? 2;
  const cols = o.cols ?? 3;
  const px = new Uint8Array(rows * cols * 2);
  const dv = new DataView(px.buffer);
  for (let i = 0; i < rows * cols; i++) dv.setUint16(i * 2, (o.value ?? Math.round(o.z * 10) + 1000) + i, true);
  const extra: DicomElement[] = [
    { tag: 0x00080018, vr: 'UI', value: o.sop ?? `1.2.9.${Math.round(o.z * 100) + 50000}` },
    { tag: 0x0020000e, vr: 'UI', value: o.series ?? '1.2.9.1' },
    { tag: 0x00200032, vr: 'DS', value: `-10\\-20\\${o.z}` },
    { tag: 0x00200037, vr: 'DS', value: o.iop ?? '1\\0\\0\\0\\1\\0' },
    { tag: 0x00280030, vr: 'DS', value: '0.5\\0.7' },
  ];
  return readScan({ name: `z${o.z}.dcm`, bytes: dicomImage({ rows, cols, bits: 16, modality: 'CT', pixels: px, extra }) });
}

describe('assembleSeries', () => {
  it('sorts shuffled slices by position along the normal, spacing from positions, RAS affine', async () => {
    const scans = await Promise.all([7.5, 0, 2.5, 5].map((z) => slice({ z })));
    const { scans: out, problems } = assembleSeries(scans);
    expect(problems).toEqual([]);
    expect(out).toHaveLength(1);
    const v = out[0];
    expect([v.width, v.height, v.frames, v.shape]).toEqual([3, 2, 4, [4, 2, 3]]);
    expect(v.spacing).toEqual([0.7, 0.5, 2.5]);
    // frame k holds the slice at z = 2.5 k (first pixel value 1000 + 10 z)
    expect([0, 1, 2, 3].map((k) => v.data[k * 6])).toEqual([1000, 1025, 1050, 1075]);
    expect(v.geometry?.dicom?.sopInstanceUIDs).toEqual(['1.2.9.50000', '1.2.9.50250', '1.2.9.50500', '1.2.9.50750']);
    // (i, j, k) -> RAS: x = -(-10 + 0.7 i), y = -(-20 + 0.5 j), z = 2.5 k
    expect(v.geometry?.affine).toEqual([-0.7, -0, -0, 10, -0, -0.5, -0, 20, 0, 0, 2.5, 0, 0, 0, 0, 1]);
    expect(v.range).toEqual([1000, 1080]);
  });

  it('sorts along an oblique / reversed normal (not by z or file order)', async () => {
    // rows along -x: normal = row x col = (-1,0,0) x (0,1,0) = (0,0,-1): slices with larger z come first
    const iop = '-1\\0\\0\\0\\1\\0';
    expect(sliceNormal([-1, 0, 0, 0, 1, 0]).map((v) => v + 0)).toEqual([0, 0, -1]);
    const scans = await Promise.all([0, 3, 6].map((z) => slice({ z, iop })));
    const v = assembleSeries(scans).scans[0];
    expect([0, 1, 2].map((k) => v.data[k * 6])).toEqual([1060, 1030, 1000]);
    expect(v.geometry?.affine?.slice(8, 12)).toEqual([0, 0, -3, 6]);
  });

  it('a gap splits the series into evenly spaced parts and says where slices are missing', async () => {
    const scans = await Promise.all([0, 2, 4, 10, 12, 14].map((z) => slice({ z })));
    const { scans: out, problems } = assembleSeries(scans);
    expect(out.map((s) => s.frames)).toEqual([3, 3]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/2 mm apart, but 6 mm separate the slices at 4 and 10 mm \(about 2 slices missing\)/);
  });

  it('mixed sizes and orientations open on their own, the consistent slices still form the volume', async () => {
    const scans = await Promise.all([
      slice({ z: 0 }), slice({ z: 1 }), slice({ z: 2 }), slice({ z: 3 }),
      slice({ z: 9, rows: 4, cols: 4 }),
      slice({ z: 5, iop: '1\\0\\0\\0\\0\\-1' }),
    ]);
    const { scans: out, problems } = assembleSeries(scans);
    expect(out.map((s) => [s.width, s.height, s.frames])).toEqual([[3, 2, 4], [4, 4, 1], [3, 2, 1]]);
    expect(problems.join('\n')).toMatch(/1 image has a different size \(4 x 4, not 3 x 2\)/);
    expect(problems.join('\n')).toMatch(/1 image is in another orientation/);
  });

  it('two images at each position (two echoes) become two volumes', async () => {
    const scans = await Promise.all([0, 1, 2].flatMap((z) => [slice({ z, value: 100 + z * 10, sop: `1.5.${z}.1` }), slice({ z, value: 500 + z * 10, sop: `1.5.${z}.2` })]));
    const { scans: out, problems } = assembleSeries(scans);
    expect(out.map((s) => s.frames)).toEqual([3, 3]);
    expect(out.map((s) => s.data[0])).toEqual([100, 500]);
    expect(problems[0]).toMatch(/3 images share a slice position/);
  });

  it('separate series stay separate; non-DICOM scans pass through in order', async () => {
    const a = await Promise.all([0, 1].map((z) => slice({ z, series: '1.7.1' })));
    const b = await Promise.all([0, 1, 2].map((z) => slice({ z, series: '1.7.2' })));
    const png: Scan = { ...a[0], format: 'png', geometry: undefined, name: 'p.png' };
    const { scans: out } = assembleSeries([png, b[0], a[0], b[1], a[1], b[2]]);
    expect(out.map((s) => [s.format, s.frames])).toEqual([['png', 1], ['dicom', 3], ['dicom', 2]]);
  });

  it('enhanced multi-frame: frames sorted by their per-frame positions', async () => {
    const frame = (z: number) => [sequence(0x00209113, [[{ tag: 0x00200032, vr: 'DS', value: `0\\0\\${z}` }]])];
    const px = new Uint8Array(3 * 2);
    [30, 10, 20].forEach((v, k) => new DataView(px.buffer).setUint16(k * 2, v, true));
    const s = await readScan({
      name: 'enh.dcm',
      bytes: dicomImage({
        rows: 1, cols: 1, frames: 3, bits: 16, pixels: px,
        extra: [
          sequence(0x52009229, [[sequence(0x00289110, [[{ tag: 0x00280030, vr: 'DS', value: '2\\2' }]]), sequence(0x00209116, [[{ tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' }]])]]),
          sequence(0x52009230, [frame(6), frame(2), frame(4)]),
        ],
      }),
    });
    const v = assembleSeries([s]).scans[0];
    expect(Array.from(v.data)).toEqual([10, 20, 30]);
    expect(v.geometry?.dicom?.imagePositionPatient).toEqual([[0, 0, 2], [0, 0, 4], [0, 0, 6]]);
    expect(v.spacing[2]).toBe(2);
  });
});

describe.skipIf(!hasData)('real series in ../shared/data/sample-files', () => {
  const readDir = async (rel: string) => {
    const files = readdirSync(resolve(DATA_ROOT, rel)).sort().reverse(); // reversed: order must not matter
    return Promise.all(files.map((f) => readScan(readData(`${rel}/${f}`))));
  };
  it('5 CT files of series-CT5N-16x16 open as one 16x16x5 volume', async () => {
    const { scans, problems } = assembleSeries(await readDir('sample-files/dicom/pydicom/series-CT5N-16x16'));
    expect(problems).toEqual([]);
    expect(scans).toHaveLength(1);
    const v = scans[0];
    expect([v.width, v.height, v.frames, v.modality]).toEqual([16, 16, 5, 'CT']);
    const pos = v.geometry?.dicom?.imagePositionPatient ?? [];
    const n = sliceNormal(v.geometry?.dicom?.imageOrientationPatient ?? []);
    const along = pos.map((p) => p[0] * n[0] + p[1] * n[1] + p[2] * n[2]);
    expect(along.every((a, i) => i === 0 || a > along[i - 1])).toBe(true);
    expect(v.spacing[2]).toBeCloseTo(along[1] - along[0], 5);
    expect(v.geometry?.dicom?.sopInstanceUIDs).toHaveLength(5);
    console.log('CT5N', v.spacing, along);
  });
  it('3 MR files of niivue-series-VS-SEG-001 open as one 512x512x3 volume', async () => {
    const { scans, problems } = assembleSeries(await readDir('sample-files/dicom/niivue-series-VS-SEG-001'));
    expect(problems).toEqual([]);
    expect(scans.map((s) => [s.width, s.height, s.frames])).toEqual([[512, 512, 3]]);
    console.log('VS-SEG', scans[0].spacing, scans[0].geometry?.affine);
  });
  it('enhanced multi-frame enh.dcm keeps its 6 frames in position order', async () => {
    const s = await readScan(readData('sample-files/dicom/niivue/enh.dcm'));
    const { scans, problems } = assembleSeries([s]);
    expect(problems).toEqual([]);
    expect(scans[0].frames).toBe(6);
    console.log('enh', scans[0].spacing, scans[0].geometry?.dicom?.imagePositionPatient);
  });
});
