// The main thread during imports: a PerformanceObserver('longtask') in the real app records every task
// over 50 ms while hostile and large files are imported through the user's inputs (Open…, the reference
// input): the COCO bomb (64 annotations of 8192²) onto a 16 × 16 scan, a 1-bit 30000² PNG, a .nii.gz bomb,
// two large legitimate volumes (512 × 512 × 160 int16 .nii.gz, 80 MiB; 256³ float32 .nii, 64 MiB) and two
// large images (4096² 16-bit PNG radiograph; 8000² 8-bit PNG, 64 Mpx, just under the per-frame limit),
// which are decoded, shown and saved. Per case: the longest task from the moment the file is handed over
// until the app is quiet again (its outcome shown, nothing busy, 500 ms of calm), and the busy texts seen
// (a long decode shows a percentage).
//
// Each scan that opens is followed, once the model is ready, by the automatic empty-prompt run (the
// influence baseline) and its save: the case lasts until that run is saved, so its longest task covers
// import, first display and the first prompt; `runSaveMs` is how long "Saving the run without words…"
// showed (its probabilities written to IndexedDB in 1 MiB chunks: 245 of them for the 8000² photo).
//
// Measured figures come from `npm run bench:longtasks` (this spec with LONGTASK_RESULT set: it writes
// bench/results/<date>-longtasks.json with the load and the command). The assertion here is a guard
// that still fails on a real freeze (the 4-62 s) but not on a loaded machine's scheduling noise:
// no task over GUARD_MS (default 1000; LONGTASK_GUARD_MS to tighten it on a quiet machine).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import { encode } from 'fast-png';
import { Workbench, type FilePayload } from './pages/Workbench';
import { Loop } from './pages/Loop';
import { MASK_HOST, hostileCorpus } from '../scripts/hostile-corpus';

