// The WebGPU path of the inference worker (playwright project 'webgpu': Chromium with
// --enable-unsafe-webgpu, which offers a software SwiftShader adapter here, no GPU needed): asked for
// WebGPU, the worker uses it and says why, runs the shipped default model on a real Kvasir image (read from
// ../shared/data at run time), and its mask matches the WASM backend's on the same image and prompt.
import { expect, test } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { dice } from '../src/engine/postprocess';
import { Workbench } from './pages/Workbench';
import { kvasirJpeg } from './pages/files';
import { recordForeignRequests, recordOrtFiles } from './pages/network';

const HARNESS = '/src/worker/harness/engine.html';
const KVASIR = '../shared/data/kvasir-seg/images';
const PROMPT = 'one small pink round polyp, located in right of the image';

test('WebGPU backend: chosen with its reason, mask matches WASM on a Kvasir image', async ({ page, context, baseURL }) => {
  // SwiftShader runs the graphs on the CPU: a load, an encode and two prompts take ~1.5 min on a quiet
  // 2-core machine and over 2 min when it is busy (the encode alone took >100 s at load 20). A generous
  // limit for genuinely long work, not a wait: every step below awaits its own result.
  test.setTimeout(480_000);
  const foreign = recordForeignRequests(page, baseURL);
  // Which onnxruntime-web WebAssembly each backend loads (workers' requests included).
  const wasmFiles = recordOrtFiles(context);
  const name = readdirSync(KVASIR).filter((f) => f.endsWith('.jpg')).sort()[0];
  const base64 = readFileSync(`${KVASIR}/${name}`).toString('base64');
  await page.goto(HARNESS);
  await expect(page.getByTestId('harness-status')).toHaveText('ready');
  expect(await page.evaluate(() => 'gpu' in navigator), 'navigator.gpu (launch flag --enable-unsafe-webgpu)').toBe(true);

  // WebGPU asked for explicitly ('auto' never picks a software adapter: see the workbench test below).
  const gpu = await page.evaluate(() => window.__vlsmEngine.load({ kind: 'shipped', id: 'compact-vlsm' }, { backendPreference: 'webgpu' }));
  console.info(`[webgpu] ${gpu.backend} (${gpu.reason}), variant ${gpu.variant}, load ${Math.round(gpu.loadMs)} ms`);
  expect(gpu).toMatchObject({ backend: 'webgpu', modelId: 'compact-vlsm', visionWorker: false });
  expect(gpu.reason).toMatch(/WebGPU adapter/);
  expect(gpu.reason).toMatch(gpu.shaderF16 ? /with shader-f16/ : /without shader-f16/);
  // The shipped model's text graph is int8, which stays on the WASM EP (see wasmOnlyGraphs).
  expect(gpu.reason).toMatch(/int8 text graph on WASM/);
  expect(await page.evaluate(() => window.__vlsmEngine.status())).toMatchObject({ state: 'ready', backend: 'webgpu' });
  // WebGPU needs the JSEP build (which also runs the int8 graph on its WASM EP); nothing else is loaded.
  expect(wasmFiles.length).toBeGreaterThan(0);
  expect(wasmFiles.every((f) => f.startsWith('ort-wasm-simd-threaded.jsep-'))).toBe(true);
  wasmFiles.length = 0;

  const enc = await page.evaluate((b64) => window.__vlsmEngine.encodeImageBytes('kvasir', b64), base64);
  const a = await page.evaluate((p) => window.__vlsmEngine.mask('kvasir', p), PROMPT);
  expect(a).toMatchObject({ backend: 'webgpu', width: enc.width, height: enc.height, cache: { image: 'hit', text: 'miss' } });

  await page.evaluate(() => window.__vlsmEngine.restart());
  const cpu = await page.evaluate(() => window.__vlsmEngine.load({ kind: 'shipped', id: 'compact-vlsm' }, { backendPreference: 'wasm' }));
  expect(cpu).toMatchObject({ backend: 'wasm', variant: gpu.variant });
  // WASM alone: the plain build, half the WebAssembly to compile.
  expect(wasmFiles.length).toBeGreaterThan(0);
  expect(wasmFiles.filter((f) => f.includes('.jsep'))).toEqual([]);
  await page.evaluate((b64) => window.__vlsmEngine.encodeImageBytes('kvasir', b64), base64);
  const b = await page.evaluate((p) => window.__vlsmEngine.mask('kvasir', p), PROMPT);
  expect(b).toMatchObject({ backend: 'wasm', width: enc.width, height: enc.height });

  const ma = Buffer.from(a.mask, 'base64');
  const mb = Buffer.from(b.mask, 'base64');
  expect(ma.length).toBe(enc.width * enc.height);
  expect(b.foreground, 'the WASM mask is not empty (else Dice proves nothing)').toBeGreaterThan(0.005);
  const d = dice(ma, mb);
  console.info(
    `[webgpu] ${name} ${enc.width}x${enc.height}: Dice(webgpu, wasm) = ${d.toFixed(4)}, foreground ${a.foreground.toFixed(4)} vs ${b.foreground.toFixed(4)}; ` +
      `webgpu encode ${Math.round(enc.visionMs)} ms, new prompt ${Math.round(a.wallMs)} ms (decoder ${Math.round(a.timings.decoderMs)}); wasm new prompt ${Math.round(b.wallMs)} ms`,
  );
  expect(d).toBeGreaterThanOrEqual(0.99);
  expect(foreign, 'requests to other origins').toEqual([]);
});

test('automatic choice on a software WebGPU adapter is the CPU, with the reason shown; WebGPU stays selectable', async ({ page }) => {
  test.setTimeout(120_000);
  const wb = new Workbench(page);
  await wb.goto();
  // The model warms up when the app opens, before any scan.
  const backend = page.getByTestId('status-backend');
  await expect(backend).toHaveText(/^CPU \(WebAssembly, \d threads?\)$/, { timeout: 30_000 });
  await expect(backend).toHaveAttribute('title', /software WebGPU.*swiftshader/i);
  await page.getByTestId('panel-models').getByRole('button').first().click();
  await expect(page.getByTestId('model-backend')).toContainText('Runs on: CPU (WebAssembly');
  await expect(page.getByTestId('model-backend-reason')).toContainText(/Automatic: this computer offers only a software WebGPU \(.*swiftshader.*\).*runs directly on the CPU/i);
  await expect(page.getByTestId('model-backend-pref')).toHaveValue('auto');
  const status = await page.evaluate(() => window.__vlsmInference!.getState().status);
  expect(status).toMatchObject({ state: 'ready', backend: 'wasm', model: { softwareGpu: true } });

  // Overridden: WebGPU (software here) is used when asked for, said so, and the choice is remembered.
  await page.getByTestId('model-backend-pref').selectOption('webgpu');
  await expect(backend).toHaveText('GPU (WebGPU)', { timeout: 60_000 });
  await expect(page.getByTestId('model-backend-reason')).toContainText(/You chose WebGPU, but this is a software WebGPU/);
  await page.reload();
  await expect(page.getByTestId('status-backend')).toHaveText('GPU (WebGPU)', { timeout: 60_000 });
  await page.getByTestId('panel-models').getByRole('button').first().click();
  await expect(page.getByTestId('model-backend-pref')).toHaveValue('webgpu');
  await wb.openFiles([kvasirJpeg()]);
  await expect(page.getByTestId('status-backend')).toHaveText('GPU (WebGPU)');
});
