// Reading a bundle through a BundleSource (HTTP/Cache Storage in the browser, the file system in Node):
// manifest -> variant -> files verified by size and sha256 (crypto.subtle) before any graph is built.
import { BundleError, chooseVariant, parseManifest, variantFiles } from './manifest';
import type { FileEntry, Manifest, VariantQuery, VariantSpec } from './manifest';

export interface BundleSource {
  /** Short description for messages, e.g. the URL or folder. */
  readonly label: string;
  /** Reads one file of the bundle (path relative to the bundle root); rejects if missing. */
  read(path: string, onProgress?: (loaded: number) => void): Promise<Uint8Array>;
}

export interface LoadedBundle {
  manifest: Manifest;
  variant: VariantSpec;
  /** File bytes by path (tokenizer and the variant's graphs), already verified. */
  files: Map<string, Uint8Array>;
}

export interface LoadProgress {
  file: string;
  loaded: number;
  total: number;
}

/**
 * The bundle's version as recorded with its results (e.g. SegmentAlgorithmVersion of a DICOM SEG): the
 * first 12 hex digits of the sha256 of its file list ("<sha256> <path>" lines, sorted), so any changed
 * file (weights, tokenizer) gives another version while the manifest's wording does not.
 */
export async function bundleHash(m: Pick<Manifest, 'files'>): Promise<string> {
  const lines = m.files.map((f) => `${f.sha256} ${f.path}`).sort().join('\n');
  return (await sha256Hex(new TextEncoder().encode(lines))).slice(0, 12);
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function verifyFile(entry: FileEntry, bytes: Uint8Array): Promise<void> {
  if (bytes.byteLength !== entry.bytes) {
    throw new BundleError(
      `'${entry.path}' is ${bytes.byteLength} bytes, the manifest says ${entry.bytes} (partial or wrong file)`,
    );
  }
  const hash = await sha256Hex(bytes);
  if (hash !== entry.sha256) throw new BundleError(`'${entry.path}' fails its sha256 check (corrupt or replaced file)`);
}

export async function readManifest(source: BundleSource): Promise<Manifest> {
  let bytes: Uint8Array;
  try {
    bytes = await source.read('manifest.json');
  } catch (e) {
    throw new BundleError(`no manifest.json in ${source.label} (${(e as Error).message})`);
  }
  return parseManifest(new TextDecoder().decode(bytes));
}

export async function loadBundle(
  source: BundleSource,
  query: VariantQuery,
  onProgress?: (p: LoadProgress) => void,
  signal?: AbortSignal,
): Promise<LoadedBundle> {
  const manifest = await readManifest(source);
  const variant = chooseVariant(manifest, query);
  const entries = variantFiles(manifest, variant);
  const total = entries.reduce((s, f) => s + f.bytes, 0);
  let done = 0;
  const files = new Map<string, Uint8Array>();
  for (const entry of entries) {
    if (signal?.aborted) throw Object.assign(new Error('model loading cancelled'), { name: 'AbortError' });
    let bytes: Uint8Array;
    try {
      bytes = await source.read(entry.path, (loaded) => onProgress?.({ file: entry.path, loaded: done + loaded, total }));
    } catch (e) {
      throw new BundleError(`bundle '${manifest.id}' is missing '${entry.path}' in ${source.label} (${(e as Error).message})`);
    }
    await verifyFile(entry, bytes);
    done += entry.bytes;
    onProgress?.({ file: entry.path, loaded: done, total });
    files.set(entry.path, bytes);
  }
  return { manifest, variant, files };
}
