// Three views and 3-D correction on a real volume (FLAIR, 124 x 160 x 140, RAS, from the shared sample
// files): axial, coronal and sagittal views with their own markers; a click in one view moves the other
// two; a brush stroke on a coronal slice edits many axial slices and is one undo step; fill between two
// corrected axial slices; remove a 3-D component; a polygon on a sagittal slice; the edits are autosaved, mark the mask corrected and
// are there after a reload.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { niftiHeader } from '../src/scan/testing/builders';
import { SHARED } from './pages/files';
import { Workbench } from './pages/Workbench';

type Plane = 'axial' | 'coronal' | 'sagittal';
type Voxel = [number, number, number];

const mpr = (page: Page) => page.evaluate(() => window.__vlsmMpr!.state());
const screenOf = async (page: Page, plane: Plane, v: Voxel) => {
  const p = await page.evaluate(([pl, vx]) => window.__vlsmMpr!.screenOf(pl as Plane, vx as Voxel), [plane, v] as const);
  expect(p, `${plane} view shown`).not.toBeNull();
  return p!;
};
const sliceVoxels = (page: Page, plane: Plane, slice: number) => page.evaluate(([pl, s]) => window.__vlsmMpr!.sliceVoxels(pl as Plane, s as number), [plane, slice] as const);

async function markers(page: Page, plane: Plane) {
  return Object.fromEntries(await Promise.all(['left', 'right', 'top', 'bottom'].map(async (k) => [k, (await page.getByTestId(`mpr-${plane}-${k}`).textContent()) ?? ''])));
}

