// A prompt study's per-image rows (models/vlsm/study.py writes rows.csv beside rows.parquet) read into review
// cases: one case per (model, dataset, image, structure), holding every prompt type's Dice. Pure functions,
// no DOM: the review store and panel (app/review) use them, and the unit tests run them directly.

/** Columns a row must have to become a case (the study writes them all; see COLUMNS in study.py). */
export const REQUIRED_COLUMNS = ['name', 'prompt_type', 'prompt', 'dice'] as const;
/** Columns used when present. */
export const OPTIONAL_COLUMNS = ['model_id', 'model_hash', 'dataset', 'structure', 'source', 'split', 'gt_empty'] as const;

export interface StudyRow {
  modelId: string;
  modelHash: string;
  dataset: string;
  name: string;
  structure: string;
  source: string;
  promptType: string;
  prompt: string;
  /** NaN when the study wrote no Dice (empty cell). */
  dice: number;
}

export interface ReviewPrompt {
  promptType: string;
  prompt: string;
  dice: number;
}

export interface ReviewCase {
  /** Stable key: model hash, dataset, image name, structure. */
  id: string;
  modelId: string;
  modelHash: string;
  dataset: string;
  /** The image name as the study wrote it (file name for folder and medvlsm studies). */
  name: string;
  structure: string;
  source: string;
  /** Prompt types of this image and structure, worst Dice first. */
  prompts: ReviewPrompt[];
  /** Lowest Dice over the prompt types. */
  worst: number;
  /** Largest minus smallest Dice over the prompt types (0 with one prompt type). */
  disagreement: number;
}

export type SortMode = 'worst' | 'disagreement';

export class StudyFileError extends Error {
  override name = 'StudyFileError';
}

/** RFC 4180 CSV: quoted fields (commas, quotes doubled, newlines inside quotes), \n or \r\n line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new StudyFileError('The CSV ends inside a quoted field: the file is cut short or not a CSV.');
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** Rows of a study CSV; a clear error for a file that is not one (missing columns, no rows, bad Dice). */
export function parseStudyCsv(text: string, fileName = 'the file'): StudyRow[] {
  const table = parseCsv(text);
  if (table.length === 0) throw new StudyFileError(`${fileName} is empty.`);
  const header = table[0].map((h) => h.trim());
  const col = new Map(header.map((h, i) => [h, i]));
  const missing = REQUIRED_COLUMNS.filter((c) => !col.has(c));
  if (missing.length) {
    throw new StudyFileError(
      `${fileName} is not a study result: it lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ` +
        `(found: ${header.slice(0, 12).join(', ') || 'none'}). Import rows.csv from the study's output folder (python -m vlsm.study).`,
    );
  }
  if (table.length < 2) throw new StudyFileError(`${fileName} has a header but no rows.`);
  const get = (r: string[], c: string): string => {
    const i = col.get(c);
    return i === undefined ? '' : (r[i] ?? '');
  };
  const out: StudyRow[] = [];
  for (let k = 1; k < table.length; k++) {
    const r = table[k];
    const d = get(r, 'dice').trim();
    const dice = d === '' ? Number.NaN : Number(d);
    if (d !== '' && (!Number.isFinite(dice) || dice < 0 || dice > 1)) {
      throw new StudyFileError(`${fileName}, line ${k + 1}: Dice "${d}" is not a number between 0 and 1.`);
    }
    const name = get(r, 'name');
    if (!name) throw new StudyFileError(`${fileName}, line ${k + 1}: the name column is empty.`);
    out.push({
      modelId: get(r, 'model_id') || 'model',
      modelHash: get(r, 'model_hash'),
      dataset: get(r, 'dataset'),
      name,
      structure: get(r, 'structure') || 'target',
      source: get(r, 'source'),
      promptType: get(r, 'prompt_type'),
      prompt: get(r, 'prompt'),
      dice,
    });
  }
  return out;
}