test.setTimeout(600_000);
const GUARD_MS = Number(process.env.LONGTASK_GUARD_MS ?? 1000);
const payload = (name: string, bytes: Uint8Array): FilePayload => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
// Playwright hands buffers over 50 MB to the page only as files on disk
const dir = mkdtempSync(join(tmpdir(), 'vlsm-longtasks-'));
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));
const onDisk = (name: string, bytes: Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

function niftiHeader(dims: number[], datatype: number, bitpix: number): Buffer {
  const h = Buffer.alloc(352);
  h.writeInt32LE(348, 0);
  [dims.length, ...dims, 1, 1, 1, 1].slice(0, 8).forEach((d, i) => h.writeInt16LE(d, 40 + 2 * i));
  h.writeInt16LE(datatype, 70);
  h.writeInt16LE(bitpix, 72);
  [1, 0.8, 0.8, 2.5, 1, 1, 1, 1].forEach((p, i) => h.writeFloatLE(p, 76 + 4 * i));
  h.writeFloatLE(352, 108);
  h.writeFloatLE(1, 112);
  h.write('n+1\0', 344, 'latin1');
  return h;
}

/** A CT-like int16 volume: body ellipse with texture, a bright disc, air around. */
function ctVolume(n: number, z: number): Buffer {
  const vox = new Int16Array(n * n * z);
  for (let k = 0; k < z; k++) {
    for (let j = 0; j < n; j++) {
      const y = (j - n / 2) / (0.32 * n);
      for (let i = 0; i < n; i++) {
        const x = (i - n / 2) / (0.42 * n);
        vox[i + n * (j + n * k)] = x * x + y * y < 1 ? 40 + ((i * 7 + j * 13 + k) % 50) : -1000;
      }
    }
  }
  return Buffer.concat([niftiHeader([n, n, z], 4, 16), Buffer.from(vox.buffer)]);
}

/** A smooth float32 volume (MR-like). */
function floatVolume(n: number): Buffer {
  const vox = new Float32Array(n * n * n);
  for (let k = 0, p = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++, p++) vox[p] = Math.sin(i / 9) * Math.cos(j / 11) * 300 + k;
  return Buffer.concat([niftiHeader([n, n, n], 16, 32), Buffer.from(vox.buffer)]);
}

/** A greyscale PNG with a smooth pattern (radiograph-like): `depth` 8 or 16 bits. */
function bigPng(w: number, h: number, depth: 8 | 16): Uint8Array {
  const data = depth === 16 ? new Uint16Array(w * h) : new Uint8Array(w * h);
  const max = depth === 16 ? 4095 : 255;
  for (let y = 0, p = 0; y < h; y++) for (let x = 0; x < w; x++, p++) data[p] = Math.round(max * (0.5 + 0.25 * Math.sin(x / 97) + 0.25 * Math.cos(y / 131)));
  return encode({ width: w, height: h, data, channels: 1, depth });
}

interface LongTask {
  start: number;
  ms: number;
}

async function install(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __longtasks: { start: number; ms: number }[]; __busyTexts: string[]; __runBusy: { at: number; text: string | null }[]; __vlsmLoop?: { busy(): string | null } };
    w.__longtasks = [];
    w.__busyTexts = [];
    // the runs' busy label (not in the status bar) with the time it changed
    w.__runBusy = [];
    setInterval(() => {
      const text = w.__vlsmLoop?.busy() ?? null;
      if (w.__runBusy.at(-1)?.text !== text) w.__runBusy.push({ at: performance.now(), text });
    }, 10);
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longtasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask', buffered: true });
    // every text the status bar's busy item shows
    new MutationObserver(() => {
      const t = document.querySelector('[data-testid="status-busy"]')?.textContent ?? '';
      if (t && w.__busyTexts.at(-1) !== t) w.__busyTexts.push(t);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

/** Waits until nothing is busy and no long task has happened for `calm` ms. */
async function quiet(page: Page, wb: Workbench, calm = 500): Promise<void> {
  await expect(async () => {
    const s = await wb.state();
    expect(s.busy).toBeNull();
    const last = await page.evaluate(() => {
      const t = (window as unknown as { __longtasks: { start: number; ms: number }[] }).__longtasks.at(-1);
      return performance.now() - (t ? t.start + t.ms : 0);
    });
    expect(last).toBeGreaterThan(calm);
  }).toPass({ timeout: 60_000, intervals: [100, 200, 300] });
}

test('imports of bombs and large volumes keep the main thread free: no long task over the guard', async ({ page }) => {
  await install(page);
  const wb = new Workbench(page);
  const loop = new Loop(page);
  await wb.goto();
  await loop.ready();
  // the model's first load and the empty-prompt baseline are not imports: let them finish first
  await page.getByTestId('status-model').and(page.locator('[data-state="ready"], [data-state="idle"]')).waitFor({ timeout: 300_000 });
  await quiet(page, wb, 1000);

  const corpus = hostileCorpus();
  const file = (id: string) => corpus.find((c) => c.id === id)!.files[0];
  const cases: { id: string; kind: 'scan' | 'mask'; file: { name: string; bytes: Uint8Array }; expect: 'opens' | 'refused' }[] = [
    { id: 'png-1bit-30000', kind: 'scan', file: file('png-1bit-30000'), expect: 'refused' },
    { id: 'nii-gz-bomb', kind: 'scan', file: file('nii-gz-bomb'), expect: 'refused' },
    { id: 'ct-512x512x160-int16.nii.gz', kind: 'scan', file: { name: 'ct-512x512x160.nii.gz', bytes: gzipSync(ctVolume(512, 160), { level: 1 }) }, expect: 'opens' },
    { id: 'mr-256cubed-float32.nii', kind: 'scan', file: { name: 'mr-256.nii', bytes: floatVolume(256) }, expect: 'opens' },
    { id: 'xray-4096x4096-16bit.png', kind: 'scan', file: { name: 'xray-4096.png', bytes: bigPng(4096, 4096, 16) }, expect: 'opens' },
    { id: 'photo-8000x8000-8bit.png', kind: 'scan', file: { name: 'big-8000.png', bytes: bigPng(8000, 8000, 8) }, expect: 'opens' },
    { id: 'mask-coco-8192-x64', kind: 'mask', file: file('mask-coco-8192-x64'), expect: 'refused' },
    { id: 'mask-png-1bit-30000', kind: 'mask', file: file('mask-png-1bit-30000'), expect: 'refused' },
  ];

  const results: { id: string; outcome: string; ms: number; runSaveMs?: number; longestTaskMs: number; tasksOver50: number; tasksOver100: number; longestTasks: number[]; busyTexts: string[] }[] = [];
  for (const c of cases) {
    if (c.kind === 'mask' && (await wb.state()).scan?.name !== MASK_HOST.name) {
      await wb.openFiles([payload(MASK_HOST.name, MASK_HOST.bytes)]);
      await wb.until((s) => expect(s.scan?.name).toBe(MASK_HOST.name), 15_000);
      await quiet(page, wb);
    }
    await page.evaluate(() => ((window as unknown as { __busyTexts: string[] }).__busyTexts = []));
    const t0 = await page.evaluate(() => performance.now());
    const w0 = Date.now();
    let outcome = '';
    if (c.kind === 'scan') {
      await page.getByTestId('file-input').setInputFiles(onDisk(c.file.name, c.file.bytes));
      await expect(async () => {
        const s = await wb.state();
        const notice = s.notices.find((n) => n.kind === 'error' && `${n.title} ${n.message}`.includes(c.file.name));
        if (notice) outcome = `refused: ${notice.message}`;
        else if (s.scan?.name === c.file.name && s.scan.id && !s.busy) outcome = 'opened and saved';
        expect(outcome).not.toBe('');
      }).toPass({ timeout: 120_000, intervals: [50, 100, 200] });
    } else {
      await page.getByTestId('reference-input').setInputFiles(onDisk(c.file.name, c.file.bytes));
      await expect(async () => {
        const err = await loop.error();
        if (err?.includes(c.file.name)) outcome = `refused: ${err}`;
        expect(outcome).not.toBe('');
      }).toPass({ timeout: 60_000, intervals: [50, 100, 200] });
    }
    // an opened scan: the automatic empty-prompt run, up to the end of its save
    const modelReady = (await page.getByTestId('status-model').getAttribute('data-state')) === 'ready';
    if (outcome.startsWith('opened') && modelReady) {
      await expect(async () => {
        expect((await loop.runs()).some((r) => r.prompt === ''), `${c.id}: the empty-prompt run`).toBe(true);
        expect(await page.evaluate(() => window.__vlsmLoop!.busy()), `${c.id}: busy`).toBeNull();
        expect(await loop.error(), `${c.id}: the run's error`).toBeNull();
      }).toPass({ timeout: 300_000, intervals: [50, 100, 200] });
    }
    const ms = Date.now() - w0;
    await quiet(page, wb);
    const runBusy = await page.evaluate((from) => (window as unknown as { __runBusy: { at: number; text: string | null }[] }).__runBusy.filter((b) => b.at >= from), t0);
    const saving = runBusy.findIndex((b) => b.text?.startsWith('Saving'));
    const runSaveMs = saving >= 0 && runBusy[saving + 1] ? Math.round(runBusy[saving + 1].at - runBusy[saving].at) : undefined;
    const { tasks, busyTexts } = await page.evaluate((from) => ({
      tasks: (window as unknown as { __longtasks: { start: number; ms: number }[] }).__longtasks.filter((t) => t.start + t.ms >= from),
      busyTexts: (window as unknown as { __busyTexts: string[] }).__busyTexts,
    }), t0);
    const longest = Math.max(0, ...tasks.map((t: LongTask) => t.ms));
    results.push({ id: c.id, outcome, ms, ...(runSaveMs !== undefined ? { runSaveMs } : {}), longestTaskMs: Math.round(longest), tasksOver50: tasks.length, tasksOver100: tasks.filter((t: LongTask) => t.ms > 100).length, longestTasks: tasks.map((t: LongTask) => Math.round(t.ms)).sort((a: number, b: number) => b - a).slice(0, 5), busyTexts });
    expect(outcome.startsWith(c.expect === 'opens' ? 'opened' : 'refused'), `${c.id}: ${outcome}`).toBe(true);
  }
  console.log(JSON.stringify(results, null, 1));

  if (process.env.LONGTASK_RESULT) {
    writeFileSync(
      process.env.LONGTASK_RESULT,
      `${JSON.stringify({ date: new Date().toISOString(), command: 'npm run bench:longtasks', load: loadavg().map((l) => +l.toFixed(2)), chromium: page.context().browser()?.version() ?? null, cases: results }, null, 2)}\n`,
    );
  }
  // the large volumes report their progress as a percentage while they decode
  const big = results.find((r) => r.id.startsWith('ct-'))!;
  expect(big.busyTexts.some((t) => /Decoding .*\d+ %/.test(t)), big.busyTexts.join(' | ')).toBe(true);
  const over = results.filter((r) => r.longestTaskMs > GUARD_MS);
  expect(over.map((r) => `${r.id}: ${r.longestTaskMs} ms`)).toEqual([]);
});
