#!/usr/bin/env node
// `npm run bench:pacs`: time to open a 100-slice series from the local Orthanc in the app, and images/s,
// for several parallel-download pool sizes (interleaved, fresh browser profile per open), to choose the
// app's default pool by measurement. Starts Orthanc (scripts/orthanc.sh) when it does not answer and
// stores the synthetic series there (scripts/pacs-synth.mjs); builds and previews the app (its /pacs/
// proxy); drives the real PACS panel in headless Chromium; reads the app's user timings
// (vlsm:pacs-transfer = list + download + decode + stack, vlsm:pacs-open = that + saving to IndexedDB).
// Prints JSON; --out FILE also writes it (e.g. bench/results/<date>-pacs.json).
//   node scripts/bench-pacs.mjs [--slices 100] [--size 512] [--pools 1,2,4,6,8,12] [--runs 3] [--port 4374] [--out FILE]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build, preview } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const arg = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const slices = Number(arg('slices', 100));
const size = Number(arg('size', 512));
const pools = String(arg('pools', '1,2,4,6,8,12')).split(',').map(Number);
const runs = Number(arg('runs', 3));
const port = Number(arg('port', 4374));
const outFile = arg('out', null);
const loadAtStart = loadavg().map((x) => +x.toFixed(2));

const sh = (...a) =>
  execFileSync(a[0], a.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
let started = false;
try {
  sh('sh', 'scripts/orthanc.sh', 'status');
} catch {
  sh('sh', 'scripts/orthanc.sh', 'start');
  started = true;
}
const synth = JSON.parse(
  sh('node', 'scripts/pacs-synth.mjs', 'series', '--slices', String(slices), '--size', String(size))
    .trim()
    .split('\n')
    .pop(),
);

const outDir = mkdtempSync(join(tmpdir(), 'bench-pacs-'));
let server;
let browser;
try {
  await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  server = await preview({
    root,
    logLevel: 'warn',
    build: { outDir },
    preview: { port, strictPort: true, host: '127.0.0.1' },
  });
  const base = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const user = process.env.ORTHANC_USER ?? 'vlsm';
  const password = process.env.ORTHANC_PASSWORD ?? 'vlsm-dev-only';

  async function openOnce(pool) {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      serviceWorkers: 'block',
    });
    try {
      const page = await context.newPage();
      await page.goto(base);
      await page.getByTestId('app').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="panel-pacs"] .panel-title').click();
      await page.locator('[data-testid="pacs-panel"] summary').click();
      await page.getByTestId('pacs-user').fill(user);
      await page.getByTestId('pacs-password').fill(password);
      await page.getByTestId('pacs-parallel').fill(String(pool));
      await page.getByTestId('pacs-save').click();
      await page.getByTestId('pacs-q-accession').fill(`SYNTH${slices}`);
      await page.getByTestId('pacs-search').click();
      await page.locator(`[data-testid="pacs-study"][data-uid="${synth.studyInstanceUID}"]`).click();
      await page
        .locator(
          `[data-testid="pacs-series-item"][data-uid="${synth.seriesInstanceUID}"] [data-testid="pacs-open"]`,
        )
        .click();
      const handle = await page.waitForFunction(
        () => {
          const open = performance.getEntriesByName('vlsm:pacs-open')[0];
          const transfer = performance.getEntriesByName('vlsm:pacs-transfer')[0];
          const err = document.querySelector('[data-testid="pacs-error"]')?.textContent;
          if (err) return { error: err };
          return open && transfer
            ? { openMs: open.duration, transferMs: transfer.duration, frames: open.detail?.frames }
            : null;
        },
        undefined,
        { timeout: 300_000, polling: 100 },
      );
      const r = await handle.jsonValue();
      if (r.error) throw new Error(r.error);
      if (r.frames !== slices) throw new Error(`opened ${r.frames} frames, expected ${slices}`);
      return r;
    } finally {
      await context.close();
    }
  }

  await openOnce(pools[0]); // warm-up: the built app's first load and the codecs, not counted
  const samples = Object.fromEntries(pools.map((p) => [p, []]));
  for (let r = 0; r < runs; r++) for (const p of pools) samples[p].push(await openOnce(p));
  const median = (a) => {
    const s = [...a].sort((x, y) => x - y);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const byPool = pools.map((p) => {
    const transfer = median(samples[p].map((x) => x.transferMs));
    const open = median(samples[p].map((x) => x.openMs));
    return {
      pool: p,
      openMs: Math.round(open),
      transferMs: Math.round(transfer),
      framesPerSecond: +((slices * 1000) / transfer).toFixed(1),
      openFramesPerSecond: +((slices * 1000) / open).toFixed(1),
      samplesOpenMs: samples[p].map((x) => Math.round(x.openMs)),
    };
  });
  const best = byPool.reduce((a, b) => (b.openMs < a.openMs ? b : a));
  const mb = (slices * size * size * 2) / 1e6;
  const result = {
    name: 'pacs',
    date: new Date().toISOString(),
    command: `node scripts/bench-pacs.mjs ${argv.join(' ')}`.trim(),
    gitCommit: sh('git', 'rev-parse', 'HEAD').trim(),
    gitDirty: sh('git', 'status', '--porcelain', '--untracked-files=no').trim() !== '',
    nproc: cpus().length,
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadavg().map((x) => +x.toFixed(2)),
    server: 'Orthanc 1.10 + DICOMweb plugin 1.7 (Debian), loopback, through the Vite preview /pacs/ proxy',
    series: {
      slices,
      size,
      dtype: 'int16',
      transferSyntax: 'Explicit VR Little Endian',
      pixelMegabytes: +mb.toFixed(1),
    },
    runs,
    metric:
      'median over runs; transfer = QIDO instance list + WADO-RS downloads + decoding in the reader worker + stacking; open = transfer + saving to IndexedDB',
    byPool,
    bestPool: best.pool,
  };
  const json = JSON.stringify(result, null, 2);
  console.log(json);
  if (outFile) writeFileSync(join(root, outFile), `${json}\n`);
} finally {
  await browser?.close();
  await server?.close();
  rmSync(outDir, { recursive: true, force: true });
  if (started) sh('sh', 'scripts/orthanc.sh', 'stop');
}
