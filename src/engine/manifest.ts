// Bundle manifest: types mirroring models/schema/bundle.schema.json, ajv validation against that schema
// (the same file the Python toolchain validates with), and the cross-field checks a schema cannot express
// (graphs per kind, files listed, decoder inputs produced by vision/text, a fixed-length text graph fed padded
// prompts of that length). Errors are readable sentences.
// The schema validator is compiled ahead of time (scripts/gen-manifest-validator.mjs): ajv compiling it at
// run time needs `new Function`, which the app's Content-Security-Policy forbids.
import type { ChannelSpec } from './channels';
import validateManifestSchema from './manifestValidate.gen.js';

export type TensorDType = 'float32' | 'float16' | 'int64' | 'int32';
export type Precision = 'fp32' | 'fp16' | 'int8' | 'uint8';
export type BackendName = 'wasm' | 'webgpu';
export type GraphRole = 'vision' | 'text' | 'decoder' | 'model';

export interface TensorSpec {
  name: string;
  dtype: TensorDType;
  shape: (number | string)[];
}

export interface GraphSpec {
  file: string;
  precision: Precision;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export interface VariantSpec {
  name: string;
  backends: BackendName[];
  requires?: 'shader-f16'[];
  graphs: Partial<Record<GraphRole, GraphSpec>>;
}

export interface TextSpec {
  tokenizer: string;
  /** How the engine reads the tokenizer file: CLIP byte-level BPE (default) or BERT WordPiece. */
  tokenizerType?: 'clip-bpe' | 'wordpiece';
  maxLength: number;
  padding: 'none' | 'max_length';
  padTokenId?: number;
  lowercase?: boolean;
}

export interface FileEntry {
  path: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: 'vlsm-bundle';
  formatVersion: 1;
  id: string;
  name: string;
  architecture: string;
  license: string;
  modelCard: {
    summary: string;
    classes?: string[];
    promptExamples?: string[];
    trainingData?: { name: string; citation?: string; terms?: string }[];
    metrics?: Record<string, unknown>;
    /** Test-split figures scored once at release: dataset -> structure/prompt -> Dice, bootstrap 95 % CI, n images. */
    testMetrics?: Record<string, Record<string, { dice: number; ci95: [number, number]; n: number }>>;
    /** Lowercase words seen in training prompts; other words carry no meaning for the model. */
    vocabulary?: string[];
    modalities?: string[];
    /** The kinds of scan ('image', 'volume') a shipped bundle is the app's default for when the user chose no model. */
    defaultFor?: ('image' | 'volume')[];
    intendedUse?: string;
    limits?: string[];
    leftRightConvention?: string;
  };
  input: {
    size: [number, number];
    mean: [number, number, number];
    std: [number, number, number];
    resize: 'stretch' | 'letterbox';
    colour: 'rgb' | 'grey-to-rgb';
    scale?: number;
  };
  /** Absent in image-only bundles (no tokenizer, no text graph). */
  text?: TextSpec;
  kind: 'split' | 'single' | 'image-only';
  variants: VariantSpec[];
  output: {
    activation: 'sigmoid' | 'none';
    threshold: number;
    size: [number, number];
    /** Image-only bundles: the logits' channels in order, with the words that pick each one (engine/channels.ts). */
    channels?: ChannelSpec[];
  };
  files: FileEntry[];
}

export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

type SchemaValidator = ((data: unknown) => data is Manifest) & { errors?: { instancePath: string; message?: string; keyword?: string }[] | null };
const validateSchema = validateManifestSchema as unknown as SchemaValidator;

const ROLES: Record<Manifest['kind'], GraphRole[]> = { split: ['vision', 'text', 'decoder'], single: ['model'], 'image-only': ['vision'] };

/** Parses and validates manifest.json text; throws BundleError listing every problem found. */
export function parseManifest(text: string): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new BundleError(`manifest.json is not valid JSON (${(e as Error).message})`);
  }
  if (!validateSchema(data)) {
    const errs = (validateSchema.errors ?? []).slice(0, 8).map((e) => schemaProblem(data, e));
    throw new BundleError(`manifest.json does not match the bundle schema: ${errs.join('; ')}`);
  }
  const problems = crossCheck(data);
  if (problems.length) throw new BundleError(`manifest.json of '${data.id}': ${problems.join('; ')}`);
  return data;
}

/** One schema error in words: a pattern is described, never printed as a regular expression. */
function schemaProblem(data: unknown, e: { instancePath: string; message?: string; keyword?: string }): string {
  const where = e.instancePath || '(root)';
  if (e.keyword !== 'pattern') return `${where} ${e.message ?? ''}`;
  let v: unknown = data;
  for (const k of e.instancePath.split('/').slice(1)) v = (v as Record<string, unknown> | undefined)?.[k];
  const shown = JSON.stringify(String(v).slice(0, 80));
  if (/\/files\/\d+\/path$/.test(where)) return `${where} ${shown} is not a plain relative path inside the bundle (no '..' or '.' parts, no leading '/', no '\\', letters, digits, '.', '_' and '-' only)`;
  if (where === '/id') return `/id ${shown} is not allowed (lower-case letters, digits, '.', '_' and '-', starting with a letter or digit)`;
  if (/sha256$/.test(where)) return `${where} ${shown} is not a sha256 (64 lower-case hex digits)`;
  return `${where} ${shown} has characters that are not allowed there`;
}

