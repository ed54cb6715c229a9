// `npm run bench:volume`: one prompt on every slice of a 512 x 512 x 100 int16 volume, end to end in the
// app (built with Vite, served by vite preview, headless Chromium, default model, WASM backend): a
// synthetic CT-like phantom (body ellipse, organs, a bright round lesion) opened through the file input,
// "Run on all slices" clicked, timed by the app itself (performance.now around the slice loop). The model is
// the app's default for a volume: the same rule the app uses (src/ui/models/defaultModel.ts, loaded through
// Vite) over the served shipped cards, checked against what the app loaded. Then a
// second prompt on the same volume: the image features of every slice are cached in the worker, so only
// the text and decoder graphs run. Prints JSON and writes bench/results/<date>-volume.json with the
// machine's load, the command and both timings; the ratio is second / first of the same run.
// Env: BENCH_PORT (default 4341), BENCH_SLICES (default 100), BENCH_SIZE (default 512), BENCH_MODEL (a shipped
// bundle id, e.g. compact-vlsm, picked in the Model panel as a user would: an explicit choice; default: the
// app's volume default; the result file is then <date>-volume-<id>.json), BENCH_TAG (appended to the file name,
// so a later run of the same day does not overwrite an earlier one: <date>-volume[-<id>]-<tag>.json).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, createServer, preview } from 'vite';
import { chromium } from '@playwright/test';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_SIZE ?? 512);
const Z = Number(process.env.BENCH_SLICES ?? 100);
const port = Number(process.env.BENCH_PORT ?? 4341);
const MODEL = process.env.BENCH_MODEL ?? null;
const TAG = process.env.BENCH_TAG ?? null;
if (TAG !== null && !/^[a-z0-9-]+$/.test(TAG)) throw new Error('BENCH_TAG: lower-case letters, digits and dashes only');

/** A NIfTI-1 int16 phantom, 0.8 x 0.8 x 2.5 mm, RAS sform. */
function phantom() {
  const hdr = Buffer.alloc(352);
  hdr.writeInt32LE(348, 0);
  [3, N, N, Z, 1, 1, 1, 1].forEach((d, i) => hdr.writeInt16LE(d, 40 + 2 * i));
  hdr.writeInt16LE(4, 70);
  hdr.writeInt16LE(16, 72);
  [1, 0.8, 0.8, 2.5, 1, 1, 1, 1].forEach((p, i) => hdr.writeFloatLE(p, 76 + 4 * i));
  hdr.writeFloatLE(352, 108);
  hdr.writeFloatLE(1, 112);
  hdr[123] = 2;
  hdr.writeInt16LE(2, 254);
  [0.8, 0, 0, -200, 0, 0.8, 0, -200, 0, 0, 2.5, -120].forEach((v, i) => hdr.writeFloatLE(v, 280 + 4 * i));
  hdr.write('n+1\0', 344, 'latin1');
  const vox = new Int16Array(N * N * Z);
  for (let k = 0; k < Z; k++) {
    const r = 0.12 * N * Math.sin(Math.PI * (k + 0.5) / Z); // lesion radius varies along z
    for (let j = 0; j < N; j++) {
      for (let i = 0; i < N; i++) {
        const x = (i - N / 2) / (0.42 * N);
        const y = (j - N / 2) / (0.32 * N);
        let v = -1000;
        if (x * x + y * y < 1) v = 40 + ((i * 7 + j * 13 + k) % 20);
        const lx = i - 0.62 * N;
        const ly = j - 0.5 * N;
        if (lx * lx + ly * ly < r * r) v = 160;
        vox[i + N * (j + N * k)] = v;
      }
    }
  }
  return gzipSync(Buffer.concat([hdr, Buffer.from(vox.buffer)]), { level: 1 });
}

/** The app's rule for the default model (src/ui/models/defaultModel.ts), the module itself through Vite. */
async function defaultRule() {
  const vs = await createServer({ root, configFile: false, logLevel: 'warn', appType: 'custom', server: { middlewareMode: true, hmr: false } });
  try {
    return await vs.ssrLoadModule('/src/ui/models/defaultModel.ts');
  } finally {
    await vs.close();
  }
}

