// The review queue end to end (issue 16): a real prompt study (python -m vlsm.study on three real BUSI images
// with the shipped bundle, built by the global setup: src/engine/testing/make_review_study.py) imported as a
// folder with its images and masks; bad picks get clear messages; the queue is ordered worst Dice first and by
// disagreement as the study's own rows say; the worst case opens (saved in IndexedDB) with its reference mask
// and its prompts run by the real model in the browser; a brush correction is kept and exported as a finetune
// dataset zip whose images, mask and prompts are checked here, de-identified.
import { expect, test } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode as decodePng } from 'fast-png';
import { strFromU8, unzipSync } from 'fflate';
import { parseCsv } from '../src/app/review/studyRows';
import { pythonSkipReason, reviewStudyReference } from '../src/engine/testing/python';
import { Workbench } from './pages/Workbench';
import { Loop, decodeRle, emptyStrip } from './pages/Loop';

test.setTimeout(300_000);

const STUDY = reviewStudyReference().output.replace(/done$/, 'study');

interface Row { name: string; promptType: string; prompt: string; dice: number }

function studyRows(): Row[] {
  const [head, ...rest] = parseCsv(readFileSync(join(STUDY, 'rows.csv'), 'utf8'));
  const col = (c: string) => head.indexOf(c);
  return rest.map((r) => ({ name: r[col('name')], promptType: r[col('prompt_type')], prompt: r[col('prompt')], dice: Number(r[col('dice')]) }));
}

/** The queue's two orders, computed here from the rows (min Dice per image; max - min per image). */
function expectedOrders(rows: Row[]) {
  const by = new Map<string, number[]>();
  for (const r of rows) by.set(r.name, [...(by.get(r.name) ?? []), r.dice]);
  const stats = [...by].map(([name, d]) => ({ name, worst: Math.min(...d), spread: Math.max(...d) - Math.min(...d) }));
  return {
    worst: [...stats].sort((a, b) => a.worst - b.worst).map((s) => s.name),
    disagreement: [...stats].sort((a, b) => b.spread - a.spread).map((s) => s.name),
  };
}

