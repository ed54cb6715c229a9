#!/usr/bin/env node
// npm run bench: builds the app (unless --no-build), serves it with `vite preview`, drives headless
// Chromium on the engine harness page and prints JSON medians for the full-size random-weight
// CLIPSeg-rd64 bundles in models/bench/ (split wasm-int8 vs the single-graph baseline, WASM, 2 threads:
// the vision graph in its own 2-thread runtime, prompt graphs on 1 thread; compared with prompt graphs
// on 2 threads and with an int8 decoder) and for the shipped compact model.
// Options: --runs N (default 10), --no-build, --port P, --quick (skip the extra thread/variant runs).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { cpus, loadavg } from 'node:os';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Math.max(10, Number(opt('--runs', 10)));
const PORT = Number(opt('--port', 4190));
const QUICK = args.includes('--quick');
const SPLIT = 'models/bench/clipseg-rd64-random';
const SINGLE = 'models/bench/clipseg-rd64-random-single';
const SCAN = { width: 640, height: 480 }; // about the size of a Kvasir frame
const PROMPTS = Array.from({ length: RUNS + 1 }, (_, i) =>
  ['polyp', 'a small pink polyp', 'one large red round polyp in the centre', 'ulcer on the left', 'tumour'][i % 5] + (i >= 5 ? ` ${i}` : ''),
);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};
const round = (x) => (x == null ? null : Math.round(x * 10) / 10);
const log = (...m) => console.error('[bench]', ...m);

if (!existsSync(`${SPLIT}/manifest.json`) || !existsSync(`${SINGLE}/manifest.json`)) {
  console.error(
    `The benchmark bundles are missing (${SPLIT}, ${SINGLE}).\n` +
      'Make them with the Python toolchain (random weights, nothing downloaded, ~2 GB on disk):\n' +
      '  cd models && python -m vlsm.bench_models --out bench\n' +
      '(or: python -m vlsm.bench_models --out models/bench from the repo root, with PYTHONPATH=models)',
  );
  process.exit(2);
}

if (!args.includes('--no-build') || !existsSync('dist/index.html')) {
  log('building the app (vite build)…');
  const b = spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const server = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
const stop = () => {
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
};
process.on('exit', stop);
const base = `http://127.0.0.1:${PORT}`;
for (let i = 0; i < 100; i++) {
  if (await fetch(base).then((r) => r.ok, () => false)) break;
  await new Promise((r) => setTimeout(r, 300));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-features=SharedArrayBuffer'],
});

async function page() {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  p.on('pageerror', (e) => log('page error', e.message));
  await p.goto(`${base}/src/worker/harness/engine.html`);
  await p.waitForFunction(() => window.__vlsmEngine !== undefined);
  if (!(await p.evaluate(() => window.__vlsmEngine.crossOriginIsolated()))) throw new Error('harness page is not cross-origin isolated');
  return { p, ctx };
}

async function memory(p) {
  return p
    .evaluate(async () => {
      const m = performance.measureUserAgentSpecificMemory ? await performance.measureUserAgentSpecificMemory() : null;
      return m ? m.bytes : null;
    })
    .catch(() => null);
}

/** Split bundle: load, encode RUNS scans, RUNS new prompts and RUNS repeats on one scan. */
async function measureSplit(ref, variant, threads, { encodes = RUNS, promptThreads = 1 } = {}) {
  const { p, ctx } = await page();
  const t0 = Date.now();
  const info = await p.evaluate(([r, v, t, pt]) => window.__vlsmEngine.load(r, { backendPreference: 'wasm', variant: v, numThreads: t, promptThreads: pt }), [ref, variant, threads, promptThreads]);
  const modelLoadMs = Date.now() - t0;
  const enc = [];
  for (let i = 0; i < encodes; i++) enc.push(await p.evaluate(([id, w, h]) => window.__vlsmEngine.encodeSynthetic(id, w, h), [`scan-${i}`, SCAN.width, SCAN.height]));
  await p.evaluate(() => window.__vlsmEngine.segment('scan-0', 'warm-up prompt'));
  const fresh = [];
  for (let i = 0; i < RUNS; i++) fresh.push(await p.evaluate(([pr]) => window.__vlsmEngine.segment('scan-0', pr), [PROMPTS[i]]));
  const repeat = [];
  for (let i = 0; i < RUNS; i++) repeat.push(await p.evaluate(() => window.__vlsmEngine.segment('scan-0', 'polyp')));
  const peakMemoryBytes = await memory(p);
  await ctx.close();
  const m = (xs, f) => round(median(xs.map(f)));
  return {
    modelId: info.modelId, variant: info.variant, backend: info.backend, threads: info.threads, promptThreads: info.promptThreads, visionWorker: info.visionWorker, reason: info.reason,
    modelLoadMs, imageEncodeMs: m(enc, (e) => e.wallMs), visionMs: m(enc, (e) => e.visionMs),
    newPromptMs: m(fresh, (r) => r.wallMs), newPromptTextMs: m(fresh, (r) => r.timings.textMs), newPromptDecoderMs: m(fresh, (r) => r.timings.decoderMs),
    repeatPromptMs: m(repeat, (r) => r.wallMs), repeatDecoderMs: m(repeat, (r) => r.timings.decoderMs),
    preMs: m(enc, (e) => e.preMs), postMs: m(fresh, (r) => r.timings.postMs),
    cacheCheck: { newPrompt: fresh[0].cache, repeatPrompt: repeat[0].cache },
    peakMemoryBytes,
  };
}

