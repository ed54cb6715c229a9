#!/usr/bin/env node
// npm run bench: builds the app (unless --no-build), serves it with `vite preview`, drives headless
// Chromium on the engine harness page and prints JSON medians for the full-size random-weight
// CLIPSeg-rd64 bundles in models/bench/ and for the shipped compact model.
// Headline (clipsegRd64): the split bundle's variant the engine picks for WASM (wasm-int8: every graph
// int8, chosen by measurement, see its manifest's modelCard.precisionChoice) against the single-graph
// baseline, WASM, 2 threads: the vision graph in its own 2-thread runtime, prompt graphs on 1 thread.
// Compared in the same run: the other WASM variants of the bundle (wasm-int8-fp32-decoder) and prompt
// graphs on 2 threads. --webgpu adds a `webgpu` section measured in a Chromium launched with
// --enable-unsafe-webgpu: on a machine without a GPU its adapter is SwiftShader (software; the JSON says
// so and such figures say nothing about GPU speed, only that the path runs and what it computes).
// Compact v2 (issue 11, decoder at prompt speed): when models/bench/compact-v2-random exists (random weights:
//   cd models && python -m vlsm.export_compact --random-init --out bench/compact-v2-random --id compact-v2-random),
//   `compactV2Random` measures it in the same run as the shipped compact model, with the targets.
//   --compact-only measures just the two compact models (no rd64 bundles needed) and writes
//   bench-results/bench-compact.json.
// Options: --runs N (default 10), --no-build, --port P, --quick (skip the comparison runs),
//   --webgpu, --webgpu-only (skip the WASM runs), --webgpu-runs N (default: --runs with a hardware
//   adapter, 3 with a software one), --webgpu-full (the rd64 bundles on a software adapter too).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Math.max(10, Number(opt('--runs', 10)));
const PORT = Number(opt('--port', 4190));
const QUICK = args.includes('--quick');
const WEBGPU_ONLY = args.includes('--webgpu-only');
const WEBGPU = WEBGPU_ONLY || args.includes('--webgpu');
const WEBGPU_FULL = args.includes('--webgpu-full');
const COMPACT_ONLY = args.includes('--compact-only');
const COMPACT_V2 = 'models/bench/compact-v2-random';
const SPLIT = 'models/bench/clipseg-rd64-random';
const SINGLE = 'models/bench/clipseg-rd64-random-single';
const SCAN = { width: 640, height: 480 }; // about the size of a Kvasir frame
// Its own build folder, so a build of dist/ elsewhere cannot swap files under a running benchmark.
const OUT_DIR = join(tmpdir(), `vlsm-bench-dist-${PORT}`);
const prompts = (n) =>
  Array.from({ length: n + 1 }, (_, i) => ['polyp', 'a small pink polyp', 'one large red round polyp in the centre', 'ulcer on the left', 'tumour'][i % 5] + (i >= 5 ? ` ${i}` : ''));

const median = (xs) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};
const round = (x) => (x == null ? null : Math.round(x * 10) / 10);
const log = (...m) => console.error('[bench]', ...m);

if (!COMPACT_ONLY && (!existsSync(`${SPLIT}/manifest.json`) || !existsSync(`${SINGLE}/manifest.json`))) {
  console.error(
    `The benchmark bundles are missing (${SPLIT}, ${SINGLE}).\n` +
      'Make them with the Python toolchain in .venv (random weights, nothing downloaded, ~2 GB on disk;\n' +
      'sh scripts/test-py.sh builds .venv):\n' +
      '  cd models && ../.venv/bin/python -m vlsm.bench_models --out bench',
  );
  process.exit(2);
}
const splitManifest = COMPACT_ONLY ? null : JSON.parse(readFileSync(`${SPLIT}/manifest.json`, 'utf8'));
const compactManifest = JSON.parse(readFileSync('models/compact-vlsm/manifest.json', 'utf8'));
const precisionsOf = (manifest, variant) =>
  Object.fromEntries(Object.entries(manifest.variants.find((v) => v.name === variant)?.graphs ?? {}).map(([g, s]) => [g, s.precision]));

