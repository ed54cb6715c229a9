// Volumes end to end (lean): a DICOM series given as separate files (in reverse order) opens as one
// volume on its middle slice with orientation markers, and survives a reload; a NIfTI opens in
// radiological orientation; an ACDC volume says its spacing is not recorded.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { pythonExe } from '../src/engine/testing/python';
import { SHARED } from './pages/files';
import { Workbench, type FilePayload } from './pages/Workbench';

const file = (rel: string): FilePayload => ({ name: rel.split('/').pop()!, mimeType: 'application/octet-stream', buffer: readFileSync(join(SHARED, rel)) });
const SERIES = 'sample-files/dicom/pydicom/series-CT5N-16x16';

test('a DICOM series opens as one volume on its middle slice, in radiological orientation; NIfTI too; reload keeps it', async ({ page }) => {
  const wb = new Workbench(page);
  await wb.goto();
  // the model loads at start-up and takes both cores of a small machine: let it finish, so the reads
  // below are timed on their own (the reader stops a read after 3 s)
  await expect(page.getByTestId('status-model')).toHaveAttribute('data-state', /ready|idle/, { timeout: 120_000 });
  const markers = async () =>
    Object.fromEntries(await Promise.all(['left', 'right', 'top', 'bottom'].map(async (k) => [k, await page.getByTestId(`orient-${k}`).textContent()])));

  await wb.openFiles([file('acdc-cardiac-mr/volumes/patient001_frame01.nii.gz')]);
  await expect(page.getByTestId('geometry-note')).toContainText('Spacing not recorded');

  const series = readdirSync(join(SHARED, SERIES)).sort().reverse().map((f) => file(`${SERIES}/${f}`));
  await wb.openFiles(series);
  const s = await wb.until((st) => {
    expect(st.scans).toHaveLength(2);
    expect(st.scan).toMatchObject({ format: 'dicom', width: 16, height: 16, frames: 5 });
    expect(st.frame).toBe(2);
  });
  await expect(page.getByTestId('frame-label')).toHaveText('3 / 5');
  expect(await markers()).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
  // wheel steps slices
  const box = (await wb.viewer.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, 100);
  await wb.until((st) => expect(st.frame).toBe(3));

  await wb.openFiles([file('sample-files/nifti/niivue/FLAIR.nii.gz')]);
  await wb.until((st) => expect(st.scan).toMatchObject({ format: 'nifti', frames: 140 }));
  await wb.until((st) => expect(st.frame).toBe(69));
  const m = await markers();
  expect([m.left, m.right]).toEqual(['R', 'L']);
  expect(m.top).toMatch(/^A/);
  await expect(page.getByTestId('geometry-note')).toHaveCount(0);

  await page.reload();
  await page.waitForFunction(() => !!window.__vlsm);
  await wb.until((st) => expect(st.scans).toHaveLength(3));
  await wb.openSaved(s.scan!.name);
  await wb.until((st) => expect(st.scan).toMatchObject({ id: s.scan!.id, frames: 5 }));
  expect(await markers()).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
});

test('one prompt on every slice of a DICOM series: progress, 3-D mask with statistics, NIfTI export read by nibabel, reload', async ({ page }) => {
  const wb = new Workbench(page);
  await wb.goto();
  const series = readdirSync(join(SHARED, SERIES)).sort().map((f) => file(`${SERIES}/${f}`));
  await wb.openFiles(series);
  await wb.until((st) => expect(st.scan).toMatchObject({ frames: 5 }));
  const panel = page.getByTestId('volume-panel');
  await panel.getByTestId('volume-prompt').fill('liver');
  await expect(panel.getByTestId('volume-run')).toBeEnabled({ timeout: 120_000 });
  await expect(panel.getByTestId('volume-run')).toHaveText('Run on all slices');
  await panel.getByTestId('volume-run').click();
  await expect(panel.getByTestId('volume-last')).toContainText('“liver”: 5 slices', { timeout: 120_000 });
  await expect(panel.getByTestId('volume-error')).toHaveCount(0);
  await expect(panel.getByTestId('volume-result')).toContainText('slices 1–5');
  const voxels = Number(await panel.getByTestId('volume-voxels').textContent());
  expect(voxels).toBeGreaterThanOrEqual(0);
  await expect(panel.getByTestId('volume-ml')).toContainText('mL');

  const [dl] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('volume-export-nifti').click()]);
  const out = join(mkdtempSync(join(tmpdir(), 'vlsm-vol-')), dl.suggestedFilename());
  await dl.saveAs(out);
  const py = pythonExe('numpy, nibabel');
  expect(py, 'nibabel in .venv (models/requirements.txt)').not.toBeNull();
  const r = JSON.parse(
    execFileSync(py!, ['-c', 'import sys,json,nibabel as n,numpy as np; i=n.load(sys.argv[1]); d=np.asanyarray(i.dataobj); print(json.dumps({"shape": list(d.shape), "sum": int(d.sum()), "max": int(d.max())}))', out], { encoding: 'utf8' }),
  );
  expect(r).toEqual({ shape: [16, 16, 5], sum: voxels, max: voxels ? 1 : 0 });

  await page.reload();
  await page.waitForFunction(() => !!window.__vlsm);
  await expect(page.getByTestId('volume-result')).toContainText('“liver”', { timeout: 30_000 });
  await expect(page.getByTestId('volume-voxels')).toHaveText(String(voxels));
});
