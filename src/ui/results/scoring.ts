// Recomputes the scores of the open scan's runs from the pixel buffers (reference, empty prompt) and
// persists them with the run, debounced so dragging the threshold slider stays smooth.
import type { Mask } from '../../mask/types';
import { scoreRun } from '../../mask/scores';
import { getDb } from '../../storage';
import { updateRunRecord } from '../../storage/runs';
import { useScans } from '../../state/scans';
import { referencePixels, runPixels, useRuns, type RunView } from '../../state/runs';

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

const pending = new Map<string, ReturnType<typeof setTimeout>>();

function persistLater(run: RunView): void {
  const t = pending.get(run.id);
  if (t) clearTimeout(t);
  pending.set(
    run.id,
    setTimeout(() => {
      pending.delete(run.id);
      updateRunRecord(getDb(), run.id, { threshold: run.threshold, ...splitScores(run.scores) }).catch((e: unknown) =>
        useRuns.getState().setError(`Scores were not saved: ${e instanceof Error ? e.message : String(e)}`),
      );
    }, 300),
  );
}

export function runMask(id: string): Mask | null {
  const px = runPixels.get(id);
  return px ? { width: px.width, height: px.height, data: px.mask } : null;
}

export function emptyPromptRun(): RunView | undefined {
  return useRuns.getState().runs.find((r) => r.prompt.trim() === '');
}

/** Scores for the given runs (all when omitted), written to the store and saved with each run. */
export function rescore(ids?: readonly string[], persist = true): void {
  const scan = useScans.getState().scan;
  const st = useRuns.getState();
  if (!scan) return;
  const empty = emptyPromptRun();
  const emptyMask = empty ? runMask(empty.id) : null;
  const ref = referencePixels.current;
  for (const run of st.runs) {
    if (ids && !ids.includes(run.id)) continue;
    const px = runPixels.get(run.id);
    if (!px) continue;
    const scores = scoreRun({
      mask: { width: px.width, height: px.height, data: px.mask },
      probs: px.probs,
      reference: ref,
      emptyPromptMask: run.id === empty?.id ? null : emptyMask,
      spacing: [scan.spacing[0], scan.spacing[1]],
      spacingKnown: scan.spacingKnown,
    });
    st.patchRun(run.id, { scores });
    if (persist) persistLater({ ...run, scores });
  }
}
