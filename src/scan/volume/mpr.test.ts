// MPR reslicing: a marker voxel at a known patient position (right, anterior, superior corner) must land
// on the expected screen side in each of the three views (axial: R screen left, A up; coronal: R left,
// S up; sagittal: A left, S up), for NIfTI volumes stored RAS, LPS-like and as a coronal acquisition
// (slice axis along A), and for a DICOM series; each view reads its slice from the one pixel array.
import { describe, expect, it } from 'vitest';
import { readScan } from '../index';
import { dicomImage, niftiFile, type DicomElement } from '../testing/builders';
import type { Scan } from '../types';
import { mprGeometry, reslice, resliceRGBA, fromPlane, toPlane, PLANES, type PlaneGeometry, type Voxel } from './mpr';
import { frameOrientation } from './orientation';
import { assembleSeries } from './series';

const NX = 5;
const NY = 4;
const NZ = 3;

/** A NX x NY x NZ uint8 NIfTI with an sform (12 values) and one voxel = 255 at `marker`. */
async function nifti(sform: number[], marker: Voxel): Promise<Scan> {
  const data = new Uint8Array(NX * NY * NZ);
  data[marker[0] + NX * (marker[1] + NY * marker[2])] = 255;
  const bytes = niftiFile({ dims: [3, NX, NY, NZ, 1, 1, 1, 1], pixdim: [1, 1, 1, 1] }, data);
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  dv.setInt16(254, 2, true);
  sform.forEach((v, i) => dv.setFloat32(280 + 4 * i, v, true));
  return readScan({ name: 'm.nii', bytes });
}

/** The marker as each view shows it: which half of the screen, found by reslicing (not by the index maths). */
function seen(scan: Scan, marker: Voxel) {
  const g = mprGeometry(scan);
  if (!g) throw new Error('no MPR geometry');
  const out: Record<string, { left: boolean; top: boolean; labels: PlaneGeometry['orient']['labels']; w: number; h: number }> = {};
  for (const plane of PLANES) {
    const p = g.planes[plane];
    const slice = toPlane(p, marker).slice;
    const img = reslice(scan.data, p, slice, new Uint8Array(p.width * p.height));
    const at = img.indexOf(255);
    expect(at, `${plane}: the marker is on its slice`).toBeGreaterThanOrEqual(0);
    const x = (at % p.width) + 0.5;
    const y = Math.floor(at / p.width) + 0.5;
    expect(fromPlane(p, x, y, slice)).toEqual(marker);
    const [a, b, c, d, e, f] = p.orient.m;
    const u = a * x + c * y + e;
    const v = b * x + d * y + f;
    out[plane] = { left: u < p.orient.w / 2, top: v < p.orient.h / 2, labels: p.orient.labels, w: p.orient.w, h: p.orient.h };
  }
  return { g, out };
}

const RADIOLOGICAL = {
  axial: { left: 'R', right: 'L', top: 'A', bottom: 'P' },
  coronal: { left: 'R', right: 'L', top: 'S', bottom: 'I' },
  sagittal: { left: 'A', right: 'P', top: 'S', bottom: 'I' },
};

