// CLIPSeg as people get it: a transformers.js model folder (config.json, preprocessor_config.json,
// tokenizer.json, onnx/model.onnx, onnx/model_quantized.onnx; tiny random weights exported by the toolchain,
// models/vlsm/hf_layout.py) imported as a picked folder, and downloaded from a local server laid out as a model
// hub (<host>/<owner>/<name>/resolve/main/<file>) on another origin: the user allows the host, reloads,
// downloads; each runs a prompt on a scan in the app (the single-graph path). No request goes to any other host.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { HF, hfLayoutReference } from '../src/engine/testing/python';
import { Workbench } from './pages/Workbench';
import { kvasirJpeg } from './pages/files';

const FOLDER = `${HF}/Xenova/clipseg-tiny-random`;
let server: Server;
let hub = '';
const served: string[] = [];

test.beforeAll(async () => {
  server = createServer((req, res) => {
    served.push(req.url ?? '');
    const m = /^\/Xenova\/clipseg-tiny-random\/resolve\/main\/([a-z_]+(?:\/[a-z_]+)?\.(?:json|onnx))$/.exec(req.url ?? '');
    const path = m ? `${FOLDER}/${m[1]}` : '';
    if (!path || !existsSync(path)) return void res.writeHead(404, { 'Access-Control-Allow-Origin': '*' }).end('Entry not found');
    const body = readFileSync(path);
    res.writeHead(200, { 'Content-Length': body.byteLength, 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hub = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(() => new Promise<void>((r) => server.close(() => r())));

const openPanel = async (page: Page) => {
  if (!(await page.getByTestId('model-manager').isVisible())) await page.getByTestId('panel-models').getByRole('button').first().click();
  await expect(page.getByTestId('model-manager')).toBeVisible();
};

async function runPrompt(page: Page, modelId: string, prompt: string) {
  await page.getByTestId('prompt-input').fill(prompt);
  await page.getByTestId('prompt-run').click();
  await expect.poll(() => page.evaluate(() => window.__vlsmInference?.getState().lastResult ?? null), { timeout: 60_000 }).toMatchObject({ prompt, modelId });
}

test('a transformers.js CLIPSeg folder imports, downloads from a hub-style host and runs', async ({ page, baseURL }) => {
  test.skip(!existsSync(hfLayoutReference.output), 'the tiny transformers.js folder is built by the global setup (Python)');
  test.setTimeout(240_000);
  const foreign: string[] = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!/^(data|blob):/.test(u) && !u.startsWith(new URL(baseURL as string).origin) && !u.startsWith(hub)) foreign.push(u);
  });
  const wb = new Workbench(page);
  await wb.goto();
  await wb.offlineReady();
  const photo = kvasirJpeg();
  await wb.openFiles([photo]);
  await wb.until((s) => expect(s.scan?.name).toBe(photo.name));
  await openPanel(page);

  // A picked folder: no manifest.json, the app writes one (graphs' I/O read from the ONNX bytes).
  await page.getByTestId('model-import').setInputFiles(FOLDER);
  await expect(page.getByTestId('model-message')).toContainText("Stored 'clipseg-tiny-random'", { timeout: 60_000 });
  await page.getByTestId('model-stored-clipseg-tiny-random').getByRole('button', { name: 'Use' }).click();
  await expect(page.getByTestId('model-current')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-current')).toContainText('one graph');
  await runPrompt(page, 'clipseg-tiny-random', 'polyp');
  const first = await page.evaluate(() => window.__vlsmInference!.getState().lastResult!);
  expect(first.width).toBeGreaterThan(100);

  // The hub: the first press allows the host (page security policy), the reload puts it in force.
  expect(served).toEqual([]);
  await page.getByTestId('model-hub-host').fill(hub);
  await page.getByTestId('model-hub-name').fill('Xenova/clipseg-tiny-random');
  await page.getByTestId('model-hub-download').click();
  await expect(page.getByTestId('model-message')).toContainText(`${hub} is now allowed for model downloads. Reload the page`);
  expect(served).toEqual([]); // allowing contacts nobody
  await page.reload();
  await page.waitForFunction(() => !!window.__vlsm);
  // the service worker served the page with the allowed host in its security policy
  expect(await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'))).toContain(`connect-src 'self' ${hub}`);
  await openPanel(page);
  await expect(page.getByTestId('model-hub-host')).toHaveValue(hub); // remembered
  await page.getByTestId('model-hub-name').fill('Xenova/clipseg-tiny-random');
  await page.getByTestId('model-hub-graphs').selectOption('both');
  await page.getByTestId('model-hub-download').click();
  await expect(page.getByTestId('model-message')).toContainText("Stored 'Xenova/clipseg-tiny-random'", { timeout: 60_000 });
  expect(served).toEqual(['config.json', 'preprocessor_config.json', 'tokenizer.json', 'onnx/model_quantized.onnx', 'onnx/model.onnx'].map((f) => `/Xenova/clipseg-tiny-random/resolve/main/${f}`));
  await expect(page.getByTestId('model-stored-xenova-clipseg-tiny-random')).toContainText(`${hub}/Xenova/clipseg-tiny-random`);
  await page.getByTestId('model-stored-xenova-clipseg-tiny-random').getByRole('button', { name: 'Use' }).click();
  await expect(page.getByTestId('model-current')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await wb.openSaved(photo.name).catch(() => undefined);
  await runPrompt(page, 'xenova-clipseg-tiny-random', 'left lung');

  // A name that is not there: a message naming what was asked, within seconds.
  await page.getByTestId('model-hub-name').fill('Xenova/not-there');
  await page.getByTestId('model-hub-download').click();
  await expect(page.getByTestId('model-message')).toContainText('has no config.json', { timeout: 5_000 });
  expect(foreign).toEqual([]);
});
