// Differential test of the volume readers against the reference readers. testing/volume_matrix.py writes a
// matrix of small asymmetric volumes (NIfTI-1/2 .nii/.nii.gz of six data types with qform, sform, both,
// neither, scl_slope/inter, big-endian, 4-D; NRRD raw/gzip in LPS/RAS/LAS with negative and oblique axes,
// both byte orders; MetaImage with TransformMatrix/Orientation/Rotation, compressed, MSB; DICOM series in
// axial, sagittal, coronal and oblique planes in shuffled file order, rescaled, MONOCHROME1, 12-bit signed,
// and a highdicom legacy-converted enhanced CT) into a temporary folder, with what nibabel / pydicom / the
// format specifications say about each. Every file is opened as the app opens it (readScan, then
// assembleSeries) and must agree on:
//   - every voxel: the reference voxel (i, j, k) at world point A_ref (i, j, k) must be the app's voxel at
//     the same world point (A_app⁻¹), holding the same value after scaling (so geometry, axis order, flips,
//     byte order and scl/rescale are all checked at once);
//   - the spacing, the acquisition plane and, in the three MPR views, where the marker voxel lands: the
//     resliced image shows it, and on the screen side the radiological convention puts its patient
//     position (axial: right on screen left, anterior up; coronal: right left, superior up; sagittal:
//     anterior left, superior up), with the standard edge letters and the physical aspect ratio;
//   - formats the app deliberately does not open are refused with a message saying what to open instead.
// Second part: the test files nibabel and pydicom ship (other writers: dcmtk, gdcm, scanners, TPS), read by
// the app against the libraries' decoded values (lossless exactly, lossy within 2 levels) and geometry.
// Both generators run while this file is collected (~2 s together), into temporary folders.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pythonExe, pythonSkipReason } from '../../engine/testing/python';
import { readScan } from '../readScan';
import { ScanReadError, type Scan } from '../types';
import { mprGeometry, reslice, toPlane, type Voxel } from './mpr';
import { frameOrientation, hasPatientGeometry, slicesPerVolume, type DisplayOrientation, type Plane } from './orientation';
import { assembleSeries, volumeAffine } from './series';

interface Case {
  name: string;
  files: string[];
  refuse?: string[];
  /** A file that opens as several volumes (one per orientation), with a problem naming `problem`'s words. */
  parts?: Case[];
  problem?: string[];
  affine: number[];
  shape: number[];
  /** Non-finite values come as "NaN", "Infinity", "-Infinity". */
  data: (number | string)[];
  spacing: number[];
  marker: number[];
  plane: Plane;
  oblique: boolean;
  photometric?: string;
  /** Colour volumes: `data` is the first channel. */
  channels?: number;
  reference: string;
}