/** Groups rows into cases (rows without a Dice are left out: the study writes none when it could not score). */
export function casesOf(rows: readonly StudyRow[]): ReviewCase[] {
  const by = new Map<string, ReviewCase>();
  for (const r of rows) {
    if (!Number.isFinite(r.dice)) continue;
    const id = [r.modelHash || r.modelId, r.dataset, r.name, r.structure].join('|');
    let c = by.get(id);
    if (!c) {
      c = { id, modelId: r.modelId, modelHash: r.modelHash, dataset: r.dataset, name: r.name, structure: r.structure, source: r.source, prompts: [], worst: 1, disagreement: 0 };
      by.set(id, c);
    }
    c.prompts.push({ promptType: r.promptType, prompt: r.prompt, dice: r.dice });
  }
  for (const c of by.values()) {
    c.prompts.sort((a, b) => a.dice - b.dice || a.promptType.localeCompare(b.promptType));
    c.worst = c.prompts[0].dice;
    c.disagreement = c.prompts[c.prompts.length - 1].dice - c.worst;
  }
  return [...by.values()];
}

/** Worst Dice first, or largest disagreement first; ties by the other measure, then by name (stable order). */
export function sortCases(cases: readonly ReviewCase[], mode: SortMode): ReviewCase[] {
  return [...cases].sort((a, b) =>
    mode === 'worst'
      ? a.worst - b.worst || b.disagreement - a.disagreement || a.id.localeCompare(b.id)
      : b.disagreement - a.disagreement || a.worst - b.worst || a.id.localeCompare(b.id),
  );
}

/** Last path component ('a/b/c.png' -> 'c.png'); the study's name column holds file names for image studies. */
export const baseName = (p: string): string => p.slice(p.replace(/\\/g, '/').lastIndexOf('/') + 1);

/** File name stems the study's mask lookup accepts for an image (vlsm.study._find_mask). */
export function maskCandidates(name: string): string[] {
  const b = baseName(name);
  const dot = b.lastIndexOf('.');
  const stem = dot > 0 ? b.slice(0, dot) : b;
  const ext = dot > 0 ? b.slice(dot) : '';
  return [...new Set([b, `${stem}_mask${ext}`, `${stem}.png`, `${stem}_mask.png`])];
}

export interface PickedFile {
  /** The path inside the picked folder (webkitRelativePath), or the bare name for a multi-file pick. */
  path: string;
}

/** Splits picked files into images and masks (a file under a folder named 'masks' is a mask; in a flat pick, a
 *  file named as a case's mask, e.g. x_mask.png, that is no case's image) and matches each
 *  case's image by name, and its reference mask from the masks folder when there is one. */
export function matchFiles<F extends PickedFile>(cases: readonly ReviewCase[], files: readonly F[]): {
  images: Map<string, F>;
  masks: Map<string, F>;
  missing: string[];
} {
  const inMasks = (p: string) => p.replace(/\\/g, '/').split('/').slice(0, -1).some((d) => d.toLowerCase() === 'masks');
  // a flat pick (no folders): a file is a mask when it is no case's image but one's mask name (x_mask.png)
  const imageNames = new Set(cases.map((c) => baseName(c.name)));
  const maskNames = new Set(cases.flatMap((c) => maskCandidates(c.name)));
  const isMask = (p: string) => inMasks(p) || (!imageNames.has(baseName(p)) && maskNames.has(baseName(p)));
  const imgBy = new Map<string, F>();
  const maskBy = new Map<string, F>();
  for (const f of files) {
    const key = baseName(f.path);
    const into = isMask(f.path) ? maskBy : imgBy;
    if (!into.has(key)) into.set(key, f);
  }
  const images = new Map<string, F>();
  const masks = new Map<string, F>();
  const missing: string[] = [];
  for (const c of cases) {
    const img = imgBy.get(baseName(c.name));
    if (!img) {
      missing.push(c.name);
      continue;
    }
    images.set(c.id, img);
    const m = maskCandidates(c.name).map((n) => maskBy.get(n)).find(Boolean);
    if (m) masks.set(c.id, m);
  }
  return { images, masks, missing: [...new Set(missing)] };
}
