// A big volume with bounded memory: a 512 x 512 x 300 int16 NIfTI (150 MiB of voxels, generated here,
// never committed) opens, is saved (in chunks), reloads whole from IndexedDB, shows in three views and is
// prompted on a slice range, while the tab's memory stays under 1.5 GB. Memory is the resident set
// (VmRSS) of every Chromium renderer process this test's browser runs, sampled every 250 ms from /proc:
// it counts typed arrays (ArrayBuffer backing stores live outside the JS heap, where JSHeapUsedSize does
// not look) and the workers (threads of the page's renderer). The page and its service worker may be in
// separate renderers; both are counted, so the figure is an upper bound of the tab's.
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { niftiHeader } from '../src/scan/testing/builders';
import { Workbench } from './pages/Workbench';

const NX = 512;
const NY = 512;
const NZ = 300;
const LIMIT = 1.5e9;

/** Deterministic phantom: a bright ellipsoid in a textured body; returns its file and value sum. */
function writePhantom(path: string): { sum: number; samples: Record<number, number> } {
  const fd = openSync(path, 'w');
  writeSync(fd, niftiHeader({ dims: [3, NX, NY, NZ, 1, 1, 1, 1], datatype: 4, bitpix: 16, pixdim: [1, 0.7, 0.7, 1.5] }));
  const slice = new Int16Array(NX * NY);
  let sum = 0;
  const samples: Record<number, number> = {};
  const probe = [0, NX * NY * 150 + NX * 256 + 256, NX * NY * NZ - 1, NX * NY * 299 + 17];
  for (let z = 0; z < NZ; z++) {
    for (let y = 0; y < NY; y++) {
      for (let x = 0; x < NX; x++) {
        const dx = (x - 256) / 200;
        const dy = (y - 256) / 170;
        const body = dx * dx + dy * dy < 1 ? 40 + ((x * 7 + y * 13 + z * 31) % 61) : -1000;
        const ex = (x - 300) / 60;
        const ey = (y - 230) / 50;
        const ez = (z - 150) / 40;
        const v = ex * ex + ey * ey + ez * ez < 1 ? 900 : body;
        slice[y * NX + x] = v;
        sum += v;
        const at = (z * NY + y) * NX + x;
        if (probe.includes(at)) samples[at] = v;
      }
    }
    writeSync(fd, new Uint8Array(slice.buffer));
  }
  closeSync(fd);
  return { sum, samples };
}

