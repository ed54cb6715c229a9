// Radiological display orientation: a marker voxel at a known patient position (right-anterior, or
// right/anterior-superior for coronal/sagittal planes) must land on the expected screen side for NIfTI
// with an sform, NIfTI with a qform (incl. a rotation that needs a transpose), and DICOM series.
import { describe, expect, it } from 'vitest';
import { readScan } from '../index';
import { dicomImage, niftiFile, type DicomElement } from '../testing/builders';
import { hasData, readData } from '../testing/data';
import type { Scan } from '../types';
import { directionLetters, frameOrientation, geometryNote, isVolume, openingFrame, type DisplayOrientation } from './orientation';
import { assembleSeries } from './series';

const N = 4;
/** Screen-side position (display units) of the centre of voxel (i, j). */
const screen = (o: DisplayOrientation, i: number, j: number) => {
  const [a, b, c, d, e, f] = o.m;
  const x = i + 0.5;
  const y = j + 0.5;
  return { u: a * x + c * y + e, v: b * x + d * y + f };
};
const markerAt = (s: Scan): [number, number, number] => {
  const idx = s.data.indexOf(255);
  return [idx % s.width, Math.floor(idx / s.width) % s.height, Math.floor(idx / (s.width * s.height))];
};

interface NiftiGeom {
  sform?: number[]; // 12 values srow_x, srow_y, srow_z
  qform?: { b: number; c: number; d: number; qfac?: number; offset?: number[] };
  pixdim?: number[];
  /** The codes written (default: qform 1, sform 2 when given). */
  qformCode?: number;
  sformCode?: number;
}

/** A 4x4x4 uint8 NIfTI with one voxel = 255 at (i, j, k). */
async function nifti(g: NiftiGeom, marker: [number, number, number]): Promise<Scan> {
  const data = new Uint8Array(N * N * N);
  data[marker[0] + N * (marker[1] + N * marker[2])] = 255;
  const pix = g.pixdim ?? [1, 1, 1];
  const bytes = niftiFile({ dims: [3, N, N, N, 1, 1, 1, 1], pixdim: [g.qform?.qfac ?? 1, ...pix] }, data);
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  if (g.qform) {
    dv.setInt16(252, g.qformCode ?? 1, true);
    [g.qform.b, g.qform.c, g.qform.d, ...(g.qform.offset ?? [0, 0, 0])].forEach((v, i) => dv.setFloat32(256 + 4 * i, v, true));
  }
  if (g.sform) {
    dv.setInt16(254, g.sformCode ?? 2, true);
    g.sform.forEach((v, i) => dv.setFloat32(280 + 4 * i, v, true));
  }
  return readScan({ name: 'm.nii', bytes });
}

/** Which patient side each screen half shows, for the marker. */
function sides(s: Scan) {
  const o = frameOrientation(s);
  if (!o) throw new Error('no orientation');
  const [i, j] = markerAt(s);
  const p = screen(o, i, j);
  return { plane: o.plane, left: p.u < o.w / 2, top: p.v < o.h / 2, labels: o.labels, o };
}

