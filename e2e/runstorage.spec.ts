// Run records in real Chromium IndexedDB (issue 14, "Storage: chunked values"):
// - an 8000 x 8000 PNG photo (64 Mpx, generated here): the automatic empty-prompt run's probabilities are
//   244 MiB of float32, more than Chromium stores as one value. They are saved in 1 MiB chunks (runChunks),
//   the app is not left busy ("Saving…" ends, no error), and after a reload the scan reopens with the same
//   run, whose probabilities and mask hash the same as before (read back from the chunks, not re-run),
//   thresholded and drawn in the mask worker (its pixels shared, its overlay an ImageBitmap);
// - a database written by schema v3 (the run's probabilities in its row, created here with the raw
//   IndexedDB API on the app's origin before the app ever opens it) is migrated when the app starts: the
//   runs are listed with their masks, the probabilities now sit in chunks, and the rows hold no buffer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { encode } from 'fast-png';
import { Workbench } from './pages/Workbench';
import { Loop, decodeRle } from './pages/Loop';

const dir = mkdtempSync(join(tmpdir(), 'vlsm-runstorage-'));
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A greyscale 8-bit PNG with a smooth pattern (photo-like). */
function bigPng(w: number, h: number): string {
  const data = new Uint8Array(w * h);
  for (let y = 0, p = 0; y < h; y++) for (let x = 0; x < w; x++, p++) data[p] = Math.round(255 * (0.5 + 0.25 * Math.sin(x / 97) + 0.25 * Math.cos(y / 131)));
  const path = join(dir, `photo-${w}x${h}.png`);
  writeFileSync(path, encode({ width: w, height: h, data, channels: 1, depth: 8 }));
  return path;
}

/** Rows of a store of the app's database, counted with the raw IndexedDB API (optionally by an index key). */
function countRows(page: Page, store: string, index?: string, key?: string): Promise<number> {
  return page.evaluate(
    ([s, i, k]) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('vlsm-workbench');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const os = db.transaction(s, 'readonly').objectStore(s);
          const req = i ? os.index(i).count(k) : os.count();
          req.onsuccess = () => {
            db.close();
            resolve(req.result);
          };
          req.onerror = () => reject(req.error);
        };
      }),
    [store, index, key] as const,
  );
}

test('an 8000 x 8000 photo: the automatic run is saved in chunks, the app is not left busy, and the run comes back after a reload', async ({ page }) => {
  test.setTimeout(600_000);
  const file = bigPng(8000, 8000);
  const wb = new Workbench(page);
  const loop = new Loop(page);
  await wb.goto();
  await loop.ready();
  await page.getByTestId('status-model').and(page.locator('[data-state="ready"]')).waitFor({ timeout: 300_000 });

  await page.getByTestId('file-input').setInputFiles(file);
  const opened = await wb.until((s) => {
    expect(s.notices.filter((n) => n.kind === 'error')).toEqual([]);
    expect(s.scan).toMatchObject({ width: 8000, height: 8000 });
    expect(s.scan?.id, 'the scan is saved').toBeTruthy();
  }, 180_000);
  const base = await loop.runNamed('', 300_000);
  // the save ends: nothing busy, no error, all 244 chunks of the run stored
  await expect.poll(async () => ({ busy: await page.evaluate(() => window.__vlsmLoop!.busy()), error: await loop.error() }), { timeout: 300_000 }).toEqual({ busy: null, error: null });
  expect((await wb.state()).busy).toBeNull();
  expect(await countRows(page, 'runChunks', 'runId', base.id)).toBe(Math.ceil((8000 * 8000 * 4) / (1024 * 1024)));
  expect(await countRows(page, 'runs')).toBe(1);
  const before = await page.evaluate((id) => window.__vlsmLoop!.runDigest(id), base.id);
  expect(before).toMatchObject({ width: 8000, height: 8000 });
  // (the mask of the empty prompt on this synthetic photo may be empty: the hash of the probabilities is the check)

  await page.reload();
  await page.waitForFunction(() => !!window.__vlsm && !!window.__vlsmLoop);
  await wb.until((s) => expect(s.scan).toMatchObject({ id: opened.scan!.id, width: 8000, height: 8000 }), 180_000);
  await expect.poll(async () => (await loop.runs()).map((r) => r.id), { timeout: 180_000 }).toEqual([base.id]);
  // read back from its chunks: the same probabilities (bit for bit) and the same mask
  await expect.poll(() => page.evaluate((id) => window.__vlsmLoop!.runDigest(id), base.id), { timeout: 60_000 }).toEqual(before);
  // restored through the mask worker, as a new run is: pixels on shared memory, the overlay its ImageBitmap
  expect(await loop.runMemory(base.id)).toEqual({ probsShared: true, maskShared: true });
  expect((await loop.layers()).find((l) => l.id === `run:${base.id}`)).toMatchObject({ image: 'bitmap', width: 8000, height: 8000 });
  expect(await loop.error()).toBeNull();
});

