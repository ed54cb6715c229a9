// Storage refusal in a real browser: the origin's quota is cut to 1 byte through Chromium's own quota
// manager (CDP Storage.overrideQuotaForOrigin, what DevTools' "simulate custom storage quota" uses), so
// IndexedDB refuses every write for real (QuotaExceededError from the browser's write, no mock of Dexie;
// estimate() does not show the override, so the app's free-space check before a save passes).
// Chromium applies the override to an origin's storage only when that storage is first used in the
// browser process (an open database keeps the space it was granted), so the test runs on one profile
// directory in three browser launches: save a scan; relaunch with the override and check
// - a new scan still opens and is shown, marked "Not saved" in the status bar, with a notice in words;
//   no "Saving…" is left behind;
// - a correction accepted on the earlier saved scan is refused too and the user is told; the autosave
//   says so once at most; a prompt's run (probabilities in chunks) is refused, stays shown, and the
//   prompts panel says so; nothing is left busy;
// - the page keeps answering (keys, switching scans);
// then relaunch without it: the scan saved before is still listed and opens with its pixels, and nothing
// of the refused scan was stored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type BrowserContext } from '@playwright/test';
import { encode } from 'fast-png';
import { Workbench } from './pages/Workbench';
import { Loop } from './pages/Loop';

test.setTimeout(240_000);

