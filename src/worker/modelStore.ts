// User model bundles in Cache Storage (offline): import a folder picked from disk, download from a URL
// (progress, sha256 check, resume with Range requests or restart), list, delete, storage estimate.
// Stored files live at /user-models/<id>/<path>; the manifest is written last, so a bundle listed is complete.
// Hardening: every path is checked again here (no `..`, absolute or backslash path can address another
// bundle's entry), an update re-downloads any file whose sha256 differs from the stored one (never judged by
// size), downloads stop as soon as more bytes arrive than the manifest declares, new files are staged and
// only moved into place once every file is verified, and a failed import leaves nothing behind (only an
// interrupted download keeps its partial file, to resume).
import { BundleError, parseManifest } from '../engine/manifest';
import type { FileEntry, Manifest } from '../engine/manifest';
import { sha256Hex, verifyFile } from '../engine/bundle';
import { checkHfConfig, checkHfGraph, HF_CONFIG, HF_GRAPHS, HF_PREPROCESSOR, HF_TOKENIZER, hfManifest, hubFileUrl, bundleIdFor, parseJsonFile } from '../engine/hfLayout';
import type { HfGraph, HubRepo } from '../engine/hfLayout';
import { onnxGraphIo } from '../engine/onnxIo';
import { concatBytes } from '../lib/bytes';
import { MODEL_CACHE, USER_MODELS_PATH } from './httpSource';

export interface CacheLike {
  match(key: string): Promise<Response | undefined>;
  put(key: string, res: Response): Promise<void>;
  delete(key: string): Promise<boolean>;
  keys(): Promise<readonly { url: string }[]>;
}

export interface StoredModel {
  id: string;
  name: string;
  bytes: number;
  source: string;
}

export interface StoreProgress {
  file: string;
  loaded: number;
  total: number;
}

const origin = (): string => globalThis.location?.origin ?? 'http://localhost';
const userUrl = (id: string, path: string): string => `${origin()}${USER_MODELS_PATH}${id}/${path}`;
const partialUrl = (id: string, path: string): string => `${origin()}/user-models-partial/${id}/${path}`;

export async function openModelCache(): Promise<CacheLike> {
  return (await caches.open(MODEL_CACHE)) as unknown as CacheLike;
}

const SAFE_SEGMENT = /^[A-Za-z0-9._-]+$/;

/** A bundle-relative path that cannot leave the bundle's folder; throws a readable error otherwise. */
export function checkBundlePath(path: string): void {
  const segs = typeof path === 'string' ? path.split('/') : [];
  const ok = segs.length > 0 && path.length <= 255 && segs.every((s) => SAFE_SEGMENT.test(s) && s !== '.' && s !== '..');
  if (!ok) throw new BundleError(`the bundle lists the file path '${String(path).slice(0, 80)}', which is not a plain relative path inside the bundle (no '..', no leading '/', no '\\')`);
}

function checkPaths(m: Manifest): void {
  for (const f of m.files) checkBundlePath(f.path);
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(m.id) || m.id.includes('..')) throw new BundleError(`the bundle id '${m.id.slice(0, 80)}' is not allowed`);
}

const stagedUrl = (id: string, path: string): string => `${origin()}/user-models-staged/${id}/${path}`;
/** Most bytes read for a manifest.json. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

function stored(bytes: Uint8Array, type = 'application/octet-stream', extra: Record<string, string> = {}): Response {
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: { 'Content-Type': type, 'Content-Length': String(bytes.byteLength), 'Cross-Origin-Resource-Policy': 'same-origin', ...extra },
  });
}

async function saveBundle(cache: CacheLike, m: Manifest, manifestBytes: Uint8Array, source: string): Promise<StoredModel> {
  await cache.put(userUrl(m.id, 'manifest.json'), stored(manifestBytes, 'application/json', { 'X-Vlsm-Source': source }));
  return { id: m.id, name: m.name, bytes: m.files.reduce((s, f) => s + f.bytes, 0), source };
}

export async function listStoredModels(cache: CacheLike): Promise<StoredModel[]> {
  const out: StoredModel[] = [];
  for (const req of await cache.keys()) {
    const m = new RegExp(`${USER_MODELS_PATH}([^/]+)/manifest\\.json$`).exec(new URL(req.url).pathname);
    if (!m) continue;
    const res = await cache.match(req.url);
    if (!res) continue;
    try {
      const man = parseManifest(await res.clone().text());
      out.push({ id: man.id, name: man.name, bytes: man.files.reduce((s, f) => s + f.bytes, 0), source: res.headers.get('X-Vlsm-Source') ?? '' });
    } catch {
      /* an unreadable entry is skipped; delete clears it */
    }
  }
  return out;
}

