// Review queue actions: import a study's rows.csv with its images, open a case (scan, reference mask, the
// case's prompts run with the loaded model), keep the user's correction, and export the kept corrections as a
// finetune dataset (zip: images/*.png, masks/*.png, prompts.json; layout in docs/STUDY.md) that
// `python -m vlsm.train --finetune DATASET --from BUNDLE` reads.
import { encode } from 'fast-png';
import { openFiles } from '../actions/open';
import { openStored } from '../actions/scans';
import { countForeground } from '../../mask/types';
import { windowLevelToRGBA } from '../../scan/view';
import type { Scan } from '../../scan/types';
import { encodeBinaryPng } from '../../scan/writers/png';
import { safeName, zipStudy } from '../../scan/writers/zip';
import { useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { getSession } from '../../tools/session';
import { download, keepsIdentifiers, studyLabel } from '../../ui/export/exportActions';
import { getSegmenter, onSegmenter } from '../../ui/prompts/segmenter';
import { importReference } from '../../ui/results/referenceActions';
import { runWithBaseline } from '../../ui/results/runActions';
import { useReview, type KeptCorrection } from './store';
import { baseName, casesOf, matchFiles, parseStudyCsv, StudyFileError, type ReviewCase } from './studyRows';

/** The dataset's format tag (models/vlsm/finetune.py FORMAT). */
export const DATASET_FORMAT = 'vlsm-finetune-dataset';
/** A study CSV larger than this is refused before it is read (the test-split study's is 1.3 MB). */
export const MAX_STUDY_BYTES = 200 * 2 ** 20;
const MODEL_WAIT_MS = 120_000;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const pathOf = (f: File): string => (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
/** Storage ids of scans opened from the queue, by case: reopening a case does not save its image again. */
const scanOfCase = new Map<string, string>();

/** Reads the picked files (a folder or several files): the study CSV, its images and reference masks. */
export async function importStudy(files: readonly File[]): Promise<void> {
  const st = useReview.getState();
  st.set({ error: null, info: null });
  const csvs = files.filter((f) => /\.csv$/i.test(f.name));
  const csv = csvs.find((f) => f.name === 'rows.csv') ?? csvs[0];
  if (!csv) {
    const parquet = files.some((f) => /\.parquet$/i.test(f.name));
    st.set({
      error: parquet
        ? 'Parquet is not read in the browser: pick rows.csv, which the study writes beside rows.parquet, with the images.'
        : 'No study file among the picked files: pick the study’s rows.csv together with its images (or a folder holding both).',
    });
    return;
  }
  if (csv.size > MAX_STUDY_BYTES) {
    st.set({ error: `${csv.name} is ${(csv.size / 2 ** 20).toFixed(0)} MiB; the review queue reads study files up to ${MAX_STUDY_BYTES / 2 ** 20} MiB. Filter the rows first (e.g. one dataset).` });
    return;
  }
  st.set({ busy: `Reading ${csv.name}…` });
  try {
    const rows = parseStudyCsv(await csv.text(), csv.name);
    const cases = casesOf(rows);
    if (cases.length === 0) throw new StudyFileError(`${csv.name} has no row with a Dice: nothing to review.`);
    const others = files.filter((f) => f !== csv && !/\.(csv|parquet|json|md|svg)$/i.test(f.name));
    const { images, masks, missing } = matchFiles(cases, others.map((f) => ({ path: pathOf(f), file: f })));
    const slices = missing.filter((n) => n.includes('#'));
    if (images.size === 0) {
      throw new StudyFileError(
        slices.length === missing.length
          ? `The study's rows are slices of volumes (${missing[0]}): the review queue opens image studies (folder or medvlsm inputs) only.`
          : `None of the study's ${new Set(cases.map((c) => c.name)).size} images is among the picked files (looked for ${missing.slice(0, 3).map(baseName).join(', ')}${missing.length > 3 ? ', …' : ''} by name). Pick the folder holding the images too.`,
      );
    }
    const toFile = <T extends { file: File }>(m: Map<string, T>) => new Map([...m].map(([k, v]) => [k, v.file]));
    useReview.getState().set({
      fileName: csv.name, cases, images: toFile(images), masks: toFile(masks), missing, openCase: null, openScanId: null, kept: {},
      info: `${cases.length} cases from ${csv.name}; ${masks.size} with a reference mask.` +
        (missing.length ? ` ${missing.length} image${missing.length > 1 ? 's' : ''} not found among the picked files (listed, cannot open): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}.` : ''),
    });
  } catch (e) {
    useReview.getState().set({ error: e instanceof StudyFileError ? e.message : `Could not read ${csv.name}: ${message(e)}` });
  } finally {
    useReview.getState().set({ busy: null });
  }
}

function until(test: () => boolean, ms: number, subscribe?: (fn: () => void) => () => void): Promise<boolean> {
  if (test()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const unsubs: (() => void)[] = [];
    const done = (ok: boolean) => {
      unsubs.forEach((u) => u());
      clearTimeout(timer);
      clearInterval(poll);
      resolve(ok);
    };
    const check = () => test() && done(true);
    const timer = setTimeout(() => done(test()), ms);
    const poll = setInterval(check, 100);
    if (subscribe) unsubs.push(subscribe(check));
  });
}

/** Opens a case: its image as the scan (saved like any opened file, once), its reference mask, and runs the
 *  case's worst prompt, and its best when the prompt types disagree, with the loaded model. */
export async function openCase(id: string): Promise<void> {
  const st = useReview.getState();
  const c = st.cases.find((x) => x.id === id);
  const file = st.images.get(id);
  if (!c) return;
  if (!file) {
    st.set({ error: `The image ${c.name} was not among the picked files.` });
    return;
  }
  st.set({ busy: `Opening ${c.name}…`, error: null, info: null, openCase: id, openScanId: null });
  try {
    const known = scanOfCase.get(id);
    if (!(known && (await openStored(known)))) {
      const n = await openFiles([file]);
      if (n === 0) throw new Error(`${c.name} could not be opened (see the message above).`);
    }
    const scanId = useScans.getState().activeId;
    if (useReview.getState().openCase !== id) return; // another case was opened meanwhile
    if (scanId) scanOfCase.set(id, scanId);
    useReview.getState().set({ openScanId: scanId });
    if (!scanId) throw new Error(`${c.name} is open but could not be saved, so its results cannot be kept.`);
    await until(() => useRuns.getState().scanId === scanId, 10_000);
    const mask = useReview.getState().masks.get(id);
    if (mask) await importReference({ name: mask.name, bytes: new Uint8Array(await mask.arrayBuffer()) });
    if (!getSegmenter()) useReview.getState().set({ busy: 'Waiting for the model to load…' });
    if (!(await until(() => getSegmenter() !== null, MODEL_WAIT_MS, onSegmenter))) {
      throw new Error('No model is loaded: load one in the Model panel, then run the case’s prompts from the list.');
    }
    const prompts = c.prompts.length > 1 && c.disagreement > 0 ? [c.prompts[0], c.prompts[c.prompts.length - 1]] : [c.prompts[0]];
    for (const p of prompts) {
      if (useReview.getState().openCase !== id || useScans.getState().activeId !== scanId) return;
      await runCasePrompt(p.prompt);
    }
  } catch (e) {
    useReview.getState().set({ error: message(e) });
  } finally {
    if (useReview.getState().openCase === id) useReview.getState().set({ busy: null });
  }
}

/** Runs one of the open case's prompts (unless a run with that prompt is already there). */
export async function runCasePrompt(prompt: string): Promise<void> {
  if (useRuns.getState().runs.some((r) => r.prompt === prompt)) return;
  useReview.getState().set({ busy: `Running “${prompt}”…` });
  try {
    // one retry: an automatic baseline starting at the same moment aborts the other run (latest wins)
    if ((await runWithBaseline(prompt)) === null && !useRuns.getState().runs.some((r) => r.prompt === prompt)) await runWithBaseline(prompt);
  } finally {
    useReview.getState().set({ busy: null });
  }
}

/** The scan's first frame as PNG: 8-bit scans keep their pixels exactly; others as displayed (window). No
 *  metadata chunk is written (a source PNG's text chunks could name the patient). */
export function scanPng(scan: Scan): Uint8Array {
  const px = scan.width * scan.height;
  if (scan.dtype === 'uint8' && scan.photometric !== 'MONOCHROME1') {
    return encode({ width: scan.width, height: scan.height, data: (scan.data as Uint8Array).subarray(0, px * scan.channels), channels: scan.channels, depth: 8 });
  }
  const rgba = windowLevelToRGBA(scan, 0, scan.window);
  const grey = scan.channels === 1;
  const out = new Uint8Array(px * (grey ? 1 : 3));
  for (let i = 0; i < px; i++) {
    if (grey) out[i] = rgba[i * 4];
    else for (let k = 0; k < 3; k++) out[i * 3 + k] = rgba[i * 4 + k];
  }
  return encode({ width: scan.width, height: scan.height, data: out, channels: grey ? 1 : 3, depth: 8 });
}

const stemOf = (name: string) => baseName(name).replace(/\.(nii\.gz|nii|dcm|png|jpe?g|webp|bmp|tiff?)$/i, '');

/** Keeps the current correction of the open case for the finetune dataset (replacing an earlier one). */
export function keepCorrection(): void {
  const st = useReview.getState();
  const c = st.cases.find((x) => x.id === st.openCase);
  const { activeId, scan } = useScans.getState();
  if (!c) {
    st.set({ error: 'Open a case from the queue first.' });
    return;
  }
  if (!scan || !activeId || activeId !== st.openScanId) {
    st.set({ error: `The open scan is not the case ${c.name}: open the case again from the queue.` });
    return;
  }
  const session = getSession();
  if (!session) {
    st.set({ error: 'Nothing to keep yet: click ✎ on a result to start correcting it, fix the mask with the tools, then keep it.' });
    return;
  }
  const mask = session.mask;
  if (mask.width !== scan.width || mask.height !== scan.height) {
    st.set({ error: 'The correction is not at the scan’s size.' });
    return;
  }
  const label = keepsIdentifiers() ? safeName(stemOf(c.name)) : studyLabel(scan, activeId).label;
  const kept: KeptCorrection = {
    caseId: c.id, scanId: activeId, label, image: scanPng(scan), mask: encodeBinaryPng(mask), width: scan.width, height: scan.height,
    foreground: countForeground(mask.data), prompts: c.prompts.map((p) => ({ ...p })), dataset: c.dataset, structure: c.structure,
    modelId: c.modelId, modelHash: c.modelHash, keptAt: Date.now(),
  };
  const all = { ...st.kept, [c.id]: kept };
  st.set({ kept: all, error: null, info: `Correction kept for ${keepsIdentifiers() ? c.name : label} (${Object.keys(all).length} case${Object.keys(all).length > 1 ? 's' : ''} kept).` });
}

/** The finetune dataset: prompts.json + images/<label>.png + masks/<label>-<k>.png, one mask per kept case and
 *  one target per prompt type of the case (they all describe the same structure). */
export function buildDataset(kept: readonly KeptCorrection[], keepIds = keepsIdentifiers()): { name: string; bytes: Uint8Array; index: object } {
  if (kept.length === 0) throw new Error('No corrected case kept yet: open a case, correct it, and press “Keep this correction”.');
  const files: Record<string, Uint8Array> = {};
  const cases = kept.map((k, i) => {
    const id = `${safeName(k.label)}-${String(i + 1).padStart(4, '0')}`;
    const image = `images/${safeName(k.label)}.png`;
    const mask = `masks/${id}.png`;
    files[image] = k.image;
    files[mask] = k.mask;
    const seen = new Set<string>();
    return {
      id, image, width: k.width, height: k.height, dataset: k.dataset, structure: k.structure,
      targets: k.prompts.filter((p) => !seen.has(p.prompt) && seen.add(p.prompt)).map((p) => ({ prompt: p.prompt, prompt_type: p.promptType, mask, study_dice: p.dice })),
      ...(keepIds ? { name: k.label } : {}),
    };
  });
  const models = [...new Set(kept.map((k) => `${k.modelId}@${k.modelHash}`))];
  const index = {
    format: DATASET_FORMAT, version: 1, created: new Date().toISOString(), deidentified: !keepIds,
    studyModels: models, cases,
  };
  files['prompts.json'] = new TextEncoder().encode(JSON.stringify(index, null, 1));
  const day = new Date().toISOString().slice(0, 10);
  return { name: `finetune-dataset-${day}-${kept.length}-cases.zip`, bytes: zipStudy(files), index };
}

export function exportDataset(): void {
  const st = useReview.getState();
  try {
    const order = st.cases.map((c) => c.id);
    const kept = Object.values(st.kept).sort((a, b) => order.indexOf(a.caseId) - order.indexOf(b.caseId));
    const ds = buildDataset(kept);
    download({ name: ds.name, bytes: ds.bytes, mime: 'application/zip' });
    st.set({ error: null, info: `Exported ${kept.length} corrected case${kept.length > 1 ? 's' : ''} as ${ds.name}.` });
  } catch (e) {
    st.set({ error: message(e) });
  }
}

export type { ReviewCase };
