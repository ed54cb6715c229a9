// Service worker: offline app shell. Precaches every file of the build (dist/precache-manifest.json,
// written by scripts/vite-models-plugin.ts: app assets, onnxruntime-web .wasm/.mjs, the shipped model
// bundles), serves them cache-first, and adds the cross-origin isolation headers (COOP/COEP/CORP) to
// everything it answers from cache, so multithreaded WASM keeps working offline. Same-origin GETs only;
// requests to other origins (a model download the user asked for) pass through untouched.
/* eslint-disable */
const VERSION = '__PRECACHE_VERSION__';
const APP_CACHE = `vlsm-app-${VERSION}`;
const MODEL_CACHE = 'vlsm-models-v1';
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
// Security headers (the same as scripts/security-headers.ts; src/app/csp.test.ts checks they agree) on
// every response served from here; pages also get the model hosts the user allowed in connect-src.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'";
const SECURITY = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' };
const SETTINGS_CACHE = 'vlsm-settings-v1';
const scopeUrl = new URL(self.registration.scope);
const BASE = scopeUrl.pathname;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const res = await fetch(`${BASE}precache-manifest.json`, { cache: 'no-store' });
      const { entries } = await res.json();
      const cache = await caches.open(APP_CACHE);
      const have = new Set((await cache.keys()).map((r) => new URL(r.url).pathname));
      for (const { url } of entries) {
        if (have.has(url)) continue;
        const r = await fetch(url, { cache: 'reload' });
        if (!r.ok) throw new Error(`precache ${url}: HTTP ${r.status}`);
        await cache.put(url, r);
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('vlsm-app-') && name !== APP_CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

function isolated(res) {
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(ISOLATION)) headers.set(k, v);
  for (const [k, v] of Object.entries(SECURITY)) headers.set(k, v);
  headers.set('Content-Security-Policy', CSP);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/** Origins the user allowed for model downloads (Model panel), as written by src/worker/modelHosts.ts. */
async function modelHosts() {
  try {
    const r = await (await caches.open(SETTINGS_CACHE)).match(`${BASE}__vlsm/model-hosts`);
    const list = r ? await r.json() : [];
    return Array.isArray(list) ? list.filter((h) => typeof h === 'string' && /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(h)) : [];
  } catch {
    return [];
  }
}

/** A page with the security headers, connect-src widened by the allowed model hosts (header and meta). */
async function securedPage(res) {
  const hosts = await modelHosts();
  const out = isolated(res);
  if (!hosts.length) return out;
  // the built page's <meta> has the quotes as HTML entities (&#39;): both spellings are widened, else the
  // meta policy (enforced beside the header's) would keep blocking the allowed hosts
  const widen = (p) =>
    p.replace("connect-src 'self'", `connect-src 'self' ${hosts.join(' ')}`).replace('connect-src &#39;self&#39;', `connect-src &#39;self&#39; ${hosts.join(' ')}`);
  const headers = new Headers(out.headers);
  headers.set('Content-Security-Policy', widen(CSP));
  const html = (res.headers.get('Content-Type') || '').includes('text/html');
  const body = html ? widen(await out.text()) : out.body;
  headers.delete('Content-Length');
  return new Response(body, { status: res.status, statusText: res.statusText, headers });
}

async function fromCache(request) {
  const url = new URL(request.url);
  const app = await caches.open(APP_CACHE);
  let hit = await app.match(url.pathname);
  if (!hit && url.pathname.startsWith(`${BASE}user-models/`)) hit = await (await caches.open(MODEL_CACHE)).match(url.href);
  return hit;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== scopeUrl.origin) return;
  if (request.headers.has('range')) return; // partial requests go to the network as asked
  // The PACS proxy (/pacs/, docs/PACS.md) is never cached nor touched: patient data and the login's
  // Authorization header stay out of the service worker, and failures reach the page as they happened.
  if (url.pathname.startsWith(`${BASE}pacs/`)) return;
  event.respondWith(
    (async () => {
      if (request.mode === 'navigate') {
        // Network first for pages (fresh app when online), the cached shell when offline.
        let net;
        try {
          net = await fetch(request);
        } catch {
          const page = (await fromCache(request)) ?? (await (await caches.open(APP_CACHE)).match(`${BASE}index.html`));
          if (page) return securedPage(page);
          throw new Error('offline and not cached');
        }
        return securedPage(net);
      }
      const hit = await fromCache(request);
      if (hit) return isolated(hit);
      return fetch(request);
    })(),
  );
});
