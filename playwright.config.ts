// Playwright: builds and previews the app, runs e2e/ in the system Chromium (no browser download),
// one worker, no retries; each test gets a fresh browser context (fresh IndexedDB).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig, devices } from '@playwright/test';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The system Chromium as a desktop Chrome device, launched with `args`. */
const chromium = (args: string[]) => ({
  ...devices['Desktop Chrome'],
  viewport: { width: 1440, height: 900 },
  launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args },
});

// E2E_BASE_URL points the tests at an already running server (e.g. `npm run dev`) and skips the build.
const external = process.env.E2E_BASE_URL;
// E2E_PORT moves the preview server off 4173 (e.g. when another checkout already serves there).
const port = Number(process.env.E2E_PORT ?? 4173);
// Its own build folder outside the tree, so another build (dist/) cannot swap files under a running test
// and a dev server watching the tree does not reload on it.
const outDir = join(tmpdir(), `vlsm-e2e-dist-${port}`);

export default defineConfig({
  testDir: 'e2e',
  // Builds the Python reference of the browser parity test before any test (not inside one).
  globalSetup: './e2e/globalSetup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    baseURL: external ?? `http://127.0.0.1:${port}`,
    viewport: { width: 1440, height: 900 },
    trace: 'off',
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: /webgpu.*\.spec\.ts/,
      use: chromium(CHROMIUM_ARGS),
    },
    {
      // The WebGPU code path: without a GPU, Chromium offers a software (SwiftShader) WebGPU adapter
      // when unsafe WebGPU is enabled, so the same ONNX graphs run through onnxruntime-web's WebGPU EP.
      name: 'webgpu',
      testMatch: /webgpu.*\.spec\.ts/,
      use: chromium([...CHROMIUM_ARGS, '--enable-unsafe-webgpu']),
    },
  ],
  webServer: external
    ? undefined
    : {
        command: `npx vite build --mode test --outDir ${outDir} --emptyOutDir && npx vite preview --outDir ${outDir} --port ${port} --strictPort --host 127.0.0.1`,
        url: `http://127.0.0.1:${port}`,
        reuseExistingServer: !process.env.CI,
        timeout: 300_000,
      },
});
