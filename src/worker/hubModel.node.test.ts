// A transformers.js CLIPSeg folder (tiny random weights, made by models/vlsm/hf_layout.py) from a real HTTP
// server laid out as a model hub (<host>/<owner>/<name>/resolve/main/<file>) and from a picked folder, into
// an in-memory Cache Storage; then run by the engine (onnxruntime-node) as a single-graph bundle and compared
// with the split bundle python -m vlsm.split_single made from the same graph. Refusals in words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { loadBundle } from '../engine/bundle';
import type { BundleSource } from '../engine/bundle';
import { createCaches, VlsmEngine } from '../engine/engine';
import { parseHubRepo } from '../engine/hfLayout';
import { preprocess } from '../engine/preprocess';
import { HF, hfLayoutReference, pythonSkipReason } from '../engine/testing/python';
import { downloadHubModel, importFolder, listStoredModels } from './modelStore';
import { fsSource, nodeRuntime } from './nodeRuntime';
import { MemoryCache, rgbScan } from './testing';

const FOLDER = `${HF}/Xenova/clipseg-tiny-random`;
const SPLIT = `${HF}/clipseg-tiny-split`;

const cacheSource = (cache: MemoryCache, id: string): BundleSource => ({
  label: id,
  async read(path) {
    const r = await cache.match(`http://localhost/user-models/${id}/${path}`);
    if (!r) throw new Error(`not stored: ${path}`);
    return new Uint8Array(await r.arrayBuffer());
  },
});

let server: Server;
let host = '';
const requests: string[] = [];
/** repo -> path -> bytes, or a status code. */
const repos: Record<string, Record<string, Uint8Array | number>> = {};