export async function deleteStoredModel(cache: CacheLike, id: string): Promise<void> {
  for (const req of await cache.keys()) {
    const p = new URL(req.url).pathname;
    if (p.startsWith(`${USER_MODELS_PATH}${id}/`) || p.startsWith(`/user-models-partial/${id}/`) || p.startsWith(`/user-models-staged/${id}/`)) await cache.delete(req.url);
  }
}

/** Removes what a failed import left: staged files, and for a bundle that was not stored before, its files
 * (keeping resumable partial downloads when `keepPartials`). A stored bundle's files are never touched. */
async function cleanFailed(cache: CacheLike, id: string, keepPartials: boolean): Promise<void> {
  const wasStored = !!(await cache.match(userUrl(id, 'manifest.json')));
  for (const req of await cache.keys()) {
    const p = new URL(req.url).pathname;
    const staged = p.startsWith(`/user-models-staged/${id}/`);
    const partial = p.startsWith(`/user-models-partial/${id}/`);
    const file = p.startsWith(`${USER_MODELS_PATH}${id}/`);
    if (staged || (partial && !keepPartials) || (file && !wasStored)) await cache.delete(req.url);
  }
}

/** Moves staged (verified) files into place, then writes the manifest. */
async function commit(cache: CacheLike, m: Manifest, manifestBytes: Uint8Array, source: string, staged: readonly FileEntry[]): Promise<StoredModel> {
  for (const entry of staged) {
    const res = await cache.match(stagedUrl(m.id, entry.path));
    if (!res) throw new BundleError(`'${entry.path}' vanished from the browser's storage while being stored`);
    await cache.put(userUrl(m.id, entry.path), stored(new Uint8Array(await res.arrayBuffer()), 'application/octet-stream', { 'X-Vlsm-Sha256': entry.sha256 }));
    await cache.delete(stagedUrl(m.id, entry.path));
  }
  return saveBundle(cache, m, manifestBytes, source);
}

/** Whether the stored copy of a file is the one the manifest lists (by sha256, never by size). */
async function haveFile(cache: CacheLike, id: string, entry: FileEntry): Promise<boolean> {
  const have = await cache.match(userUrl(id, entry.path));
  if (!have) return false;
  const tagged = have.headers.get('X-Vlsm-Sha256');
  if (tagged) return tagged === entry.sha256 && Number(have.headers.get('Content-Length')) === entry.bytes;
  try {
    await verifyFile(entry, new Uint8Array(await have.arrayBuffer()));
    return true;
  } catch {
    return false;
  }
}

/** Reads a response body, stopping (and cancelling the transfer) as soon as it exceeds `limit` bytes. */
export async function readLimited(res: Response, limit: number, what: string, onBytes?: (n: number) => void, start = 0, sink?: Uint8Array[]): Promise<Uint8Array> {
  const declared = Number(res.headers.get('Content-Length'));
  if (Number.isFinite(declared) && declared > 0 && start + declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw new BundleError(`${what} is ${start + declared} bytes, more than the ${limit} bytes the manifest declares; the server sends another file`);
  }
  const chunks = sink ?? [];
  let loaded = start;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    loaded += value.byteLength;
    if (loaded > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BundleError(`${what} sent more than the ${limit} bytes the manifest declares; download stopped`);
    }
    chunks.push(value);
    onBytes?.(loaded);
  }
  return concatBytes(chunks, chunks.reduce((s, c) => s + c.byteLength, 0));
}

