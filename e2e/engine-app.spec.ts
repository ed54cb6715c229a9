// Prompt -> mask in the workbench with the shipped default model, zero set-up: open a real Kvasir JPEG
// (read from ../shared/data at run time), type a prompt, run it; state is read through test hooks.
import { expect, test } from '@playwright/test';
import jpeg from 'jpeg-js';
import { Workbench } from './pages/Workbench';
import { kvasirJpeg } from './pages/files';
import { recordForeignRequests } from './pages/network';

test('prompt -> mask on a Kvasir image with the default model', async ({ page, baseURL }) => {
  const foreign = recordForeignRequests(page, baseURL);
  const wb = new Workbench(page);
  await wb.goto();
  const photo = kvasirJpeg();
  const { width, height } = jpeg.decode(photo.buffer, { useTArray: true });
  await wb.openFiles([photo]);
  await wb.until((s) => expect(s.scan).toMatchObject({ name: photo.name, width, height }));
  await expect(page.getByTestId('status-model')).toHaveText(/Compact|compact/i, { timeout: 30_000 });
  await expect(page.getByTestId('status-backend')).toHaveText(/CPU \(WebAssembly, \d threads?\)|GPU \(WebGPU\)/);

  await page.getByTestId('prompt-input').fill('one small pink round polyp');
  await page.getByTestId('prompt-run').click();
  await expect
    .poll(() => page.evaluate(() => window.__vlsmInference?.getState().lastResult?.prompt ?? null), { timeout: 30_000 })
    .toBe('one small pink round polyp');
  const state = await page.evaluate(() => window.__vlsmInference!.getState());
  expect(state.crossOriginIsolated).toBe(true);
  expect(state.lastResult).toMatchObject({ width, height, modelId: 'compact-vlsm' });
  // the polyp covers 28% of this image; measured 20% foreground for this prompt (onnxruntime-node, same engine)
  expect(state.lastResult!.foreground).toBeGreaterThan(0.05);
  expect(state.lastResult!.foreground).toBeLessThan(0.6);
  expect(state.status.state).toBe('ready');
  await expect(page.getByTestId('status-timings')).toBeVisible();
  expect(foreign).toEqual([]);
});
