#!/usr/bin/env node
// npm run bench: builds the app (unless --no-build), serves it with `vite preview`, drives headless
// Chromium on the engine harness page and prints JSON medians for the full-size random-weight
// CLIPSeg-rd64 bundles in models/bench/ and for the shipped compact model; the same JSON goes to
// bench/results/<date>-<name>.json with the date, os.loadavg() at start and end, nproc, the command and
// the git commit (commit the files that back a figure quoted anywhere: README, a manifest's note).
// Headline (clipsegRd64): the split bundle with the engine's defaults (the variant it picks for WASM and
// its thread layout, src/worker/engineDefaults.ts) against the single-graph baseline, same run.
// Unless --quick: every WASM variant of the split bundle x every thread layout (LAYOUTS: the vision graph
// in its own worker with the prompt graphs on half the threads, or one runtime with every graph on all
// threads), each in its own page, all loaded first and then measured round-robin with the single graph
// (every cell sees the same machine load), and `choice`, the cell the engine's defaults should be
// (engineDefaultIsChoice says whether they are); the compact model under both layouts too (whatever
// decoder inputs its manifest declares). Medians and minima (best of the runs) are both reported.
// --webgpu adds a `webgpu` section measured in a Chromium launched with --enable-unsafe-webgpu: on a
// machine without a GPU its adapter is SwiftShader (software; the JSON says so and such figures say
// nothing about GPU speed, only that the path runs and what it computes).
// Compact v2 (issue 11, decoder at prompt speed): the shipped trained v2 (models/compact-vlsm-v2), or else a
//   random-weight export when models/bench/compact-v2-random exists (cd models && python -m vlsm.export_compact
//   --random-init --out bench/compact-v2-random --id compact-v2-random): `compactV2` measures it in the same run
//   as the shipped default compact model, with the issue's targets (`weights` says which).
//   --compact-only measures just the two compact models (no rd64 bundles needed), result name <name>-compact.
// Options: --runs N (default 10), --threads N (default min(cores, 4), as the engine), --name NAME (result
//   file name, default engine), --no-build, --port P, --quick (skip the comparison runs), --webgpu,
//   --webgpu-only (skip the WASM runs), --webgpu-runs N (default: --runs with a hardware adapter, 3 with a
//   software one), --webgpu-full (the rd64 bundles on a software adapter too).
// Run it with `nice -n 0` at a quiet moment (see `uptime`): the load is recorded, not corrected for.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, getPriority, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Math.max(10, Number(opt('--runs', 10)));
const PORT = Number(opt('--port', 4190));
// WASM threads, as the engine's default (min(cores, 4)).
const THREADS = Number(opt('--threads', Math.min(cpus().length, 4)));
const NAME = opt('--name', 'engine');
// Image encodes per comparison cell (the headline runs --runs): the choice is made on prompt times.
const CELL_ENCODES = Number(opt('--cell-encodes', 3));
const QUICK = args.includes('--quick');
const WEBGPU_ONLY = args.includes('--webgpu-only');
const WEBGPU = WEBGPU_ONLY || args.includes('--webgpu');
const WEBGPU_FULL = args.includes('--webgpu-full');
const COMPACT_ONLY = args.includes('--compact-only');
const COMPACT_V2 = opt('--v2', existsSync('models/compact-vlsm-v2/manifest.json') ? 'models/compact-vlsm-v2' : 'models/bench/compact-v2-random');
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
const osPriority = () => getPriority();

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
const launch = async (extra = []) => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...FLAGS, ...extra] });
  out.chromium ??= browser.version();
  return browser;
};

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

const loadIn = (p, ref, o) => p.evaluate(([r, x]) => window.__vlsmEngine.load(r, x), [ref, o]);
const segmentIn = (p, prompt) => p.evaluate(([x]) => window.__vlsmEngine.segment('scan-0', x), [prompt]);

/** A split bundle loaded in its own page; the steps below record into it, digestSplit sums it up. */
async function openSplit(browser, ref, { variant, backend = 'wasm', threads = THREADS, promptThreads } = {}) {
  const { p, ctx } = await page(browser);
  const t0 = Date.now();
  const info = await loadIn(p, ref, { backendPreference: backend, variant, numThreads: threads, promptThreads });
  return { p, ctx, info, modelLoadMs: Date.now() - t0, enc: [], fresh: [], repeat: [] };
}
const encodeStep = async (st, i) => st.enc.push(await st.p.evaluate(([id, w, h]) => window.__vlsmEngine.encodeSynthetic(id, w, h), [`scan-${i}`, SCAN.width, SCAN.height]));
const warmStep = (st) => segmentIn(st.p, 'warm-up prompt');
const freshStep = async (st, prompt) => st.fresh.push(await segmentIn(st.p, prompt));
const repeatStep = async (st) => st.repeat.push(await segmentIn(st.p, 'polyp'));

