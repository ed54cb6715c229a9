// Bundle files over HTTP on this origin, Cache Storage first: shipped bundles (/models/<id>/, precached
// by the service worker) and stored ones (/user-models/<id>/, written by the model manager).
import type { BundleSource } from '../engine/bundle';
import { concatBytes } from '../lib/bytes';
import type { BundleRef } from './protocol';

export const MODEL_CACHE = 'vlsm-models-v1';
export const USER_MODELS_PATH = '/user-models/';

export function bundleBaseUrl(ref: BundleRef, origin = globalThis.location.origin): string {
  switch (ref.kind) {
    case 'shipped':
      return new URL(`${import.meta.env.BASE_URL}models/${ref.id}/`, origin).href;
    case 'stored':
      return new URL(`${USER_MODELS_PATH}${ref.id}/`, origin).href;
    case 'url':
      return new URL(ref.baseUrl.endsWith('/') ? ref.baseUrl : `${ref.baseUrl}/`, origin).href;
  }
}

/** Reads a response body with progress callbacks (total from Content-Length when present). */
export async function readBody(res: Response, onProgress?: (loaded: number) => void): Promise<Uint8Array> {
  if (!res.body || !onProgress) return new Uint8Array(await res.arrayBuffer());
  const total = Number(res.headers.get('content-length') ?? 0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress(loaded);
  }
  if (total && chunks.length === 1) return chunks[0];
  return concatBytes(chunks, loaded);
}

export function httpSource(baseUrl: string): BundleSource {
  const origin = new URL(baseUrl).origin;
  if (typeof globalThis.location !== 'undefined' && origin !== globalThis.location.origin) {
    throw new Error('bundles load from this origin only (download a model first)');
  }
  return {
    label: baseUrl,
    async read(path: string, onProgress?: (loaded: number) => void): Promise<Uint8Array> {
      const url = new URL(path, baseUrl).href;
      const cached = typeof caches !== 'undefined' ? await caches.match(url, { ignoreVary: true }) : undefined;
      const res = cached ?? (await fetch(url));
      if (!res.ok) throw new Error(`HTTP ${res.status} for ${path}`);
      // A single-page-app fallback answers unknown paths with index.html: that is "not found" here.
      if ((res.headers.get('content-type') ?? '').includes('text/html')) throw new Error(`not found: ${path}`);
      return readBody(res, onProgress);
    },
  };
}
