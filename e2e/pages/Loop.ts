// Page object for the clinician's loop panels (prompts, runs, reference, correction, export), found by
// data-testid; state is read through window.__vlsmLoop (src/ui/results/testHook.ts), never from pixels.
import { expect, type Download, type Locator, type Page } from '@playwright/test';
import type { LoopTestApi } from '../../src/ui/results/testHook';
import type { RunView } from '../../src/state/runs';
import { Workbench, type FilePayload } from './Workbench';

export type RleMask = { width: number; height: number; counts: number[] };

export function decodeRle(m: RleMask): Uint8Array {
  const out = new Uint8Array(m.width * m.height);
  let p = 0;
  m.counts.forEach((c, i) => {
    if (i % 2 === 1) out.fill(1, p, p + c);
    p += c;
  });
  return out;
}

export function dice(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i]) na++;
    if (b[i]) nb++;
    if (a[i] && b[i]) inter++;
  }
  return na + nb === 0 ? 1 : (2 * inter) / (na + nb);
}

/** Three points (image pixels) of a horizontal stroke in a part of the image that the mask leaves empty (a brush
 * stroke there must add pixels). */
export function emptyStrip(m: Uint8Array, w: number, h: number): [number, number][] {
  const margin = Math.round(Math.min(w, h) * 0.05);
  const len = Math.round(w * 0.2);
  for (let fy = 0.1; fy < 0.95; fy += 0.1) {
    for (let fx = 0.08; fx + 0.2 < 0.95; fx += 0.1) {
      const y = Math.round(h * fy);
      const x0 = Math.round(w * fx);
      const x1 = x0 + len;
      let empty = true;
      for (let yy = Math.max(0, y - margin); yy <= Math.min(h - 1, y + margin) && empty; yy++)
        for (let x = Math.max(0, x0 - margin); x <= Math.min(w - 1, x1 + margin); x++) if (m[yy * w + x]) empty = false;
      if (empty) return [[x0, y], [(x0 + x1) / 2, y], [x1, y]];
    }
  }
  throw new Error('no empty strip in the mask to paint into');
}

export class Loop {
  constructor(readonly page: Page) {}

  private call<K extends keyof LoopTestApi>(name: K, ...args: Parameters<LoopTestApi[K]>): Promise<ReturnType<LoopTestApi[K]>> {
    return this.page.evaluate(([n, a]) => {
      const api = window.__vlsmLoop as unknown as Record<string, (...x: unknown[]) => unknown>;
      return api[n as string](...(a as unknown[]));
    }, [name, args] as const) as Promise<ReturnType<LoopTestApi[K]>>;
  }

  async ready(): Promise<void> {
    await this.page.waitForFunction(() => !!window.__vlsmLoop);
  }
  runs(): Promise<RunView[]> {
    return this.call('runs');
  }
  runMask(id: string): Promise<RleMask | null> {
    return this.call('runMask', id);
  }
  referenceMask(): Promise<RleMask | null> {
    return this.call('referenceMask');
  }
  correction(): Promise<(RleMask & { undo: number; redo: number; source: string | null }) | null> {
    return this.call('correction');
  }
  layers(): Promise<ReturnType<LoopTestApi['layers']>> {
    return this.call('layers');
  }
  error(): Promise<string | null> {
    return this.call('error');
  }
  runMemory(id: string): Promise<{ probsShared: boolean; maskShared: boolean } | null> {
    return this.call('runMemory', id);
  }

  async runNamed(prompt: string, timeout = 60_000): Promise<RunView> {
    let found: RunView | undefined;
    await expect(async () => {
      found = (await this.runs()).find((r) => r.prompt === prompt);
      expect(found, `run "${prompt}" (error: ${await this.error()})`).toBeDefined();
    }).toPass({ timeout });
    return found as RunView;
  }

  async prompt(text: string, timeout = 60_000): Promise<RunView> {
    const input = this.page.getByTestId('prompt-input');
    await input.fill(text);
    await input.press('Enter');
    return this.runNamed(text, timeout);
  }

  runItem(prompt: string): Locator {
    return this.page.locator(`[data-testid="run-item"][data-prompt="${prompt}"]`);
  }

  async importReference(file: FilePayload): Promise<void> {
    await this.page.getByTestId('reference-input').setInputFiles(file);
    await expect(this.page.getByTestId('reference-label')).toContainText(file.name);
  }

  async exportFile(format: string, source?: string): Promise<{ name: string; bytes: Buffer }> {
    if (source) await this.page.getByTestId('export-source').selectOption(source);
    const [dl] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId(`export-${format}`).click()]);
    return { name: dl.suggestedFilename(), bytes: await readDownload(dl) };
  }

  /** A brush stroke across the middle of the viewer (screen pixels relative to the viewer). */
  async stroke(points: [number, number][]): Promise<void> {
    const box = await this.page.getByTestId('viewer').boundingBox();
    if (!box) throw new Error('no viewer');
    const [x0, y0] = points[0];
    await this.page.mouse.move(box.x + x0, box.y + y0);
    await this.page.mouse.down();
    for (const [x, y] of points.slice(1)) await this.page.mouse.move(box.x + x, box.y + y, { steps: 4 });
    await this.page.mouse.up();
  }
}

async function readDownload(dl: Download): Promise<Buffer> {
  const stream = await dl.createReadStream();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The app opened, the model ready, `scan` opened and `reference` imported as its reference mask. */
export async function openScanWithReference(page: Page, scan: FilePayload, reference: Buffer): Promise<{ wb: Workbench; loop: Loop }> {
  const wb = new Workbench(page);
  const loop = new Loop(page);
  await wb.goto();
  await loop.ready();
  await wb.openFiles([scan]);
  await wb.until((s) => expect(s.scan?.name).toBe(scan.name));
  await loop.importReference({ name: `ref-${scan.name}`, mimeType: scan.mimeType, buffer: reference });
  return { wb, loop };
}

/** Compare models: the models whose pick test ids are `picks` (e.g. 'shipped-compact-vlsm'), one prompt, run
 * until the comparison is over, with no row in error. */
export async function compareModels(wb: Workbench, picks: string[], prompt: string): Promise<void> {
  const page = wb.page;
  await wb.openPanel('compare', 'compare-models');
  await page.getByTestId('compare-refresh').click();
  for (const p of picks) await page.getByTestId(`compare-pick-${p}`).check();
  await page.getByTestId('compare-prompt').fill(prompt);
  await page.getByTestId('compare-run').click();
  await expect(page.getByTestId('compare-status')).toBeVisible();
  await expect(page.getByTestId('compare-status')).toBeHidden({ timeout: 180_000 });
  await expect(page.getByTestId('compare-error')).toHaveCount(0);
}
