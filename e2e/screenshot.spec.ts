// Regenerates docs/screenshot.png for the README (demo scan only, never shared data).
// Skipped unless SCREENSHOT=1: `SCREENSHOT=1 npx playwright test e2e/screenshot.spec.ts`.
import { expect, test } from '@playwright/test';
import { Workbench } from './pages/Workbench';

test('README screenshot', async ({ page }) => {
  test.skip(!process.env.SCREENSHOT, 'set SCREENSHOT=1 to regenerate docs/screenshot.png');
  const wb = new Workbench(page);
  await wb.goto();
  await wb.openDemo('xray');
  await wb.until((s) => expect(s.scans).toHaveLength(1));
  await wb.openDemo('endoscopy');
  await wb.until((s) => expect(s.scans).toHaveLength(2));
  const box = (await wb.viewer.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.42, box.y + box.height * 0.45);
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'docs/screenshot.png' });
});