/** Files picked with <input type=file webkitdirectory>: paths are relative to the chosen folder. */
export async function importFolder(cache: CacheLike, files: File[], onProgress?: (p: StoreProgress) => void): Promise<StoredModel> {
  const rel = (f: File) => (f.webkitRelativePath || f.name).split('/').slice(f.webkitRelativePath ? 1 : 0).join('/');
  const byPath = new Map(files.map((f) => [rel(f), f]));
  const manifestFile = byPath.get('manifest.json');
  if (!manifestFile && byPath.has(HF_CONFIG)) {
    const folder = files.find((f) => f.webkitRelativePath)?.webkitRelativePath.split('/')[0] ?? 'model';
    return storeHfLayout(cache, folder, 'imported folder (transformers.js layout)', async (path) => {
      const f = byPath.get(path);
      return f ? new Uint8Array(await f.arrayBuffer()) : null;
    }, HF_GRAPHS.map((g) => g.path), onProgress);
  }
  if (!manifestFile) throw new BundleError('the chosen folder has no manifest.json at its top level (pick the bundle folder itself, or a transformers.js model folder with config.json and onnx/)');
  const manifestBytes = new Uint8Array(await manifestFile.arrayBuffer());
  const m = parseManifest(new TextDecoder().decode(manifestBytes));
  checkPaths(m);
  const missing = m.files.filter((f) => !byPath.has(f.path)).map((f) => f.path);
  if (missing.length) throw new BundleError(`bundle '${m.id}' is partial: the folder lacks ${missing.join(', ')}`);
  const total = m.files.reduce((s, f) => s + f.bytes, 0);
  let done = 0;
  try {
    for (const entry of m.files) {
      const file = byPath.get(entry.path) as File;
      if (file.size !== entry.bytes) throw new BundleError(`'${entry.path}' is ${file.size} bytes, the manifest says ${entry.bytes} (partial or wrong file)`);
      const bytes = new Uint8Array(await file.arrayBuffer());
      await verifyFile(entry, bytes);
      await cache.put(stagedUrl(m.id, entry.path), stored(bytes));
      done += entry.bytes;
      onProgress?.({ file: entry.path, loaded: done, total });
    }
    return await commit(cache, m, manifestBytes, 'imported folder', m.files);
  } catch (e) {
    await cleanFailed(cache, m.id, false);
    throw e;
  }
}

export interface DownloadOptions {
  onProgress?: (p: StoreProgress) => void;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
}

/** Downloads a bundle from baseUrl (a folder URL with manifest.json). Call again after a failure to resume. */
export async function downloadModel(cache: CacheLike, baseUrl: string, opts: DownloadOptions = {}): Promise<StoredModel> {
  const f = opts.fetchImpl ?? fetch;
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const res = await f(new URL('manifest.json', base).href, { signal: opts.signal, mode: 'cors', credentials: 'omit' });
  if (!res.ok) throw new BundleError(`could not fetch ${base}manifest.json (HTTP ${res.status})`);
  const manifestBytes = await readLimited(res, MAX_MANIFEST_BYTES, 'manifest.json');
  const m = parseManifest(new TextDecoder().decode(manifestBytes));
  checkPaths(m);
  const total = m.files.reduce((s, e) => s + e.bytes, 0);
  let done = 0;
  const staged: FileEntry[] = [];
  let interrupted = false;
  try {
    for (const entry of m.files) {
      if (await haveFile(cache, m.id, entry)) {
        done += entry.bytes;
        continue;
      }
      const url = new URL(entry.path, base);
      if (!url.href.startsWith(base)) throw new BundleError(`'${entry.path}' is outside the bundle's folder`);
      let bytes: Uint8Array;
      try {
        bytes = await downloadFile(cache, f, m.id, url.href, entry, (n) => opts.onProgress?.({ file: entry.path, loaded: done + n, total }), opts.signal);
      } catch (e) {
        interrupted = e instanceof Interrupted;
        throw e;
      }
      await verifyFile(entry, bytes);
      await cache.put(stagedUrl(m.id, entry.path), stored(bytes));
      await cache.delete(partialUrl(m.id, entry.path));
      staged.push(entry);
      done += entry.bytes;
      opts.onProgress?.({ file: entry.path, loaded: done, total });
    }
    return await commit(cache, m, manifestBytes, base, staged);
  } catch (e) {
    await cleanFailed(cache, m.id, interrupted);
    throw e;
  }
}

