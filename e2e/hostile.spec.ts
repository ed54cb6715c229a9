// The hostile-input corpus (scripts/hostile-corpus.ts, generated at run time) in the real app: every scan,
// study, reference mask and bundle case through the same inputs a user has (Open…, the reference input,
// the Model panel's folder import), one page for all. Each case must end as expected within 3 s: it
// opens, or a notice/message says what is wrong in words (matching the case, never raw library text).
// After each group a good file still opens, and no refused bundle leaves anything in Cache Storage.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { Workbench, type FilePayload } from './pages/Workbench';
import { Loop } from './pages/Loop';
import { GOOD, MASK_HOST, RAW_LIBRARY_TEXT, hostileCorpus, type HostileCase } from '../scripts/hostile-corpus';

test.setTimeout(600_000);
const LIMIT_MS = 3000;
const payload = (f: { name: string; bytes: Uint8Array }): FilePayload => ({ name: f.name, mimeType: 'application/octet-stream', buffer: Buffer.from(f.bytes) });

type Outcome = { opened: boolean; text: string; ms: number };

/** Waits until no more scans are being opened (a study may open several volumes one after another). */
async function settle(page: Page, wb: Workbench): Promise<void> {
  let last = '';
  await expect(async () => {
    const s = await wb.state();
    const now = `${s.scans.length}|${s.scan?.name ?? ''}`;
    const same = now === last;
    last = now;
    await page.waitForTimeout(400);
    expect(same).toBe(true);
  }).toPass({ timeout: 20_000 });
}

async function goodStillOpens(wb: Workbench): Promise<void> {
  await settle(wb.page, wb);
  await wb.openFiles([payload(GOOD)]);
  await wb.until((s) => expect(s.scan?.name).toBe(GOOD.name), 15_000);
}

/** Opens files and waits for the scan to show or a notice naming a file; returns what happened. */
async function openCase(page: Page, wb: Workbench, c: HostileCase): Promise<Outcome> {
  const beforeScans = (await wb.state()).scans.length;
  const t0 = Date.now();
  await wb.openFiles(c.files.map(payload));
  const names = c.files.map((f) => f.name);
  let out: Outcome | null = null;
  await expect(async () => {
    const s = await wb.state();
    const notice = s.notices.find((n) => n.kind === 'error' && names.some((x) => `${n.title} ${n.message}`.includes(x)));
    if (c.target === 'study') {
      // a study ends when its scans stop coming; it may open with a notice about what did not fit
      await settle(page, wb);
      const after = await wb.state();
      const note = after.notices.find((n) => n.kind === 'error' && names.some((x) => `${n.title} ${n.message}`.includes(x)));
      out = { opened: after.scans.length > beforeScans, text: note ? `${note.title}: ${note.message}` : '', ms: Date.now() - t0 };
      return;
    }
    const opened = s.scan?.name === names[0];
    if (opened || notice) out = { opened, text: notice ? `${notice.title}: ${notice.message}` : '', ms: Date.now() - t0 };
    expect(out).not.toBeNull();
  }).toPass({ timeout: 20_000, intervals: [50, 100, 200] });
  return out as unknown as Outcome;
}

function judge(c: HostileCase, o: Outcome, wrong: string[]): void {
  const ok = c.expect === 'opens' ? o.opened && (!c.message || c.message.test(o.text)) : !o.opened && (!c.message || c.message.test(o.text));
  // a study is judged once its scans stop coming (settle adds ~1 s of quiet), so its limit is wider
  if (!ok || RAW_LIBRARY_TEXT.test(o.text) || o.ms > LIMIT_MS + (c.target === 'study' ? 4000 : 0)) wrong.push(`${c.id}: expected ${c.expect}, got ${o.opened ? 'opened' : 'refused'} in ${o.ms} ms: ${o.text}`);
}

test('hostile corpus: each case opens or is refused in words within 3 s; good files still open', async ({ page }) => {
  const corpus = hostileCorpus();
  const wb = new Workbench(page);
  const loop = new Loop(page);
  await wb.goto();
  await loop.ready();
  const wrong: string[] = [];

  // scans, then studies (several files at once)
  for (const c of corpus.filter((x) => x.target === 'scan')) judge(c, await openCase(page, wb, c), wrong);
  await goodStillOpens(wb);
  for (const c of corpus.filter((x) => x.target === 'study')) judge(c, await openCase(page, wb, c), wrong);
  await goodStillOpens(wb);

  // reference masks, imported onto a 16 x 16 scan
  await wb.openFiles([payload(MASK_HOST)]);
  await wb.until((s) => expect(s.scan?.name).toBe(MASK_HOST.name), 15_000);
  for (const c of corpus.filter((x) => x.target === 'mask')) {
    const f = c.files[0];
    const t0 = Date.now();
    await page.getByTestId('reference-input').setInputFiles(payload(f));
    let o: Outcome | null = null;
    await expect(async () => {
      const err = await loop.error();
      const label = (await page.getByTestId('reference-label').textContent().catch(() => '')) ?? '';
      if (err?.includes(f.name)) o = { opened: false, text: err, ms: Date.now() - t0 };
      else if (label.includes(f.name) && !(await page.getByTestId('busy-cancel').isVisible().catch(() => false))) o = { opened: true, text: '', ms: Date.now() - t0 };
      expect(o).not.toBeNull();
    }).toPass({ timeout: 20_000, intervals: [50, 100, 200] });
    judge(c, o as unknown as Outcome, wrong);
  }
  await goodStillOpens(wb);

  // bundles and manifests: folder import in the Model panel
  const panel = page.getByTestId('panel-models');
  if (!(await page.getByTestId('model-manager').isVisible())) await panel.getByRole('button').first().click();
  await expect(page.getByTestId('model-manager')).toBeVisible();
  const root = mkdtempSync(join(tmpdir(), 'vlsm-hostile-'));
  try {
    let prev = '';
    for (const c of corpus.filter((x) => x.target === 'bundle')) {
      const dir = join(root, c.id);
      mkdirSync(dir);
      for (const f of c.files) writeFileSync(join(dir, f.name), f.bytes);
      const t0 = Date.now();
      await page.getByTestId('model-import').setInputFiles(dir);
      const msg = page.getByTestId('model-message');
      // each case's message differs from the last one (names, paths and reasons differ)
      await expect.poll(async () => ((await msg.isVisible()) ? await msg.textContent() : prev), { timeout: 20_000, intervals: [50, 100, 200] }).not.toBe(prev);
      const text = (await msg.textContent()) ?? '';
      prev = text;
      judge(c, { opened: /^Stored/.test(text), text, ms: Date.now() - t0 }, wrong);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  // nothing of a refused bundle is left in Cache Storage; the shipped model still works
  const keys = await page.evaluate(async () => (await Promise.all((await caches.keys()).map(async (n) => (await (await caches.open(n)).keys()).map((r) => r.url)))).flat());
  const left = keys.filter((u) => /hostile-/.test(u) && !/hostile-(good|script-name)\//.test(u));
  expect(left).toEqual([]);
  await expect(page.getByTestId('model-shipped-compact-vlsm')).toBeVisible();
  await goodStillOpens(wb);

  expect(wrong).toEqual([]);
});
