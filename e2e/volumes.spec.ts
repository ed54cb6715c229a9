// Volumes end to end (lean): a DICOM series given as separate files (in reverse order) opens as one
// volume on its middle slice with orientation markers, and survives a reload; a NIfTI opens in
// radiological orientation; an ACDC volume says its spacing is not recorded.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { SHARED } from './pages/files';
import { Workbench, type FilePayload } from './pages/Workbench';

const file = (rel: string): FilePayload => ({ name: rel.split('/').pop()!, mimeType: 'application/octet-stream', buffer: readFileSync(join(SHARED, rel)) });
const SERIES = 'sample-files/dicom/pydicom/series-CT5N-16x16';

test('a DICOM series opens as one volume on its middle slice, in radiological orientation; NIfTI too; reload keeps it', async ({ page }) => {
  const wb = new Workbench(page);
  await wb.goto();
  const markers = async () =>
    Object.fromEntries(await Promise.all(['left', 'right', 'top', 'bottom'].map(async (k) => [k, await page.getByTestId(`orient-${k}`).textContent()])));

  const series = readdirSync(join(SHARED, SERIES)).sort().reverse().map((f) => file(`${SERIES}/${f}`));
  await wb.openFiles(series);
  const s = await wb.until((st) => {
    expect(st.scans).toHaveLength(1);
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

  await wb.openFiles([file('acdc-cardiac-mr/volumes/patient001_frame01.nii.gz')]);
  await expect(page.getByTestId('geometry-note')).toContainText('Spacing not recorded');

  await page.reload();
  await page.waitForFunction(() => !!window.__vlsm);
  await wb.until((st) => expect(st.scans).toHaveLength(3));
  await wb.openSaved(s.scan!.name);
  await wb.until((st) => expect(st.scan).toMatchObject({ id: s.scan!.id, frames: 5 }));
  expect(await markers()).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
});