class Interrupted extends BundleError {}

/** One file, resuming from a saved partial with `Range` (and `If-Range`), restarting when the server
 * answers 200; on failure what arrived is saved as the new partial. */
async function downloadFile(
  cache: CacheLike,
  f: typeof fetch,
  id: string,
  url: string,
  entry: FileEntry,
  onBytes: (n: number) => void,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const partial = await cache.match(partialUrl(id, entry.path));
  let prefix = partial ? new Uint8Array(await partial.arrayBuffer()) : new Uint8Array(0);
  const validator = partial?.headers.get('X-Vlsm-Validator') ?? '';
  const headers: Record<string, string> = {};
  if (prefix.byteLength > 0 && prefix.byteLength < entry.bytes) {
    headers.Range = `bytes=${prefix.byteLength}-`;
    if (validator) headers['If-Range'] = validator;
  } else prefix = new Uint8Array(0);
  const res = await f(url, { headers, signal, mode: 'cors', credentials: 'omit' });
  if (res.status === 200) prefix = new Uint8Array(0);
  else if (res.status !== 206 || !(res.headers.get('Content-Range') ?? '').startsWith(`bytes ${prefix.byteLength}-`)) {
    if (!res.ok) throw new BundleError(`download of '${entry.path}' failed (HTTP ${res.status})`);
    prefix = new Uint8Array(0);
  }
  const nextValidator = res.headers.get('ETag') ?? res.headers.get('Last-Modified') ?? '';
  const chunks: Uint8Array[] = [prefix];
  onBytes(prefix.byteLength);
  try {
    return await readLimited(res, entry.bytes, `'${entry.path}'`, onBytes, prefix.byteLength, chunks);
  } catch (e) {
    if (e instanceof BundleError) throw e; // too many bytes: nothing worth keeping
    const loaded = chunks.reduce((s, c) => s + c.byteLength, 0);
    const got = concatBytes(chunks, loaded);
    if (got.byteLength) await cache.put(partialUrl(id, entry.path), stored(got, 'application/octet-stream', { 'X-Vlsm-Validator': nextValidator }));
    throw new Interrupted(`download of '${entry.path}' interrupted at ${loaded} of ${entry.bytes} bytes (${(e as Error).message}); download again to resume`);
  }
}

/** Reads one file of a transformers.js folder or hub repository; null when it is not there. */
type LayoutReader = (path: string, onBytes?: (n: number) => void) => Promise<Uint8Array | null>;

/** Stores a transformers.js CLIPSeg folder (config.json, preprocessor_config.json, tokenizer.json and the
 * `graphs` present among onnx/model*.onnx) as a single-graph bundle whose manifest this app writes: every
 * file's size and sha256 as read, each graph's inputs and outputs read from its own bytes. The config is
 * checked before any graph is read, so a wrong model costs one small file. */
