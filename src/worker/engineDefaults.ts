// The engine's WASM defaults, chosen by measurement: `npm run bench` compares every WASM variant of the
// full-size CLIPSeg-rd64 split bundle under each thread layout and names the fastest (`clipsegRd64.choice`:
// least new-prompt + repeated-prompt time). The committed result file these follow is BENCH_RESULT;
// engineDefaults.test.ts fails when the defaults and that file's choice disagree. Precision per graph is
// the bundle's (its wasm-int8 variant, written by models/vlsm/clipseg_export.py from the same file).

/** Where the prompt graphs (text, decoder) run on WASM with `threads` threads:
 * - 'sharedAllThreads': one onnxruntime-web instance, every graph on all threads, no vision worker;
 * - 'visionWorkerHalfPrompt': the vision graph in its own worker (own instance, all threads), the prompt
 *   graphs on half the threads in the inference worker. */
export type ThreadLayout = 'sharedAllThreads' | 'visionWorkerHalfPrompt';

/** The committed `npm run bench` result the defaults below follow (path from the repository root). */
export const BENCH_RESULT = 'bench/results/2026-12-04-engine.json';

export const DEFAULT_LAYOUT: ThreadLayout = 'sharedAllThreads';

/** Prompt-graph threads for a WASM runtime of `threads` threads under a layout (the bench's LAYOUTS). */
export function promptThreadsFor(threads: number, layout: ThreadLayout = DEFAULT_LAYOUT): number {
  return layout === 'sharedAllThreads' ? threads : Math.max(1, Math.floor(threads / 2));
}
