// Nothing lost: a stroke survives a reload at any moment after pointer-up (0, 100 and 250 ms: the page
// keeps unsaved edits synchronously in localStorage on pagehide/visibilitychange, the autosave's worker
// dying with the page), and two tabs on one scan never overwrite each other (one writer per scan through
// a Web Lock; the other tab is told, stays read-only, and takes over with the first tab's edits).
import { expect, test, type Page } from '@playwright/test';
import { encode } from 'fast-png';
import { Workbench } from './pages/Workbench';
import { Loop, decodeRle } from './pages/Loop';

test.setTimeout(180_000);

function png(name: string, size: number, seed: number) {
  const data = new Uint8Array(size * size);
  for (let i = 0; i < data.length; i++) data[i] = (((i % size) ^ Math.floor(i / size)) + seed * 41) & 255;
  return { name, mimeType: 'image/png', buffer: Buffer.from(encode({ width: size, height: size, data, channels: 1, depth: 8 })) };
}

const count = (m: Uint8Array) => m.reduce((a, v) => a + v, 0);

async function strokeAt(page: Page, loop: Loop, dy: number, dx = 0): Promise<void> {
  const box = (await page.getByTestId('viewer').boundingBox())!;
  const cy = Math.round(box.height / 2) + dy;
  const cx = Math.round(box.width / 2) + dx;
  await loop.stroke([[cx - 60, cy], [cx, cy], [cx + 60, cy]]);
}

async function start(page: Page): Promise<{ wb: Workbench; loop: Loop }> {
  const wb = new Workbench(page);
  const loop = new Loop(page);
  await wb.goto();
  await loop.ready();
  await page.getByTestId('tool-brush').click();
  return { wb, loop };
}

const painted = async (loop: Loop): Promise<Uint8Array | null> => {
  const c = await loop.correction();
  return c ? decodeRle(c) : null;
};

test('a stroke survives a reload 0, 100 and 250 ms after pointer-up', async ({ page }) => {
  let { wb, loop } = await start(page);
  const scan = png('durable.png', 384, 5);
  await wb.openFiles([scan]);
  await wb.until((s) => expect(s.scan?.name).toBe(scan.name), 30_000);
  await page.waitForTimeout(400);
  let before = 0;
  for (const [i, delay] of [0, 100, 250].entries()) {
    await strokeAt(page, loop, -90 + i * 60);
    const want = (await painted(loop))!;
    expect(count(want)).toBeGreaterThan(before);
    if (delay) await page.waitForTimeout(delay);
    await page.reload();
    ({ wb, loop } = { wb: new Workbench(page), loop: new Loop(page) });
    await expect(page.getByTestId('app')).toBeVisible({ timeout: 30_000 });
    await loop.ready();
    await wb.until((s) => expect(s.scan?.name).toBe(scan.name), 30_000);
    // the reopened scan holds every stroke so far, pixel for pixel
    await expect.poll(async () => {
      const got = await painted(loop);
      return got ? count(got) : -1;
    }, { timeout: 15_000, message: `stroke ${i + 1} after a reload at ${delay} ms` }).toBe(count(want));
    const got = (await painted(loop))!;
    expect(got.every((v, k) => v === want[k])).toBe(true);
    before = count(want);
    await page.getByTestId('tool-brush').click();
  }
});

test('two tabs on one scan: the second is read-only and told, takes over with the first tab’s edits, nothing lost', async ({ context }) => {
  const pageA = await context.newPage();
  const a = await start(pageA);
  const scan = png('two-tabs.png', 384, 7);
  await a.wb.openFiles([scan]);
  await a.wb.until((s) => expect(s.scan?.name).toBe(scan.name), 30_000);
  await pageA.waitForTimeout(400);
  await strokeAt(pageA, a.loop, -80);

  const pageB = await context.newPage();
  const b = await start(pageB);
  await b.wb.until((s) => expect(s.scan?.name).toBe(scan.name), 30_000); // the last scan is restored
  await b.wb.until((s) => expect(s.notices.some((n) => /Read-only in this tab/.test(n.title))).toBe(true), 15_000);
  // B's stroke is refused (its autosave would otherwise erase A's later strokes)
  const bBefore = await painted(b.loop);
  await strokeAt(pageB, b.loop, 80);
  await pageB.waitForTimeout(600);
  expect(count((await painted(b.loop)) ?? new Uint8Array())).toBe(count(bBefore ?? new Uint8Array()));

  // A keeps editing; its draft holds both of its strokes
  await strokeAt(pageA, a.loop, 0);
  const aMask = (await painted(a.loop))!;
  await pageA.waitForTimeout(1200);

  // A closes: B takes over with A's edits, and can paint
  await pageA.close();
  await b.wb.until((s) => expect(s.notices.some((n) => /You can edit this scan now/.test(n.title))).toBe(true), 15_000);
  await expect.poll(async () => count((await painted(b.loop)) ?? new Uint8Array()), { timeout: 10_000 }).toBe(count(aMask));
  await strokeAt(pageB, b.loop, 80);
  const both = (await painted(b.loop))!;
  expect(count(both)).toBeGreaterThan(count(aMask));
  expect(aMask.every((v, k) => !v || both[k] === 1)).toBe(true);
  // and it is saved: a reload of B shows all three strokes
  await pageB.waitForTimeout(800);
  await pageB.reload();
  const b2 = { wb: new Workbench(pageB), loop: new Loop(pageB) };
  await expect(pageB.getByTestId('app')).toBeVisible({ timeout: 30_000 });
  await b2.loop.ready();
  await expect.poll(async () => count((await painted(b2.loop)) ?? new Uint8Array()), { timeout: 15_000 }).toBe(count(both));
});
