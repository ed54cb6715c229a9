// Model store against a real HTTP server (Range support, a connection that drops mid-file) and an
// in-memory Cache Storage: resume, restart, sha256 rejection, folder import, list and delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { deleteStoredModel, downloadModel, importFolder, listStoredModels } from './modelStore';
import type { CacheLike } from './modelStore';

const files: Record<string, Uint8Array> = {
  'tokenizer.json': new TextEncoder().encode('{"model":{"type":"BPE","vocab":{},"merges":[]}}'),
  'model.onnx': Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7) % 251),
};
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const graph = { file: 'model.onnx', precision: 'fp32', inputs: [{ name: 'pixel_values', dtype: 'float32', shape: [1, 3, 8, 8] }], outputs: [{ name: 'logits', dtype: 'float32', shape: [1, 1, 8, 8] }] };
const manifest = {
  format: 'vlsm-bundle', formatVersion: 1, id: 'dl-test', name: 'Download test', architecture: 'test', license: 'test', modelCard: { summary: 's' },
  input: { size: [8, 8], mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', colour: 'rgb' },
  text: { tokenizer: 'tokenizer.json', maxLength: 77, padding: 'none' }, kind: 'single',
  variants: [{ name: 'fp32', backends: ['wasm'], graphs: { model: graph } }],
  output: { activation: 'sigmoid', threshold: 0.5, size: [8, 8] },
  files: Object.entries(files).map(([path, b]) => ({ path, bytes: b.byteLength, sha256: sha(b) })),
};
files['manifest.json'] = new TextEncoder().encode(JSON.stringify(manifest));

class MemoryCache implements CacheLike {
  readonly map = new Map<string, { body: Uint8Array; headers: Headers }>();
  async match(key: string) {
    const e = this.map.get(key);
    return e ? new Response(e.body.slice() as Uint8Array<ArrayBuffer>, { headers: e.headers }) : undefined;
  }
  async put(key: string, res: Response) {
    this.map.set(key, { body: new Uint8Array(await res.arrayBuffer()), headers: res.headers });
  }
  async delete(key: string) {
    return this.map.delete(key);
  }
  async keys() {
    return [...this.map.keys()].map((url) => ({ url }));
  }
}

let server: Server;
let base = '';
let dropNext = false;
let corrupt = false;
const ranges: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = (req.url ?? '').replace(/^\/bundle\//, '');
    let body = files[name];
    if (!body) return void res.writeHead(404).end();
    if (corrupt && name === 'model.onnx') body = body.map((v) => v ^ 1);
    const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    if (range) ranges.push(req.headers.range as string);
    const start = range ? Number(range[1]) : 0;
    const part = body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'Content-Length': part.byteLength, 'ETag': '"v1"', 'Access-Control-Allow-Origin': '*',
      ...(range ? { 'Content-Range': `bytes ${start}-${body.byteLength - 1}/${body.byteLength}` } : {}),
    });
    if (dropNext && name === 'model.onnx') {
      dropNext = false;
      res.write(part.subarray(0, 80_000), () => res.destroy());
      return;
    }
    res.end(part);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bundle/`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('modelStore', () => {
  it('downloads with progress, resumes an interrupted file with a Range request, lists and deletes', async () => {
    const cache = new MemoryCache();
    dropNext = true;
    await expect(downloadModel(cache, base)).rejects.toThrow(/interrupted at \d+ of 200000 bytes.*resume/);
    expect(await listStoredModels(cache)).toEqual([]);
    const progress: number[] = [];
    const m = await downloadModel(cache, base, { onProgress: (p) => progress.push(p.loaded) });
    expect(ranges.some((r) => /^bytes=\d+-$/.test(r) && r !== 'bytes=0-')).toBe(true);
    expect(m).toMatchObject({ id: 'dl-test', name: 'Download test', bytes: files['model.onnx'].byteLength + files['tokenizer.json'].byteLength });
    expect(progress.at(-1)).toBe(m.bytes);
    const list = await listStoredModels(cache);
    expect(list.map((x) => x.id)).toEqual(['dl-test']);
    const stored = await cache.match('http://localhost/user-models/dl-test/model.onnx');
    expect(new Uint8Array(await (stored as Response).arrayBuffer())).toEqual(files['model.onnx']);
    await deleteStoredModel(cache, 'dl-test');
    expect(cache.map.size).toBe(0);
  });

  it('rejects a file whose sha256 does not match', async () => {
    const cache = new MemoryCache();
    corrupt = true;
    await expect(downloadModel(cache, base)).rejects.toThrow(/model.onnx' fails its sha256 check/);
    corrupt = false;
    expect(await listStoredModels(cache)).toEqual([]);
  });

  it('imports a folder, and says which files a partial folder lacks', async () => {
    const cache = new MemoryCache();
    const asFile = (path: string) => Object.assign(new File([files[path] as Uint8Array<ArrayBuffer>], path), { webkitRelativePath: `bundle/${path}` });
    await expect(importFolder(cache, [asFile('manifest.json'), asFile('tokenizer.json')])).rejects.toThrow(/partial: the folder lacks model.onnx/);
    await expect(importFolder(cache, [asFile('model.onnx')])).rejects.toThrow(/no manifest.json/);
    const m = await importFolder(cache, ['manifest.json', 'tokenizer.json', 'model.onnx'].map(asFile));
    expect(m).toMatchObject({ id: 'dl-test', source: 'imported folder' });
  });
});
