// Full-volume NIfTI masks in the source geometry, checked by nibabel (the .venv's, pinned in
// models/requirements.txt): the same affine as the source NIfTI, the DICOM series' RAS affine, the
// same voxels back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readScan } from '../index';
import { DATA_ROOT, hasData, readData } from '../testing/data';
import { assembleSeries } from '../volume/series';
import { writeNiftiVolumeMask } from './nifti';

const CHECK = `
import sys, json, nibabel as nib, numpy as np
mask = nib.load(sys.argv[1])
src = nib.load(sys.argv[2]) if sys.argv[2] != '-' else None
m = np.asanyarray(mask.dataobj)
print(json.dumps({
  'shape': list(m.shape), 'dtype': str(m.dtype), 'sum': int(m.sum()), 'max': int(m.max()),
  'affine': mask.affine.tolist(), 'srcAffine': src.affine.tolist() if src is not None else None,
  'at': [int(m[i, j, k]) for i, j, k in json.loads(sys.argv[3])],
}))
`;

/** .venv's python (or python3) when it has nibabel, else null. */
function pythonExe(): string | null {
  for (const exe of ['.venv/bin/python', 'python3']) {
    try {
      execFileSync(exe, ['-c', 'import numpy, nibabel'], { stdio: 'ignore', timeout: 120_000 });
      return exe;
    } catch {
      /* next */
    }
  }
  return null;
}

function nibabel(maskBytes: Uint8Array, source: string | null, points: number[][]) {
  const py = pythonExe();
  if (!py) throw new Error('nibabel is missing: install models/requirements.txt into .venv (scripts/test-py.sh does)');
  const dir = mkdtempSync(join(tmpdir(), 'vlsm-nii-'));
  const file = join(dir, 'mask.nii.gz');
  writeFileSync(file, maskBytes);
  const out = execFileSync(py, ['-c', CHECK, file, source ?? '-', JSON.stringify(points)], { encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(out) as { shape: number[]; dtype: string; sum: number; max: number; affine: number[][]; srcAffine: number[][] | null; at: number[] };
}

describe.skipIf(!hasData)('full-volume NIfTI masks read by nibabel', () => {
  it('NIfTI source (FLAIR, sform+qform): same affine and shape as the source; labels kept', async () => {
    const rel = 'sample-files/nifti/niivue/FLAIR.nii.gz';
    const scan = await readScan(readData(rel));
    const plane = scan.width * scan.height;
    const mask = new Uint8Array(plane * scan.frames);
    mask[3 + scan.width * 5 + plane * 7] = 1;
    mask[10 + scan.width * 20 + plane * 100] = 2;
    const r = nibabel(writeNiftiVolumeMask(mask, scan), resolve(DATA_ROOT, rel), [[3, 5, 7], [10, 20, 100], [0, 0, 0]]);
    expect(r.shape).toEqual([scan.width, scan.height, scan.frames]);
    expect([r.dtype, r.sum, r.max, r.at]).toEqual(['uint8', 3, 2, [1, 2, 0]]);
    r.affine.flat().forEach((v, i) => expect(v).toBeCloseTo(r.srcAffine!.flat()[i], 4));
  });

  it('DICOM series (CT5N): the RAS affine from the positions; voxel (0,0,k) at slice k', async () => {
    const rel = 'sample-files/dicom/pydicom/series-CT5N-16x16';
    const files = readdirSync(resolve(DATA_ROOT, rel));
    const vol = assembleSeries(await Promise.all(files.map((f) => readScan(readData(`${rel}/${f}`))))).scans[0];
    const mask = new Uint8Array(16 * 16 * 5);
    mask[2 + 16 * 3 + 256 * 4] = 1;
    const r = nibabel(writeNiftiVolumeMask(mask, vol), null, [[2, 3, 4]]);
    expect(r.shape).toEqual([16, 16, 5]);
    expect(r.at).toEqual([1]);
    const a = vol.geometry!.affine!;
    r.affine.flat().forEach((v, i) => expect(v).toBeCloseTo(a[i], 3));
    // the first voxel's centre is the first slice's ImagePositionPatient, in RAS
    const ipp = vol.geometry!.dicom!.imagePositionPatient![0];
    expect([r.affine[0][3], r.affine[1][3], r.affine[2][3]].map((v) => Math.round(v * 1000) / 1000)).toEqual([-ipp[0], -ipp[1], ipp[2]].map((v) => Math.round(v * 1000) / 1000));
  });
});