const out = mkdtempSync(join(tmpdir(), 'bench-volume-'));
let server;
let browser;
try {
  // test mode: the app's read-outs (window.__vlsm, __vlsmVolume) exist only outside production builds
  await build({ root, mode: 'test', logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  server = await preview({ root, logLevel: 'warn', build: { outDir: out }, preview: { port, strictPort: true, host: '127.0.0.1' } });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.getByTestId('status-model').and(page.locator('[data-state="ready"], [data-state="idle"]')).waitFor({ timeout: 300_000 });
  // the shipped cards as the app reads them (served /models/index.json, then each manifest)
  const base = `http://127.0.0.1:${port}/`;
  const index = await (await fetch(`${base}models/index.json`)).json();
  const rule = await defaultRule();
  const cards = [];
  for (const e of index) cards.push(rule.shippedCardOf(await (await fetch(`${base}models/${e.id}/manifest.json`)).json()));
  const volumeDefault = rule.defaultModelFor('volume', cards.filter(Boolean), null);
  if (!volumeDefault || volumeDefault.ref.kind !== 'shipped') throw new Error('no shipped default model for a volume');
  if (MODEL) {
    if (!(await page.getByTestId('model-manager').isVisible())) await page.getByTestId('panel-models').getByRole('button').first().click();
    await page.getByTestId(`model-shipped-${MODEL}`).getByRole('button', { name: 'Use' }).click();
    await page.getByTestId('model-current').and(page.locator('[data-state="ready"]')).waitFor({ timeout: 300_000 });
  }
  const modelId = MODEL ?? volumeDefault.ref.id;
  await page.getByTestId('file-input').setInputFiles({ name: 'phantom.nii.gz', mimeType: 'application/gzip', buffer: phantom() });
  await page.waitForFunction((z) => window.__vlsm?.getState().scan?.frames === z && !!window.__vlsm?.getState().scan?.id, Z, { timeout: 300_000 });
  // the app loads the model for the volume (its default, or the one picked above) before the runs are timed
  await page.waitForFunction((id) => {
    const s = window.__vlsmInference?.getState().status;
    return s?.state === 'ready' && s.model?.modelId === id;
  }, modelId, { timeout: 300_000 });
  const backend = await page.getByTestId('status-backend').textContent();
  const run = async (prompt) => {
    await page.getByTestId('volume-prompt').fill(prompt);
    await page.getByTestId('volume-run').click();
    await page.waitForFunction((p) => window.__vlsmVolume?.state().last?.prompt === p, prompt, { timeout: 900_000 });
    const s = await page.evaluate(() => window.__vlsmVolume.state());
    if (s.error || s.last.cancelled || s.last.slices !== Z) throw new Error(`run "${prompt}" failed: ${s.error ?? JSON.stringify(s.last)}`);
    if (s.info?.modelId !== modelId) throw new Error(`run "${prompt}" ran on ${s.info?.modelId}, not ${modelId}`);
    return { prompt, ms: Math.round(s.last.ms), slices: s.last.slices, voxels: s.stats?.voxels ?? null };
  };
  const first = await run('liver');
  const second = await run('bright round lesion');
  const result = {
    bench: 'volume',
    date: new Date().toISOString(),
    command: `${MODEL ? `BENCH_MODEL=${MODEL} ` : ''}${TAG ? `BENCH_TAG=${TAG} ` : ''}npm run bench:volume`,
    model: modelId,
    modelChosenBy: MODEL ? 'BENCH_MODEL (picked in the Model panel)' : "the app's default for a volume: defaultModelFor('volume', shipped cards, no user choice) (src/ui/models/defaultModel.ts)",
    machine: { cpus: cpus().length, loadAverage: loadavg().map((x) => +x.toFixed(2)) },
    backend: backend?.trim(),
    volume: { width: N, height: N, slices: Z, dtype: 'int16' },
    first,
    second,
    perSliceMs: { first: Math.round(first.ms / Z), second: Math.round(second.ms / Z) },
    secondOverFirst: +(second.ms / first.ms).toFixed(3),
    targets: { firstMs: 30_000, secondOverFirst: 0.4 },
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, `bench/results/${result.date.slice(0, 10)}-volume${MODEL ? `-${MODEL}` : ''}${TAG ? `-${TAG}` : ''}.json`), JSON.stringify(result, null, 2) + '\n');
} finally {
  await browser?.close();
  await new Promise((r) => (server ? server.httpServer.close(r) : r()));
  rmSync(out, { recursive: true, force: true });
}
