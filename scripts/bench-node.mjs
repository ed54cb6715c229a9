#!/usr/bin/env node
// Node command-line runner for the engine (src/worker/cli.ts) on onnxruntime-node: loads the TypeScript
// through Vite's SSR module loader, so no separate build is needed. See src/worker/cli.ts for options.
import { createServer } from 'vite';

const server = await createServer({ server: { middlewareMode: true, hmr: false }, appType: 'custom', logLevel: 'error', optimizeDeps: { noDiscovery: true } });
try {
  const cli = await server.ssrLoadModule('/src/worker/cli.ts');
  console.log(JSON.stringify(await cli.main(process.argv.slice(2)), null, 2));
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
} finally {
  await server.close();
}