/** Single-graph baseline: every prompt runs the whole model. */
async function measureSingle(ref, variant, threads) {
  const { p, ctx } = await page();
  const t0 = Date.now();
  const info = await p.evaluate(([r, v, t]) => window.__vlsmEngine.load(r, { backendPreference: 'wasm', variant: v, numThreads: t }), [ref, variant, threads]);
  const modelLoadMs = Date.now() - t0;
  await p.evaluate(([w, h]) => window.__vlsmEngine.encodeSynthetic('scan-0', w, h), [SCAN.width, SCAN.height]);
  await p.evaluate(() => window.__vlsmEngine.segment('scan-0', 'warm-up prompt'));
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await p.evaluate(([pr]) => window.__vlsmEngine.segment('scan-0', pr), [PROMPTS[i]]));
  const peakMemoryBytes = await memory(p);
  await ctx.close();
  return { modelId: info.modelId, variant: info.variant, threads: info.threads, modelLoadMs, promptMs: round(median(runs.map((r) => r.wallMs))), peakMemoryBytes };
}

const summary = (s, singleMs) => ({
  modelLoadMs: s.modelLoadMs,
  imageEncodeMs: s.imageEncodeMs,
  newPromptMs: s.newPromptMs,
  repeatPromptMs: s.repeatPromptMs,
  singleGraphPromptMs: singleMs,
  prePostMs: round(s.preMs + s.postMs),
  prePostShare: round((100 * (s.preMs + s.postMs)) / (s.visionMs + s.newPromptTextMs + s.newPromptDecoderMs)) / 100,
  peakMemoryBytes: s.peakMemoryBytes,
  speedup: singleMs ? round(singleMs / s.newPromptMs) : null,
  backend: s.backend,
  threads: s.threads,
  promptThreads: s.promptThreads,
  detail: s,
});

const out = { runs: RUNS, scan: SCAN, date: new Date().toISOString(), cpus: cpus().length, loadAverageAtStart: loadavg().map(round) };
try {
  log('CLIPSeg-rd64 split, wasm-int8 (int8 vision + text, fp32 decoder), vision 2 threads in its own worker, prompts 1 thread…');
  const split = await measureSplit({ kind: 'url', baseUrl: `/${SPLIT}/` }, 'wasm-int8', 2);
  log('CLIPSeg-rd64 single graph, int8, 2 threads…');
  const single = await measureSingle({ kind: 'url', baseUrl: `/${SINGLE}/` }, 'wasm-int8', 2);
  out.clipsegRd64 = { ...summary(split, single.promptMs), singleGraph: single };
  if (!QUICK) {
    log('prompt graphs with 2 threads (one runtime instance), and the all-int8 variant…');
    const two = await measureSplit({ kind: 'url', baseUrl: `/${SPLIT}/` }, 'wasm-int8', 2, { encodes: 3, promptThreads: 2 });
    const allInt8 = await measureSplit({ kind: 'url', baseUrl: `/${SPLIT}/` }, 'wasm-int8-all', 2, { encodes: 1 });
    out.clipsegRd64.promptThreads2 = { imageEncodeMs: two.imageEncodeMs, newPromptMs: two.newPromptMs, repeatPromptMs: two.repeatPromptMs, speedup: round(single.promptMs / two.newPromptMs) };
    out.clipsegRd64.int8Decoder = { newPromptMs: allInt8.newPromptMs, repeatPromptMs: allInt8.repeatPromptMs };
  }
  log('compact default model…');
  const compact = await measureSplit({ kind: 'shipped', id: 'compact-vlsm' }, undefined, 2);
  out.compactVlsm = {
    ...summary(compact, null),
    speedupVsReencode: round((compact.imageEncodeMs + compact.newPromptMs) / compact.newPromptMs),
  };
  const c = out.clipsegRd64;
  out.targets = {
    speedupAtLeast10x: c.speedup >= 10,
    repeatPromptAtMost50ms: c.repeatPromptMs <= 50,
    prePostAtMost10PercentOfModelTime: c.prePostShare <= 0.1,
  };
  out.loadAverageAtEnd = loadavg().map(round);
  out.note = 'memory: performance.measureUserAgentSpecificMemory() after the runs (page + workers), not a true peak';
} finally {
  await browser.close();
  stop();
}
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/bench.json', JSON.stringify(out, null, 2));
console.log(JSON.stringify(out, null, 2));
