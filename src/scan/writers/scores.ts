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

/** Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe
 *  (OWASP CSV injection advice); numbers are written as numbers. */
export const neutraliseCell = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

export const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : typeof v === 'number' ? (Number.isFinite(v) ? String(+v.toFixed(6)) : '') : neutraliseCell(String(v));
  return /[",\n\r\t]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** CSV column names in plain words, with units (a spreadsheet reader should not need the code). */
const SCORE_HEADERS: Record<string, string> = {
  dice: 'Dice vs reference (0-1)',
  iou: 'IoU vs reference (0-1)',
  hd95Mm: 'HD95 distance to reference (mm)',
  hd95Px: 'HD95 distance to reference (pixels)',
  influence: 'Overlap with the no-words mask (Dice 0-1; 1 = the words changed nothing)',
  areaPx: 'Area (pixels)',
  areaMm2: 'Area (mm²)',
  areaFraction: 'Area (fraction of the image 0-1)',
  meanConfidence: 'Confidence (mean probability inside the mask 0-1)',
};
const TIMING_HEADERS: Record<string, string> = {
  preMs: 'Time preparing the image (ms)',
  visionMs: 'Time reading the image (ms)',
  textMs: 'Time reading the prompt (ms)',
  decoderMs: 'Time drawing the mask (ms)',
  postMs: 'Time finishing the mask (ms)',
  totalMs: 'Total time (ms)',
};

export const scoreHeader = (k: string): string => SCORE_HEADERS[k] ?? k;
export const timingHeader = (k: string): string => TIMING_HEADERS[k] ?? `Time ${k.replace(/Ms$/, '')} (ms)`;

/** One row per run; score and timing columns are the union over all runs. */
export function scoresCsv(runs: readonly ScoreRow[]): string {
  const scoreKeys = [...new Set(runs.flatMap((r) => Object.keys(r.scores)))];
  const timingKeys = [...new Set(runs.flatMap((r) => Object.keys(r.timings)))];
  const head = [
    'Run ID', 'Prompt', 'Model', 'Model variant', 'Compute backend', 'Threshold (probability 0-1)',
    ...scoreKeys.map(scoreHeader), ...timingKeys.map(timingHeader), 'Created (UTC, ISO 8601)',
  ].map(csvCell);
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
