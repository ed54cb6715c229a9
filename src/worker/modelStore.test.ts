// Model store against a real HTTP server (Range support, a connection that drops mid-file) and an
// in-memory Cache Storage: resume, restart, sha256 rejection, folder import, list and delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { checkBundlePath, deleteStoredModel, downloadModel, importFolder, listStoredModels } from './modelStore';
import { MemoryCache } from './testing';

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

let server: Server;
let base = '';
let dropNext = false;
let corrupt = false;
/** Extra bundles served at /<name>/: manifest and files by path. */
const extra: Record<string, Record<string, Uint8Array>> = {};
let bodiesServed = 0;
const ranges: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const [, folder = '', rest = ''] = /^\/([^/]+)\/(.*)$/.exec(req.url ?? '') ?? [];
    const name = rest;
    let body = folder === 'bundle' ? files[name] : extra[folder]?.[name];
    if (folder.startsWith('liar') && name === 'model.onnx') {
      // declares a small file, streams a much larger one with no Content-Length
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*' });
      const chunk = new Uint8Array(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 50_000_000 && !res.destroyed) {
          sent += chunk.byteLength;
          bodiesServed = sent;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      return void pump();
    }
    if (!body) return void res.writeHead(404).end();
    if (corrupt && name === 'model.onnx') body = body.map((v) => v ^ 1);
    const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    if (range) ranges.push(req.headers.range as string);
    const start = range ? Number(range[1]) : 0;
    const part = body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'Content-Length': part.byteLength, 'Connection': 'close', 'ETag': '"v1"', 'Access-Control-Allow-Origin': '*',
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

  const manifestFor = (id: string, fl: Record<string, Uint8Array>, paths?: Record<string, string>) => {
    const m = { ...manifest, id, files: Object.entries(fl).map(([path, b]) => ({ path: paths?.[path] ?? path, bytes: b.byteLength, sha256: sha(b) })) };
    return new TextEncoder().encode(JSON.stringify(m));
  };

  it('refuses bundle paths that leave the bundle (.., absolute, backslash), storing nothing', async () => {
    const cache = new MemoryCache();
    await downloadModel(cache, base);
    const before = [...cache.map.keys()].sort();
    for (const [i, bad] of ['../dl-test/manifest.json', '../../x/y', 'a/../../dl-test/model.onnx', '/etc/passwd', 'a\\b.onnx', './model.onnx'].entries()) {
      const id = `evil${i}`;
      extra[id] = { 'tokenizer.json': files['tokenizer.json'], 'model.onnx': files['model.onnx'] };
      extra[id]['manifest.json'] = manifestFor(id, { 'tokenizer.json': files['tokenizer.json'], 'model.onnx': files['model.onnx'] }, { 'model.onnx': bad });
      await expect(downloadModel(cache, base.replace('/bundle/', `/${id}/`))).rejects.toThrow(/bundle schema|plain relative path/);
    }
    expect([...cache.map.keys()].sort()).toEqual(before);
    expect(checkBundlePath('graphs/vision.onnx')).toBeUndefined();
    expect(() => checkBundlePath('graphs/../../x')).toThrow(/no '\.\.'/);
  });

  it('an update with a same-size changed file downloads it again (sha256, not size) and says so truthfully', async () => {
    const cache = new MemoryCache();
    const v1 = { 'tokenizer.json': files['tokenizer.json'], 'model.onnx': files['model.onnx'] };
    extra.upd = { ...v1, 'manifest.json': manifestFor('upd', v1) };
    await downloadModel(cache, base.replace('/bundle/', '/upd/'));
    const v2model = files['model.onnx'].map((v) => (v + 1) % 256);
    const v2 = { 'tokenizer.json': files['tokenizer.json'], 'model.onnx': v2model };
    extra.upd = { ...v2, 'manifest.json': manifestFor('upd', v2) };
    await downloadModel(cache, base.replace('/bundle/', '/upd/'));
    const got = await cache.match('http://localhost/user-models/upd/model.onnx');
    expect(sha(new Uint8Array(await (got as Response).arrayBuffer()))).toBe(sha(v2model));
  });

  it('stops a download as soon as it exceeds the declared size, and a failed import leaves nothing stored', async () => {
    const cache = new MemoryCache();
    const small = { 'tokenizer.json': files['tokenizer.json'], 'model.onnx': new Uint8Array(4096) };
    extra.liar = { 'tokenizer.json': files['tokenizer.json'], 'manifest.json': manifestFor('liar', small) };
    await expect(downloadModel(cache, base.replace('/bundle/', '/liar/'))).rejects.toThrow(/more than the 4096 bytes/);
    expect(bodiesServed).toBeLessThan(10_000_000);
    expect(cache.map.size).toBe(0);
    // a folder whose second file fails its check: nothing of it stays in the cache
    const asFile = (path: string, b: Uint8Array) => Object.assign(new File([b as Uint8Array<ArrayBuffer>], path), { webkitRelativePath: `bundle/${path}` });
    await expect(importFolder(cache, [asFile('manifest.json', files['manifest.json']), asFile('tokenizer.json', files['tokenizer.json']), asFile('model.onnx', files['model.onnx'].map((v) => v ^ 1))])).rejects.toThrow(/sha256/);
    expect(cache.map.size).toBe(0);
  });
});