const py = pythonExe('numpy, nibabel, pydicom, highdicom');
const dir = py ? mkdtempSync(join(tmpdir(), 'vlsm-volume-matrix-')) : '';
// ~2 s: generated while the file is collected (the cases are the test list), into a temporary folder
if (py) execFileSync(py, ['src/scan/testing/volume_matrix.py', dir], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
const cases: Case[] = py ? (JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as { cases: Case[] }).cases : [];
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const file = (name: string) => {
  const b = readFileSync(join(dir, name));
  return { name, bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
};

/** Opens the case's files as the app does (src/app/actions/open.ts): read each, then assemble series. */
async function open(c: Case): Promise<{ scans: Scan[]; problems: string[] }> {
  return assembleSeries(await Promise.all(c.files.map((f) => readScan(file(f)))));
}

function checkVolume(c: Case, scan: Scan): void {
  expect(hasPatientGeometry(scan)).toBe(true);
  expect(scan.width * scan.height * scan.frames).toBe(c.shape.reduce((a, b) => a * b, 1));
  expect(voxelDisagreements(c, scan)).toEqual([]);
  scan.spacing.forEach((v, i) => expect(v, `spacing ${i}`).toBeCloseTo(c.spacing[i], 4));
  if (c.photometric) expect(scan.photometric).toBe(c.photometric);
  expect([scan.window.center, scan.window.width, ...scan.range].every(Number.isFinite), 'finite window and range').toBe(true);
  expect(displayDisagreements(c, scan)).toEqual([]);
}

const mat = (a: readonly number[], p: readonly number[]): number[] => [0, 1, 2].map((r) => a[4 * r] * p[0] + a[4 * r + 1] * p[1] + a[4 * r + 2] * p[2] + a[4 * r + 3]);

/** Inverse of a 4x4 row-major affine's 3x3 part and translation: world -> voxel. */
function inverse(a: readonly number[]): (w: readonly number[]) => number[] {
  const [m00, m01, m02, , m10, m11, m12, , m20, m21, m22] = a;
  const det = m00 * (m11 * m22 - m12 * m21) - m01 * (m10 * m22 - m12 * m20) + m02 * (m10 * m21 - m11 * m20);
  const inv = [
    [(m11 * m22 - m12 * m21) / det, (m02 * m21 - m01 * m22) / det, (m01 * m12 - m02 * m11) / det],
    [(m12 * m20 - m10 * m22) / det, (m00 * m22 - m02 * m20) / det, (m02 * m10 - m00 * m12) / det],
    [(m10 * m21 - m11 * m20) / det, (m01 * m20 - m00 * m21) / det, (m00 * m11 - m01 * m10) / det],
  ];
  const t = [a[3], a[7], a[11]];
  return (w) => inv.map((row) => row[0] * (w[0] - t[0]) + row[1] * (w[1] - t[1]) + row[2] * (w[2] - t[2]));
}

/** Voxel-by-voxel disagreements (at most 5 described), comparing at the same world point. */
function voxelDisagreements(c: Case, scan: Scan): string[] {
  const toApp = inverse(volumeAffine(scan));
  const [nx, ny, nz, nt = 1] = c.shape;
  const [w, h, s] = [scan.width, scan.height, slicesPerVolume(scan)];
  const out: string[] = [];
  let n = 0;
  for (let t = 0; t < nt; t++)
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++, n++) {
          const q = toApp(mat(c.affine, [i, j, k]));
          const r = q.map(Math.round);
          const want = Number(c.data[n]);
          let why = '';
          if (q.some((v, a) => Math.abs(v - r[a]) > 1e-3)) why = `falls between the app's voxels (${q.map((v) => v.toFixed(3)).join(', ')})`;
          else if (r[0] < 0 || r[1] < 0 || r[2] < 0 || r[0] >= w || r[1] >= h || r[2] >= s) why = `falls outside the app's ${w}x${h}x${s} grid at (${r.join(', ')})`;
          else {
            const got = scan.data[(r[0] + w * (r[1] + h * (r[2] + s * t))) * scan.channels];
            if (!(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want))) && !(Number.isNaN(got) && Number.isNaN(want)) && got !== want) why = `holds ${got} in the app at (${r.join(', ')}), ${want} in the reference`;
          }
          if (why && out.push(`voxel (${i}, ${j}, ${k}${nt > 1 ? `, t ${t}` : ''}) ${why}`) >= 5) return out;
        }
  return out;
}

/** Display position (display units) of pixel (x, y)'s centre. */
const screen = (o: DisplayOrientation, x: number, y: number) => {
  const [a, b, cc, d, e, f] = o.m;
  return { u: a * (x + 0.5) + cc * (y + 0.5) + e, v: b * (x + 0.5) + d * (y + 0.5) + f };
};

