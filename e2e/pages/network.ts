// What the tests record of the network: requests that leave the app's origin (none may, at run time) and
// which onnxruntime-web runtime files a backend loads.
import type { BrowserContext, Page } from '@playwright/test';

/** Collects (into `into`) the URLs of requests from `target` to any origin but baseURL's (data: and blob:
 *  URLs are local). A context sees its workers' requests too, a page only its own. */
export function recordForeignRequests(target: Page | BrowserContext, baseURL: string | undefined, into: string[] = []): string[] {
  const origin = new URL(baseURL as string).origin;
  target.on('request', (r) => {
    if (!/^(data|blob):/.test(r.url()) && !r.url().startsWith(origin)) into.push(r.url());
  });
  return into;
}

/** Collects the file names of the onnxruntime-web runtime requested in `context` (workers included), e.g.
 *  'ort-wasm-simd-threaded.jsep-1a2b3c.wasm'; `extensions` is a regular-expression alternation. */
export function recordOrtFiles(context: BrowserContext, extensions = 'wasm'): string[] {
  const files: string[] = [];
  const pattern = new RegExp(`/(ort-wasm-simd-threaded[^/]*\\.(?:${extensions}))$`);
  context.on('request', (r) => {
    const m = pattern.exec(new URL(r.url()).pathname);
    if (m) files.push(m[1]);
  });
  return files;
}