function files(dir: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = new Uint8Array(readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

const ready = () => existsSync(hfLayoutReference.output);

beforeAll(async () => {
  if (!ready()) return;
  const layout = files(FOLDER);
  repos['Xenova/clipseg-tiny-random'] = layout;
  repos['someone/bert'] = { ...layout, 'config.json': new TextEncoder().encode('{"model_type": "bert"}') };
  repos['someone/no-onnx'] = Object.fromEntries(Object.entries(layout).filter(([p]) => !p.startsWith('onnx/')));
  repos['someone/garbage'] = { ...layout, 'onnx/model_quantized.onnx': new TextEncoder().encode('<html>not a model</html>') };
  repos['someone/gated'] = { 'config.json': 401 };
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(req.url ?? '');
    const body = m ? repos[m[1]]?.[m[2]] : undefined;
    if (typeof body === 'number') return void res.writeHead(body, { 'Access-Control-Allow-Origin': '*' }).end();
    if (!body) return void res.writeHead(404, { 'Access-Control-Allow-Origin': '*' }).end('Entry not found');
    res.writeHead(200, { 'Content-Length': body.byteLength, 'Access-Control-Allow-Origin': '*' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('transformers.js CLIPSeg folders', () => {
  it('downloads from a hub only the files named, stores a single-graph bundle, and runs it like its split', async (ctx) => {
    if (!ready()) return ctx.skip(pythonSkipReason());
    const cache = new MemoryCache();
    requests.length = 0;
    const repo = parseHubRepo('Xenova/clipseg-tiny-random', host);
    const stored = await downloadHubModel(cache, repo, { graphs: ['onnx/model_quantized.onnx', 'onnx/model.onnx'] });
    expect(stored).toMatchObject({ id: 'xenova-clipseg-tiny-random', name: 'Xenova/clipseg-tiny-random', source: `${host}/Xenova/clipseg-tiny-random` });
    expect(requests).toEqual(['config.json', 'preprocessor_config.json', 'tokenizer.json', 'onnx/model_quantized.onnx', 'onnx/model.onnx'].map((f) => `/Xenova/clipseg-tiny-random/resolve/main/${f}`));
    expect((await listStoredModels(cache)).map((m) => m.id)).toEqual(['xenova-clipseg-tiny-random']);

    const runtime = nodeRuntime({ intraOpNumThreads: 1 });
    const scan = rgbScan(Uint8Array.from({ length: 80 * 50 * 3 }, (_, i) => (i * 53) % 256), 80, 50);
    const single = await VlsmEngine.create(runtime, await loadBundle(cacheSource(cache, stored.id), { backend: 'wasm', name: 'fp32' }), { caches: createCaches(16, 4) });
    const split = await VlsmEngine.create(runtime, await loadBundle(fsSource(SPLIT), { backend: 'wasm', name: 'fp32' }), { caches: createCaches(16, 4) });
    expect(single.kind).toBe('single');
    expect(single.manifest.input).toMatchObject({ size: [64, 64], mean: [0.485, 0.456, 0.406] });
    const pre = preprocess(scan, single.manifest.input);
    await single.encodeImage('s', pre);
    await split.encodeImage('s', pre);
    let worst = 0;
    for (const prompt of ['polyp', 'left lung', '']) {
      const a = await single.logits('s', prompt);
      const b = await split.logits('s', prompt);
      expect([a.width, a.height]).toEqual([64, 64]);
      expect(Math.max(...a.data) - Math.min(...a.data)).toBeGreaterThan(1); // not a constant map
      for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
    }
    expect(worst).toBeLessThanOrEqual(1e-3);
    const int8 = await VlsmEngine.create(runtime, await loadBundle(cacheSource(cache, stored.id), { backend: 'wasm' }), { caches: createCaches(16, 4) });
    expect(int8.variant).toMatchObject({ name: 'wasm-int8', graphs: { model: { file: 'onnx/model_quantized.onnx', precision: 'int8' } } });
    const out = await int8.segment('s', 'polyp', pre);
    expect([out.width, out.height]).toEqual([80, 50]);
    await Promise.all([single.dispose(), split.dispose(), int8.dispose()]);
  }, 120_000);

  it('imports a picked folder (nested onnx/), and the default hub download fetches the quantized graph only', async (ctx) => {
    if (!ready()) return ctx.skip(pythonSkipReason());
    const cache = new MemoryCache();
    const picked = Object.entries(files(FOLDER)).map(([p, b]) => Object.assign(new File([b as Uint8Array<ArrayBuffer>], p.split('/').at(-1) as string), { webkitRelativePath: `clipseg-tiny-random/${p}` }));
    const m = await importFolder(cache, picked);
    expect(m).toMatchObject({ id: 'clipseg-tiny-random', source: 'imported folder (transformers.js layout)' });
    const manifest = JSON.parse(await ((await cache.match('http://localhost/user-models/clipseg-tiny-random/manifest.json')) as Response).text());
    expect(manifest.variants.map((v: { name: string }) => v.name)).toEqual(['wasm-int8', 'fp32']);
    requests.length = 0;
    await downloadHubModel(new MemoryCache(), parseHubRepo(`${host}/Xenova/clipseg-tiny-random`));
    expect(requests.filter((r) => r.includes('/onnx/'))).toEqual(['/Xenova/clipseg-tiny-random/resolve/main/onnx/model_quantized.onnx']);
  }, 60_000);

  it('refuses other models, missing graphs, non-ONNX files and gated repositories in words, storing nothing', async (ctx) => {
    if (!ready()) return ctx.skip(pythonSkipReason());
    const cache = new MemoryCache();
    const get = (name: string) => downloadHubModel(cache, parseHubRepo(name, host));
    requests.length = 0;
    await expect(get('someone/bert')).rejects.toThrow(/describes a 'bert' model.*CLIPSeg/);
    expect(requests).toEqual(['/someone/bert/resolve/main/config.json']); // nothing large fetched for a wrong model
    await expect(get('someone/no-onnx')).rejects.toThrow(/there is no onnx\/model_quantized.onnx/);
    await expect(get('someone/garbage')).rejects.toThrow(/cannot be read as an ONNX model/);
    await expect(get('someone/gated')).rejects.toThrow(/HTTP 401.*private or gated/);
    await expect(get('nobody/nothing')).rejects.toThrow(/has no config.json.*check the hub address/);
    expect(cache.map.size).toBe(0);
  }, 60_000);
});