const STANDARD: Record<Plane, { left: string; right: string; top: string; bottom: string }> = {
  axial: { left: 'R', right: 'L', top: 'A', bottom: 'P' },
  coronal: { left: 'R', right: 'L', top: 'S', bottom: 'I' },
  sagittal: { left: 'A', right: 'P', top: 'S', bottom: 'I' },
};
/** The RAS axis (0 R, 1 A, 2 S) growing toward screen left and toward screen top, per plane. */
type Labels = DisplayOrientation['labels'];
const sameLabels = (a: Labels, b: Labels): boolean => a.left === b.left && a.right === b.right && a.top === b.top && a.bottom === b.bottom;
const SIDES: Record<Plane, { left: number; top: number }> = { axial: { left: 0, top: 1 }, coronal: { left: 0, top: 2 }, sagittal: { left: 1, top: 2 } };

/** Index of the largest finite value among the first `n` (every `step`-th sample). */
function argmax(a: ArrayLike<number>, n: number, step: number): number {
  let best = -1;
  for (let i = 0; i < n; i++) if (Number.isFinite(a[i * step]) && (best < 0 || a[i * step] > a[best * step])) best = i;
  return best;
}

/** Where the marker shows in each view, against where its patient position says it must. */
function displayDisagreements(c: Case, scan: Scan): string[] {
  const out: string[] = [];
  const per = scan.width * scan.height * slicesPerVolume(scan);
  const ch = scan.channels;
  const idx = argmax(scan.data, per, ch);
  const m: Voxel = [idx % scan.width, Math.floor(idx / scan.width) % scan.height, Math.floor(idx / (scan.width * scan.height))];
  // How far the marker is from the centre toward patient axis `axis`, along the voxel axis closest to it: a
  // view shows voxel axes (no resampling), so for an oblique volume the tilt's share from the other axes
  // cannot move the marker across the screen. For an orthogonal volume this is the whole offset.
  const offset = (axis: number): number => {
    const dir = (a: number) => Math.abs(c.affine[4 * axis + a]) / Math.hypot(c.affine[a], c.affine[4 + a], c.affine[8 + a]);
    const a = [0, 1, 2].reduce((best, v) => (dir(v) > dir(best) ? v : best), 0);
    return c.affine[4 * axis + a] * (c.marker[a] - (c.shape[a] - 1) / 2);
  };
  const minMm = Math.min(...c.spacing);
  // physical extent along R, A, S (orthogonal volumes)
  const extent = [0, 1, 2].map((p) => [0, 1, 2].reduce((e, a) => e + Math.abs(c.affine[4 * p + a]) * c.shape[a], 0));
  const g = mprGeometry(scan);
  if (!g && ch === 1) return ['no MPR geometry'];
  // MPR is for greyscale volumes; colour ones are checked in the single view below
  for (const plane of g ? (['axial', 'coronal', 'sagittal'] as Plane[]) : []) {
    if (!g) continue;
    const pg = g.planes[plane];
    const at = toPlane(pg, m);
    const img = reslice(scan.data, pg, at.slice, new Float64Array(pg.width * pg.height));
    const shown = argmax(img, img.length, 1);
    const [x, y] = [shown % pg.width, Math.floor(shown / pg.width)];
    if (x !== at.x || y !== at.y) out.push(`${plane}: the marker is drawn at (${x}, ${y}) of slice ${at.slice}, expected (${at.x}, ${at.y})`);
    const p = screen(pg.orient, x, y);
    for (const side of ['left', 'top'] as const) {
      const axis = SIDES[plane][side];
      const d = offset(axis);
      if (Math.abs(d) < 0.25 * minMm) continue; // the marker is level with the centre along that axis
      const want = d > 0;
      const got = side === 'left' ? p.u < pg.orient.w / 2 : p.v < pg.orient.h / 2;
      if (got !== want) out.push(`${plane}: the ${'RAS'[axis]}${d > 0 ? '+' : '-'} marker shows on screen ${side === 'left' ? (got ? 'left' : 'right') : got ? 'top' : 'bottom'}`);
    }
    if (!c.oblique) {
      if (!sameLabels(pg.orient.labels, STANDARD[plane])) out.push(`${plane}: edge letters ${JSON.stringify(pg.orient.labels)}`);
      const [across, down] = [SIDES[plane].left, SIDES[plane].top].map((a) => extent[a]);
      if (Math.abs(pg.orient.w / pg.orient.h - across / down) > 1e-3 * (across / down)) {
        out.push(`${plane}: shown ${pg.orient.w.toFixed(2)} x ${pg.orient.h.toFixed(2)}, physical ${across.toFixed(2)} x ${down.toFixed(2)} mm`);
      }
    }
  }
  // the single-view viewer (acquisition plane) too
  const fo = frameOrientation(scan);
  if (!fo) out.push('no display orientation (no edge letters)');
  else {
    if (fo.plane !== c.plane) out.push(`acquisition plane shown as ${fo.plane}, the reference's is ${c.plane}`);
    if (!c.oblique && !sameLabels(fo.labels, STANDARD[fo.plane])) out.push(`single view: edge letters ${JSON.stringify(fo.labels)}`);
    const p = screen(fo, m[0], m[1]);
    for (const side of ['left', 'top'] as const) {
      const axis = SIDES[fo.plane][side];
      const d = offset(axis);
      if (Math.abs(d) < 0.25 * minMm) continue;
      const got = side === 'left' ? p.u < fo.w / 2 : p.v < fo.h / 2;
      if (got !== d > 0) out.push(`single view: the ${'RAS'[axis]}${d > 0 ? '+' : '-'} marker shows on the wrong side (${side})`);
    }
  }
  return out;
}

