// The engine's WASM defaults follow the committed `npm run bench` result they name.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BENCH_RESULT, DEFAULT_LAYOUT, promptThreadsFor, type ThreadLayout } from './engineDefaults';

interface Cell {
  variant: string;
  layout: ThreadLayout;
  promptThreads: number;
  newPromptMinMs: number;
  repeatPromptMinMs: number;
}
interface BenchResult {
  date: string;
  command: string;
  gitCommit: string;
  nproc: number;
  threads: number;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
  clipsegRd64: { matrix: Cell[]; choice: Cell & { rule: string } };
}

const result = JSON.parse(readFileSync(BENCH_RESULT, 'utf8')) as BenchResult;

describe('engine defaults', () => {
  it('name a committed bench result that says when, where and how it was measured', () => {
    expect(BENCH_RESULT).toBe(`bench/results/${result.date.slice(0, 10)}-engine.json`);
    expect(result.command).toMatch(/npm run bench/);
    expect(result.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(result.nproc).toBeGreaterThan(0);
    expect(result.loadAverageAtStart).toHaveLength(3);
    expect(result.loadAverageAtEnd).toHaveLength(3);
  });

  it("use that result's fastest thread layout", () => {
    const { matrix, choice } = result.clipsegRd64;
    const score = (c: Cell) => c.newPromptMinMs + c.repeatPromptMinMs;
    const best = matrix.reduce((a, b) => (score(b) < score(a) ? b : a));
    expect(choice).toMatchObject({ variant: best.variant, layout: best.layout, promptThreads: best.promptThreads });
    expect(DEFAULT_LAYOUT).toBe(choice.layout);
    expect(promptThreadsFor(result.threads)).toBe(choice.promptThreads);
  });

  it('give the prompt graphs all threads or half of them', () => {
    expect([1, 2, 4].map((t) => promptThreadsFor(t, 'sharedAllThreads'))).toEqual([1, 2, 4]);
    expect([1, 2, 4].map((t) => promptThreadsFor(t, 'visionWorkerHalfPrompt'))).toEqual([1, 1, 2]);
  });
});
