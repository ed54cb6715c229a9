// 3-D mask and DICOM SEG helpers for the e2e specs: paint on a volume through the three views, read the
// app's 3-D mask, and check a SEG file with the Python checker (models/tests/seg_check.py: pydicom and
// highdicom against the source files).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { pythonExe } from '../../src/engine/testing/python';

type Plane = 'axial' | 'coronal' | 'sagittal';

export interface AppMask {
  shape: [number, number, number];
  mask: string;
  sops: string[];
  frameNumbers: (number | null)[];
  provenance: string;
}

export const appMask = async (page: Page): Promise<AppMask> => {
  const m = await page.evaluate(() => window.__vlsmVolumeSeg!.mask());
  expect(m, 'a 3-D mask in the app').not.toBeNull();
  return m!;
};

export const voxelsOf = (b64: string): number => Buffer.from(b64, 'base64').reduce((a, v) => a + (v ? 1 : 0), 0);

/** Dice of two base64 0/1 volumes. */
export function dice(a: string, b: string): number {
  const x = Buffer.from(a, 'base64');
  const y = Buffer.from(b, 'base64');
  expect(x.length).toBe(y.length);
  let inter = 0;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    inter += x[i] && y[i] ? 1 : 0;
    sum += (x[i] ? 1 : 0) + (y[i] ? 1 : 0);
  }
  return sum ? (2 * inter) / sum : 1;
}

/** A brush dab of `radius` voxels on storage slice k of the open volume, through the view whose slice axis is k. */
export async function paintOnSlice(page: Page, k: number, i: number, j: number, radius = 3): Promise<void> {
  if (!(await page.getByTestId('mpr').isVisible().catch(() => false))) await page.getByTestId('volume-mpr').click();
  await expect(page.getByTestId('mpr')).toBeVisible();
  const st = await page.evaluate(() => window.__vlsmMpr!.state());
  const plane = (Object.entries(st.planes!).find(([, p]) => p.n === 2)?.[0] ?? 'axial') as Plane;
  await page.getByTestId('mpr-tool-brush').click();
  await page.getByTestId('mpr-radius').fill(String(radius));
  // bring the view to slice k: a click in another view at a voxel of slice k moves the crosshair there
  const other = (['axial', 'coronal', 'sagittal'] as Plane[]).find((p) => p !== plane)!;
  await page.getByTestId('mpr-tool-crosshair').click();
  const o = await page.evaluate(([pl, v]) => window.__vlsmMpr!.screenOf(pl as Plane, v as [number, number, number]), [other, [i, j, k]] as const);
  expect(o, `${other} view shown`).not.toBeNull();
  await page.mouse.click(o!.x, o!.y);
  await expect.poll(async () => (await page.evaluate(() => window.__vlsmMpr!.state())).point?.[2]).toBe(k);
  await page.getByTestId('mpr-tool-brush').click();
  const before = st.voxels ?? 0;
  const p = await page.evaluate(([pl, v]) => window.__vlsmMpr!.screenOf(pl as Plane, v as [number, number, number]), [plane, [i, j, k]] as const);
  expect(p, `${plane} view shown`).not.toBeNull();
  await page.mouse.move(p!.x, p!.y);
  await page.mouse.down();
  await page.mouse.move(p!.x + 2, p!.y + 1, { steps: 3 });
  await page.mouse.up();
  await expect.poll(async () => (await page.evaluate(() => window.__vlsmMpr!.state())).voxels ?? 0).toBeGreaterThan(before);
  await expect.poll(async () => (await page.evaluate(() => window.__vlsmMpr!.state())).saved, { timeout: 20_000 }).toBe('clean');
}

/** Runs models/tests/seg_check.py on a SEG; returns its facts (throws with the failed check). */
export function checkSeg(seg: Buffer | string, expected: Record<string, unknown>, sources: string[]): Record<string, unknown> {
  const py = pythonExe('numpy, pydicom, highdicom');
  expect(py, 'pydicom and highdicom in .venv (models/requirements.txt)').not.toBeNull();
  const dir = mkdtempSync(join(tmpdir(), 'vlsm-seg3d-'));
  const segPath = typeof seg === 'string' ? seg : join(dir, 'seg.dcm');
  if (typeof seg !== 'string') writeFileSync(segPath, seg);
  const exp = join(dir, 'expected.json');
  writeFileSync(exp, JSON.stringify(expected));
  try {
    return JSON.parse(execFileSync(py!, ['models/tests/seg_check.py', segPath, exp, ...sources], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] })) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`seg_check.py: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}