describe('volume readers against nibabel, pydicom and the format specifications', () => {
  it('the matrix covers every volume format, orientation and data type', (ctx) => {
    if (!py) return ctx.skip(pythonSkipReason());
    const names = cases.map((c) => c.name);
    for (const re of [/^nifti-.*\.nii$/, /\.nii\.gz$/, /^nifti2-/, /\.nrrd$/, /\.mha$/, /^dicom-sagittal$/, /^dicom-coronal$/, /-enhanced$/, /\.hdr$/, /\.mhd$/]) {
      expect(names.some((n) => re.test(n)), String(re)).toBe(true);
    }
    expect(cases.length).toBeGreaterThanOrEqual(50);
    expect(cases.filter((c) => c.oblique).length).toBeGreaterThanOrEqual(6);
  });

  for (const c of cases) {
    if (c.refuse) {
      it(`${c.name}: refused, saying what to open instead`, async () => {
        const err = await readScan(file(c.files[0])).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ScanReadError);
        for (const w of c.refuse ?? []) expect((err as Error).message.toLowerCase()).toContain(w.toLowerCase());
      });
      continue;
    }
    it(`${c.name}: same voxels at the same places as ${c.reference ?? c.parts?.[0].reference}; spacing; marker on the right screen side in every view`, async () => {
      const { scans, problems } = await open(c);
      if (c.parts) {
        // one volume per orientation, each as the reference has it, and the user told why
        expect(problems).toHaveLength(1);
        for (const w of c.problem ?? []) expect(problems[0]).toContain(w);
        expect(scans.map((s) => frameOrientation(s)?.plane).sort()).toEqual(c.parts.map((p) => p.plane).sort());
        for (const part of c.parts) checkVolume(part, scans.find((s) => frameOrientation(s)?.plane === part.plane) as Scan);
        return;
      }
      expect(problems).toEqual([]);
      expect(scans).toHaveLength(1);
      checkVolume(c, scans[0]);
    });
  }
});

interface CorpusEntry {
  file: string;
  kind: 'nifti' | 'dicom' | 'refuse';
  shape?: number[];
  affine?: number[];
  lossy?: boolean;
  frames?: number;
  refuse?: string[];
}

