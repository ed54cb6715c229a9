// `npm run bench:longtasks`: the main thread during imports, measured in the real app (production build
// in test mode, vite preview, headless Chromium): e2e/longtasks.spec.ts with LONGTASK_RESULT set records
// every long task (PerformanceObserver 'longtask', > 50 ms) from the moment each file is handed over
// until the app is quiet, for the COCO bomb, the 1-bit 30000² PNG (as a scan and as a mask), the .nii.gz
// bomb and two large legitimate volumes. Prints the JSON and writes bench/results/<date>-longtasks.json
// with the date, the load (uptime before and after) and the command.
// Env: BENCH_PORT (default 4351).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const date = new Date().toISOString().slice(0, 10);
const out = join(root, 'bench', 'results', `${date}-longtasks.json`);
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
mkdirSync(dirname(out), { recursive: true });
const before = uptime();
const r = spawnSync('npx', ['playwright', 'test', 'e2e/longtasks.spec.ts', '--reporter=line'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, E2E_PORT: process.env.BENCH_PORT ?? '4351', LONGTASK_RESULT: out, LONGTASK_GUARD_MS: process.env.LONGTASK_GUARD_MS ?? '1000' },
});
const result = JSON.parse(readFileSync(out, 'utf8'));
result.uptime = { before, after: uptime() };
result.passed = r.status === 0;
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
process.exit(r.status ?? 1);