describe('NIfTI orientation', () => {
  it('sform RAS (i -> R, j -> A): flipped both ways; right-anterior marker is screen left, top', async () => {
    // voxel (3, 3) is the most right and most anterior one
    const s = await nifti({ sform: [2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 3, 0], pixdim: [2, 1, 3] }, [3, 3, 1]);
    const r = sides(s);
    expect([r.plane, r.left, r.top]).toEqual(['axial', true, true]);
    expect(r.labels).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    // aspect: columns are 2 mm, rows 1 mm -> the displayed width is twice the height
    expect([r.o.w, r.o.h]).toEqual([8, 4]);
  });
  it('sform LPS-like (i -> L, j -> P): shown as stored', async () => {
    const s = await nifti({ sform: [-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0] }, [0, 0, 2]);
    const r = sides(s);
    expect([r.left, r.top]).toEqual([true, true]);
    expect(r.o.m).toEqual([1, 0, 0, 1, 0, 0]);
  });
  it('qform identity quaternion (RAS): same as the sform RAS case', async () => {
    const s = await nifti({ qform: { b: 0, c: 0, d: 0 } }, [3, 3, 0]);
    expect(s.metadata.qformCode).toBe(1);
    const r = sides(s);
    expect([r.plane, r.left, r.top]).toEqual(['axial', true, true]);
  });
  it('an sform with an out-of-range code, or all zeros under a valid code, is not used: the qform places the volume', async () => {
    // the sform says LPS (it would show the marker on screen right, bottom); the qform says RAS
    for (const g of [
      { qform: { b: 0, c: 0, d: 0 }, sform: [-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0], sformCode: 99 },
      { qform: { b: 0, c: 0, d: 0 }, sform: new Array(12).fill(0), sformCode: 1 },
    ]) {
      const r = sides(await nifti(g, [3, 3, 0]));
      expect([r.plane, r.left, r.top]).toEqual(['axial', true, true]);
    }
    // the same sform under a valid code is used (so the case above tests the code, not the rows)
    const used = sides(await nifti({ qform: { b: 0, c: 0, d: 0 }, sform: [-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0] }, [3, 3, 0]));
    expect([used.left, used.top]).toEqual([false, false]);
    // an out-of-range qform code and no sform: nibabel's base affine (radiological, x flipped)
    const base = sides(await nifti({ qform: { b: 0, c: 0, d: 0 }, qformCode: 7 }, [3, 3, 0]));
    const none = sides(await nifti({}, [3, 3, 0]));
    expect([base.left, base.top]).toEqual([none.left, none.top]);
  });
  it('qform rotated 90 degrees about S (i -> A, j -> L): transposed; marker still screen left, top', async () => {
    // quaternion (0, 0, sin 45): i -> +y (anterior), j -> -x (left). Right-anterior = i = 3, j = 0.
    const q = Math.SQRT1_2;
    const s = await nifti({ qform: { b: 0, c: 0, d: q } }, [3, 0, 0]);
    const r = sides(s);
    expect([r.plane, r.left, r.top]).toEqual(['axial', true, true]);
    expect(r.o.m[0]).toBeCloseTo(0);
    expect(r.labels).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
  });
  it('qform with qfac -1 on a coronal acquisition (i -> R, j -> S, k -> A)', async () => {
    // rotation -90 degrees about R: j -> +z (S), k -> -y, and qfac -1 turns k to +y (A)
    const q = Math.SQRT1_2;
    const s = await nifti({ qform: { b: q, c: 0, d: 0, qfac: -1 } }, [3, 3, 0]);
    const r = sides(s);
    expect(r.plane).toBe('coronal');
    // right-superior marker: screen left, top
    expect([r.left, r.top]).toEqual([true, true]);
    expect(r.labels).toEqual({ left: 'R', right: 'L', top: 'S', bottom: 'I' });
  });
});

async function dicomSlice(z: number, iop: string, marker: [number, number] | null, pos: (z: number) => string): Promise<Scan> {
  const px = new Uint8Array(N * N * 2);
  if (marker) new DataView(px.buffer).setUint16((marker[0] + N * marker[1]) * 2, 255, true);
  const extra: DicomElement[] = [
    { tag: 0x00080018, vr: 'UI', value: `1.2.8.${z}` },
    { tag: 0x00200032, vr: 'DS', value: pos(z) },
    { tag: 0x00200037, vr: 'DS', value: iop },
    { tag: 0x00280030, vr: 'DS', value: '1\\1' },
  ];
  return readScan({ name: `s${z}.dcm`, bytes: dicomImage({ rows: N, cols: N, bits: 16, modality: 'MR', pixels: px, extra }) });
}

