// Strokes painted while a freshly opened scan frame is still loading (its runs and saved draft are being
// read from IndexedDB) keep their pixels AND their undo history, and never overwrite the saved draft.
// The load is held open with a real IndexedDB read-write transaction on the runs/masks stores that the
// test keeps alive (the app's reads of those stores queue behind it), then released.
import { expect, test, type Page } from '@playwright/test';
import { encode } from 'fast-png';
import { Workbench } from './pages/Workbench';
import { Loop, decodeRle } from './pages/Loop';

test.setTimeout(120_000);

function png(name: string, size: number, seed: number) {
  const data = new Uint8Array(size * size);
  for (let i = 0; i < data.length; i++) data[i] = (((i % size) ^ Math.floor(i / size)) + seed * 41) & 255;
  return { name, mimeType: 'image/png', buffer: Buffer.from(encode({ width: size, height: size, data, channels: 1, depth: 8 })) };
}

/** Holds a read-write transaction on runs + masks until release() (a real IndexedDB lock, no stubs). */
async function holdLoad(page: Page): Promise<{ release: () => Promise<void> }> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const w = window as unknown as { __lockDone?: Promise<void>; __releaseLock?: boolean };
        w.__releaseLock = false;
        const req = indexedDB.open('vlsm-workbench');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction(['runs', 'masks'], 'readwrite');
          w.__lockDone = new Promise((done) => {
            tx.oncomplete = () => {
              db.close();
              done();
            };
          });
          const spin = () => {
            if (w.__releaseLock) return;
            tx.objectStore('runs').get('__held__').onsuccess = spin;
          };
          spin();
          resolve();
        };
      }),
  );
  return {
    release: () =>
      page.evaluate(async () => {
        const w = window as unknown as { __lockDone?: Promise<void>; __releaseLock?: boolean };
        w.__releaseLock = true;
        await w.__lockDone;
      }),
  };
}

/** The saved correction draft of the open scan (read straight from IndexedDB), as 0/1 pixels. */
async function savedDraft(page: Page): Promise<Uint8Array | null> {
  const row = await page.evaluate(async () => {
    const id = window.__vlsm!.getState().scan?.id;
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('vlsm-workbench');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const got = await new Promise<{ width: number; height: number; data: Uint8Array; encoding: string } | undefined>((res) => {
      const q = db.transaction('masks').objectStore('masks').get(`${id}:0:corrected`);
      q.onsuccess = () => res(q.result);
    });
    db.close();
    return got ? { width: got.width, height: got.height, counts: Array.from(new Uint32Array(new Uint8Array(got.data).slice().buffer)) } : null;
  });
  return row ? decodeRle(row) : null;
}

async function strokeAcross(page: Page, loop: Loop, y: number): Promise<void> {
  const box = (await page.getByTestId('viewer').boundingBox())!;
  const cy = Math.round(box.height / 2) + y;
  const cx = Math.round(box.width / 2);
  await loop.stroke([
    [cx - 80, cy],
    [cx, cy],
    [cx + 80, cy],
  ]);
}

const count = (m: Uint8Array) => m.reduce((a, v) => a + v, 0);
/** Row-major run lengths: short to compare and to print when they differ. */
function runs(m: Uint8Array | null): number[] | null {
  if (!m) return null;
  const out: number[] = [];
  let cur = 0;
  let start = 0;
  for (let i = 0; i < m.length; i++) {
    if (m[i] !== cur) {
      out.push(i - start);
      start = i;
      cur = m[i];
    }
  }
  out.push(m.length - start);
  return out;
}
const current = async (loop: Loop) => runs(decodeRle((await loop.correction())!));
const savedRuns = async (page: Page) => runs(await savedDraft(page));

/** A fresh workbench with the model loop ready and the brush picked. */
async function start(page: Page): Promise<{ wb: Workbench; loop: Loop }> {
  const wb = new Workbench(page);
  const loop = new Loop(page);
  await wb.goto();
  await loop.ready();
  await page.getByTestId('tool-brush').click();
  return { wb, loop };
}

/** Opens a saved scan from the list while its runs and draft cannot be read yet (see holdLoad). */
async function openSavedHeld(page: Page, wb: Workbench, name: string): Promise<{ release: () => Promise<void> }> {
  const lock = await holdLoad(page);
  await wb.openSaved(name);
  await wb.until((s) => expect(s.scan?.name).toBe(name), 30_000);
  return lock;
}

test('a stroke on a scan still loading keeps its pixels and its undo step', async ({ page }) => {
  const { wb, loop } = await start(page);
  const a = png('race-fresh.png', 512, 1);
  const b = png('race-other.png', 512, 4);
  await wb.openFiles([a, b]);
  await wb.until((s) => expect(s.scan?.name).toBe(b.name), 30_000);
  await page.waitForTimeout(500);

  // open A from the list (its pixels are read at once; its runs and draft wait behind the held stores)
  const lock = await openSavedHeld(page, wb, a.name);
  await strokeAcross(page, loop, 0);
  const early = (await loop.correction())!;
  expect(early.undo).toBe(1);
  const painted = decodeRle(early);
  expect(count(painted)).toBeGreaterThan(100);
  await page.waitForTimeout(800);
  expect(await loop.runs()).toEqual([]);
  await lock.release();

  // once loaded, the draft is saved from this session; the session (and its history) is the same
  await expect.poll(() => savedRuns(page), { timeout: 10_000 }).toEqual(runs(painted));
  // the draft was written by the autosave's worker (not the main-thread fallback)
  expect(page.workers().some((w) => /draftWorker/.test(w.url()))).toBe(true);
  await page.waitForTimeout(500);
  const after = (await loop.correction())!;
  expect(after.undo).toBe(1);
  expect(runs(decodeRle(after))).toEqual(runs(painted));
  await page.keyboard.press('Control+z');
  await expect.poll(async () => count(decodeRle((await loop.correction())!))).toBe(0);
});

test('a stroke on a reopened scan still loading lands on its saved draft, undoable, and the draft is kept', async ({ page }) => {
  const { wb, loop } = await start(page);
  const a = png('race-a.png', 512, 2);
  const b = png('race-b.png', 512, 3);
  await wb.openFiles([a]);
  await wb.until((s) => expect(s.scan?.name).toBe(a.name), 30_000);
  await page.waitForTimeout(500);
  await strokeAcross(page, loop, -60);
  const first = decodeRle((await loop.correction())!);
  await expect.poll(() => savedRuns(page), { timeout: 10_000 }).toEqual(runs(first));

  await wb.openFiles([b]);
  await wb.until((s) => expect(s.scan?.name).toBe(b.name), 30_000);
  await page.waitForTimeout(500);

  // back to A while its saved draft cannot be read yet; paint a second stroke at once
  const lock = await openSavedHeld(page, wb, a.name);
  await strokeAcross(page, loop, 60);
  const second = decodeRle((await loop.correction())!);
  await page.waitForTimeout(800);
  await lock.release();

  const both = first.map((v, i) => v | second[i]);
  expect(count(both)).toBeGreaterThan(count(first));
  await expect.poll(() => current(loop), { timeout: 10_000 }).toEqual(runs(both));
  await expect.poll(() => savedRuns(page), { timeout: 10_000 }).toEqual(runs(both));
  expect((await loop.correction())!.undo).toBe(1);
  await page.keyboard.press('Control+z');
  await expect.poll(() => current(loop)).toEqual(runs(first));
  await expect.poll(() => savedRuns(page), { timeout: 10_000 }).toEqual(runs(first));
});