test('a database of schema v3 (run probabilities in the run row) is migrated in Chromium: runs listed with their masks, probabilities in chunks', async ({ page, baseURL }) => {
  // a page of the app's origin that is not the app, so the old database is written before the app opens it
  await page.route(`${baseURL}/__blank`, (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>blank</title>' }));
  await page.goto(`${baseURL}/__blank`);
  const W = 64;
  const H = 48;
  await page.evaluate(
    ([w, h]) =>
      new Promise<void>((resolve, reject) => {
        // Dexie's version 3 is IndexedDB version 30; stores and indexes as src/storage/schema.ts declares them
        const open = indexedDB.open('vlsm-workbench', 30);
        open.onupgradeneeded = () => {
          const db = open.result;
          const store = (name: string, keyPath: string | string[], indexes: (string | [string, string[]])[]) => {
            const os = db.createObjectStore(name, { keyPath });
            for (const i of indexes) if (typeof i === 'string') os.createIndex(i, i);
            else os.createIndex(i[0], i[1]);
          };
          store('scans', 'id', ['name', 'createdAt', 'updatedAt']);
          store('scanPixels', 'id', []);
          store('settings', 'key', []);
          store('runs', 'id', ['scanId', 'createdAt']);
          store('masks', 'id', ['scanId', 'runId', 'createdAt']);
          store('maskVersions', 'id', ['maskId', ['[maskId+version]', ['maskId', 'version']]]);
          store('scanChunks', ['scanId', 'index'], ['scanId']);
        };
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['scans', 'scanChunks', 'settings', 'runs'], 'readwrite');
          const pixels = new Uint8Array(w * h).map((_, i) => (i * 5) % 256);
          tx.objectStore('scans').add({
            id: 'old-scan', name: 'old-v3.png', format: 'png', source: 'file', width: w, height: h, frames: 1, shape: [h, w], dtype: 'uint8',
            channels: 1, spacing: [1, 1, 1], spacingKnown: false, photometric: 'MONOCHROME2', window: { center: 128, width: 256 }, range: [0, 255],
            metadata: {}, bytes: w * h, thumbnail: null, createdAt: 1, updatedAt: 1,
          });
          tx.objectStore('scanChunks').add({ scanId: 'old-scan', index: 0, data: pixels.buffer });
          tx.objectStore('settings').put({ key: 'lastScanId', value: 'old-scan' });
          const run = (id: string, prompt: string, createdAt: number, r: number) => {
            // 0.9 inside a disc of radius r about the centre, 0.1 outside
            const probs = new Float32Array(w * h).map((_, i) => ((i % w) - w / 2) ** 2 + (Math.floor(i / w) - h / 2) ** 2 < r * r ? 0.9 : 0.1);
            tx.objectStore('runs').add({
              id, scanId: 'old-scan', frame: 0, prompt, modelId: 'old-model', backend: 'wasm', threshold: 0.5, timings: { visionMs: 10 },
              scores: { area: 0 }, createdAt, type: 'vlsm-workbench/run', formatVersion: 1, variant: 'fp32', colour: '#40a9ff',
              probs: { width: w, height: h, data: probs.buffer },
            });
          };
          run('old-empty', '', 1, 20);
          run('old-polyp', 'polyp', 2, 10);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    [W, H] as const,
  );
  await page.unroute(`${baseURL}/__blank`);

  const wb = new Workbench(page);
  const loop = new Loop(page);
  await wb.goto();
  await loop.ready();
  await wb.until((s) => expect(s.scan).toMatchObject({ id: 'old-scan', name: 'old-v3.png', width: W, height: H }), 60_000);
  await expect.poll(async () => (await loop.runs()).map((r) => [r.id, r.prompt]), { timeout: 60_000 }).toEqual([['old-empty', ''], ['old-polyp', 'polyp']]);
  // the masks are the stored probabilities at the stored threshold
  for (const [id, r] of [['old-empty', 20], ['old-polyp', 10]] as const) {
    const m = decodeRle((await loop.runMask(id))!);
    let want = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - W / 2) ** 2 + (y - H / 2) ** 2 < r * r) want++;
    expect(m.reduce((a, b) => a + b, 0), `mask of ${id}`).toBe(want);
    expect(m[(H / 2) * W + W / 2]).toBe(1);
    expect(m[0]).toBe(0);
  }
  // migrated: one chunk per run (12 KiB each), and the rows hold no buffer any more
  expect(await countRows(page, 'runChunks', 'runId', 'old-polyp')).toBe(1);
  expect(await countRows(page, 'runChunks')).toBe(2);
  const rowProbs = await page.evaluate(
    () =>
      new Promise<unknown>((resolve, reject) => {
        const open = indexedDB.open('vlsm-workbench');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('runs', 'readonly').objectStore('runs').get('old-polyp');
          req.onsuccess = () => {
            open.result.close();
            resolve((req.result as { probs: unknown }).probs);
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
  expect(rowProbs).toEqual({ width: W, height: H, bytes: W * H * 4, chunks: 1 });
  expect(await loop.error()).toBeNull();
});