/** Files pydicom decodes that the app refuses on purpose, with what its message must say. */
const REFUSED: Record<string, RegExp> = {
  'SC_rgb_rle_16bit.dcm': /16-bit colour DICOM images are not supported/,
  'SC_rgb_rle_16bit_2frame.dcm': /16-bit colour DICOM images are not supported/,
  'SC_rgb_rle_32bit.dcm': /32-bit colour DICOM images are not supported/,
  'SC_rgb_rle_32bit_2frame.dcm': /32-bit colour DICOM images are not supported/,
  'liver_1frame.dcm': /Segmentation object \(SEG\), not an image; import it as a reference mask/,
  'liver_expb_1frame.dcm': /Segmentation object \(SEG\), not an image; import it as a reference mask/,
  ...Object.fromEntries(['', '_1frame', '_expb', '_expb_1frame', '_rle', '_rle_1frame'].map((s) => [`rtdose${s}.dcm`, /RT Dose .*open the CT or MR/])),
};

const corpusDir = py ? mkdtempSync(join(tmpdir(), 'vlsm-reference-corpus-')) : '';
if (py) execFileSync(py, ['src/scan/testing/reference_corpus.py', corpusDir], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
const corpus: CorpusEntry[] = py ? (JSON.parse(readFileSync(join(corpusDir, 'corpus.json'), 'utf8')) as CorpusEntry[]) : [];
afterAll(() => {
  if (corpusDir) rmSync(corpusDir, { recursive: true, force: true });
});

const fileAt = (path: string) => {
  const b = readFileSync(path);
  return { name: path.split('/').pop() ?? path, bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
};

describe("the reference libraries' own test files (nibabel tests/data, pydicom test_files), read as they read them", () => {
  corpus.forEach((e, n) => {
    const base = e.file.split('/').pop() ?? e.file;
    const name = `${e.file.split('/').slice(-4, -2).join('/')}: ${base}`;
    if (REFUSED[base]) {
      it(`${name}: refused on purpose, in words`, async () => {
        await expect(readScan(fileAt(e.file))).rejects.toThrow(REFUSED[base]);
      });
      return;
    }
    if (e.kind === 'refuse') {
      it(`${name}: refused, saying what to open instead`, async () => {
        const err = await readScan(fileAt(e.file)).then(
          () => null,
          (x: unknown) => x,
        );
        expect(err).toBeInstanceOf(ScanReadError);
        for (const w of e.refuse ?? []) expect((err as Error).message.toLowerCase()).toContain(w.toLowerCase());
      });
      return;
    }
    it(`${name}: same ${e.shape?.join(' x ')} values${e.lossy ? ' (lossy: within 2 levels)' : ''}${e.affine ? ' and geometry' : ''}`, async () => {
      const scan = await readScan(fileAt(e.file));
      const b = readFileSync(join(corpusDir, `${n}.bin`));
      const want = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      expect(scan.data.length).toBe(want.length);
      let worst = 0;
      let sum = 0;
      let at = -1;
      for (let i = 0; i < want.length; i++) {
        // lossy codecs: absolute levels; lossless: relative to the value (float32 results)
        const d = Math.abs(scan.data[i] - want[i]) / (e.lossy ? 1 : Math.max(1, Math.abs(want[i])));
        sum += d;
        if (d > worst) [worst, at] = [d, i];
      }
      const where = at >= 0 ? ` (sample ${at}: app ${scan.data[at]}, reference ${want[at]})` : '';
      if (e.lossy) {
        expect(worst, `largest difference${where}`).toBeLessThanOrEqual(2);
        expect(sum / want.length, 'mean difference').toBeLessThanOrEqual(0.5);
      } else expect(worst, `largest difference${where}`).toBeLessThanOrEqual(1e-6);
      if (e.affine) {
        const a = scan.geometry?.affine;
        expect(a, 'geometry').toBeDefined();
        // NIfTI: the whole affine; DICOM: the in-plane columns and the origin (the slice column is the app's own)
        const idx = e.kind === 'nifti' ? [...Array(16).keys()] : [0, 1, 3, 4, 5, 7, 8, 9, 11];
        for (const i of idx) expect(a?.[i], `affine[${i}]`).toBeCloseTo(e.affine[i], 3);
      }
    });
  });
});
