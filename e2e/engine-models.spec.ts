// Model manager: import a bundle folder from disk, download one from a URL (same origin here: the
// preview server's /models/compact-vlsm/), use a stored model, delete it; storage figures shown.
import { expect, test, type Page } from '@playwright/test';
import { Workbench } from './pages/Workbench';

const openPanel = async (page: Page) => {
  const panel = page.getByTestId('panel-models');
  if (!(await page.getByTestId('model-manager').isVisible())) await panel.getByRole('button').first().click();
  await expect(page.getByTestId('model-manager')).toBeVisible();
};

test('imports a bundle folder, downloads one, uses and deletes stored models', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const wb = new Workbench(page);
  await wb.goto();
  await openPanel(page);
  await expect(page.getByTestId('model-storage')).toContainText('Storage used');
  await expect(page.getByTestId('model-shipped-compact-vlsm')).toBeVisible();

  // A folder picked from disk (webkitdirectory): the shipped bundle's own folder.
  await page.getByTestId('model-import').setInputFiles('models/compact-vlsm');
  await expect(page.getByTestId('model-message')).toContainText('Stored', { timeout: 60_000 });
  await expect(page.getByTestId('model-stored-compact-vlsm')).toBeVisible();
  await page.getByTestId('model-stored-compact-vlsm').getByRole('button', { name: 'Use' }).click();
  await expect(page.getByTestId('model-current')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-backend')).toContainText(/WebAssembly|WebGPU/);
  await page.getByTestId('model-delete-compact-vlsm').click();
  await expect(page.getByTestId('model-stored-compact-vlsm')).toHaveCount(0);

  // Download from a URL, with progress and sha256 checks.
  await page.getByTestId('model-url').fill(`${baseURL}/models/compact-vlsm/`);
  await page.getByTestId('model-download').click();
  await expect(page.getByTestId('model-message')).toContainText('Stored', { timeout: 60_000 });
  await expect(page.getByTestId('model-stored-compact-vlsm')).toContainText(/models\/compact-vlsm/);

  // A URL without a bundle is a clear message.
  await page.getByTestId('model-url').fill(`${baseURL}/models/nothing-here/`);
  await page.getByTestId('model-download').click();
  await expect(page.getByTestId('model-message')).toContainText(/manifest\.json/);
});
