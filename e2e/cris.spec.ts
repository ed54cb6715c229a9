// CRIS in the workbench: a random-weight CRIS bundle made by the toolchain (python -m vlsm.cris_export, word-level
// text features: the decoder reads word_embeds and word_pad_mask beside the sentence feature) imports as a folder
// into the model manager and runs in Compare models beside the shipped default, one run each, scored against
// the Kvasir reference by the app.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { decode as decodeJpeg } from 'jpeg-js';
import { CRIS, tinyCris } from '../src/engine/testing/python';
import { Workbench } from './pages/Workbench';
import { Loop, decodeRle, dice } from './pages/Loop';
import { SHARED, kvasirJpeg } from './pages/files';

const open = async (page: Page, id: string, inside: string) => {
  if (!(await page.getByTestId(inside).isVisible())) await page.getByTestId(`panel-${id}`).getByRole('button').first().click();
  await expect(page.getByTestId(inside)).toBeVisible();
};

test('a CRIS bundle imported as a folder runs in Compare models beside the default model', async ({ page }) => {
  test.skip(!existsSync(tinyCris.output), 'the toolchain-built CRIS bundle is made by the global setup (Python)');
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
  await page.getByTestId('model-import').setInputFiles(`${CRIS}/tiny`);
  await expect(page.getByTestId('model-message')).toContainText("Stored 'CRIS tiny (random)'", { timeout: 60_000 });

  await open(page, 'compare', 'compare-models');
  await page.getByTestId('compare-refresh').click();
  await page.getByTestId('compare-pick-shipped-compact-vlsm').check();
  await page.getByTestId('compare-pick-stored-tiny-cris').check();
  await page.getByTestId('compare-prompt').fill('one small pink round polyp, located in right of the image');
  await page.getByTestId('compare-run').click();
  await expect(page.getByTestId('compare-status')).toBeVisible();
  await expect(page.getByTestId('compare-status')).toBeHidden({ timeout: 180_000 });
  await expect(page.getByTestId('compare-error')).toHaveCount(0);

  const runs = (await loop.runs()).filter((r) => r.prompt.startsWith('one small pink'));
  expect(runs.map((r) => r.modelId).sort()).toEqual(['compact-vlsm', 'tiny-cris']);
  await expect(page.getByTestId('compare-row')).toHaveCount(2);
  const img = decodeJpeg(refBuffer, { useTArray: true, formatAsRGBA: true });
  const ref = new Uint8Array(img.width * img.height).map((_, i) => (img.data[i * 4] >= 128 ? 1 : 0));
  const cris = runs.find((r) => r.modelId === 'tiny-cris')!;
  const mask = (await loop.runMask(cris.id))!;
  // CRIS's 1/4-resolution logits, letterbox cropped and resized to the scan by the engine.
  expect([mask.width, mask.height]).toEqual([img.width, img.height]);
  const row = page.locator(`[data-testid="compare-row"][data-run-id="${cris.id}"]`);
  await expect(row.locator('[data-col="dice"]')).not.toHaveText('–', { timeout: 30_000 });
  const shown = Number(await row.locator('[data-col="dice"]').textContent());
  expect(Math.abs(shown - dice(decodeRle(mask), ref))).toBeLessThan(0.0006);
});
