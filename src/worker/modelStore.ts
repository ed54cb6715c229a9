// User model bundles in Cache Storage (offline): import a folder picked from disk, download from a URL
// (progress, sha256 check, resume with Range requests or restart), list, delete, storage estimate.
// Stored files live at /user-models/<id>/<path>; the manifest is written last, so a bundle listed is complete.
import { BundleError, parseManifest } from '../engine/manifest';
import type { FileEntry, Manifest } from '../engine/manifest';
import { verifyFile } from '../engine/bundle';
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
    if (p.startsWith(`${USER_MODELS_PATH}${id}/`) || p.startsWith(`/user-models-partial/${id}/`)) await cache.delete(req.url);
  }
}

/** Files picked with <input type=file webkitdirectory>: paths are relative to the chosen folder. */
export async function importFolder(cache: CacheLike, files: File[], onProgress?: (p: StoreProgress) => void): Promise<StoredModel> {
  const rel = (f: File) => (f.webkitRelativePath || f.name).split('/').slice(f.webkitRelativePath ? 1 : 0).join('/');
  const byPath = new Map(files.map((f) => [rel(f), f]));
  const manifestFile = byPath.get('manifest.json');
  if (!manifestFile) throw new BundleError('the chosen folder has no manifest.json at its top level (pick the bundle folder itself)');
  const manifestBytes = new Uint8Array(await manifestFile.arrayBuffer());
  const m = parseManifest(new TextDecoder().decode(manifestBytes));
  const missing = m.files.filter((f) => !byPath.has(f.path)).map((f) => f.path);
  if (missing.length) throw new BundleError(`bundle '${m.id}' is partial: the folder lacks ${missing.join(', ')}`);
  const total = m.files.reduce((s, f) => s + f.bytes, 0);
  let done = 0;
  for (const entry of m.files) {
    const bytes = new Uint8Array(await (byPath.get(entry.path) as File).arrayBuffer());
    await verifyFile(entry, bytes);
    await cache.put(userUrl(m.id, entry.path), stored(bytes));
    done += entry.bytes;
    onProgress?.({ file: entry.path, loaded: done, total });
  }
  return saveBundle(cache, m, manifestBytes, 'imported folder');
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
  const manifestBytes = new Uint8Array(await res.arrayBuffer());
  const m = parseManifest(new TextDecoder().decode(manifestBytes));
  const total = m.files.reduce((s, e) => s + e.bytes, 0);
  let done = 0;
  for (const entry of m.files) {
    const have = await cache.match(userUrl(m.id, entry.path));
    if (have && Number(have.headers.get('Content-Length')) === entry.bytes) {
      done += entry.bytes;
      continue;
    }
    const bytes = await downloadFile(cache, f, m.id, new URL(entry.path, base).href, entry, (n) =>
      opts.onProgress?.({ file: entry.path, loaded: done + n, total }),
    opts.signal);
    await verifyFile(entry, bytes).catch(async (e: unknown) => {
      await cache.delete(partialUrl(m.id, entry.path));
      throw e;
    });
    await cache.put(userUrl(m.id, entry.path), stored(bytes));
    await cache.delete(partialUrl(m.id, entry.path));
    done += entry.bytes;
    opts.onProgress?.({ file: entry.path, loaded: done, total });
  }
  return saveBundle(cache, m, manifestBytes, base);
}

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
  let loaded = prefix.byteLength;
  onBytes(loaded);
  try {
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.byteLength;
      onBytes(loaded);
    }
  } catch (e) {
    const got = concatBytes(chunks, loaded);
    if (got.byteLength) await cache.put(partialUrl(id, entry.path), stored(got, 'application/octet-stream', { 'X-Vlsm-Validator': nextValidator }));
    throw new BundleError(`download of '${entry.path}' interrupted at ${loaded} of ${entry.bytes} bytes (${(e as Error).message}); download again to resume`);
  }
  return concatBytes(chunks, loaded);
}

export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  const est = await globalThis.navigator?.storage?.estimate?.();
  return est ? { usage: est.usage ?? 0, quota: est.quota ?? 0 } : null;
}
