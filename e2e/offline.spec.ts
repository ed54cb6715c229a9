// Offline: load the app once (the service worker precaches the shell, onnxruntime-web and the default
// model), go offline, reload, open a scan and get a mask from a prompt. Cross-origin isolation must hold
// (headers added by the service worker) and no request may go to another origin during the test.
import { expect, test } from '@playwright/test';
import jpeg from 'jpeg-js';
import { Workbench } from './pages/Workbench';
import { kvasirJpeg } from './pages/files';
import { recordForeignRequests, recordOrtFiles } from './pages/network';

test('works offline after one visit', async ({ page, context, baseURL }) => {
  test.setTimeout(180_000);
  const foreign = recordForeignRequests(context, baseURL);
  const wb = new Workbench(page);
  await wb.goto();
  await wb.offlineReady();

  await context.setOffline(true);
  const runtimeFiles = recordOrtFiles(context, 'wasm|mjs');
  await page.reload();
  await page.waitForFunction(() => !!window.__vlsm && !!window.__vlsmInference);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

  const photo = kvasirJpeg();
  const { width, height } = jpeg.decode(photo.buffer, { useTArray: true });
  await wb.openFiles([photo]);
  await wb.until((s) => expect(s.scan).toMatchObject({ name: photo.name, width, height }));
  await expect(page.getByTestId('status-model')).toHaveAttribute('data-state', /ready|busy/, { timeout: 60_000 });
  await page.getByTestId('prompt-input').fill('polyp');
  await page.getByTestId('prompt-run').click();
  await expect
    .poll(() => page.evaluate(() => window.__vlsmInference?.getState().lastResult?.prompt ?? null), { timeout: 60_000 })
    .toBe('polyp');
  const state = await page.evaluate(() => window.__vlsmInference!.getState());
  expect(state.lastResult).toMatchObject({ width, height, modelId: 'compact-vlsm' });
  expect(state.status.threads ?? 0).toBeGreaterThan(1); // multithreaded WASM needs isolation
  expect(foreign).toEqual([]);
  // The WASM backend loads only the plain onnxruntime-web build (about half the WebAssembly of the
  // WebGPU-capable JSEP build, which is compiled only when WebGPU is chosen), from the precache.
  expect(runtimeFiles.some((f) => /^ort-wasm-simd-threaded-[\w-]+\.wasm$/.test(f))).toBe(true);
  expect(runtimeFiles.filter((f) => f.includes('.jsep'))).toEqual([]);
  await context.setOffline(false);
});
