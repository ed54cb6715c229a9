// Model hosts the user allowed: the page's Content-Security-Policy keeps connect-src to this origin, and
// the service worker (public/sw.js) adds these origins to it on the pages it serves. A new host therefore
// takes effect after a reload, and only where the service worker runs (production builds).
const SETTINGS_CACHE = 'vlsm-settings-v1';
const key = (): string => `${globalThis.location?.origin ?? ''}${import.meta.env?.BASE_URL ?? '/'}__vlsm/model-hosts`;
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

export async function allowedModelHosts(): Promise<string[]> {
  try {
    const r = await (await caches.open(SETTINGS_CACHE)).match(key());
    const list: unknown = r ? await r.json() : [];
    return Array.isArray(list) ? list.filter((h): h is string => typeof h === 'string' && ORIGIN.test(h)) : [];
  } catch {
    return [];
  }
}

export async function allowModelHost(origin: string): Promise<void> {
  if (!ORIGIN.test(origin)) throw new Error(`'${origin}' is not a web origin`);
  const list = [...new Set([...(await allowedModelHosts()), origin])];
  await (await caches.open(SETTINGS_CACHE)).put(key(), new Response(JSON.stringify(list), { headers: { 'Content-Type': 'application/json' } }));
}

/** Whether the page may contact `origin` now (this origin, or allowed and in force since the last load). */
export function hostInForce(origin: string): boolean {
  if (origin === globalThis.location?.origin) return true;
  const meta = globalThis.document?.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '';
  const connect = /connect-src ([^;]*)/.exec(meta)?.[1] ?? '';
  return connect.split(/\s+/).includes(origin);
}