test('three views of FLAIR: markers, synced crosshair, coronal correction, undo, fill between slices, remove a component, reload', async ({ page }) => {
  test.setTimeout(180_000);
  const wb = new Workbench(page);
  await wb.goto();
  await wb.openFiles([{ name: 'FLAIR.nii.gz', mimeType: 'application/octet-stream', buffer: readFileSync(join(SHARED, 'sample-files/nifti/niivue/FLAIR.nii.gz')) }]);
  const opened = await wb.until((st) => {
    expect(st.scan).toMatchObject({ format: 'nifti', frames: 140 });
    expect(st.scan?.id).toBeTruthy();
  }, 60_000);

  await page.getByTestId('volume-mpr').click();
  for (const plane of ['axial', 'coronal', 'sagittal'] as const) await expect(page.getByTestId(`mpr-${plane}`)).toBeVisible();
  const s0 = await mpr(page);
  expect(s0.dims).toEqual([124, 160, 140]);
  // FLAIR is stored RAS: axial slices along k, coronal along j, sagittal along i
  expect(s0.planes).toMatchObject({ axial: { n: 2 }, coronal: { n: 1 }, sagittal: { n: 0 } });
  expect(s0.point).toEqual([61, 79, 69]);
  const ax = await markers(page, 'axial');
  expect([ax.left, ax.right]).toEqual(['R', 'L']);
  expect(ax.top).toMatch(/^A/);
  const co = await markers(page, 'coronal');
  expect([co.left, co.right]).toEqual(['R', 'L']);
  expect(co.top).toMatch(/^S/);
  const sa = await markers(page, 'sagittal');
  expect(sa.left).toMatch(/^A/);
  expect(sa.top).toMatch(/^S/);
  // voxel aspect: 1 mm isotropic, so the coronal image is 124 wide by 140 tall on screen
  const c0 = await screenOf(page, 'coronal', [0, 79, 0]);
  const c1 = await screenOf(page, 'coronal', [123, 79, 139]);
  expect(Math.abs(Math.abs(c1.x - c0.x) / Math.abs(c1.y - c0.y) - 123 / 139)).toBeLessThan(0.02);
  // patient's right (i = 123 in RAS) on screen left, superior (k = 139) at the top
  expect(c1.x).toBeLessThan(c0.x);
  expect(c1.y).toBeLessThan(c0.y);

  // crosshair: a click in the axial view moves the coronal and sagittal views to that point
  const a = await screenOf(page, 'axial', [30, 100, 69]);
  await page.mouse.click(a.x, a.y);
  await expect.poll(async () => (await mpr(page)).point).toEqual([30, 100, 69]);
  await expect(page.getByTestId('mpr-coronal-slice')).toHaveText('101 / 160');
  await expect(page.getByTestId('mpr-sagittal-slice')).toHaveText('31 / 124');
  // and a click in the coronal view moves the axial slice
  const c = await screenOf(page, 'coronal', [60, 100, 50]);
  await page.mouse.click(c.x, c.y);
  await expect.poll(async () => (await mpr(page)).point).toEqual([60, 100, 50]);
  await expect(page.getByTestId('mpr-axial-slice')).toHaveText('51 / 140');
  await wb.until((st) => expect(st.frame).toBe(50));

  // correct on the coronal view: one stroke from inferior (k = 40) to superior (k = 90)
  await page.getByTestId('mpr-tool-brush').click();
  await page.getByTestId('mpr-radius').fill('3');
  const from = await screenOf(page, 'coronal', [60, 100, 40]);
  const to = await screenOf(page, 'coronal', [60, 100, 90]);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.mouse.up();
  const afterStroke = await mpr(page);
  expect(afterStroke.undoDepth).toBe(1);
  expect(afterStroke.voxels).toBeGreaterThan(50 * 5);
  for (const k of [40, 55, 70, 90]) expect(await sliceVoxels(page, 'axial', k), `axial slice ${k}`).toBeGreaterThan(0);
  expect(await sliceVoxels(page, 'axial', 30)).toBe(0);
  // one undo step takes the whole stroke back, on every axial slice; redo puts it back
  await page.getByTestId('mpr').focus();
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await mpr(page)).voxels).toBe(0);
  expect((await mpr(page)).redoDepth).toBe(1);
  await page.getByTestId('mpr-redo').click();
  await expect.poll(async () => (await mpr(page)).voxels).toBe(afterStroke.voxels);
  await page.getByTestId('mpr-undo').click();
  await expect.poll(async () => (await mpr(page)).voxels).toBe(0);

  // fill between slices: a disc on axial slice 50 and a larger one on axial slice 58, then fill
  await page.getByTestId('mpr-radius').fill('4');
  const dab = async (v: Voxel) => {
    const p = await screenOf(page, 'axial', v);
    await page.mouse.move(p.x, p.y);
    await page.mouse.down();
    await page.mouse.move(p.x + 1, p.y);
    await page.mouse.up();
  };
  await dab([62, 80, 50]);
  const axial = await screenOf(page, 'axial', [62, 80, 50]);
  await page.mouse.move(axial.x, axial.y);
  for (let i = 0; i < 8; i++) await page.mouse.wheel(0, 100);
  await expect.poll(async () => (await mpr(page)).point?.[2]).toBe(58);
  await page.getByTestId('mpr-radius').fill('8');
  await dab([64, 80, 58]);
  expect((await mpr(page)).edited.axial.slice(-2)).toEqual([50, 58]);
  const ends = [await sliceVoxels(page, 'axial', 50), await sliceVoxels(page, 'axial', 58)];
  expect(await sliceVoxels(page, 'axial', 54)).toBe(0);
  await expect(page.getByTestId('mpr-fill-between')).toHaveText('Fill between axial slices 51–59');
  await page.getByTestId('mpr-fill-between').click();
  await expect.poll(async () => (await mpr(page)).undoDepth).toBe(3); // in the worker: done when it is a step
  const mid = await sliceVoxels(page, 'axial', 54);
  expect(mid).toBeGreaterThan(ends[0]);
  expect(mid).toBeLessThan(ends[1]);

  // a stray blob on slice 58, then remove it as a 3-D component (the filled part stays)
  await page.getByTestId('mpr-radius').fill('2');
  await dab([20, 30, 58]);
  const withBlob = (await mpr(page)).voxels!;
  await page.getByTestId('mpr-tool-remove').click();
  const blob = await screenOf(page, 'axial', [20, 30, 58]);
  await page.mouse.click(blob.x, blob.y);
  await expect.poll(async () => (await mpr(page)).voxels).toBeLessThan(withBlob);
  const kept = (await mpr(page)).voxels!;
  expect(withBlob - kept).toBeLessThan(30);
  expect(await sliceVoxels(page, 'axial', 54)).toBe(mid);

  // a polygon on the sagittal view (slice i = 60): a 10 x 10 voxel square in j (anterior) and k (height)
  await page.getByTestId('mpr-tool-polygon').click();
  const sag0 = await sliceVoxels(page, 'sagittal', 60);
  const corners: Voxel[] = [[60, 120, 20], [60, 130, 20], [60, 130, 30], [60, 120, 30], [60, 120, 20]];
  for (const v of corners) {
    const p = await screenOf(page, 'sagittal', v);
    await page.mouse.click(p.x, p.y);
  }
  await expect.poll(async () => (await sliceVoxels(page, 'sagittal', 60)) - sag0).toBeGreaterThan(80);
  expect((await sliceVoxels(page, 'sagittal', 60)) - sag0).toBeLessThan(130);
  expect(await sliceVoxels(page, 'axial', 25)).toBeGreaterThan(5); // the square crosses axial slices 20-30
  const final = (await mpr(page)).voxels!;
  expect((await mpr(page)).undoDepth).toBe(6);

  // MPR_SHOT=<file.png>: a screenshot of the three views with the corrected mask, for a look by eye
  if (process.env.MPR_SHOT) await page.screenshot({ path: process.env.MPR_SHOT });
  // autosaved and marked corrected
  await expect.poll(async () => (await mpr(page)).saved, { timeout: 20_000 }).toBe('clean');
  expect((await mpr(page)).provenance).toBe('corrected');
  await expect(page.getByTestId('volume-result')).toContainText('corrected by hand');
  await expect(page.getByTestId('volume-voxels')).toHaveText(String(final));
  // one large view and back
  await page.getByTestId('mpr-coronal-large').click();
  await expect(page.getByTestId('mpr-axial')).toBeHidden();
  await expect(page.getByTestId('mpr-coronal')).toBeVisible();
  await page.getByTestId('mpr-coronal-large').click();
  await expect(page.getByTestId('mpr-axial')).toBeVisible();
  const redraws = await page.evaluate(() => window.__vlsmMpr!.timings());
  console.log('mpr redraws (ms, resliced):', JSON.stringify(redraws.filter((r) => r.resliced).slice(-9)));

  await page.reload();
  await page.waitForFunction(() => !!window.__vlsm && !!window.__vlsmMpr);
  await wb.until((st) => expect(st.scan?.id).toBe(opened.scan!.id), 60_000);
  await expect(page.getByTestId('volume-voxels')).toHaveText(String(final), { timeout: 30_000 });
  await expect(page.getByTestId('volume-result')).toContainText('corrected by hand');
  await page.getByTestId('volume-mpr').click();
  await expect(page.getByTestId('mpr-coronal')).toBeVisible();
  const back = await mpr(page);
  expect(back.provenance).toBe('corrected');
  expect(back.voxels).toBe(final);
  expect(await sliceVoxels(page, 'axial', 54)).toBe(mid);
  expect(await sliceVoxels(page, 'axial', 58)).toBe(ends[1]);

  // an edit followed at once by a reload, before its 400 ms autosave: kept (localStorage on pagehide)
  await page.getByTestId('mpr-tool-brush').click();
  await page.getByTestId('mpr-radius').fill('3');
  const q = await screenOf(page, 'axial', [95, 40, back.point![2]]);
  await page.mouse.move(q.x, q.y);
  await page.mouse.down();
  await page.mouse.move(q.x + 2, q.y);
  await page.mouse.up();
  const quick = await mpr(page);
  console.log('autosave state at the reload:', quick.saved);
  expect(quick.voxels).toBeGreaterThan(final);
  await page.reload();
  await page.waitForFunction(() => !!window.__vlsm && !!window.__vlsmMpr);
  await expect(page.getByTestId('volume-voxels')).toHaveText(String(quick.voxels), { timeout: 30_000 });
  // and it went on into IndexedDB: a second reload finds it without the kept record
  await expect.poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('vlsm:pending-volume:')).length)).toBe(0);
  await page.reload();
  await expect(page.getByTestId('volume-voxels')).toHaveText(String(quick.voxels), { timeout: 30_000 });
});

