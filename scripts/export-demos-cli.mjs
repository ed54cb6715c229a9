// Launcher for scripts/export-demos.ts on plain Node 20: Vite's module runner strips the types.
import { runnerImport } from 'vite';

const { module } = await runnerImport(new URL('./export-demos.ts', import.meta.url).pathname);
module.main(process.argv.slice(2));
