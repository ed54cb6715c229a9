// The seed's other architectures in the workbench (issue 17): random-weight CRIS and BiomedCLIPSeg-D bundles made
// by the toolchain by the global setup — CRIS (python -m vlsm.cris_export: word-level text features, the decoder
// reads word_embeds and word_pad_mask beside the sentence feature, 1/4-resolution logits letterbox-cropped) and
// BiomedCLIPSeg-D (vlsm.biomedclipseg_export: WordPiece tokenizer, ViT-B/16-style vision, BERT text, CLIPSeg
// decoder, 64 px logits stretched back) — each imports as a folder into the model manager and runs in Compare
// models beside the shipped default, one run each, at the scan's size, scored against the Kvasir reference by
// the app.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { decode as decodeJpeg } from 'jpeg-js';
import { BIOMED, CRIS, biomedBundle, tinyCris } from '../src/engine/testing/python';
import { compareModels, decodeRle, dice, openScanWithReference } from './pages/Loop';
import { SHARED, kvasirJpeg } from './pages/files';

const CASES = [
  { arch: 'CRIS', built: tinyCris.output, folder: `${CRIS}/tiny`, stored: 'CRIS tiny (random)', id: 'tiny-cris', prompt: 'one small pink round polyp, located in right of the image' },
  { arch: 'BiomedCLIPSeg', built: biomedBundle.output, folder: `${BIOMED}/bundle`, stored: 'tiny BiomedCLIPSeg-D (random)', id: 'tiny-biomedclipseg-d', prompt: 'One small pink round polyp, located in right of the image.' },
];

for (const c of CASES) {
  test(`a ${c.arch} bundle imported as a folder runs in Compare models beside the default model`, async ({ page }) => {
    test.skip(!existsSync(c.built), `the toolchain-built ${c.arch} bundle is made by the global setup (Python)`);
    test.setTimeout(240_000);
    const photo = kvasirJpeg();
    const refBuffer = readFileSync(join(SHARED, 'kvasir-seg/masks', photo.name));
    const { wb, loop } = await openScanWithReference(page, photo, refBuffer);

    await wb.openPanel('models', 'model-manager');
    await page.getByTestId('model-import').setInputFiles(c.folder);
    await expect(page.getByTestId('model-message')).toContainText(`Stored '${c.stored}'`, { timeout: 60_000 });

    await compareModels(wb, ['shipped-compact-vlsm', `stored-${c.id}`], c.prompt);

    const runs = (await loop.runs()).filter((r) => r.prompt.startsWith(c.prompt.slice(0, 14)));
    expect(runs.map((r) => r.modelId).sort()).toEqual(['compact-vlsm', c.id]);
    await expect(page.getByTestId('compare-row')).toHaveCount(2);
    const img = decodeJpeg(refBuffer, { useTArray: true, formatAsRGBA: true });
    const ref = new Uint8Array(img.width * img.height).map((_, i) => (img.data[i * 4] >= 128 ? 1 : 0));
    const run = runs.find((r) => r.modelId === c.id)!;
    const mask = (await loop.runMask(run.id))!;
    expect([mask.width, mask.height]).toEqual([img.width, img.height]);
    const row = page.locator(`[data-testid="compare-row"][data-run-id="${run.id}"]`);
    await expect(row.locator('[data-col="dice"]')).not.toHaveText('–', { timeout: 30_000 });
    const shown = Number(await row.locator('[data-col="dice"]').textContent());
    expect(Math.abs(shown - dice(decodeRle(mask), ref))).toBeLessThan(0.0006);
  });
}
