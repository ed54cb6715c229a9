// The development server (`npm run dev`, `vite`) serves the strict policy too: no 'unsafe-inline' script,
// only the hash of plugin-react's refresh preamble (scripts/security-headers.ts devCsp). This test starts
// a real Vite dev server on its own port (E2E_PORT + 100), loads the app, opens a demo scan, and checks
// that the preamble ran (React refresh is installed), Vite's HMR websocket connected under connect-src
// 'self', an injected inline script is refused, and nothing else raised a CSP violation.
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 4173) + 100;
const base = `http://127.0.0.1:${port}`;
let server: ChildProcess | null = null;

test.setTimeout(180_000);

test.beforeAll(async () => {
  server = spawn(process.execPath, ['node_modules/vite/bin/vite.js', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { stdio: 'pipe', detached: false });
  let log = '';
  server.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(base)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`vite dev did not start on ${port}: ${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
});

test.afterAll(async () => {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((r) => server!.once('exit', r));
  server.kill('SIGTERM');
  await exited;
});

test("vite dev: strict CSP (the preamble by hash, no 'unsafe-inline'); the app, React refresh and HMR work; no violation", async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));

  const res = await page.goto(base);
  const csp = res!.headers()['content-security-policy'];
  expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*';/);
  expect(csp).not.toMatch(/unsafe-inline'[^;]*;[^;]*connect|script-src[^;]*unsafe-inline/);
  expect(csp).toMatch(/connect-src 'self';/);
  expect(await page.content()).toContain('injectIntoGlobalHook(window)'); // the inline preamble is there

  // first dev load compiles every module: generous
  await expect(page.getByTestId('app')).toBeVisible({ timeout: 120_000 });
  // the preamble ran (it defines the refresh registration hooks the app's modules call)
  expect(await page.evaluate(() => typeof (window as unknown as { $RefreshReg$?: unknown }).$RefreshReg$)).toBe('function');
  // Vite's client reached its HMR websocket on this origin
  await expect.poll(() => logs.some((l) => /\[vite\] connected/.test(l)), { timeout: 30_000 }).toBe(true);
  await page.getByTestId('demo-xray').click();
  await expect.poll(() => page.evaluate(() => window.__vlsm?.getState().scan?.name ?? null), { timeout: 60_000 }).not.toBeNull();

  expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
  expect(logs.filter((l) => /Content Security Policy|Refused to/i.test(l))).toEqual([]);

  // the policy bites: an inline script added now is refused and reported
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.body.append(s);
  });
  await expect.poll(() => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp.length)).toBe(1);
  expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined();
});
