// Launcher for scripts/seg-volume.ts on plain Node 20: a Vite module runner strips the types. The runner
// stays open while the script runs (the scan readers import their decoders lazily).
import { createServer, createServerModuleRunner } from 'vite';

const server = await createServer({ configFile: false, root: new URL('..', import.meta.url).pathname, appType: 'custom', logLevel: 'error', server: { middlewareMode: true, hmr: false, ws: false, watch: null }, optimizeDeps: { noDiscovery: true, include: [] } });
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
try {
  const module = await runner.import(new URL('./seg-volume.ts', import.meta.url).pathname);
  await module.main(process.argv.slice(2));
} finally {
  await runner.close();
  await server.close();
}
