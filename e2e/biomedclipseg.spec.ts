// BiomedCLIPSeg in the workbench: a random-weight BiomedCLIPSeg-D bundle made by the toolchain
// (vlsm.biomedclipseg_export's write_bundle: WordPiece tokenizer, ViT-B/16-style vision, BERT text, CLIPSeg decoder)
// imports as a folder into the model manager and runs in Compare models beside the shipped default, one run
// each, at the scan's size, scored against the Kvasir reference by the app.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { decode as decodeJpeg } from 'jpeg-js';
import { BIOMED, biomedBundle } from '../src/engine/testing/python';
import { Workbench } from './pages/Workbench';
import { Loop, decodeRle, dice } from './pages/Loop';
import { SHARED, kvasirJpeg } from './pages/files';

const open = async (page: Page, id: string, inside: string) => {
  if (!(await page.getByTestId(inside).isVisible())) await page.getByTestId(`panel-${id}`).getByRole('button').first().click();
  await expect(page.getByTestId(inside)).toBeVisible();
};

test('a BiomedCLIPSeg bundle imported as a folder runs in Compare models beside the default model', async ({ page }) => {
  test.skip(!existsSync(biomedBundle.output), 'the toolchain-built BiomedCLIPSeg bundle is made by the global setup (Python)');
  test.setTimeout(240_000);
  const wb = new Workbench(page);
  const loop = new Loop(page);
  await wb.goto();
  await loop.ready();
  const photo = kvasirJpeg();
  await wb.openFiles([photo]);
  await wb.until((s) => expect(s.scan?.name).toBe(photo.name));
  const refBuffer = readFileSync(join(SHARED, 'kvasir-seg/masks', photo.name));
  await loop.importReference({ name: `ref-${photo.name}`, mimeType: 'image/jpeg', buffer: refBuffer });

  await open(page, 'models', 'model-manager');
  await page.getByTestId('model-import').setInputFiles(`${BIOMED}/bundle`);
  await expect(page.getByTestId('model-message')).toContainText("Stored 'tiny BiomedCLIPSeg-D (random)'", { timeout: 60_000 });

  await open(page, 'compare', 'compare-models');
  await page.getByTestId('compare-refresh').click();
  await page.getByTestId('compare-pick-shipped-compact-vlsm').check();
  await page.getByTestId('compare-pick-stored-tiny-biomedclipseg-d').check();
  await page.getByTestId('compare-prompt').fill('One small pink round polyp, located in right of the image.');
  await page.getByTestId('compare-run').click();
  await expect(page.getByTestId('compare-status')).toBeVisible();
  await expect(page.getByTestId('compare-status')).toBeHidden({ timeout: 180_000 });
  await expect(page.getByTestId('compare-error')).toHaveCount(0);

  const runs = (await loop.runs()).filter((r) => r.prompt.startsWith('One small pink'));
  expect(runs.map((r) => r.modelId).sort()).toEqual(['compact-vlsm', 'tiny-biomedclipseg-d']);
  await expect(page.getByTestId('compare-row')).toHaveCount(2);
  const img = decodeJpeg(refBuffer, { useTArray: true, formatAsRGBA: true });
  const ref = new Uint8Array(img.width * img.height).map((_, i) => (img.data[i * 4] >= 128 ? 1 : 0));
  const biomed = runs.find((r) => r.modelId === 'tiny-biomedclipseg-d')!;
  const mask = (await loop.runMask(biomed.id))!;
  // 64 px logits (224 px for the published models), stretched back to the scan by the engine.
  expect([mask.width, mask.height]).toEqual([img.width, img.height]);
  const row = page.locator(`[data-testid="compare-row"][data-run-id="${biomed.id}"]`);
  await expect(row.locator('[data-col="dice"]')).not.toHaveText('–', { timeout: 30_000 });
  const shown = Number(await row.locator('[data-col="dice"]').textContent());
  expect(Math.abs(shown - dice(decodeRle(mask), ref))).toBeLessThan(0.0006);
});