async function digestSplit(st) {
  const { info, enc, fresh, repeat } = st;
  const peakMemoryBytes = await memory(st.p);
  await st.ctx.close();
  const m = (xs, f) => round(median(xs.map(f)));
  const lo = (xs, f) => round(Math.min(...xs.map(f)));
  return {
    modelId: info.modelId, variant: info.variant, backend: info.backend, threads: info.threads, promptThreads: info.promptThreads, visionWorker: info.visionWorker, reason: info.reason,
    modelLoadMs: st.modelLoadMs, imageEncodeMs: m(enc, (e) => e.wallMs), visionMs: m(enc, (e) => e.visionMs),
    newPromptMs: m(fresh, (r) => r.wallMs), newPromptTextMs: m(fresh, (r) => r.timings.textMs), newPromptDecoderMs: m(fresh, (r) => r.timings.decoderMs),
    repeatPromptMs: m(repeat, (r) => r.wallMs), repeatDecoderMs: m(repeat, (r) => r.timings.decoderMs),
    imageEncodeMinMs: lo(enc, (e) => e.wallMs), newPromptMinMs: lo(fresh, (r) => r.wallMs), repeatPromptMinMs: lo(repeat, (r) => r.wallMs),
    preMs: m(enc, (e) => e.preMs), postMs: m([...fresh, ...repeat], (r) => r.timings.postMs),
    cacheCheck: { newPrompt: fresh[0].cache, repeatPrompt: repeat[0].cache },
    encodes: enc.length, runs: fresh.length, peakMemoryBytes,
  };
}

/** Split bundle: load, encode `encodes` scans, `runs` new prompts and `runs` repeats on one scan. */
async function measureSplit(browser, ref, { encodes = RUNS, runs = RUNS, ...o } = {}) {
  const st = await openSplit(browser, ref, o);
  for (let i = 0; i < encodes; i++) await encodeStep(st, i);
  await warmStep(st);
  for (const pr of prompts(runs).slice(0, runs)) await freshStep(st, pr);
  for (let i = 0; i < runs; i++) await repeatStep(st);
  return digestSplit(st);
}

/** Single-graph baseline in its own page: every prompt runs the whole model. */
async function openSingle(browser, ref, { variant, backend = 'wasm', threads = THREADS } = {}) {
  const { p, ctx } = await page(browser);
  const t0 = Date.now();
  const info = await loadIn(p, ref, { backendPreference: backend, variant, numThreads: threads });
  const modelLoadMs = Date.now() - t0;
  await p.evaluate(([w, h]) => window.__vlsmEngine.encodeSynthetic('scan-0', w, h), [SCAN.width, SCAN.height]);
  await segmentIn(p, 'warm-up prompt');
  return { p, ctx, info, modelLoadMs, res: [] };
}
const singleStep = async (st, prompt) => st.res.push(await segmentIn(st.p, prompt));
async function digestSingle(st) {
  const peakMemoryBytes = await memory(st.p);
  await st.ctx.close();
  const { info, res } = st;
  const ms = res.map((r) => r.wallMs);
  return { modelId: info.modelId, variant: info.variant, backend: info.backend, threads: info.threads, modelLoadMs: st.modelLoadMs, promptMs: round(median(ms)), promptMinMs: round(Math.min(...ms)), runs: res.length, peakMemoryBytes };
}

async function measureSingle(browser, ref, { runs = RUNS, ...o } = {}) {
  const st = await openSingle(browser, ref, o);
  for (const pr of prompts(runs).slice(0, runs)) await singleStep(st, pr);
  return digestSingle(st);
}

/** Rotates a list by i, so no page is always first (or last) in a round. */
const rotate = (xs, i) => xs.map((_, k) => xs[(k + i) % xs.length]);

const summary = (s, singleMs, manifest, singleMin = null) => ({
  variant: s.variant,
  precisions: manifest ? precisionsOf(manifest, s.variant) : undefined,
  modelLoadMs: s.modelLoadMs,
  imageEncodeMs: s.imageEncodeMs,
  newPromptMs: s.newPromptMs,
  repeatPromptMs: s.repeatPromptMs,
  imageEncodeMinMs: s.imageEncodeMinMs,
  newPromptMinMs: s.newPromptMinMs,
  repeatPromptMinMs: s.repeatPromptMinMs,
  singleGraphPromptMs: singleMs,
  prePostMs: round(s.preMs + s.postMs),
  prePostShare: round((100 * (s.preMs + s.postMs)) / (s.visionMs + s.newPromptTextMs + s.newPromptDecoderMs)) / 100,
  peakMemoryBytes: s.peakMemoryBytes,
  speedup: singleMs ? round(singleMs / s.newPromptMs) : null,
  speedupMin: singleMin ? round(singleMin / s.newPromptMinMs) : null,
  backend: s.backend,
  threads: s.threads,
  promptThreads: s.promptThreads,
  detail: s,
});