function crossCheck(m: Manifest): string[] {
  const out: string[] = [];
  const listed = new Set(m.files.map((f) => f.path));
  const channels = m.output.channels ?? [];
  if (m.kind === 'image-only') {
    if (m.text) out.push('an image-only bundle has no text block (prompt words pick a channel, no tokenizer)');
    const seen = new Set<string>();
    for (const c of channels) {
      if (seen.has(c.name)) out.push(`output channel '${c.name}' appears twice`);
      seen.add(c.name);
    }
  } else {
    if (!m.text) out.push(`a ${m.kind} bundle needs a text block (tokenizer)`);
    else if (!listed.has(m.text.tokenizer)) out.push(`tokenizer '${m.text.tokenizer}' is not in files`);
    if (m.output.channels) out.push(`only image-only bundles list output channels (this is a ${m.kind} bundle)`);
  }
  const names = new Set<string>();
  for (const v of m.variants) {
    if (names.has(v.name)) out.push(`variant '${v.name}' appears twice`);
    names.add(v.name);
    const roles = Object.keys(v.graphs) as GraphRole[];
    const want = ROLES[m.kind];
    const missing = want.filter((r) => !v.graphs[r]);
    const extra = roles.filter((r) => !want.includes(r));
    if (missing.length) out.push(`variant '${v.name}' lacks the ${missing.join(', ')} graph(s) a ${m.kind} bundle needs`);
    if (extra.length) out.push(`variant '${v.name}' has ${extra.join(', ')} graph(s) a ${m.kind} bundle does not use`);
    for (const r of roles) {
      const g = v.graphs[r];
      if (g && !listed.has(g.file)) out.push(`variant '${v.name}' ${r} file '${g.file}' is not in files`);
    }
    const { vision, text, decoder } = v.graphs;
    if (m.kind === 'split' && vision && text && decoder) {
      const produced = new Set([...vision.outputs, ...text.outputs].map((t) => t.name));
      for (const inp of decoder.inputs) {
        if (!produced.has(inp.name)) out.push(`variant '${v.name}' decoder input '${inp.name}' is not a vision or text output`);
      }
      if (!text.inputs.some((t) => t.name === 'input_ids')) out.push(`variant '${v.name}' text graph has no input_ids input`);
      if (m.text) out.push(...fixedLengthProblems(v.name, text, m.text));
    }
    if (m.kind === 'image-only' && vision) {
      const ins = vision.inputs.map((t) => t.name);
      if (ins.length !== 1 || ins[0] !== 'pixel_values') out.push(`variant '${v.name}' image-only vision graph must take only pixel_values (takes ${ins.join(', ')})`);
      const lg = vision.outputs.find((t) => t.name === 'logits');
      if (!lg) out.push(`variant '${v.name}' image-only vision graph has no 'logits' output`);
      else if (lg.shape.length !== 4 || (typeof lg.shape[1] === 'number' && lg.shape[1] !== channels.length)) {
        out.push(`variant '${v.name}' logits shape [${lg.shape.join(', ')}] does not have the ${channels.length} channels the manifest lists`);
      }
    }
  }
  return out;
}

/** A text graph whose input_ids has a fixed length (CRIS: word features and a padding mask of that length)
 * must be fed exactly that many ids: the manifest has to pad every prompt to it. */
function fixedLengthProblems(variant: string, text: GraphSpec, t: TextSpec): string[] {
  const ids = text.inputs.find((x) => x.name === 'input_ids');
  const n = ids?.shape.length === 2 ? ids.shape[1] : undefined;
  if (typeof n !== 'number' || (t.padding === 'max_length' && t.maxLength === n)) return [];
  return [`variant '${variant}' text graph takes exactly ${n} token ids, so text needs padding 'max_length' and maxLength ${n} (it has padding '${t.padding}', maxLength ${t.maxLength})`];
}

/** Files a variant needs (tokenizer first, when the bundle has one), with their manifest entries. */
export function variantFiles(m: Manifest, variant: VariantSpec): FileEntry[] {
  const paths = [...(m.text ? [m.text.tokenizer] : []), ...Object.values(variant.graphs).map((g) => g.file)];
  return [...new Set(paths)].map((p) => {
    const f = m.files.find((e) => e.path === p);
    if (!f) throw new BundleError(`'${p}' is not listed in files`);
    return f;
  });
}

export interface VariantQuery {
  backend: BackendName;
  shaderF16?: boolean;
  /** Exact variant name wanted (tests, benchmarks); otherwise the first variant that fits. */
  name?: string;
}

/** Picks the variant for a backend: an explicit name, else the first listed for the backend whose
 * requirements are met (so the manifest's order is the preference order). */
export function chooseVariant(m: Manifest, q: VariantQuery): VariantSpec {
  if (q.name) {
    const v = m.variants.find((x) => x.name === q.name);
    if (!v) throw new BundleError(`bundle '${m.id}' has no variant '${q.name}' (has ${m.variants.map((x) => x.name).join(', ')})`);
    return v;
  }
  const fits = (v: VariantSpec) => v.backends.includes(q.backend) && (v.requires ?? []).every((r) => r !== 'shader-f16' || q.shaderF16);
  const v = m.variants.find(fits);
  if (!v) throw new BundleError(`bundle '${m.id}' has no variant for ${q.backend}${q.shaderF16 ? '' : ' without shader-f16'}`);
  return v;
}