async function storeHfLayout(cache: CacheLike, label: string, source: string, read: LayoutReader, graphs: readonly string[], onProgress?: (p: StoreProgress) => void): Promise<StoredModel> {
  const id = bundleIdFor(label);
  const need = async (path: string) => {
    const b = await read(path);
    if (!b) throw new BundleError(`${path} is missing (a transformers.js model folder has ${HF_CONFIG}, ${HF_PREPROCESSOR}, ${HF_TOKENIZER} and onnx/model_quantized.onnx or onnx/model.onnx)`);
    return b;
  };
  const configBytes = await need(HF_CONFIG);
  const config = parseJsonFile(HF_CONFIG, configBytes);
  checkHfConfig(config);
  const files: FileEntry[] = [];
  const hfGraphs: HfGraph[] = [];
  let done = 0;
  const stage = async (path: string, bytes: Uint8Array) => {
    const entry = { path, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) };
    await cache.put(stagedUrl(id, path), stored(bytes));
    files.push(entry);
    done += bytes.byteLength;
    onProgress?.({ file: path, loaded: done, total: 0 });
  };
  try {
    await stage(HF_CONFIG, configBytes);
    const pp = await need(HF_PREPROCESSOR);
    const preprocessor = parseJsonFile(HF_PREPROCESSOR, pp);
    await stage(HF_PREPROCESSOR, pp);
    await stage(HF_TOKENIZER, await need(HF_TOKENIZER));
    for (const path of graphs) {
      const bytes = await read(path, (n) => onProgress?.({ file: path, loaded: done + n, total: 0 }));
      if (!bytes) continue;
      let io: { inputs: HfGraph['inputs']; outputs: HfGraph['outputs'] };
      try {
        io = onnxGraphIo(bytes);
      } catch (e) {
        throw new BundleError(`${path} cannot be read as an ONNX model: ${(e as Error).message}`);
      }
      const g = { path, ...io };
      checkHfGraph(g);
      hfGraphs.push(g);
      await stage(path, bytes);
    }
    if (!hfGraphs.length) throw new BundleError(`there is no ${graphs.join(' or ')} (the transformers.js layout keeps its graphs in onnx/)`);
    const m = hfManifest({ label, config, preprocessor, graphs: hfGraphs, files, source });
    return await commit(cache, m, new TextEncoder().encode(JSON.stringify(m, null, 1)), source, m.files);
  } catch (e) {
    await cleanFailed(cache, id, false);
    throw e;
  }
}

/** Most bytes read for one JSON file of a hub repository (config, preprocessor config, tokenizer). */
const MAX_HUB_JSON_BYTES = 32 * 1024 * 1024;
/** Most bytes read for one ONNX graph from a hub (the fp32 CLIPSeg-rd64 graph is about 600 MB). */
const MAX_HUB_GRAPH_BYTES = 4 * 1024 * 1024 * 1024;

export interface HubDownloadOptions extends DownloadOptions {
  /** Graph files to fetch (default: onnx/model_quantized.onnx, what transformers.js loads by default). */
  graphs?: readonly string[];
}

/** Downloads a transformers.js CLIPSeg repository from a model hub (`<host>/<owner>/<name>/resolve/<rev>/<file>`)
 * and stores it as a bundle. Only the files named are requested, only from `repo.host` (and where it redirects). */
export async function downloadHubModel(cache: CacheLike, repo: HubRepo, opts: HubDownloadOptions = {}): Promise<StoredModel> {
  const f = opts.fetchImpl ?? fetch;
  const source = `${repo.host}/${repo.repo}${repo.revision === 'main' ? '' : `@${repo.revision}`}`;
  const graphs = opts.graphs ?? ['onnx/model_quantized.onnx'];
  const read: LayoutReader = async (path, onBytes) => {
    const url = hubFileUrl(repo, path);
    const res = await f(url, { signal: opts.signal, mode: 'cors', credentials: 'omit' });
    if (res.status === 404) {
      await res.body?.cancel().catch(() => undefined);
      return null;
    }
    if (res.status === 401 || res.status === 403) {
      throw new BundleError(`${repo.host} refused ${repo.repo} (HTTP ${res.status}): it is private or gated, or the name is wrong; this app does not sign in to hubs, so download the folder and use Import folder`);
    }
    if (!res.ok) throw new BundleError(`${url} answered HTTP ${res.status}`);
    const limit = path.endsWith('.onnx') ? MAX_HUB_GRAPH_BYTES : MAX_HUB_JSON_BYTES;
    return readLimited(res, limit, `'${path}'`, onBytes);
  };
  const first = await read(HF_CONFIG);
  if (!first) throw new BundleError(`${source} has no ${HF_CONFIG} (HTTP 404 at ${hubFileUrl(repo, HF_CONFIG)}): check the hub address and the model name (owner/name)`);
  let config: Uint8Array | null = first;
  return storeHfLayout(cache, repo.repo, source, (path, onBytes) => {
    if (path === HF_CONFIG && config) {
      const c = config;
      config = null;
      return Promise.resolve(c);
    }
    return read(path, onBytes);
  }, graphs, opts.onProgress);
}

export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  const est = await globalThis.navigator?.storage?.estimate?.();
  return est ? { usage: est.usage ?? 0, quota: est.quota ?? 0 } : null;
}