test('review queue: import a study, worst case first, correct it, export a finetune dataset', async ({ page }) => {
  const ready = existsSync(join(STUDY, 'rows.csv'));
  test.skip(!ready, ready ? '' : pythonSkipReason());
  const rows = studyRows();
  const order = expectedOrders(rows);
  expect(order.worst).toHaveLength(3);
  const wb = new Workbench(page);
  const loop = new Loop(page);
  await wb.goto();
  await loop.ready();
  await page.getByTestId('panel-review').getByRole('button', { name: /Review queue/ }).click();

  // bad picks: a CSV that is not a study; the study without its images
  await page.getByTestId('review-files').setInputFiles([{ name: 'scores.csv', mimeType: 'text/csv', buffer: Buffer.from('name,dice\na.png,0.5\n') }]);
  await expect(page.getByTestId('review-error')).toContainText('lacks the columns prompt_type, prompt');
  await page.getByTestId('review-files').setInputFiles([{ name: 'rows.csv', mimeType: 'text/csv', buffer: readFileSync(join(STUDY, 'rows.csv')) }]);
  await expect(page.getByTestId('review-error')).toContainText("None of the study's 3 images is among the picked files");
  await expect(page.getByTestId('review-case')).toHaveCount(0);

  // the study's folder: rows.csv, images/, masks/
  await page.getByTestId('review-folder').setInputFiles(STUDY);
  await expect(page.getByTestId('review-case')).toHaveCount(3);
  await expect(page.getByTestId('review-info')).toContainText('3 cases from rows.csv; 3 with a reference mask');
  const names = () => page.getByTestId('review-case').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.name));
  expect(await names()).toEqual(order.worst);
  await page.getByTestId('review-sort').selectOption('disagreement');
  expect(await names()).toEqual(order.disagreement);
  await page.getByTestId('review-sort').selectOption('worst');
  expect(await names()).toEqual(order.worst);

  // the worst case: opened (and saved), its reference mask, its worst and best prompts run by the model
  const name = order.worst[0];
  const mine = rows.filter((r) => r.name === name).sort((a, b) => a.dice - b.dice);
  await page.getByTestId('review-open').first().click();
  const st = await wb.until((s) => {
    expect(s.scan?.name).toBe(name);
    expect(s.scan?.id).toBeTruthy();
    expect(s.scans.map((x) => x.name)).toContain(name); // in IndexedDB's list
  }, 30_000);
  await expect(page.getByTestId('reference-label')).toContainText(name.replace(/\.png$/, '_mask.png'));
  const worst = await loop.runNamed(mine[0].prompt, 120_000);
  const best = await loop.runNamed(mine[mine.length - 1].prompt, 120_000);
  expect(worst.modelId).toBe('compact-vlsm');
  expect(best.id).not.toBe(worst.id);
  const ref = decodeRle((await loop.referenceMask())!);
  const truth = decodePng(readFileSync(join(STUDY, 'masks', name.replace(/\.png$/, '_mask.png'))));
  expect(ref.length).toBe(truth.width * truth.height);
  const ch = truth.channels;
  expect([...ref].reduce((s, v, i) => s + (v === (truth.data[i * ch] >= 128 ? 1 : 0) ? 0 : 1), 0)).toBe(0);

  // correct the worst prompt's mask with the brush and keep it
  await loop.runItem(mine[0].prompt).getByTestId('run-correct').click();
  const start = (await loop.correction())!;
  await page.getByTestId('tool-brush').click();
  const t = (await wb.state()).transform;
  const strip = emptyStrip(decodeRle(start), start.width, start.height);
  await loop.stroke(strip.map(([x, y]) => [x * t.scale + t.x, y * t.scale + t.y] as [number, number]));
  const corrected = decodeRle((await loop.correction())!);
  expect(corrected.reduce((s, v) => s + v, 0)).toBeGreaterThan(decodeRle(start).reduce((s, v) => s + v, 0));
  await page.getByTestId('review-keep').click();
  await expect(page.getByTestId('review-info')).toContainText('Correction kept for study-');
  await expect(page.getByTestId('review-case').first()).toContainText('✓ kept');

  // export and read the zip
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('review-export').click()]);
  expect(dl.suggestedFilename()).toMatch(/^finetune-dataset-\d{4}-\d{2}-\d{2}-1-cases\.zip$/);
  const chunks: Buffer[] = [];
  for await (const c of await dl.createReadStream()) chunks.push(c as Buffer);
  const zip = unzipSync(new Uint8Array(Buffer.concat(chunks)));
  const entries = Object.keys(zip).sort();
  expect(entries).toHaveLength(3);
  const index = JSON.parse(strFromU8(zip['prompts.json'])) as {
    format: string; version: number; deidentified: boolean; cases: { id: string; image: string; width: number; height: number; targets: { prompt: string; prompt_type: string; mask: string; study_dice: number }[] }[];
  };
  expect(index).toMatchObject({ format: 'vlsm-finetune-dataset', version: 1, deidentified: true });
  expect(index.cases).toHaveLength(1);
  const c = index.cases[0];
  expect(c.image).toMatch(/^images\/study-[0-9a-f]{6}\.png$/);
  expect(entries).toEqual(['prompts.json', c.image, c.targets[0].mask].sort());
  // one target per distinct prompt of the case, all on the corrected mask
  expect(new Set(c.targets.map((x) => x.prompt))).toEqual(new Set(mine.map((r) => r.prompt)));
  expect(c.targets).toHaveLength(new Set(mine.map((r) => r.prompt)).size);
  expect(new Set(c.targets.map((x) => x.mask)).size).toBe(1);
  const w = st.scan!.width;
  const h = st.scan!.height;
  const m = decodePng(zip[c.targets[0].mask]);
  expect([m.width, m.height, m.channels]).toEqual([w, h, 1]);
  expect(Uint8Array.from(m.data, (v) => (v ? 1 : 0))).toEqual(corrected);
  const img = decodePng(zip[c.image]);
  const src = decodePng(readFileSync(join(STUDY, 'images', name)));
  expect([img.width, img.height]).toEqual([src.width, src.height]);
  for (let i = 0; i < w * h; i += 97) expect(img.data[i * img.channels]).toBe(src.data[i * src.channels]);
  // de-identified: no image name anywhere in the zip
  const all = entries.join(' ') + strFromU8(zip['prompts.json']);
  expect(all).not.toMatch(/benign|malignant/);
});
