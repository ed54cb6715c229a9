// Vite config: React, cross-origin isolation headers (needed for multithreaded WASM), workers as ES modules.
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { modelsPlugin } from './scripts/vite-models-plugin';

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  plugins: [react(), modelsPlugin()],
  server: { headers: isolation, port: 5173, strictPort: false },
  preview: { headers: isolation, port: 4173 },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 4096 },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60000,
    // Python references (models/build) are built here, before any test, never in a test hook.
    globalSetup: ['src/engine/testing/globalSetup.ts'],
  },
});
