// A clinician's first use, at 1280x800 then 1920x1080 (the window resized mid-session): the model is
// loading or ready before any scan; open a real chest X-ray (../shared/data, read at run time), see an unknown
// word marked before running, prompt, correct with the intensity fill (its own layer, other masks faint),
// export; the model card; shortcuts. At each size a screenshot (test-results/) and a check that nothing is
// cut: no element sticks out of its panel or the window, no label the issue named has vanished.
// A second test: prompt state stays with its scan.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Workbench } from './pages/Workbench';
import { Loop } from './pages/Loop';
import { SHARED, kvasirJpeg } from './pages/files';

function chestXray() {
  const dir = join(SHARED, 'covid-cxr-lungs/images');
  const name = readdirSync(dir).filter((f) => f.endsWith('.png')).sort()[0];
  return { name, mimeType: 'image/png', buffer: readFileSync(join(dir, name)) };
}

/** Elements that stick out of the window, or of the nearest ancestor that clips them (a panel, a scroller
 *  meant for it excepted: the results table scrolls sideways by design). Text cut on purpose with an
 *  ellipsis or a line clamp (full text in a tooltip) is not counted. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const name = (e: Element) =>
      `${e.tagName.toLowerCase()}${e.getAttribute('data-testid') ? `[${e.getAttribute('data-testid')}]` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ').join('.')}` : ''} "${(e.textContent ?? '').trim().slice(0, 30)}"`;
    const clipper = (e: Element): Element | null => {
      for (let p = e.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX !== 'visible') return p;
      }
      return null;
    };
    for (const e of document.querySelectorAll('[data-testid="app"] *')) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const s = getComputedStyle(e);
      if (s.visibility === 'hidden' || e.closest('.table-wrap, .overlay, .toasts, .viewer')) continue;
      // the side columns scroll vertically by design; nothing may stick out sideways
      const below = r.bottom > vh + 1 && !e.closest('.left, .right');
      if (r.right > vw + 1 || below || r.left < -1) out.push(`${name(e)} outside the window (${Math.round(r.left)}..${Math.round(r.right)} x ..${Math.round(r.bottom)})`);
      const c = clipper(e);
      if (c) {
        const cr = c.getBoundingClientRect();
        if (r.right > cr.right + 1 || r.left < cr.left - 1) out.push(`${name(e)} cut by ${name(c)}`);
      }
      const cut = s.textOverflow === 'ellipsis' || s.webkitLineClamp !== 'none';
      if (!cut && s.overflowX === 'visible' && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0 && !(e instanceof HTMLInputElement || e instanceof HTMLSelectElement || e.tagName === 'svg'))
        out.push(`${name(e)} content wider than itself (${e.scrollWidth} > ${e.clientWidth})`);
    }
    // panels that scroll sideways hide content
    for (const p of document.querySelectorAll('.left, .right, .toolbar, .statusbar')) if (p.scrollWidth > p.clientWidth + 1) out.push(`${name(p)} scrolls sideways (${p.scrollWidth} > ${p.clientWidth})`);
    return out;
  });
}

async function checkLayout(page: Page, label: string): Promise<void> {
  await page.screenshot({ path: test.info().outputPath(`firstuse-${label}.png`) });
  expect(await overflowing(page), `overflow at ${label}`).toEqual([]);
  // the labels the issue saw vanish at 1280 px
  await expect(page.locator('.brand-text')).toBeVisible();
  await expect(page.locator('.wl-field')).toContainText('Window');
  // the scan fills the view (fit), centred
  const st = await page.evaluate(() => window.__vlsm!.getState());
  const box = (await page.getByTestId('viewer').boundingBox())!;
  const w = st.scan!.width * st.transform.scale;
  const h = st.scan!.height * st.transform.scale;
  // fitted: the scan's longer side spans the view less a 16 px margin each side
  expect(Math.min((box.width - 32) / w, (box.height - 32) / h), 'fitted to the view').toBeCloseTo(1, 2);
  expect(Math.abs(st.transform.x + w / 2 - box.width / 2), 'centred horizontally').toBeLessThan(2);
  expect(Math.abs(st.transform.y + h / 2 - box.height / 2), 'centred vertically').toBeLessThan(2);
}

test.setTimeout(180_000);

test('first use at 1280x800 and 1920x1080: open, prompt, correct, export, nothing cut', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const wb = new Workbench(page);
  const loop = new Loop(page);
  await wb.goto();
  await loop.ready();
  // the model warms up when the app opens, before any scan
  await expect(page.getByTestId('status-model')).toHaveText(/Loading model|Preparing|Compact VLSM/, { timeout: 15_000 });
  await expect(page.getByTestId('status-backend')).toHaveText(/^CPU \(WebAssembly, \d threads?\)$/, { timeout: 60_000 });

  const cxr = chestXray();
  await wb.openFiles([cxr]);
  await wb.until((s) => expect(s.scan?.name).toBe(cxr.name));

  // an unknown word is marked before anything runs
  const input = page.getByTestId('prompt-input');
  await input.fill('tumour in the sigmoid colon');
  await expect(page.getByTestId('prompt-vocab')).toHaveText(/'sigmoid' is not in this model's vocabulary/);
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await input.fill('left lung');
  await expect(page.getByTestId('prompt-vocab')).toHaveCount(0);
  const run = await loop.prompt('left lung');
  // the no-words baseline ran for influence but is not drawn
  const baseline = await loop.runNamed('');
  const layers = await loop.layers();
  expect(layers.find((l) => l.id === `run:${baseline.id}`)?.visible).toBe(false);
  expect(layers.find((l) => l.id === `run:${run.id}`)?.visible).toBe(true);
  await expect(loop.runItem('').getByTestId('run-visible')).not.toBeChecked();
  await expect(page.getByTestId('status-timings')).toHaveText(/^Last prompt took [\d.]+ (ms|s)$/);

  // the model card says what the model is for
  await page.getByTestId('model-card-open').click();
  await expect(page.getByTestId('model-card-not-device')).toContainText('not a medical device');
  await expect(page.getByTestId('model-card-classes')).toContainText('left lung');
  await expect(page.getByTestId('model-card-laterality')).toContainText(/patient/);
  await page.screenshot({ path: test.info().outputPath('firstuse-model-card.png') });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('model-card')).toHaveCount(0);

  // correct: its own layer entry, the run faint while a correction tool is in use
  await loop.runItem('left lung').getByTestId('run-correct').click();
  await expect(page.getByTestId('correction-item')).toBeVisible();
  await page.getByTestId('tool-fill').click();
  await expect(async () => {
    const ls = await loop.layers();
    expect(ls.find((l) => l.id === `run:${run.id}`)!.opacity).toBeLessThan(run.opacity);
    expect(ls.find((l) => l.id === 'correction')?.visible).toBe(true);
  }).toPass();
  // intensity fill: adds the region of similar brightness around the click, one undo step
  const before = (await loop.correction())!;
  const box = (await wb.viewer.boundingBox())!;
  const t = (await wb.state()).transform;
  const at = (x: number, y: number) => page.mouse.click(box.x + t.x + x * t.scale, box.y + t.y + y * t.scale);
  const { width: iw, height: ih } = (await wb.state()).scan!;
  await at(iw * 0.75, ih * 0.5);
  await expect(async () => expect((await loop.correction())!.undo).toBe(before.undo + 1)).toPass();
  const grown = (await loop.correction())!;
  expect(grown.counts).not.toEqual(before.counts);
  await wb.key('Control+z');
  await expect(async () => expect((await loop.correction())!.counts).toEqual(before.counts)).toPass();
  // a fill outside the outline covers most of the image: a warning with the undo key, and Ctrl+Z undoes it
  await page.getByTestId('fill-mode').selectOption('outline');
  await at(3, 3);
  await expect(page.getByTestId('notice-title').filter({ hasText: /That fill covered \d+ % of the image/ })).toBeVisible();
  await expect(page.getByTestId('notice-message').filter({ hasText: 'Ctrl+Z' })).toBeVisible();
  await wb.key('Control+z');
  await expect(async () => expect((await loop.correction())!.counts).toEqual(before.counts)).toPass();
  await page.getByTestId('correction-opacity').fill('0.3');
  await expect(async () => expect((await loop.layers()).find((l) => l.id === 'correction')?.opacity).toBeCloseTo(0.3)).toPass();
  await wb.key('Control+s');
  await expect(page.getByTestId('accept')).toHaveText('Accept (v1)');

  // export: a PNG mask and the scores; DICOM SEG says why it is off for a PNG scan
  const png = await loop.exportFile('png', 'correction');
  expect(png.bytes.subarray(1, 4).toString()).toBe('PNG');
  const csv = (await loop.exportFile('scores-csv')).bytes.toString().split('\n')[0];
  expect(csv).toContain('Dice vs reference (0-1)');
  expect(csv).not.toMatch(/time_|_ms\b/);
  await expect(page.getByTestId('export-dicom-seg')).toBeDisabled();
  await expect(page.getByTestId('export-why-dicom-seg')).toHaveText(/needs a DICOM source scan/);
  await page.getByTestId('tool-pan').click();
  await checkLayout(page, '1280x800');

  // a bigger window: the view refits, nothing is cut
  await page.setViewportSize({ width: 1920, height: 1080 });
  await expect(async () => {
    const box2 = (await wb.viewer.boundingBox())!;
    expect(box2.width).toBeGreaterThan(box.width);
    const s = await wb.state();
    expect(Math.abs(s.transform.x + (s.scan!.width * s.transform.scale) / 2 - box2.width / 2)).toBeLessThan(2);
  }).toPass();
  await checkLayout(page, '1920x1080');
  // the extremes: a small laptop and a 1440p screen
  for (const [w, h] of [[1280, 720], [2560, 1440]]) {
    await page.setViewportSize({ width: w, height: h });
    await expect(async () => {
      const s = await wb.state();
      const v = (await wb.viewer.boundingBox())!;
      expect(Math.abs(s.transform.x + (s.scan!.width * s.transform.scale) / 2 - v.width / 2)).toBeLessThan(2);
      expect(Math.abs(s.transform.y + (s.scan!.height * s.transform.scale) / 2 - v.height / 2)).toBeLessThan(2);
    }).toPass();
    await checkLayout(page, `${w}x${h}`);
  }
  // a wider results column: the view refits to what is left
  const viewerW = (await wb.viewer.boundingBox())!.width;
  await page.getByTestId('splitter-right').focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  await expect(async () => {
    const v = (await wb.viewer.boundingBox())!;
    expect(v.width).toBeLessThan(viewerW - 100);
    const s = await wb.state();
    expect(Math.abs(s.transform.x + (s.scan!.width * s.transform.scale) / 2 - v.width / 2)).toBeLessThan(2);
  }).toPass();
  await page.setViewportSize({ width: 1920, height: 1080 });

  // keys a radiologist tries: i inverts, r resets, Delete removes the selected result
  await wb.key('i');
  await expect.poll(() => page.evaluate(() => window.__vlsm!.getState().invert)).toBe(true);
  await expect(page.getByTestId('status-invert')).toHaveText('Inverted');
  const fit = (await wb.state()).transform;
  await wb.key('+', 2);
  await expect.poll(async () => (await wb.state()).transform.scale).toBeGreaterThan(fit.scale * 1.4);
  await wb.key('r');
  await expect.poll(() => page.evaluate(() => window.__vlsm!.getState().invert)).toBe(false);
  await expect.poll(async () => (await wb.state()).transform).toEqual(fit);
  await expect(page.getByTestId('status-invert')).toHaveCount(0);
  await loop.runItem('left lung').getByTestId('run-select').click();
  await wb.key('Delete');
  await expect(loop.runItem('left lung')).toHaveCount(0);
  await page.keyboard.press('?');
  for (const id of ['reset', 'invert', 'accept', 'delete-run']) await expect(page.getByTestId(`shortcut-${id}`)).toBeVisible();
});

test('prompt text, selection and reference belong to their scan', async ({ page }) => {
  const wb = new Workbench(page);
  const loop = new Loop(page);
  await wb.goto();
  await loop.ready();
  const kvasir = kvasirJpeg();
  const cxr = chestXray();
  await wb.openFiles([kvasir]);
  await wb.until((s) => expect(s.scan?.name).toBe(kvasir.name));
  const polyp = await loop.prompt('polyp');
  await loop.runItem('polyp').getByTestId('run-select').click();
  await page.getByTestId('prompt-input').fill('one small pink round polyp');
  const ref = readFileSync(join(SHARED, 'kvasir-seg/masks', kvasir.name));
  await loop.importReference({ name: `ref-${kvasir.name}`, mimeType: 'image/jpeg', buffer: ref });

  await wb.openFiles([cxr]);
  await wb.until((s) => expect(s.scan?.name).toBe(cxr.name));
  await expect(page.getByTestId('prompt-input')).toHaveValue('');
  await expect(page.getByTestId('reference-label')).toContainText('none');
  expect(await page.getByTestId('reference-input').inputValue()).toBe('');
  // the model's class names are offered everywhere; nothing typed or run on the colonoscopy is
  const leaked = page.locator('[data-testid="prompt-suggestion"]:not([data-kind="class"])');
  expect(await leaked.allTextContents()).toEqual([]);
  await page.getByTestId('prompt-input').fill('right lung');

  await wb.openSaved(kvasir.name);
  await wb.until((s) => expect(s.scan?.name).toBe(kvasir.name));
  await expect(page.getByTestId('prompt-input')).toHaveValue('one small pink round polyp');
  await expect(page.getByTestId('reference-label')).toContainText(`ref-${kvasir.name}`);
  await expect(loop.runItem('polyp')).toHaveClass(/active/);
  expect((await loop.runs()).map((r) => r.id)).toContain(polyp.id);

  // and after a reload
  await page.reload();
  await wb.until((s) => expect(s.scan?.name).toBe(kvasir.name));
  await expect(page.getByTestId('prompt-input')).toHaveValue('one small pink round polyp');
  await wb.openSaved(cxr.name);
  await expect(page.getByTestId('prompt-input')).toHaveValue('right lung');
});
