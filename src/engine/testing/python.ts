// Test helper: run a Python reference script once (when its output is missing) with the repo's Python.
// Prefers .venv/bin/python (scripts/test-py.sh builds it with the pinned toolchain), else python3.
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';

let failure: string | null = null;

/** The first of .venv/bin/python and python3 that can import `modules`, or null. */
export function pythonExe(modules = 'numpy, PIL, onnx, onnxruntime, torch'): string | null {
  for (const exe of ['.venv/bin/python', 'python3']) {
    try {
      execFileSync(exe, ['-c', `import ${modules}`], { stdio: 'ignore' });
      return exe;
    } catch {
      /* try the next one */
    }
  }
  return null;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Runs `script args` unless `output` exists; remembers why it could not, for skip messages. Test files
 * run in parallel, so a lock directory makes one of them build while the others wait for the output. */
export function ensurePython(script: string, output: string, args: string[] = []): boolean {
  if (existsSync(output)) return true;
  const lock = `${output}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock, { recursive: false });
      break;
    } catch {
      if (existsSync(output)) return true;
      // A lock older than 15 minutes belongs to a run that died.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      sleep(500);
    }
  }
  try {
    return existsSync(output) || runPython(script, output, args);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function runPython(script: string, output: string, args: string[]): boolean {
  const exe = pythonExe();
  if (!exe) {
    failure = 'python with numpy, Pillow, onnx, onnxruntime and torch not found (run scripts/test-py.sh first)';
    return false;
  }
  try {
    execFileSync(exe, [script, ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
  } catch (e) {
    failure = `${script} failed: ${(e as { stderr?: Buffer }).stderr?.toString() ?? String(e)}`;
    return false;
  }
  return existsSync(output);
}

/** The reason to skip; under CI (where scripts/test-py.sh has built .venv first) a missing reference is a failure. */
export function pythonSkipReason(): string {
  const reason = failure ?? 'python reference output missing';
  if (process.env.CI) throw new Error(`Python reference unavailable in CI: ${reason}`);
  return reason;
}