function png(name: string, w: number, h: number, seed: number) {
  const data = new Uint8Array(w * h * 3);
  let x = seed;
  for (let i = 0; i < data.length; i++) data[i] = x = (x * 1103515245 + 12345) & 0xff;
  return { name, mimeType: 'image/png', buffer: Buffer.from(encode({ width: w, height: h, data, channels: 3, depth: 8 })) };
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const launch = (dir: string): Promise<BrowserContext> =>
  chromium.launchPersistentContext(dir, { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS, viewport: { width: 1440, height: 900 } });

test('IndexedDB refusing writes: notices in words, the scan shown unsaved, the app usable, earlier data intact', async ({ baseURL }) => {
  const dir = mkdtempSync(join(tmpdir(), 'vlsm-quota-'));
  const origin = new URL(baseURL!).origin;
  const kept = png('kept-before.png', 64, 48, 3);
  const big = png('refused-scan.png', 512, 384, 7);
  let ctx: BrowserContext | null = null;
  try {
    // 1. a scan saved while storage is fine
    ctx = await launch(dir);
    let page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(origin);
    let wb = new Workbench(page);
    await expect(page.getByTestId('app')).toBeVisible({ timeout: 30_000 });
    await page.waitForFunction(() => !!window.__vlsm);
    await wb.openFiles([kept]);
    const before = await wb.until((s) => {
      expect(s.scan?.name).toBe(kept.name);
      expect(s.scan?.id).toBeTruthy();
      expect(s.busy).toBeNull();
    }, 30_000);
    const keptId = before.scan!.id!;
    await ctx.close();

    // 2. the same profile, its origin's quota 1 byte before the app touches storage
    ctx = await launch(dir);
    page = ctx.pages()[0] ?? (await ctx.newPage());
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
    await page.goto(origin);
    wb = new Workbench(page);
    const loop = new Loop(page);
    await expect(page.getByTestId('app')).toBeVisible({ timeout: 30_000 });
    await page.waitForFunction(() => !!window.__vlsm);
    await loop.ready();
    await wb.until((s) => expect(s.scans.map((x) => x.name)).toEqual([kept.name]), 15_000);

    // a new scan: refused by storage, still shown, marked unsaved, never stuck on "Saving…"
    await wb.openFiles([big]);
    const s1 = await wb.until((s) => {
      expect(s.scan?.name).toBe(big.name);
      expect(s.busy).toBeNull();
      expect(s.notices.some((n) => n.kind === 'error' && n.title.includes(big.name))).toBe(true);
    }, 30_000);
    expect(s1.scan!.id).toBeNull();
    const n1 = s1.notices.find((n) => n.title.includes(big.name))!;
    expect(n1.title).toBe(`"${big.name}" is open but not saved`);
    expect(n1.message).toMatch(/^Browser storage is full: "refused-scan\.png" was not saved\. Delete scans you no longer need.*Everything saved earlier is intact\.$/);
    await expect(page.getByTestId('status-unsaved')).toHaveText('Not saved');
    await expect(page.getByTestId('status-busy')).toHaveCount(0);
    expect((await wb.state()).scans.map((s) => s.name)).toEqual([kept.name]);

    // the page answers: a key acts on the unsaved scan (zoom in), the saved scan opens from the list
    const zoom0 = (await wb.state()).transform.scale;
    await wb.key('+');
    await wb.until((s) => expect(s.transform.scale).toBeGreaterThan(zoom0), 5000);
    const t0 = Date.now();
    await wb.openSaved(kept.name);
    await wb.until((s) => expect(s.scan?.id).toBe(keptId), 10_000);
    expect(Date.now() - t0).toBeLessThan(5000);
    await expect(page.getByTestId('status-unsaved')).toHaveCount(0);

    // a correction on the saved scan: IndexedDB refuses the writes (autosave, then accept)
    await page.getByTestId('tool-brush').click();
    const box = (await wb.viewer.boundingBox())!;
    await loop.stroke([[box.width / 2 - 60, box.height / 2], [box.width / 2 + 60, box.height / 2]]);
    await page.getByTestId('accept').click();
    const s2 = await wb.until((s) => expect(s.notices.some((n) => n.title === 'Accept failed')).toBe(true), 15_000);
    const accept = s2.notices.find((n) => n.title === 'Accept failed')!;
    expect(accept.message).toMatch(/^Browser storage is full: .* was not saved\. .*Everything saved earlier is intact\.$/);
    const autosave = s2.notices.filter((n) => n.title === 'The correction was not autosaved');
    expect(autosave.length).toBeLessThanOrEqual(1);
    if (autosave.length) expect(autosave[0].message).toMatch(/Browser storage is full/);
    // no raw browser or Dexie text anywhere
    expect(s2.notices.map((n) => `${n.title} ${n.message}`).join('\n')).not.toMatch(/QuotaExceededError|AbortError|Dexie|transaction|DOMException/i);

    // a prompt on the saved scan: its run (row and probability chunks) is refused; it stays shown, the
    // prompts panel says so in words, and nothing is left busy
    await page.getByTestId('status-model').and(page.locator('[data-state="ready"]')).waitFor({ timeout: 120_000 });
    const polyp = await loop.prompt('polyp', 120_000);
    await expect.poll(() => loop.error(), { timeout: 60_000 }).toMatch(/^Browser storage is full: the run “polyp” was not saved\. .*Everything saved earlier is intact\. The run stays shown/);
    await expect.poll(() => page.evaluate(() => window.__vlsmLoop!.busy()), { timeout: 30_000 }).toBeNull();
    expect((await loop.runs()).map((r) => r.id)).toContain(polyp.id);
    expect(await loop.runMask(polyp.id)).not.toBeNull();
    expect(await loop.error()).not.toMatch(/QuotaExceededError|AbortError|Dexie|transaction|DOMException/i);
    await ctx.close();

    // 3. without the override: the earlier scan is there with its pixels; nothing of the refused one
    ctx = await launch(dir);
    page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(origin);
    wb = new Workbench(page);
    await expect(page.getByTestId('app')).toBeVisible({ timeout: 30_000 });
    await page.waitForFunction(() => !!window.__vlsm);
    await wb.until((s) => expect(s.scans.map((x) => x.name)).toEqual([kept.name]), 15_000);
    await wb.openSaved(kept.name);
    await wb.until((s) => expect(s.scan).toMatchObject({ id: keptId, width: 64, height: 48, channels: 3 }), 15_000);
    const stored = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const req = indexedDB.open('vlsm-workbench');
          req.onsuccess = () => {
            const c = req.result.transaction('scanChunks', 'readonly').objectStore('scanChunks').count();
            c.onsuccess = () => resolve(c.result);
            c.onerror = () => reject(c.error);
          };
          req.onerror = () => reject(req.error);
        }),
    );
    expect(stored).toBe(1); // the kept scan's one chunk; none of the refused scan
    // nothing of the refused run
    await expect.poll(async () => (await new Loop(page).runs()).map((r) => r.prompt), { timeout: 15_000 }).not.toContain('polyp');
  } finally {
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
