// Recomputes the scores of the open scan's runs from the pixel buffers (reference, empty prompt) in the
// mask worker and persists them with the run, debounced so dragging the threshold slider stays smooth.
import type { Mask } from '../../mask/types';
import type { ScoreInputs, Scores } from '../../mask/scores';
import { getDb } from '../../storage';
import { updateRunRecord } from '../../storage/runs';
import { useScans } from '../../state/scans';
import { referencePixels, runPixels, useRuns, type RunView } from '../../state/runs';
import { inWorker, scoreInWorker, scoreJobNow } from './maskWorker';
import { debounce, type Timers } from './debounce';

/** Storage keeps numbers and the names of undefined (null) scores apart. */
export function splitScores(all: Record<string, number | null>): { scores: Record<string, number>; nullScores: string[] } {
  const scores: Record<string, number> = {};
  const nullScores: string[] = [];
  for (const [k, v] of Object.entries(all)) {
    if (v === null) nullScores.push(k);
    else scores[k] = v;
  }
  return { scores, nullScores };
}

const pending: Timers = new Map();

function persistLater(run: RunView): void {
  debounce(pending, run.id, 300, () => {
    updateRunRecord(getDb(), run.id, { threshold: run.threshold, ...splitScores(run.scores) }).catch((e: unknown) =>
      useRuns.getState().setError(`Scores were not saved: ${e instanceof Error ? e.message : String(e)}`),
    );
  });
}

export function runMask(id: string): Mask | null {
  const px = runPixels.get(id);
  return px ? { width: px.width, height: px.height, data: px.mask } : null;
}

export function emptyPromptRun(): RunView | undefined {
  return useRuns.getState().runs.find((r) => r.prompt.trim() === '');
}

let generation = 0;
const latest = new Map<string, number>();

/**
 * Scores for the given runs (all when omitted), computed in the mask worker (HD95's distance transforms
 * take ~1 s on a 2048² pair), then written to the store and saved with each run. A result that arrives
 * after a newer rescore of the same run, or after another scan frame was opened, is dropped. Resolves
 * once the store holds the scores (at once where no Worker exists).
 */
export function rescore(ids?: readonly string[], persist = true): Promise<void> {
  const scan = useScans.getState().scan;
  const st = useRuns.getState();
  if (!scan) return Promise.resolve();
  const empty = emptyPromptRun();
  const emptyMask = empty ? runMask(empty.id) : null;
  const ref = referencePixels.current;
  const gen = ++generation;
  const items: { key: string; inputs: ScoreInputs }[] = [];
  for (const run of st.runs) {
    if (ids && !ids.includes(run.id)) continue;
    const px = runPixels.get(run.id);
    if (!px) continue;
    latest.set(run.id, gen);
    items.push({
      key: run.id,
      inputs: {
        mask: { width: px.width, height: px.height, data: px.mask },
        probs: px.probs,
        reference: ref,
        emptyPromptMask: run.id === empty?.id ? null : emptyMask,
        spacing: [scan.spacing[0], scan.spacing[1]],
        spacingKnown: scan.spacingKnown,
      },
    });
  }
  const { scanId, frame } = st;
  const apply = (scores: Map<string, Scores>): void => {
    const now = useRuns.getState();
    if (now.scanId !== scanId || now.frame !== frame) return;
    for (const [id, s] of scores) {
      if (latest.get(id) !== gen) continue;
      latest.delete(id);
      const run = now.runs.find((r) => r.id === id);
      if (!run) continue;
      now.patchRun(id, { scores: s });
      if (persist) persistLater({ ...run, scores: s });
    }
  };
  const fail = (e: unknown): void => useRuns.getState().setError(`Scoring failed: ${e instanceof Error ? e.message : String(e)}`);
  if (!inWorker()) {
    // no Worker (Node): the same job in this thread, applied before returning
    try {
      apply(scoreJobNow(items));
    } catch (e) {
      fail(e);
    }
    return Promise.resolve();
  }
  return scoreInWorker(items).then(apply, fail);
}
