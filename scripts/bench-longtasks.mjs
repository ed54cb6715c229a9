// `npm run bench:longtasks`: the main thread during imports, measured in the real app (production build
// in test mode, vite preview, headless Chromium): e2e/longtasks.spec.ts with LONGTASK_RESULT set records
// every long task (PerformanceObserver 'longtask', > 50 ms) from the moment each file is handed over
// until the app is quiet, for the COCO bomb, the 1-bit 30000² PNG (as a scan and as a mask), the .nii.gz
// bomb, two large legitimate volumes and two large images (each opened scan up to the save of its
// automatic empty-prompt run, with that save's duration). Prints the JSON and writes
// bench/results/<date>-longtasks[-<BENCH_SUFFIX>].json with the date, the load (uptime before and after),
// the command and the longest task of all.
// Env: BENCH_PORT (default 4351), BENCH_SUFFIX (a name for the result file, so a day's runs do not overwrite each other).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const date = new Date().toISOString().slice(0, 10);
const suffix = process.env.BENCH_SUFFIX ? `-${process.env.BENCH_SUFFIX.replace(/[^a-z0-9-]/gi, '')}` : '';
const out = join(root, 'bench', 'results', `${date}-longtasks${suffix}.json`);
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
result.maxTaskMs = Math.max(0, ...(result.cases ?? []).map((c) => c.longestTaskMs));
if (suffix) result.command = `BENCH_SUFFIX=${process.env.BENCH_SUFFIX} ${result.command}`;
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
process.exit(r.status ?? 1);
