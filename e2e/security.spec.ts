// Security headers and CSP: the preview server sends a strict Content-Security-Policy with nosniff,
// no-referrer and frame-ancestors 'none'; the built page carries the policy as a <meta>; a full journey
// (open a real scan, prompt the model, correct, accept, export every format, import a reference) raises no
// CSP violation (securitypolicyviolation events and console reports are both collected); the service
// worker's answers carry the same headers.
import { expect, test } from '@playwright/test';
import { Workbench } from './pages/Workbench';
import { Loop } from './pages/Loop';
import { kvasirJpeg } from './pages/files';

test.setTimeout(240_000);

test('strict CSP and security headers; a full journey raises no CSP violation', async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  const consoleCsp: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|connect|create|compile|apply)/i.test(m.text())) consoleCsp.push(m.text());
  });
  page.on('worker', (w) => w.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) consoleCsp.push(`worker: ${m.text()}`);
  }));

  const res = await page.goto('/');
  const h = res!.headers();
  expect(h['content-security-policy']).toMatch(/default-src 'self'/);
  expect(h['content-security-policy']).toMatch(/script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  expect(h['content-security-policy']).toMatch(/connect-src 'self'(;|$)/);
  expect(h['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  expect(h['x-content-type-options']).toBe('nosniff');
  expect(h['referrer-policy']).toBe('no-referrer');
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toMatch(/default-src 'self'.*script-src 'self' 'wasm-unsafe-eval'/);

  const wb = new Workbench(page);
  const loop = new Loop(page);
  await expect(page.getByTestId('app'), `CSP reports: ${consoleCsp.join(' | ')}`).toBeVisible({ timeout: 30_000 });
  await loop.ready();
  const image = kvasirJpeg();
  await wb.openFiles([image]);
  await wb.until((s) => expect(s.scan?.name).toBe(image.name), 30_000);
  await loop.prompt('polyp');
  await page.getByTestId('tool-brush').click();
  const box = (await page.getByTestId('viewer').boundingBox())!;
  await loop.stroke([[box.width / 2 - 50, box.height / 2], [box.width / 2 + 50, box.height / 2]]);
  await page.getByTestId('accept').click();
  const exported = [];
  for (const f of ['png', 'nifti', 'coco', 'scores-csv', 'scores-json', 'zip']) exported.push(await loop.exportFile(f, 'correction'));
  // the re-import of our own export goes through the reader worker
  const png = exported[0];
  await loop.importReference({ name: png.name, mimeType: 'image/png', buffer: png.bytes });

  // the service worker (registered by the production build) answers with the same headers
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null || navigator.serviceWorker.ready.then(() => true), null, { timeout: 30_000 });
  const again = await page.reload();
  await expect(page.getByTestId('app')).toBeVisible({ timeout: 30_000 });
  expect(again!.headers()['content-security-policy']).toMatch(/default-src 'self'/);
  const viaSw = await page.evaluate(async () => {
    const r = await fetch('/index.html');
    return { csp: r.headers.get('content-security-policy'), nosniff: r.headers.get('x-content-type-options'), sw: !!navigator.serviceWorker.controller };
  });
  expect(viaSw.csp).toMatch(/default-src 'self'/);
  expect(viaSw.nosniff).toBe('nosniff');

  const violations = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
  expect([...violations, ...consoleCsp]).toEqual([]);
});
