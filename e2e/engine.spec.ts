// The inference worker in Chromium, without the app shell (src/worker/harness/engine.html): the shipped
// default bundle on onnxruntime-web, caching, latest-wins, a real Kvasir image, and no foreign requests.
import { expect, test } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { recordForeignRequests } from './pages/network';

const HARNESS = '/src/worker/harness/engine.html';
const KVASIR = '../shared/data/kvasir-seg/images';

test.describe('inference engine in the browser', () => {
  const foreign: string[] = [];

  test.beforeEach(async ({ page, baseURL }) => {
    recordForeignRequests(page, baseURL, foreign);
    await page.goto(HARNESS);
    await expect(page.getByTestId('harness-status')).toHaveText('ready');
  });

  test.afterEach(() => {
    expect(foreign, 'requests to other origins').toEqual([]);
  });

  test('loads the shipped model, caches image and text, latest prompt wins', async ({ page }) => {
    expect(await page.evaluate(() => window.__vlsmEngine.crossOriginIsolated())).toBe(true);
    const info = await page.evaluate(() => window.__vlsmEngine.load({ kind: 'shipped', id: 'compact-vlsm' }, { backendPreference: 'auto' }));
    expect(info).toMatchObject({ modelId: 'compact-vlsm', kind: 'split', backend: 'wasm', crossOriginIsolated: true });
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.reason.length).toBeGreaterThan(10);
    // With threads, the vision graph gets its own 2-thread runtime and prompts run on 1 thread.
    if (info.threads > 1) expect(info).toMatchObject({ visionWorker: true, promptThreads: 1 });

    const enc = await page.evaluate(() => window.__vlsmEngine.encodeSynthetic('synthetic', 300, 200));
    expect(enc).toMatchObject({ cached: false });
    const a = await page.evaluate(() => window.__vlsmEngine.segment('synthetic', 'small polyp'));
    expect(a).toMatchObject({ width: 300, height: 200, cache: { image: 'hit', text: 'miss' }, backend: 'wasm', modelId: 'compact-vlsm' });
    expect(a.mean).toBeGreaterThanOrEqual(0);
    expect(a.mean).toBeLessThanOrEqual(1);
    const b = await page.evaluate(() => window.__vlsmEngine.segment('synthetic', 'small polyp'));
    expect(b.cache).toEqual({ image: 'hit', text: 'hit' });
    expect(b.timings.textMs).toBe(0);

    expect(await page.evaluate(() => window.__vlsmEngine.supersede('synthetic'))).toEqual({ first: 'AbortError', second: 'resolved' });
    const status = await page.evaluate(() => window.__vlsmEngine.status());
    expect(status).toMatchObject({ state: 'ready', backend: 'wasm' });
  });

  test('segments a real Kvasir image at its own size', async ({ page }) => {
    const name = readdirSync(KVASIR).filter((f) => f.endsWith('.jpg')).sort()[0];
    const base64 = readFileSync(`${KVASIR}/${name}`).toString('base64');
    await page.evaluate(() => window.__vlsmEngine.load({ kind: 'shipped', id: 'compact-vlsm' }, { backendPreference: 'wasm' }));
    const enc = await page.evaluate((b64) => window.__vlsmEngine.encodeImageBytes('kvasir', b64), base64);
    const r = await page.evaluate(() => window.__vlsmEngine.segment('kvasir', 'one small pink round polyp, located in right of the image'));
    expect(r.width).toBe(enc.width);
    expect(r.height).toBe(enc.height);
    expect(r.foreground).toBeGreaterThanOrEqual(0);
    expect(r.foreground).toBeLessThanOrEqual(1);
    expect(r.timings.decoderMs).toBeGreaterThan(0);
  });

  test('a crashed worker is restarted, the model reloaded and the scan re-sent', async ({ page }) => {
    await page.evaluate(() => window.__vlsmEngine.load({ kind: 'shipped', id: 'compact-vlsm' }, { backendPreference: 'wasm' }));
    await page.evaluate(() => window.__vlsmEngine.encodeSynthetic('s', 64, 48));
    const pending = page.evaluate(() => window.__vlsmEngine.segment('s', 'polyp').then(() => 'resolved', (e: Error) => e.name));
    await page.evaluate(() => window.__vlsmEngine.simulateCrash());
    expect(['WorkerCrashedError', 'resolved']).toContain(await pending);
    await expect.poll(() => page.evaluate(() => window.__vlsmEngine.status()), { timeout: 30_000 }).toMatchObject({ state: 'ready', restarts: 1 });
    const r = await page.evaluate(() => window.__vlsmEngine.segment('s', 'polyp'));
    expect(r).toMatchObject({ width: 64, height: 48, cache: { image: 'miss' } });
  });

  test('a bad bundle is a clear error, not a crash', async ({ page }) => {
    const err = await page.evaluate(() =>
      window.__vlsmEngine.load({ kind: 'shipped', id: 'no-such-model' }, {}).then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`),
    );
    expect(err).toMatch(/BundleError: no manifest.json/);
    expect(await page.evaluate(() => window.__vlsmEngine.status().state)).toBe('error');
  });
});
