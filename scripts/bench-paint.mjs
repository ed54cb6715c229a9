// `npm run bench:paint`: bundles scripts/bench-paint-page.ts with Vite, opens it in headless Chromium
// and prints JSON figures (fps while painting, undo latency) with a full-redraw baseline from the same run;
// with BENCH_APP_URL set it also paints in the running app (scripts/bench-paint-app.mjs): fps, p95 frame
// time and longest main-thread task while a model run is in flight vs idle, and undo latency.
// BENCH_SCANS (default 3): scans whose in-flight runs are painted over.
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from '@playwright/test';
import { benchApp } from './bench-paint-app.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(join(tmpdir(), 'bench-paint-'));
try {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      outDir: out,
      emptyOutDir: true,
      minify: true,
      lib: { entry: join(root, 'scripts/bench-paint-page.ts'), formats: ['iife'], name: 'BenchPaintPage', fileName: () => 'bench.js' },
    },
  });
  const script = join(out, readdirSync(out).find((f) => f.endsWith('.js')));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1100 } });
    await page.setContent('<!doctype html><html><body style="margin:0"></body></html>');
    await page.addScriptTag({ path: script });
    const result = await page.evaluate(() => window.benchPaint());
    const app = process.env.BENCH_APP_URL ? await benchApp(browser, process.env.BENCH_APP_URL, { scans: Number(process.env.BENCH_SCANS ?? 3) }) : undefined;
    const machine = { cpus: cpus().length, loadAverage: loadavg().map((x) => +x.toFixed(2)), date: new Date().toISOString() };
    console.log(JSON.stringify({ bench: 'paint', machine, ...result, speedup: +(result.paint.fps / result.baseline.fps).toFixed(2), ...(app ? { app } : {}) }, null, 2));
  } finally {
    await browser.close();
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
