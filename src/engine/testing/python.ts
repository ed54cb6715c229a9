// Test helpers: the reference outputs that the repo's Python toolchain writes for the engine tests, and the
// one place that builds them. They are built by the test runners' global setups (src/testing/globalSetup.ts
// for Vitest, e2e/globalSetup.ts for Playwright) before any test starts, with a budget of their own, never
// inside a test hook. Tests only check that their reference is there.
// Python: the first of .venv/bin/python (scripts/test-py.sh builds it with the pinned toolchain) and python3.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

const exes = new Map<string, string | null>();

/** The first of .venv/bin/python and python3 that can import `modules`, or null. */
export function pythonExe(modules = 'numpy, PIL, onnx, onnxruntime, torch'): string | null {
  if (exes.has(modules)) return exes.get(modules) ?? null;
  let found: string | null = null;
  for (const exe of ['.venv/bin/python', 'python3']) {
    try {
      execFileSync(exe, ['-c', `import ${modules}`], { stdio: 'ignore', timeout: 300_000 });
      found = exe;
      break;
    } catch {
      /* try the next one */
    }
  }
  exes.set(modules, found);
  return found;
}

/** One reference: `python script ...args` writes `output` (its last file) and the files beside it. */
export interface Reference {
  label: string;
  script: string;
  args: string[];
  output: string;
  /** What the script imports (checked before it runs, for a clear message). */
  modules: string;
}

export const TINY = 'models/build/tiny';
export const SHIPPED = 'models/compact-vlsm';

const manifestTag = (dir: string) => createHash('sha256').update(readFileSync(`${dir}/manifest.json`)).digest('hex').slice(0, 12);

/** The tiny random-weight bundles (split and single graph) the Node engine tests load. */
export const tinyBundles: Reference = {
  label: 'tiny bundles',
  script: 'src/engine/testing/make_tiny_bundle.py',
  args: [TINY],
  // done-2: wasm-int8 became all int8; done-3: + compact-v2; done-4: v2 text graph drops unknown words; done-5: + image-only (the marker's number goes up when the toolchain's output changes).
  output: `${TINY}/done-5`,
  modules: 'numpy, onnx, onnxruntime, torch',
};

export const HF = 'models/build/hf';

/** A tiny random CLIPSeg in the transformers.js folder layout (HF/Xenova/clipseg-tiny-random) and its split
 * bundle (HF/clipseg-tiny-split, python -m vlsm.split_single), for the hub/import and comparison tests. */
export const hfLayoutReference: Reference = {
  label: 'transformers.js layout (tiny random CLIPSeg) and its split',
  script: 'src/engine/testing/make_hf_layout.py',
  args: [HF],
  output: `${HF}/done-1`,
  modules: 'numpy, onnx, onnxruntime, torch, transformers, tokenizers',
};

export const CRIS = 'models/build/cris';

/** A tiny random CRIS (word-level text features: word_embeds, text_embeds, word_pad_mask; 0-padded to 17 ids;
 * letterbox; logits at 1/4) as python -m vlsm.cris_export writes it, in CRIS/tiny. */
export const tinyCris: Reference = {
  label: 'tiny CRIS bundle',
  script: 'src/engine/testing/make_tiny_cris.py',
  args: [CRIS],
  output: `${CRIS}/done-1`,
  modules: 'numpy, onnx, onnxruntime, torch',
};

export const BIOMED = 'models/build/biomedclipseg';

/** A tiny random BiomedCLIPSeg-D bundle (WordPiece tokenizer, python -m vlsm.biomedclipseg_export's write_bundle). */
export const biomedBundle: Reference = {
  label: 'tiny BiomedCLIPSeg bundle',
  script: 'src/engine/testing/make_biomed_bundle.py',
  args: [BIOMED],
  output: `${BIOMED}/done-1`,
  modules: 'numpy, onnx, onnxruntime, torch, transformers, tokenizers',
};

/** resize.ts against PIL BILINEAR and torch bilinear. */
export const resizeReference: Reference = {
  label: 'resize',
  script: 'src/engine/testing/resize_reference.py',
  args: [],
  output: 'models/build/resize/meta.json',
  modules: 'numpy, PIL, torch',
};

/** The Python engine's pixel values, token ids and logits for bundle `dir`'s `variant` (at the input size when `size` is given).
 * Keyed by the manifest's hash, so new weights in the same folder get a fresh reference. `dir` must exist. */
export function parityReference(dir: string, variant: string, size?: [number, number]): Reference {
  const name = size ? `browser-${variant}-${size[0]}x${size[1]}` : `${dir.replace(/[^a-z0-9]+/gi, '_')}-${variant}`;
  const out = `models/build/parity/${name}-${manifestTag(dir)}`;
  return {
    label: `parity ${dir} ${variant}${size ? ` ${size[0]}x${size[1]}` : ''}`,
    script: 'src/engine/testing/parity_reference.py',
    args: [dir, variant, out, ...(size ? [`${size[0]}x${size[1]}`] : [])],
    output: `${out}/meta.json`,
    modules: 'numpy, PIL, onnxruntime, tokenizers',
  };
}

