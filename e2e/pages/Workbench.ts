// Page object for the workbench: finds everything by data-testid and reads app state through the
// test hook (window.__vlsm.getState()) instead of pixels.
import { expect, type Locator, type Page } from '@playwright/test';
import type { TestState } from '../../src/app/testHook';

export interface FilePayload {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export class Workbench {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto('/');
    // Generous: on a loaded two-core machine the first load of a fresh build can be slow.
    await expect(this.page.getByTestId('app')).toBeVisible({ timeout: 30_000 });
    await this.page.waitForFunction(() => !!window.__vlsm);
  }

  /** Opens the collapsible panel `id` (its header button) unless `inside` (a test id within it) is showing. */
  /** Until the service worker has precached the app and controls this page, so it opens offline. */
  async offlineReady(): Promise<void> {
    await this.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise<void>((r) => navigator.serviceWorker.addEventListener('controllerchange', () => r(), { once: true }));
      }
    });
  }

  async openPanel(id: string, inside: string): Promise<void> {
    if (!(await this.page.getByTestId(inside).isVisible())) await this.page.getByTestId(`panel-${id}`).getByRole('button').first().click();
    await expect(this.page.getByTestId(inside)).toBeVisible();
  }

  state(): Promise<TestState> {
    return this.page.evaluate(() => window.__vlsm!.getState());
  }

  /** Polls the app state until `check` passes (it should use expect()). */
  async until(check: (s: TestState) => void, timeout = 15_000): Promise<TestState> {
    let last: TestState | null = null;
    await expect(async () => {
      last = await this.state();
      check(last);
    }).toPass({ timeout });
    return last as unknown as TestState;
  }

  async openFiles(files: FilePayload[]): Promise<void> {
    await this.page.getByTestId('file-input').setInputFiles(files);
  }

  async openDemo(kind: string): Promise<void> {
    await this.page.getByTestId(`demo-${kind}`).click();
  }

  get viewer(): Locator {
    return this.page.getByTestId('viewer');
  }

  scanItems(): Locator {
    return this.page.getByTestId('scan-item');
  }

  scanItemNamed(name: string): Locator {
    return this.scanItems().filter({ has: this.page.getByTestId('scan-name').getByText(name, { exact: true }) });
  }

  async openSaved(name: string): Promise<void> {
    await this.scanItemNamed(name).getByTestId('scan-open').click();
  }

  async rename(from: string, to: string): Promise<void> {
    const item = this.scanItemNamed(from);
    await item.getByTestId('scan-rename').click();
    const input = this.page.getByTestId('scan-rename-input');
    await input.fill(to);
    await input.press('Enter');
  }

  async deleteScan(name: string, confirm = true): Promise<void> {
    const item = this.scanItemNamed(name);
    await item.getByTestId('scan-delete').click();
    await item.getByTestId(confirm ? 'scan-delete-yes' : 'scan-delete-no').click();
  }

  notices(): Locator {
    return this.page.getByTestId('notice');
  }

  /** Presses a key with focus on the canvas (so no input swallows it). */
  async key(key: string, times = 1): Promise<void> {
    await this.viewer.focus();
    for (let i = 0; i < times; i++) await this.page.keyboard.press(key);
  }

  /** Mean RGB of the visible scan canvas around its centre: proves something was drawn. */
  centreBrightness(): Promise<number> {
    return this.page.evaluate(() => {
      const canvas = document.querySelector('[data-testid="viewer"] canvas') as HTMLCanvasElement | null;
      if (!canvas) return -1;
      const ctx = canvas.getContext('2d');
      if (!ctx) return -1;
      const { width, height } = canvas;
      const d = ctx.getImageData(Math.floor(width / 2) - 20, Math.floor(height / 2) - 20, 40, 40).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
      return sum / ((d.length / 4) * 3);
    });
  }
}
