#!/usr/bin/env node
// node scripts/bench-tokenizer.mjs [--runs N] [--port P] [--name NAME]
// The CLIP tokeniser in a fresh Web Worker, as the inference worker uses it: bytes of JavaScript the worker
// loads, and the time from `new Worker` to the first token ids (module import, building the tokeniser from
// the bundle's own tokenizer.json, first encode), per candidate, in headless Chromium:
// - handwritten: src/engine/tokenizer.ts (ClipTokenizer);
// - transformers: @xenova/transformers' CLIPTokenizer (its tokenizers module only, imported lazily),
//   measured only while that package is installed.
// Each candidate is built by Vite (production) into its own folder and served from it; runs alternate
// between the candidates, each in a fresh browser context (empty HTTP cache). Prints JSON and writes it to
// bench/results/<date>-<name>.json (date, load before and after, nproc, command, git commit).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { build } from 'vite';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt('--runs', 7));
const PORT = Number(opt('--port', 4191));
const NAME = opt('--name', 'tokenizer');
const ROOT = resolve('.');
const TOKENIZER = 'models/compact-vlsm/tokenizer.json';
const PROMPT = 'one small pink round polyp, located in right of the image';
const EXPECTED = [49406, 637, 2442, 3360, 2522, 6833, 335, 267, 5677, 530, 1155, 539, 518, 2867, 49407];
const round = (x) => Math.round(x * 10) / 10;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const log = (...m) => console.error('[bench-tokenizer]', ...m);

const CANDIDATES = {
  handwritten: `const { ClipTokenizer } = await import(${JSON.stringify(join(ROOT, 'src/engine/tokenizer.ts'))});
    return (text) => { const t = ClipTokenizer.fromJson(text); return (p) => t.encode(p, { maxLength: 77 }).ids; };`,
  transformers: `const { CLIPTokenizer } = await import('@xenova/transformers/src/tokenizers.js');
    return (text) => { const t = new CLIPTokenizer(JSON.parse(text), {}); return (p) => t.encode(p); };`,
};
const installed = (name) => name !== 'transformers' || existsSync('node_modules/@xenova/transformers/src/tokenizers.js');

async function buildCandidate(name) {
  const dir = join(tmpdir(), `vlsm-bench-tokenizer-${PORT}`, name);
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(
    join(src, 'tok.worker.js'),
    `async function load() { ${CANDIDATES[name]} }
self.onmessage = async (e) => {
  const t0 = performance.now();
  const make = await load();
  const t1 = performance.now();
  const encode = make(e.data.text);
  const t2 = performance.now();
  const ids = Array.from(encode(e.data.prompt));
  const t3 = performance.now();
  encode('a photo of a cat');
  const t4 = performance.now();
  self.postMessage({ ids, importMs: t1 - t0, buildMs: t2 - t1, firstEncodeMs: t3 - t2, secondEncodeMs: t4 - t3 });
};`,
  );
  writeFileSync(
    join(src, 'main.js'),
    `window.__run = async (prompt) => {
  const text = await (await fetch('./tokenizer.json')).text();
  const t0 = performance.now();
  const w = new Worker(new URL('./tok.worker.js', import.meta.url), { type: 'module' });
  const r = await new Promise((ok, fail) => { w.onmessage = (e) => ok(e.data); w.onerror = (e) => fail(new Error(e.message)); w.postMessage({ text, prompt }); });
  r.firstIdsMs = performance.now() - t0;
  w.terminate();
  return r;
};`,
  );
  writeFileSync(join(src, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>');
  const outDir = join(dir, 'dist');
  await build({
    root: src,
    configFile: false,
    base: './',
    logLevel: 'error',
    // The candidate's package resolves from this repository's node_modules.
    resolve: { alias: { '@xenova/transformers': join(ROOT, 'node_modules/@xenova/transformers') } },
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
  writeFileSync(join(outDir, 'tokenizer.json'), readFileSync(TOKENIZER));
  return outDir;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };
function serve(dirs) {
  const server = createServer((req, res) => {
    const [, name, ...rest] = new URL(req.url, 'http://x').pathname.split('/');
    const file = join(dirs[name] ?? '/nonexistent', rest.join('/') || 'index.html');
    if (!dirs[name] || !file.startsWith(dirs[name]) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-store' });
    res.end(body);
  });
  return new Promise((ok) => server.listen(PORT, '127.0.0.1', () => ok(server)));
}

const git = (...a) => spawnSync('git', a, { encoding: 'utf8' }).stdout.trim();
const out = {
  name: NAME,
  date: new Date().toISOString(),
  command: `node scripts/bench-tokenizer.mjs ${args.join(' ')}`.trim(),
  gitCommit: git('rev-parse', 'HEAD'),
  gitDirty: git('status', '--porcelain', '--untracked-files=no') !== '',
  nproc: cpus().length,
  loadAverageAtStart: loadavg().map((x) => round(x)),
  runs: RUNS,
  tokenizerJson: TOKENIZER,
  prompt: PROMPT,
  candidates: {},
};
const names = Object.keys(CANDIDATES).filter(installed);
for (const n of Object.keys(CANDIDATES)) if (!installed(n)) out.candidates[n] = { skipped: 'package not installed' };
const dirs = {};
for (const n of names) {
  log(`building ${n}…`);
  dirs[n] = await buildCandidate(n);
}
const server = await serve(dirs);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
const samples = Object.fromEntries(names.map((n) => [n, []]));
try {
  for (let i = 0; i < RUNS + 1; i++) {
    for (const n of i % 2 ? [...names].reverse() : names) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      const js = [];
      ctx.on('response', async (r) => {
        if (/\.m?js$/.test(new URL(r.url()).pathname)) js.push({ url: new URL(r.url()).pathname, bytes: Number((await r.allHeaders())['content-length'] ?? 0) });
      });
      await page.goto(`http://127.0.0.1:${PORT}/${n}/index.html`);
      await page.waitForFunction(() => typeof window.__run === 'function');
      const before = js.length;
      const r = await page.evaluate((p) => window.__run(p), PROMPT);
      await page.waitForTimeout(50); // let the last response event land
      if (JSON.stringify(r.ids) !== JSON.stringify(EXPECTED)) throw new Error(`${n}: wrong ids ${JSON.stringify(r.ids)}`);
      const workerJs = js.slice(before);
      if (i > 0) samples[n].push({ ...r, workerJsBytes: workerJs.reduce((a, f) => a + f.bytes, 0), workerJsFiles: workerJs.map((f) => `${f.url.split('/').pop()} ${f.bytes}`) });
      await ctx.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
for (const n of names) {
  const s = samples[n];
  out.candidates[n] = {
    firstIdsMs: round(median(s.map((x) => x.firstIdsMs))),
    importMs: round(median(s.map((x) => x.importMs))),
    buildMs: round(median(s.map((x) => x.buildMs))),
    firstEncodeMs: round(median(s.map((x) => x.firstEncodeMs))),
    secondEncodeMs: round(median(s.map((x) => x.secondEncodeMs))),
    workerJsBytes: s[0].workerJsBytes,
    workerJsFiles: s[0].workerJsFiles,
  };
}
out.loadAverageAtEnd = loadavg().map((x) => round(x));
out.note = 'medians over runs (the first, warm-up round dropped); firstIdsMs: new Worker -> ids of the first prompt, tokenizer.json already fetched; workerJsBytes: JavaScript the worker loaded (its own chunk and every chunk it imported)';
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/${out.date.slice(0, 10)}-${NAME}.json`;
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
log(`wrote ${file}`);
console.log(JSON.stringify(out, null, 2));