describe('MPR of NIfTI volumes', () => {
  it('RAS storage (i -> R 2 mm, j -> A 1 mm, k -> S 3 mm): the right-anterior-superior voxel is screen left and top in every view; aspect from spacing', async () => {
    const marker: Voxel = [NX - 1, NY - 1, NZ - 1];
    const scan = await nifti([2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 3, 0], marker);
    const { g, out } = seen(scan, marker);
    for (const plane of PLANES) {
      expect(out[plane], plane).toMatchObject({ left: true, top: true, labels: RADIOLOGICAL[plane] });
    }
    expect([g.planes.axial.n, g.planes.coronal.n, g.planes.sagittal.n]).toEqual([2, 1, 0]);
    // display units = the finer in-plane spacing (coronal: 2 mm): 5 x 2 mm across, 3 x 3 mm down
    expect([out.coronal.w, out.coronal.h]).toEqual([5, 4.5]);
    // sagittal: 4 rows x 1 mm across, 3 slices x 3 mm down
    expect([out.sagittal.w, out.sagittal.h]).toEqual([4, 9]);
    // the acquisition plane is shown as the single viewer shows a frame
    expect(g.planes.axial.orient).toEqual(frameOrientation(scan));
  });

  it('LPS-like storage (i -> L, j -> P, k -> I): the left-posterior-inferior voxel is screen right and bottom everywhere', async () => {
    const marker: Voxel = [NX - 1, NY - 1, NZ - 1];
    const scan = await nifti([-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0], marker);
    const { out } = seen(scan, marker);
    for (const plane of PLANES) expect(out[plane], plane).toMatchObject({ left: false, top: false, labels: RADIOLOGICAL[plane] });
  });

  it('coronal acquisition (i -> R, j -> S, k -> A): slices are coronal; axial and sagittal are built across them', async () => {
    // voxel (0, 3, 2): most left (i = 0), most superior (j = 3), most anterior (k = 2)
    const marker: Voxel = [0, NY - 1, NZ - 1];
    const scan = await nifti([1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0], marker);
    const { g, out } = seen(scan, marker);
    expect(g.planes.coronal.n).toBe(2);
    expect(g.planes.axial.n).toBe(1);
    expect(g.planes.sagittal.n).toBe(0);
    expect(out.axial).toMatchObject({ left: false, top: true, labels: RADIOLOGICAL.axial });
    expect(out.coronal).toMatchObject({ left: false, top: true, labels: RADIOLOGICAL.coronal });
    expect(out.sagittal).toMatchObject({ left: true, top: true, labels: RADIOLOGICAL.sagittal });
  });
});

async function dicomSlice(z: number, marker: [number, number] | null): Promise<Scan> {
  const px = new Uint8Array(NX * NY * 2);
  if (marker) new DataView(px.buffer).setUint16((marker[0] + NX * marker[1]) * 2, 255, true);
  const extra: DicomElement[] = [
    { tag: 0x00080018, vr: 'UI', value: `1.2.9.${z}` },
    { tag: 0x00200032, vr: 'DS', value: `0\\0\\${z * 2}` },
    { tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' },
    { tag: 0x00280030, vr: 'DS', value: '1\\1' },
  ];
  return readScan({ name: `s${z}.dcm`, bytes: dicomImage({ rows: NY, cols: NX, bits: 16, modality: 'CT', pixels: px, extra }) });
}

describe('MPR of a DICOM series', () => {
  it('axial series (columns -> L, rows -> P, slices -> S every 2 mm): the right-anterior-superior voxel is left and top in every view', async () => {
    // LPS columns +x = patient left, rows +y = posterior: voxel (0, 0) is right-anterior; the top slice (z = 4 mm) is superior
    const slices = await Promise.all([0, 1, 2].map((z) => dicomSlice(z, z === 2 ? [0, 0] : null)));
    const v = assembleSeries(slices.reverse()).scans[0];
    const marker: Voxel = [0, 0, 2];
    expect(v.data[marker[0] + NX * (marker[1] + NY * marker[2])]).toBe(255);
    const { out } = seen(v, marker);
    for (const plane of PLANES) expect(out[plane], plane).toMatchObject({ left: true, top: true, labels: RADIOLOGICAL[plane] });
    // 2 mm slices: the coronal view is twice as tall per slice as per column
    expect(out.coronal.h).toBe(6);
  });
});

describe('resliceRGBA', () => {
  it('windows the same voxels reslice reads', async () => {
    const marker: Voxel = [1, 2, 1];
    const scan = await nifti([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], marker);
    const p = mprGeometry(scan)!.planes.sagittal;
    const rgba = resliceRGBA(scan, p, marker[0], { center: 127.5, width: 256 }, false, new Uint8ClampedArray(p.width * p.height * 4));
    const plain = reslice(scan.data, p, marker[0], new Uint8Array(p.width * p.height));
    for (let i = 0; i < plain.length; i++) expect(rgba[i * 4] > 127).toBe(plain[i] === 255);
  });
});