if (!args.includes('--no-build') || !existsSync(join(OUT_DIR, 'index.html'))) {
  log(`building the app (vite build into ${OUT_DIR})…`);
  const b = spawnSync('npx', ['vite', 'build', '--mode', 'test', '--logLevel', 'error', '--outDir', OUT_DIR, '--emptyOutDir'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const server = spawn('npx', ['vite', 'preview', '--outDir', OUT_DIR, '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
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

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-features=SharedArrayBuffer'];
const launch = (extra = []) => chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...FLAGS, ...extra] });

async function page(browser) {
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

/** Split bundle: load, encode `encodes` scans, `runs` new prompts and `runs` repeats on one scan. */
async function measureSplit(browser, ref, { variant, backend = 'wasm', threads = 2, encodes = RUNS, runs = RUNS, promptThreads } = {}) {
  const { p, ctx } = await page(browser);
  const t0 = Date.now();
  const info = await p.evaluate(([r, o]) => window.__vlsmEngine.load(r, o), [ref, { backendPreference: backend, variant, numThreads: threads, promptThreads }]);
  const modelLoadMs = Date.now() - t0;
  const enc = [];
  for (let i = 0; i < encodes; i++) enc.push(await p.evaluate(([id, w, h]) => window.__vlsmEngine.encodeSynthetic(id, w, h), [`scan-${i}`, SCAN.width, SCAN.height]));
  await p.evaluate(() => window.__vlsmEngine.segment('scan-0', 'warm-up prompt'));
  const fresh = [];
  for (const pr of prompts(runs).slice(0, runs)) fresh.push(await p.evaluate(([x]) => window.__vlsmEngine.segment('scan-0', x), [pr]));
  const repeat = [];
  for (let i = 0; i < runs; i++) repeat.push(await p.evaluate(() => window.__vlsmEngine.segment('scan-0', 'polyp')));
  const peakMemoryBytes = await memory(p);
  await ctx.close();
  const m = (xs, f) => round(median(xs.map(f)));
  return {
    modelId: info.modelId, variant: info.variant, backend: info.backend, threads: info.threads, promptThreads: info.promptThreads, visionWorker: info.visionWorker, reason: info.reason,
    modelLoadMs, imageEncodeMs: m(enc, (e) => e.wallMs), visionMs: m(enc, (e) => e.visionMs),
    newPromptMs: m(fresh, (r) => r.wallMs), newPromptTextMs: m(fresh, (r) => r.timings.textMs), newPromptDecoderMs: m(fresh, (r) => r.timings.decoderMs),
    repeatPromptMs: m(repeat, (r) => r.wallMs), repeatDecoderMs: m(repeat, (r) => r.timings.decoderMs),
    preMs: m(enc, (e) => e.preMs), postMs: m([...fresh, ...repeat], (r) => r.timings.postMs),
    cacheCheck: { newPrompt: fresh[0].cache, repeatPrompt: repeat[0].cache },
    encodes, runs, peakMemoryBytes,
  };
}

/** Single-graph baseline: every prompt runs the whole model. */
async function measureSingle(browser, ref, { variant, backend = 'wasm', threads = 2, runs = RUNS } = {}) {
  const { p, ctx } = await page(browser);
  const t0 = Date.now();
  const info = await p.evaluate(([r, o]) => window.__vlsmEngine.load(r, o), [ref, { backendPreference: backend, variant, numThreads: threads }]);
  const modelLoadMs = Date.now() - t0;
  await p.evaluate(([w, h]) => window.__vlsmEngine.encodeSynthetic('scan-0', w, h), [SCAN.width, SCAN.height]);
  await p.evaluate(() => window.__vlsmEngine.segment('scan-0', 'warm-up prompt'));
  const res = [];
  for (const pr of prompts(runs).slice(0, runs)) res.push(await p.evaluate(([x]) => window.__vlsmEngine.segment('scan-0', x), [pr]));
  const peakMemoryBytes = await memory(p);
  await ctx.close();
  return { modelId: info.modelId, variant: info.variant, backend: info.backend, threads: info.threads, modelLoadMs, promptMs: round(median(res.map((r) => r.wallMs))), runs, peakMemoryBytes };
}

const summary = (s, singleMs, manifest) => ({
  variant: s.variant,
  precisions: manifest ? precisionsOf(manifest, s.variant) : undefined,
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

const SPLIT_REF = { kind: 'url', baseUrl: `/${SPLIT}/` };
const SINGLE_REF = { kind: 'url', baseUrl: `/${SINGLE}/` };
const COMPACT_REF = { kind: 'shipped', id: 'compact-vlsm' };

/** The v2 compact architecture (random weights) against the shipped compact model, same browser, same run. */
async function compactV2Section(browser, out) {
  if (!existsSync(`${COMPACT_V2}/manifest.json`)) {
    out.compactV2Random = { note: `${COMPACT_V2} not built: nothing measured` };
    return;
  }
  const manifest = JSON.parse(readFileSync(`${COMPACT_V2}/manifest.json`, 'utf8'));
  log('compact v2 (fpn-film, random weights)…');
  const v2 = await measureSplit(browser, { kind: 'url', baseUrl: `/${COMPACT_V2}/` });
  const variant = manifest.variants.find((v) => v.name === v2.variant) ?? manifest.variants[0];
  const bundleBytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
  const variantBytes = [manifest.text.tokenizer, ...Object.values(variant.graphs).map((g) => g.file)].reduce((n, path) => n + (manifest.files.find((f) => f.path === path)?.bytes ?? 0), 0);
  out.compactV2Random = {
    ...summary(v2, null, manifest),
    architecture: manifest.architecture,
    decoderInputs: variant.graphs.decoder.inputs.map((i) => `${i.name} [${i.shape.join(',')}]`),
    bundleBytes,
    variantBytes,
    vsShippedCompact: out.compactVlsm ? { newPrompt: round(out.compactVlsm.newPromptMs / v2.newPromptMs), repeatPrompt: round(out.compactVlsm.repeatPromptMs / v2.repeatPromptMs), imageEncode: round(out.compactVlsm.imageEncodeMs / v2.imageEncodeMs) } : null,
    targets: { newPromptAtMost40ms: v2.newPromptMs <= 40, repeatPromptAtMost30ms: v2.repeatPromptMs <= 30, imageEncodeAtMost150ms: v2.imageEncodeMs <= 150, bundleAtMost25MB: bundleBytes <= 25e6 },
  };
}

async function compactOnlySection(out) {
  const browser = await launch();
  try {
    log('compact default model…');
    const compact = await measureSplit(browser, COMPACT_REF);
    out.compactVlsm = { ...summary(compact, null, compactManifest), speedupVsReencode: round((compact.imageEncodeMs + compact.newPromptMs) / compact.newPromptMs) };
    await compactV2Section(browser, out);
  } finally {
    await browser.close();
  }
}

async function wasmSection(out) {
  const browser = await launch();
  try {
    log('CLIPSeg-rd64 single graph, int8, 2 threads…');
    const single = await measureSingle(browser, SINGLE_REF, { variant: 'wasm-int8' });
    log("CLIPSeg-rd64 split, the engine's WASM variant, vision 2 threads in its own worker, prompts 1 thread…");
    const split = await measureSplit(browser, SPLIT_REF);
    out.clipsegRd64 = { ...summary(split, single.promptMs, splitManifest), precisionChoice: splitManifest.modelCard.precisionChoice ?? null, singleGraph: single };
    if (!QUICK) {
      out.clipsegRd64.variants = {};
      const others = splitManifest.variants.filter((v) => v.backends.includes('wasm') && v.name !== split.variant && v.name.startsWith('wasm-'));
      for (const v of others) {
        log(`split variant ${v.name} (${JSON.stringify(precisionsOf(splitManifest, v.name))}), same threads…`);
        const s = await measureSplit(browser, SPLIT_REF, { variant: v.name, encodes: 3 });
        out.clipsegRd64.variants[v.name] = summary(s, single.promptMs, splitManifest);
      }
      log('prompt graphs with 2 threads (one runtime instance, no vision worker)…');
      const two = await measureSplit(browser, SPLIT_REF, { encodes: 3, promptThreads: 2 });
      out.clipsegRd64.promptThreads2 = { variant: two.variant, imageEncodeMs: two.imageEncodeMs, newPromptMs: two.newPromptMs, repeatPromptMs: two.repeatPromptMs, newPromptDecoderMs: two.newPromptDecoderMs, speedup: round(single.promptMs / two.newPromptMs) };
    }
    log('compact default model…');
    const compact = await measureSplit(browser, COMPACT_REF);
    out.compactVlsm = { ...summary(compact, null, compactManifest), speedupVsReencode: round((compact.imageEncodeMs + compact.newPromptMs) / compact.newPromptMs) };
    await compactV2Section(browser, out);
    const c = out.clipsegRd64;
    out.targets = {
      speedupAtLeast10x: c.speedup >= 10,
      repeatPromptAtMost50ms: c.repeatPromptMs <= 50,
      prePostAtMost10PercentOfModelTime: c.prePostShare <= 0.1,
    };
  } finally {
    await browser.close();
  }
}

async function webgpuSection(out) {
  const browser = await launch(['--enable-unsafe-webgpu']);
  try {
    const { p, ctx } = await page(browser);
    const adapter = await p.evaluate(async () => {
      const a = navigator.gpu ? await navigator.gpu.requestAdapter() : null;
      return a ? { vendor: a.info?.vendor ?? '', architecture: a.info?.architecture ?? '', description: a.info?.description ?? '', shaderF16: a.features.has('shader-f16') } : null;
    });
    await ctx.close();
    if (!adapter) {
      out.webgpu = { adapter: null, note: 'no WebGPU adapter in this Chromium: nothing measured' };
      return;
    }
    const software = /swiftshader|software|llvmpipe/i.test(`${adapter.vendor} ${adapter.architecture} ${adapter.description}`);
    const runs = Number(opt('--webgpu-runs', software ? 3 : RUNS));
    out.webgpu = {
      adapter: { ...adapter, software },
      runs,
      note: software
        ? `software adapter (${adapter.vendor} ${adapter.architecture}, CPU-emulated): shows the WebGPU path runs; says nothing about speed on a GPU. Medians over ${runs} runs.`
        : `hardware adapter; medians over ${runs} runs`,
    };
    log(`WebGPU (${adapter.vendor} ${adapter.architecture}${software ? ', software' : ''}): compact default model, ${runs} runs…`);
    const compact = await measureSplit(browser, COMPACT_REF, { backend: 'webgpu', encodes: runs, runs });
    out.webgpu.compactVlsm = { ...summary(compact, null, compactManifest), reason: compact.reason };
    if (!software || WEBGPU_FULL) {
      log('WebGPU: CLIPSeg-rd64 single graph and split…');
      const single = await measureSingle(browser, SINGLE_REF, { backend: 'webgpu', runs });
      const split = await measureSplit(browser, SPLIT_REF, { backend: 'webgpu', encodes: runs, runs });
      out.webgpu.clipsegRd64 = { ...summary(split, single.promptMs, splitManifest), reason: split.reason, singleGraph: single };
    }
  } finally {
    await browser.close();
  }
}

const out = { runs: RUNS, scan: SCAN, date: new Date().toISOString(), cpus: cpus().length, loadAverageAtStart: loadavg().map(round) };
try {
  if (COMPACT_ONLY) await compactOnlySection(out);
  else if (!WEBGPU_ONLY) await wasmSection(out);
  if (WEBGPU) await webgpuSection(out);
  out.loadAverageAtEnd = loadavg().map(round);
  out.note = 'memory: performance.measureUserAgentSpecificMemory() after the runs (page + workers), not a true peak';
} finally {
  stop();
}
mkdirSync('bench-results', { recursive: true });
writeFileSync(COMPACT_ONLY ? 'bench-results/bench-compact.json' : WEBGPU_ONLY ? 'bench-results/bench-webgpu.json' : 'bench-results/bench.json', JSON.stringify(out, null, 2));
console.log(JSON.stringify(out, null, 2));
