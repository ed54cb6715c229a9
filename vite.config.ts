// Vite config: React, cross-origin isolation headers (needed for multithreaded WASM), workers as ES modules.
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { modelsPlugin } from './scripts/vite-models-plugin';
import { CSP_META, devSecurityHeaders, SECURITY_HEADERS } from './scripts/security-headers';

// The one inline script of the dev page: plugin-react's refresh preamble (base '/'), allowed by its hash.
const DEV_INLINE_SCRIPTS = [react.preambleCode.replace('__BASE__', '/')];

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

// Same-origin proxy to a PACS (docs/PACS.md): /pacs/* -> VLSM_PACS_TARGET (default: the development Orthanc
// that scripts/orthanc.sh starts). The browser only ever talks to this origin, so CSP connect-src stays 'self'
// and the PACS needs no CORS; its login travels as the request's Authorization header, untouched.
const pacsTarget = process.env.VLSM_PACS_TARGET ?? `http://127.0.0.1:${process.env.ORTHANC_HTTP_PORT ?? 4371}`;
// WWW-Authenticate is dropped from its answers so a 401 reaches the app (which says the login was refused)
// instead of opening the browser's own login dialog.
const proxy = {
  '/pacs/': {
    target: pacsTarget,
    rewrite: (path: string) => path.replace(/^\/pacs/, ''),
    configure: (p: { on(event: 'proxyRes', cb: (res: { headers: Record<string, unknown> }) => void): void }) =>
      p.on('proxyRes', (res) => delete res.headers['www-authenticate']),
  },
};

export default defineConfig({
  plugins: [
    react(),
    modelsPlugin(),
    // the built page carries its CSP as a <meta> too, for static hosting without these headers
    { name: 'csp-meta', apply: 'build', transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP_META }, injectTo: 'head-prepend' }] },
  ],
  server: { headers: { ...isolation, ...devSecurityHeaders(DEV_INLINE_SCRIPTS) }, port: 5173, strictPort: false, proxy },
  preview: { headers: { ...isolation, ...SECURITY_HEADERS }, port: 4173, proxy },
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