/** Processes below `root` (from /proc), with their command lines. */
function descendants(root: number): { pid: number; cmd: string }[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    try {
      out.push({ pid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      continue;
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Sum of VmRSS (bytes) of this test's Chromium renderer processes. */
function rendererRss(): number {
  let total = 0;
  for (const p of descendants(process.pid)) {
    if (!p.cmd.includes('--type=renderer')) continue;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
      total += m ? Number(m[1]) * 1024 : 0;
    } catch {
      /* gone */
    }
  }
  return total;
}

test('a 512x512x300 int16 volume opens, saves, reloads whole, shows three views and is prompted, under 1.5 GB', async ({ page }) => {
  test.setTimeout(480_000);
  const dir = mkdtempSync(join(tmpdir(), 'vlsm-big-'));
  const file = join(dir, 'phantom-512x512x300.nii');
  const { sum, samples } = writePhantom(file);
  const probe = Object.keys(samples).map(Number);

  let phase = 'start';
  const peak: Record<string, number> = {};
  const sample = () => {
    const rss = rendererRss();
    peak[phase] = Math.max(peak[phase] ?? 0, rss);
  };
  const timer = setInterval(sample, 250);
  try {
    const wb = new Workbench(page);
    await wb.goto();
    await expect(page.getByTestId('status-model')).toHaveAttribute('data-state', /ready|idle/, { timeout: 120_000 });

    if (process.env.BIG_DEBUG) {
      for (const p of descendants(process.pid)) {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
        console.log(p.pid, Math.round(Number(m?.[1] ?? 0) / 1024), 'MB', p.cmd.split(' ').filter((a) => /--type|--utility-sub-type|--renderer-client-id|--extension/.test(a)).join(' '));
      }
    }
    phase = 'open+save';
    await page.getByTestId('file-input').setInputFiles(file);
    const opened = await wb.until((st) => {
      expect(st.scan).toMatchObject({ format: 'nifti', width: NX, height: NY, frames: NZ });
      expect(st.scan?.id, 'saved').toBeTruthy();
    }, 120_000);
    const digest = await page.evaluate((at) => window.__vlsm!.scanDigest(at), probe);
    expect(digest).toEqual({ dtype: 'int16', values: NX * NY * NZ, sum, samples: probe.map((i) => samples[i]) });
    await expect(page.getByTestId('notice').filter({ hasText: /not saved|storage/i })).toHaveCount(0);

    phase = 'reload';
    await page.reload();
    await page.waitForFunction(() => !!window.__vlsm);
    await wb.until((st) => expect(st.scan).toMatchObject({ id: opened.scan!.id, frames: NZ }), 120_000);
    // the whole volume came back from its chunks
    expect(await page.evaluate((at) => window.__vlsm!.scanDigest(at), probe)).toEqual(digest);

    phase = 'three views';
    await page.getByTestId('volume-mpr').click();
    for (const plane of ['axial', 'coronal', 'sagittal']) await expect(page.getByTestId(`mpr-${plane}`)).toBeVisible();
    // from the centre voxel (255, 255, 149), step the coronal and sagittal views through 20 slices each
    for (const plane of ['coronal', 'sagittal'] as const) {
      const p = await page.evaluate((pl) => window.__vlsmMpr!.screenOf(pl, [256, 256, 150]), plane);
      await page.mouse.move(p!.x, p!.y);
      for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 100);
    }
    await expect.poll(async () => (await page.evaluate(() => window.__vlsmMpr!.state())).point).toEqual([275, 275, 149]);
    const redraws = (await page.evaluate(() => window.__vlsmMpr!.timings())).filter((r) => r.resliced);
    const byPlane = Object.fromEntries(
      (['axial', 'coronal', 'sagittal'] as const).map((pl) => {
        const ms = redraws.filter((r) => r.plane === pl).map((r) => r.ms).sort((a, b) => a - b);
        return [pl, { n: ms.length, median: ms[Math.floor(ms.length / 2)], max: ms[ms.length - 1] }];
      }),
    );
    await page.getByTestId('mpr-off').click();

    phase = 'prompt';
    const panel = page.getByTestId('volume-panel');
    await panel.getByTestId('volume-prompt').fill('liver');
    await panel.getByTestId('volume-from').fill('149');
    await panel.getByTestId('volume-to').fill('151');
    await expect(panel.getByTestId('volume-run')).toHaveText('Run on slices 149–151');
    await expect(panel.getByTestId('volume-run')).toBeEnabled({ timeout: 120_000 });
    await panel.getByTestId('volume-run').click();
    await expect(panel.getByTestId('volume-last')).toContainText('“liver”: 3 slices', { timeout: 240_000 });
    await expect(panel.getByTestId('volume-error')).toHaveCount(0);
    await expect(panel.getByTestId('volume-result')).toContainText('slices 149–151');
    sample();
    console.log(JSON.stringify({ rendererRssPeakMB: Object.fromEntries(Object.entries(peak).map(([k, v]) => [k, Math.round(v / 1e6)])), mprRedrawMs: byPlane }));
    for (const [k, v] of Object.entries(peak)) expect(v, `renderer memory during ${k}`).toBeLessThan(LIMIT);
    expect(peak['open+save'], 'memory was sampled').toBeGreaterThan(150e6);
  } finally {
    clearInterval(timer);
    rmSync(dir, { recursive: true, force: true });
  }
});