/**
 * Main-thread probe: every animation frame's gap and every long task (PerformanceObserver 'longtask')
 * from now on, and whether the long-edit progress bar was ever shown. Read with probeResult.
 */
const startProbe = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __probe: { maxGap: number; maxTask: number; tasks: number; sawJob: boolean; stop: boolean } };
    w.__probe = { maxGap: 0, maxTask: 0, tasks: 0, sawJob: false, stop: false };
    const pr = w.__probe;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        pr.tasks++;
        pr.maxTask = Math.max(pr.maxTask, e.duration);
      }
    }).observe({ type: 'longtask' });
    let last = performance.now();
    const tick = (now: number) => {
      pr.maxGap = Math.max(pr.maxGap, now - last);
      last = now;
      if (document.querySelector('[data-testid="mpr-job"]')) pr.sawJob = true;
      if (!pr.stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
const probeResult = (page: Page) =>
  page.evaluate(() => {
    const pr = (window as unknown as { __probe: { maxGap: number; maxTask: number; tasks: number; sawJob: boolean; stop: boolean } }).__probe;
    pr.stop = true;
    return { maxGapMs: Math.round(pr.maxGap), maxTaskMs: Math.round(pr.maxTask), longTasks: pr.tasks, sawJob: pr.sawJob };
  });

/** Longest main-thread stall allowed while a long 3-D edit runs (the page must keep painting). */
const MAX_STALL_MS = 300;

test('long 3-D edits on a 512 x 512 x 64 volume run off the main thread: the page keeps painting, progress shows, cancel leaves the mask as it was', async ({ page }) => {
  test.setTimeout(240_000);
  // a uint8 volume (generated here): a textured disc on every slice
  const [NX, NY, NZ] = [512, 512, 64];
  const vox = new Uint8Array(NX * NY * NZ);
  for (let z = 0; z < NZ; z++) for (let y = 0; y < NY; y++) for (let x = 0; x < NX; x++) vox[(z * NY + y) * NX + x] = (x - 256) ** 2 + (y - 256) ** 2 < 200 ** 2 ? 60 + ((x * 7 + y * 13 + z * 31) % 61) : 0;
  const file = Buffer.concat([niftiHeader({ dims: [3, NX, NY, NZ, 1, 1, 1, 1], datatype: 2, bitpix: 8, pixdim: [1, 0.8, 0.8, 2] }), vox]);
  const wb = new Workbench(page);
  await wb.goto();
  await wb.openFiles([{ name: 'big512x64.nii', mimeType: 'application/octet-stream', buffer: file }]);
  await wb.until((st) => {
    expect(st.scan).toMatchObject({ format: 'nifti', frames: NZ });
    expect(st.scan?.id).toBeTruthy();
  }, 90_000);
  await page.getByTestId('volume-mpr').click();
  await expect(page.getByTestId('mpr-axial')).toBeVisible();
  expect((await mpr(page)).planes).toMatchObject({ axial: { n: 2 } });

  // a large square on axial slice 2 and another on slice 61 (polygon tool), then fill the 58 slices between
  const square = async (z: number, lo: number, hi: number) => {
    await page.getByTestId('mpr-tool-crosshair').click();
    const c = await screenOf(page, 'coronal', [256, 0, z]);
    await page.mouse.click(c.x, c.y);
    await expect.poll(async () => (await mpr(page)).point?.[2]).toBe(z);
    await page.getByTestId('mpr-tool-polygon').click();
    for (const [x, y] of [[lo, lo], [hi, lo], [hi, hi], [lo, hi], [lo, lo]]) {
      const p = await screenOf(page, 'axial', [x, y, z]);
      await page.mouse.click(p.x, p.y);
    }
    await expect.poll(() => sliceVoxels(page, 'axial', z)).toBeGreaterThan((hi - lo - 2) ** 2);
  };
  await square(2, 60, 450);
  await square(61, 100, 400);
  expect((await mpr(page)).edited.axial.slice(-2)).toEqual([2, 61]);
  const beforeFill = await mpr(page);
  await startProbe(page);
  await page.getByTestId('mpr-fill-between').click();
  // waits through the DOM (the state hook counts every voxel on the main thread: not inside the probe)
  await page.waitForFunction(() => (window as unknown as { __probe: { sawJob: boolean } }).__probe.sawJob && !document.querySelector('[data-testid="mpr-job"]'), null, { timeout: 60_000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const fill = await probeResult(page);
  expect((await mpr(page)).undoDepth).toBe(beforeFill.undoDepth + 1);
  const filled = await mpr(page);
  console.log('fill between axial slices 3-62 of 512 x 512 x 64:', JSON.stringify({ ...fill, voxelsChanged: filled.voxels! - beforeFill.voxels! }));
  expect(await sliceVoxels(page, 'axial', 30)).toBeGreaterThan(300 * 300);
  expect(fill.sawJob, 'progress shown while it ran').toBe(true);
  expect(fill.maxTaskMs, 'longest main-thread task').toBeLessThan(MAX_STALL_MS);
  expect(fill.maxGapMs, 'longest gap between painted frames').toBeLessThan(MAX_STALL_MS);

  // keep one component, cancelled while it runs: the mask, its undo depth and autosave stay as they were
  await expect.poll(async () => (await mpr(page)).saved, { timeout: 30_000 }).toBe('clean');
  await page.getByTestId('mpr-tool-keep').click();
  await startProbe(page);
  const k = await screenOf(page, 'axial', [256, 256, (await mpr(page)).point![2]]);
  await page.mouse.click(k.x, k.y);
  await expect(page.getByTestId('mpr-job')).toBeVisible();
  await expect(page.getByTestId('mpr-job-text')).toContainText('Keeping the part');
  await page.getByTestId('mpr-job-cancel').click();
  await expect(page.getByTestId('mpr-job')).toBeHidden();
  const cancelled = await probeResult(page);
  console.log('keep component, cancelled:', JSON.stringify(cancelled));
  const after = await mpr(page);
  expect(after.voxels).toBe(filled.voxels);
  expect(after.undoDepth).toBe(filled.undoDepth);
  expect(after.saved).toBe('clean');
  expect(cancelled.maxTaskMs, 'longest main-thread task').toBeLessThan(MAX_STALL_MS);
  // and editing goes on after it: removing the same part, left to finish, is one undo step that empties the mask
  await page.getByTestId('mpr-tool-remove').click();
  await page.mouse.click(k.x, k.y);
  await expect.poll(async () => (await mpr(page)).undoDepth, { timeout: 60_000 }).toBe(filled.undoDepth + 1);
  expect((await mpr(page)).voxels).toBe(0);
  await page.getByTestId('mpr-undo').click();
  await expect.poll(async () => (await mpr(page)).voxels).toBe(filled.voxels);
});
