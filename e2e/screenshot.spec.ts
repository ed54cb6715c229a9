// Regenerates docs/screenshot.png for the README (demo scans only, never shared data): a generated
// colonoscopy scan with the default model's mask for the demo's own prompt.
// Skipped unless SCREENSHOT=1: `SCREENSHOT=1 npx playwright test e2e/screenshot.spec.ts`.
import { expect, test } from '@playwright/test';
import { Loop } from './pages/Loop';
import { Workbench } from './pages/Workbench';

test('README screenshot (regenerates docs/screenshot.png; skipped unless SCREENSHOT=1)', async ({ page }) => {
  test.skip(!process.env.SCREENSHOT, 'set SCREENSHOT=1 to regenerate docs/screenshot.png');
  test.setTimeout(180_000);
  const wb = new Workbench(page);
  const loop = new Loop(page);
  await wb.goto();
  await wb.openDemo('xray');
  await wb.until((s) => expect(s.scans).toHaveLength(1));
  await wb.openDemo('endoscopy');
  await wb.until((s) => expect(s.scans).toHaveLength(2));
  await loop.ready();
  await loop.prompt('one small pink round polyp, located in left of the image');
  await loop.prompt('polyp');
  const box = (await wb.viewer.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.45);
  await page.waitForTimeout(1000);
  await page.screenshot({ path: 'docs/screenshot.png' });
});
