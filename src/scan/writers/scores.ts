// Per-prompt scores of a scan as CSV and as {type, version} JSON (validated on import).
export const SCORES_TYPE = 'vlsm-workbench/scores';
export const SCORES_VERSION = 1;

export interface ScoreRow {
  runId: string;
  prompt: string;
  modelId: string;
  variant: string;
  backend: string;
  threshold: number;
  timings: Record<string, number>;
  /** area (px), areaMm2, meanConfidence, dice, iou, hd95Mm, influence, ... (null = not defined). */
  scores: Record<string, number | null>;
  createdAt: number;
}

export interface ScoresExport {
  type: typeof SCORES_TYPE;
  version: number;
  scan: string;
  reference: string | null;
  runs: ScoreRow[];
}

export function scoresJson(scan: string, reference: string | null, runs: readonly ScoreRow[]): string {
  const doc: ScoresExport = { type: SCORES_TYPE, version: SCORES_VERSION, scan, reference, runs: [...runs] };
  return JSON.stringify(doc, null, 2);
}

export function parseScoresJson(text: string): ScoresExport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('The scores file is not valid JSON.');
  }
  const d = doc as Partial<ScoresExport> | null;
  if (!d || d.type !== SCORES_TYPE) throw new Error(`Not a ${SCORES_TYPE} file.`);
  if (typeof d.version !== 'number' || d.version > SCORES_VERSION) throw new Error(`Unsupported scores version ${String(d.version)}.`);
  if (!Array.isArray(d.runs) || d.runs.some((r) => typeof r?.prompt !== 'string' || typeof r?.scores !== 'object')) {
    throw new Error('The scores file has malformed runs.');
  }
  return d as ScoresExport;
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : typeof v === 'number' ? (Number.isFinite(v) ? String(+v.toFixed(6)) : '') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per run; score and timing columns are the union over all runs. */
export function scoresCsv(runs: readonly ScoreRow[]): string {
  const scoreKeys = [...new Set(runs.flatMap((r) => Object.keys(r.scores)))];
  const timingKeys = [...new Set(runs.flatMap((r) => Object.keys(r.timings)))];
  const head = ['run_id', 'prompt', 'model', 'variant', 'backend', 'threshold', ...scoreKeys, ...timingKeys.map((k) => `time_${k}_ms`), 'created'];
  const lines = [head.join(',')];
  for (const r of runs) {
    lines.push(
      [r.runId, r.prompt, r.modelId, r.variant, r.backend, r.threshold, ...scoreKeys.map((k) => r.scores[k]), ...timingKeys.map((k) => r.timings[k]), new Date(r.createdAt).toISOString()]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}