const SPLIT_REF = { kind: 'url', baseUrl: `/${SPLIT}/` };
const SINGLE_REF = { kind: 'url', baseUrl: `/${SINGLE}/` };
const COMPACT_REF = { kind: 'shipped', id: 'compact-vlsm' };

/** The v2 compact architecture (the shipped trained v2, else random weights) against the default compact model, same browser, same run. */
async function compactV2Section(browser, out) {
  if (!existsSync(`${COMPACT_V2}/manifest.json`)) {
    out.compactV2 = { note: `${COMPACT_V2} not built: nothing measured` };
    return;
  }
  const manifest = JSON.parse(readFileSync(`${COMPACT_V2}/manifest.json`, 'utf8'));
  log(`compact v2 (fpn-film, ${COMPACT_V2})…`);
  const v2 = await measureSplit(browser, { kind: 'url', baseUrl: `/${COMPACT_V2}/` });
  const variant = manifest.variants.find((v) => v.name === v2.variant) ?? manifest.variants[0];
  const bundleBytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
  const variantBytes = [manifest.text.tokenizer, ...Object.values(variant.graphs).map((g) => g.file)].reduce((n, path) => n + (manifest.files.find((f) => f.path === path)?.bytes ?? 0), 0);
  out.compactV2 = {
    ...summary(v2, null, manifest),
    bundle: COMPACT_V2,
    weights: COMPACT_V2.includes('random') ? 'random' : 'trained',
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

/** Thread layouts compared for a split bundle on WASM with THREADS threads (the engine's promptThreads). */
const LAYOUTS = {
  // The vision graph in its own worker (its own onnxruntime-web instance, THREADS threads), the small
  // prompt graphs in the inference worker on half the threads.
  visionWorkerHalfPrompt: Math.max(1, Math.floor(THREADS / 2)),
  // One onnxruntime-web instance: every graph on THREADS threads, no vision worker.
  sharedAllThreads: THREADS,
};

/** The cell to make the engine's default: the least newPromptMinMs + repeatPromptMinMs, the best of the
 * interleaved runs (on a shared, loaded machine the best run is the one least disturbed, the closest to a
 * quiet machine; medians are reported beside them). A prompting session is new prompts and repeats; the
 * image encode runs once per scan and is reported too. */
function choose(cells) {
  const score = (c) => c.newPromptMinMs + c.repeatPromptMinMs;
  const best = cells.reduce((a, c) => (score(c) < score(a) ? c : a));
  const fastestEncode = Math.min(...cells.map((c) => c.imageEncodeMinMs));
  return {
    variant: best.variant,
    layout: best.layout,
    promptThreads: best.promptThreads,
    precisions: best.precisions,
    rule: 'least newPromptMinMs + repeatPromptMinMs (best of the interleaved runs) over every WASM variant x thread layout of the split bundle, same run',
    imageEncodeMinMs: best.imageEncodeMinMs,
    imageEncodeVsFastest: round(best.imageEncodeMinMs / fastestEncode),
  };
}

const layoutOf = (promptThreads) => Object.entries(LAYOUTS).find(([, t]) => t === promptThreads)?.[0] ?? `promptThreads${promptThreads}`;

async function wasmSection(out) {
  const browser = await launch();
  try {
    // Every page is loaded first, then image encodes and prompts go round-robin over the pages (the
    // single graph included), rotating the order each round: every cell sees the same machine load.
    log(`CLIPSeg-rd64 single graph, int8, ${THREADS} threads: loading…`);
    const singleSt = await openSingle(browser, SINGLE_REF, { variant: 'wasm-int8' });
    log("CLIPSeg-rd64 split, the engine's defaults (variant, thread layout): loading…");
    const cells = [await openSplit(browser, SPLIT_REF)];
    const dflt = cells[0].info;
    if (!QUICK) {
      for (const v of splitManifest.variants.filter((x) => x.backends.includes('wasm') && x.name.startsWith('wasm-'))) {
        for (const [layout, promptThreads] of Object.entries(LAYOUTS)) {
          if (v.name === dflt.variant && promptThreads === dflt.promptThreads) continue;
          log(`split ${v.name} (${JSON.stringify(precisionsOf(splitManifest, v.name))}), ${layout}: loading…`);
          cells.push(await openSplit(browser, SPLIT_REF, { variant: v.name, promptThreads }));
        }
      }
    }
    log(`${cells.length} split pages + the single graph: ${RUNS} image encodes each, round-robin…`);
    for (let i = 0; i < RUNS; i++) for (const st of rotate(cells, i)) await encodeStep(st, i);
    for (const st of cells) await warmStep(st);
    log(`${RUNS} rounds of a new prompt (+ a repeated one) on every page…`);
    const ps = prompts(RUNS);
    const pages = [singleSt, ...cells];
    for (let i = 0; i < RUNS; i++) {
      for (const st of rotate(pages, i)) {
        if (st === singleSt) await singleStep(st, ps[i]);
        else {
          await freshStep(st, ps[i]);
          await repeatStep(st);
        }
      }
    }
    const single = await digestSingle(singleSt);
    const digests = [];
    for (const st of cells) digests.push(await digestSplit(st));
    const split = digests[0];
    const matrix = digests.map((d) => ({ layout: layoutOf(d.promptThreads), ...summary(d, single.promptMs, splitManifest, single.promptMinMs), detail: undefined }));
    out.clipsegRd64 = { ...summary(split, single.promptMs, splitManifest, single.promptMinMs), layout: layoutOf(split.promptThreads), precisionChoice: splitManifest.modelCard.precisionChoice ?? null, singleGraph: single };
    if (!QUICK) {
      out.clipsegRd64.matrix = matrix;
      out.clipsegRd64.choice = choose(matrix);
      const d = out.clipsegRd64;
      out.clipsegRd64.engineDefaultIsChoice = d.variant === d.choice.variant && d.promptThreads === d.choice.promptThreads;
    }
    // The compact model: whatever graphs and decoder inputs its manifest declares (the engine feeds them).
    log('compact default model, engine defaults…');
    const compact = await measureSplit(browser, COMPACT_REF);
    out.compactVlsm = { ...summary(compact, null, compactManifest), layout: layoutOf(compact.promptThreads), speedupVsReencode: round((compact.imageEncodeMs + compact.newPromptMs) / compact.newPromptMs) };
    if (!QUICK) {
      out.compactVlsm.layouts = {};
      for (const [layout, promptThreads] of Object.entries(LAYOUTS)) {
        let s = compact;
        if (promptThreads !== compact.promptThreads) {
          log(`compact default model, ${layout}…`);
          s = await measureSplit(browser, COMPACT_REF, { promptThreads, encodes: CELL_ENCODES });
        }
        out.compactVlsm.layouts[layout] = { promptThreads: s.promptThreads, visionWorker: s.visionWorker, imageEncodeMs: s.imageEncodeMs, newPromptMs: s.newPromptMs, repeatPromptMs: s.repeatPromptMs, newPromptMinMs: s.newPromptMinMs, repeatPromptMinMs: s.repeatPromptMinMs };
      }
    }
    await compactV2Section(browser, out);
    const c = out.clipsegRd64;
    out.targets = {
      speedupAtLeast12x: c.speedup >= 12,
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

const git = (...a) => spawnSync('git', a, { encoding: 'utf8' }).stdout.trim();
const out = {
  name: NAME,
  date: new Date().toISOString(),
  command: `nice -n ${osPriority()} npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
  gitCommit: git('rev-parse', 'HEAD'),
  gitDirty: git('status', '--porcelain', '--untracked-files=no') !== '',
  nproc: cpus().length,
  cpuModel: cpus()[0]?.model ?? null,
  loadAverageAtStart: loadavg().map(round),
  onnxruntimeWeb: JSON.parse(readFileSync('node_modules/onnxruntime-web/package.json', 'utf8')).version,
  chromium: null,
  threads: THREADS,
  runs: RUNS,
  scan: SCAN,
};
try {
  if (COMPACT_ONLY) await compactOnlySection(out);
  else if (!WEBGPU_ONLY) await wasmSection(out);
  if (WEBGPU) await webgpuSection(out);
  out.loadAverageAtEnd = loadavg().map(round);
  out.note = 'medians over runs; load averages are os.loadavg() (1, 5, 15 min) at the start and end of the run; memory: performance.measureUserAgentSpecificMemory() after the runs (page + workers), not a true peak';
} finally {
  stop();
}
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/${out.date.slice(0, 10)}-${NAME}${COMPACT_ONLY ? '-compact' : WEBGPU_ONLY ? '-webgpu' : ''}.json`;
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
log(`wrote ${file}`);
console.log(JSON.stringify(out, null, 2));