describe('DICOM series orientation', () => {
  it('axial (columns -> L, rows -> P): right-anterior marker is screen left, top; no flip', async () => {
    const slices = await Promise.all([0, 1, 2].map((z) => dicomSlice(z, '1\\0\\0\\0\\1\\0', z === 1 ? [0, 0] : null, (k) => `0\\0\\${k}`)));
    const v = assembleSeries(slices.reverse()).scans[0];
    expect(isVolume(v)).toBe(true);
    expect(openingFrame(v)).toBe(1);
    const r = sides(v);
    expect([r.plane, r.left, r.top]).toEqual(['axial', true, true]);
    expect(r.o.m).toEqual([1, 0, 0, 1, 0, 0]);
  });
  it('axial with columns -> R, rows -> A (feet-first prone style): flipped both ways', async () => {
    const slices = await Promise.all([0, 1, 2].map((z) => dicomSlice(z, '-1\\0\\0\\0\\-1\\0', z === 0 ? [3, 3] : null, (k) => `0\\0\\${k}`)));
    const v = assembleSeries(slices).scans[0];
    const r = sides(v);
    // columns run towards the patient's right, rows towards anterior: marker (3, 3) is right-anterior
    expect([r.plane, r.left, r.top]).toEqual(['axial', true, true]);
    expect(r.o.m).toEqual([-1, 0, 0, -1, 4, 4]);
    expect(r.labels).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
  });
  it('sagittal (columns -> P, rows -> I): anterior-superior marker is screen left, top', async () => {
    const slices = await Promise.all([0, 1, 2].map((x) => dicomSlice(x, '0\\1\\0\\0\\0\\-1', x === 1 ? [0, 0] : null, (k) => `${k}\\0\\0`)));
    const v = assembleSeries(slices).scans[0];
    const r = sides(v);
    expect([r.plane, r.left, r.top]).toEqual(['sagittal', true, true]);
    expect(r.labels).toEqual({ left: 'A', right: 'P', top: 'S', bottom: 'I' });
  });
  it('coronal with columns -> R and rows -> S: flipped; right-superior marker on screen left, top', async () => {
    // column step -x LPS = right; row step +z = superior; marker at (3, 3): most right, most superior
    const slices = await Promise.all([0, 1, 2].map((y) => dicomSlice(y, '-1\\0\\0\\0\\0\\1', y === 2 ? [3, 3] : null, (k) => `0\\${k}\\0`)));
    const v = assembleSeries(slices).scans[0];
    const r = sides(v);
    expect([r.plane, r.left, r.top]).toEqual(['coronal', true, true]);
  });
});

describe('letters and notes', () => {
  it('oblique directions get two letters', () => {
    expect(directionLetters([-1, 0.5, 0])).toBe('LA');
    expect(directionLetters([0, 0, -1])).toBe('I');
  });
  it.skipIf(!hasData)('ACDC volumes (identity affine) carry the "spacing not recorded" note; FLAIR does not', async () => {
    const acdc = await readScan(readData('acdc-cardiac-mr/volumes/patient001_frame01.nii.gz'));
    expect(geometryNote(acdc)).toMatch(/Spacing not recorded/);
    const flair = await readScan(readData('sample-files/nifti/niivue/FLAIR.nii.gz'));
    expect(geometryNote(flair)).toBeNull();
    // FLAIR is RAS, tilted: shown flipped both ways, so anterior (tilted inferior: 'AI') is at the top,
    // patient's right on screen left
    const o = frameOrientation(flair);
    expect(o?.labels).toMatchObject({ left: 'R', right: 'L' });
    expect(o?.labels.top).toMatch(/^A/);
    expect(o?.labels.bottom).toMatch(/^P/);
    expect(o?.m[0]).toBeLessThan(0);
    expect(o?.m[3]).toBeLessThan(0);
    expect(openingFrame(flair)).toBe(Math.floor((flair.frames - 1) / 2));
  });
});
