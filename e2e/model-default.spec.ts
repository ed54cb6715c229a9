// The default model is chosen by the kind of scan (src/ui/models/defaultModel.ts, from the shipped cards'
// modelCard.defaultFor): a volume with no explicit choice gets the model trained on cross-sectional slices
// (v2) and one line says so, with "Change" to the Model panel; a 2-D picture gets v1; a model the user picks
// explicitly stays for every scan, across a reload, until they go back to the defaults. Real models, real
// files from ../shared/data (an ACDC cardiac MR NIfTI, a BUSI ultrasound PNG), real localStorage.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { SHARED } from './pages/files';
import { Loop } from './pages/Loop';
import { Workbench, type FilePayload } from './pages/Workbench';

const VOLUME: FilePayload = { name: 'patient001_frame01.nii.gz', mimeType: 'application/gzip', buffer: readFileSync(join(SHARED, 'acdc-cardiac-mr/volumes/patient001_frame01.nii.gz')) };
const PICTURE: FilePayload = { name: 'benign (21).png', mimeType: 'image/png', buffer: readFileSync(join(SHARED, 'busi/images/benign (21).png')) };

const loadedModel = (page: Page) =>
  page.evaluate(() => {
    const s = window.__vlsmInference?.getState().status;
    return s?.state === 'ready' || s?.state === 'idle' ? (s.model?.modelId ?? null) : `(${s?.state})`;
  });

async function open(page: Page, wb: Workbench, file: FilePayload, frames: (n: number) => void) {
  await wb.openFiles([file]);
  await wb.until((s) => {
    expect(s.scan?.name).toBe(file.name);
    frames(s.scan!.frames);
  }, 60_000);
}

test('a volume gets the volume default (v2) and says so; an explicit v1 stays for volumes after a reload; a 2-D picture gets v1', async ({ page, browser, baseURL }) => {
  test.setTimeout(300_000);
  const wb = new Workbench(page);
  const loop = new Loop(page);
  await wb.goto();
  await loop.ready();
  await expect(page.getByTestId('model-default-note')).toHaveCount(0);

  // a volume, no explicit choice: v2 is loaded and one line says why, near the prompt
  await open(page, wb, VOLUME, (n) => expect(n).toBeGreaterThan(1));
  await expect.poll(() => loadedModel(page), { timeout: 120_000 }).toBe('compact-vlsm-v2');
  const note = page.getByTestId('model-default-note');
  await expect(note).toContainText('Volume: using Compact VLSM v2 — trained on cardiac MR');
  await expect(note).toContainText('Compact VLSM v1 (the 2-D default) has never seen CT/MR');
  // a prompt runs, on v2
  const run = await loop.prompt('left ventricle', 120_000);
  expect(run.modelId).toBe('compact-vlsm-v2');

  // "Change" goes to the model picker; picking v1 there is an explicit choice: the line goes, v1 loads
  await expect(page.getByTestId('model-manager')).toHaveCount(0);
  await page.getByTestId('model-default-change').click();
  await expect(page.getByTestId('model-manager')).toBeVisible();
  await expect(page.getByTestId('model-choice')).toHaveAttribute('data-choice', 'default');
  await page.getByTestId('model-shipped-compact-vlsm').getByRole('button', { name: 'Use' }).click();
  await expect.poll(() => loadedModel(page), { timeout: 120_000 }).toBe('compact-vlsm');
  await expect(note).toHaveCount(0);
  await expect(page.getByTestId('model-choice')).toHaveAttribute('data-choice', 'user');

  // reload and open the volume again: v1 stays (the choice is remembered), and a prompt runs on it
  await page.reload();
  await wb.goto();
  await loop.ready();
  await open(page, wb, VOLUME, (n) => expect(n).toBeGreaterThan(1));
  await expect.poll(() => loadedModel(page), { timeout: 120_000 }).toBe('compact-vlsm');
  const again = await loop.prompt('left ventricle', 120_000);
  expect(again.modelId).toBe('compact-vlsm');
  expect(await loadedModel(page)).toBe('compact-vlsm');
  await expect(note).toHaveCount(0);

  // back to the defaults (Model panel): the open volume gets v2 again
  await wb.openPanel('models', 'model-manager');
  await page.getByTestId('model-choice-clear').click();
  await expect.poll(() => loadedModel(page), { timeout: 120_000 }).toBe('compact-vlsm-v2');
  await expect(note).toBeVisible();

  // a fresh profile, a 2-D picture, no explicit choice: v1, no line; then a volume: v2
  const fresh = await browser.newContext({ baseURL, viewport: { width: 1440, height: 900 } });
  try {
    const p2 = await fresh.newPage();
    const wb2 = new Workbench(p2);
    await wb2.goto();
    await open(p2, wb2, PICTURE, (n) => expect(n).toBe(1));
    await expect.poll(() => loadedModel(p2), { timeout: 120_000 }).toBe('compact-vlsm');
    const pic = await new Loop(p2).prompt('breast tumor', 120_000);
    expect(pic.modelId).toBe('compact-vlsm');
    await expect(p2.getByTestId('model-default-note')).toHaveCount(0);
  } finally {
    await fresh.close();
  }
});