/** The parity cases of src/worker/parity.node.test.ts (the tiny ones exist once tinyBundles is built). */
export const PARITY_CASES = [
  { label: 'tiny split fp32', dir: `${TINY}/split`, variant: 'fp32', exact: true },
  { label: 'tiny split wasm-int8', dir: `${TINY}/split`, variant: 'wasm-int8', exact: false },
  { label: 'tiny single fp32', dir: `${TINY}/single`, variant: 'fp32', exact: true },
  // The compact model's v2 graphs (decoder inputs pix8, pix4, text_embeds; pixel-shuffle head), random weights.
  { label: 'tiny compact-v2 fp32', dir: `${TINY}/compact-v2`, variant: 'fp32', exact: true },
  { label: 'tiny compact-v2 wasm', dir: `${TINY}/compact-v2`, variant: 'wasm', exact: false },
  // CRIS: the decoder reads the text graph's word features and padding mask beside the sentence feature.
  { label: 'tiny CRIS fp32', dir: `${CRIS}/tiny`, variant: 'fp32', exact: true },
  { label: 'tiny CRIS wasm-int8', dir: `${CRIS}/tiny`, variant: 'wasm-int8', exact: false },
  { label: 'compact-vlsm wasm', dir: SHIPPED, variant: 'wasm', exact: false },
  // BiomedCLIPSeg-D at toy width: WordPiece ids, ViT-B/16-style vision, BERT text, CLIPSeg decoder.
  { label: 'tiny BiomedCLIPSeg fp32', dir: `${BIOMED}/bundle`, variant: 'fp32', exact: true },
  { label: 'tiny BiomedCLIPSeg wasm-int8', dir: `${BIOMED}/bundle`, variant: 'wasm-int8', exact: false },
];

/** The shipped bundle's WebAssembly variant at its input size, for the browser parity test (e2e/engine-parity.spec.ts). */
export function browserParityReference(): Reference {
  const manifest = JSON.parse(readFileSync(`${SHIPPED}/manifest.json`, 'utf8')) as { input: { size: [number, number] }; variants: { name: string; backends: string[] }[] };
  const [h, w] = manifest.input.size;
  const variant = manifest.variants.find((v) => v.backends.includes('wasm'))?.name as string;
  return parityReference(SHIPPED, variant, [w, h]);
}

/** e2e/review.spec.ts: a prompt study (python -m vlsm.study, in process) of three real BUSI images with the
 * shipped bundle, beside copies of the images and masks in a git-ignored build folder. Keyed by the bundle. */
export function reviewStudyReference(): Reference {
  const out = `models/build/review-study-${manifestTag(SHIPPED)}`;
  return {
    label: 'review queue study (3 BUSI images, shipped bundle)',
    script: 'src/engine/testing/make_review_study.py',
    args: [out],
    output: `${out}/done`,
    modules: 'numpy, PIL, onnxruntime, pandas, pyarrow',
  };
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Builds `ref` unless its output exists; null when done, else why not. Another runner building the same
 * reference at once (Vitest and Playwright in one tree) holds a lock directory; this one waits for it. */
export function buildReference(ref: Reference): string | null {
  if (existsSync(ref.output)) return null;
  const lock = `${ref.output}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock, { recursive: false });
      break;
    } catch {
      if (existsSync(ref.output)) return null;
      // A lock older than 15 minutes belongs to a run that died.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      sleep(500);
    }
  }
  try {
    if (existsSync(ref.output)) return null;
    const exe = pythonExe(ref.modules);
    if (!exe) return `no Python that imports ${ref.modules} (run \`sh scripts/test-py.sh\`, which builds .venv)`;
    try {
      execFileSync(exe, [ref.script, ...ref.args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 15 * 60_000 });
    } catch (e) {
      return `${ref.script} failed: ${(e as { stderr?: Buffer }).stderr?.toString().trim() || String(e)}`;
    }
    return existsSync(ref.output) ? null : `${ref.script} did not write ${ref.output}`;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds every reference in `refs` (in order; later ones may need earlier ones), printing one line each.
 * Throws under CI when one cannot be built (scripts/test.sh has built .venv by then); elsewhere the tests
 * that need it are skipped, saying why. */
export function buildReferences(refs: (Reference | (() => Reference))[], runner: string): void {
  const failures: string[] = [];
  for (const item of refs) {
    let ref: Reference;
    try {
      ref = typeof item === 'function' ? item() : item;
    } catch (e) {
      failures.push(String(e));
      continue;
    }
    if (existsSync(ref.output)) continue;
    const t0 = Date.now();
    process.stdout.write(`[${runner} setup] building Python reference: ${ref.label} (python ${ref.script}) ... `);
    const why = buildReference(ref);
    process.stdout.write(why ? 'FAILED\n' : `done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    if (why) failures.push(`${ref.label}: ${why}`);
  }
  if (failures.length === 0) return;
  const msg = `Python references missing:\n  ${failures.join('\n  ')}`;
  if (process.env.CI) throw new Error(msg);
  console.warn(`[${runner} setup] ${msg}\n(the tests that need them are skipped)`);
}

/** Why a test is skipped whose reference is missing. Under CI (where scripts/test.sh has built .venv and the
 * global setup has run) a missing reference is a failure, so this throws. */
export function pythonSkipReason(): string {
  const reason = "Python reference missing (the test runner's global setup builds it; see its output)";
  if (process.env.CI) throw new Error(reason);
  return reason;
}
