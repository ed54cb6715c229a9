// CLIPSeg as people get it: the transformers.js model-folder layout (as published for
// Xenova/clipseg-rd64-refined) turned into this app's bundle manifest, so a folder or a hub download is
// stored and run like any single-graph bundle. The layout (what transformers.js reads):
//   config.json (model_type "clipseg"), preprocessor_config.json (ViTImageProcessor: size, rescale, mean/std),
//   tokenizer.json (CLIP BPE), onnx/model.onnx (fp32), onnx/model_quantized.onnx (dynamic int8),
//   onnx/model_fp16.onnx — one graph taking input_ids, pixel_values, attention_mask, giving logits [batch, H, W].
// Hub URLs: <host>/<owner>/<name>/resolve/<revision>/<file> (transformers.js remotePathTemplate).
import { BundleError, parseManifest } from './manifest';
import type { FileEntry, GraphSpec, Manifest, Precision, TensorSpec, VariantSpec } from './manifest';

export const HF_CONFIG = 'config.json';
export const HF_PREPROCESSOR = 'preprocessor_config.json';
export const HF_TOKENIZER = 'tokenizer.json';
export const DEFAULT_HUB = 'https://huggingface.co';

/** The graph files of the layout this app runs, in the manifest's preference order (first fitting wins). */
export const HF_GRAPHS: { path: string; variant: string; precision: Precision; backends: VariantSpec['backends']; requires?: VariantSpec['requires'] }[] = [
  { path: 'onnx/model_quantized.onnx', variant: 'wasm-int8', precision: 'int8', backends: ['wasm'] },
  { path: 'onnx/model_fp16.onnx', variant: 'webgpu-fp16', precision: 'fp16', backends: ['webgpu'], requires: ['shader-f16'] },
  { path: 'onnx/model.onnx', variant: 'fp32', backends: ['wasm', 'webgpu'], precision: 'fp32' },
];

/** A model hub repository: `owner/name` at `revision` on `host`. */
export interface HubRepo {
  host: string;
  repo: string;
  revision: string;
}

const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

/** Reads what the user typed: `owner/name`, or a hub address `https://host/owner/name[/tree|resolve/rev/...]`
 * (the host then overrides `hub`). Throws a BundleError in words. */
export function parseHubRepo(text: string, hub = DEFAULT_HUB): HubRepo {
  const t = text.trim();
  let host = hub.trim().replace(/\/+$/, '');
  let path = t;
  if (/^https?:\/\//i.test(t)) {
    let u: URL;
    try {
      u = new URL(t);
    } catch {
      throw new BundleError(`'${t.slice(0, 80)}' is not a web address`);
    }
    if (u.username || u.password) throw new BundleError('the address must not contain a user name or password');
    host = u.origin;
    path = u.pathname.replace(/^\/+/, '');
  }
  const parts = path.split('/').filter(Boolean);
  let revision = 'main';
  if ((parts[2] === 'resolve' || parts[2] === 'tree' || parts[2] === 'blob') && parts[3]) revision = parts[3];
  const repo = parts.slice(0, 2).join('/');
  if (!REPO.test(repo) || /(^|\/)\.\.?($|\/)/.test(repo)) throw new BundleError(`'${t.slice(0, 80)}' is not a model name: write owner/name, e.g. Xenova/clipseg-rd64-refined`);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(revision) || revision.startsWith('.')) throw new BundleError(`'${revision.slice(0, 40)}' is not a revision name`);
  let origin: string;
  try {
    const h = new URL(host);
    if (h.protocol !== 'https:' && h.protocol !== 'http:') throw new Error('scheme');
    if (h.username || h.password) throw new Error('credentials');
    origin = h.origin;
  } catch {
    throw new BundleError(`the hub '${host.slice(0, 80)}' is not a web address (e.g. ${DEFAULT_HUB})`);
  }
  return { host: origin, repo, revision };
}

/** `<host>/<owner>/<name>/resolve/<revision>/<file>` */
export function hubFileUrl(r: HubRepo, file: string): string {
  return `${r.host}/${r.repo}/resolve/${encodeURIComponent(r.revision)}/${file}`;
}

/** Origins a browser is sent to when it fetches files from `host`: the hub itself and, for huggingface.co,
 * the storage hosts its large files redirect to (the page's connect-src must allow every hop). */
export function hubOrigins(host: string): string[] {
  const origin = new URL(host).origin;
  if (origin !== DEFAULT_HUB) return [origin];
  return [origin, 'https://cdn-lfs.hf.co', 'https://cdn-lfs-us-1.hf.co', 'https://cdn-lfs-eu-1.hf.co', 'https://cas-bridge.xethub.hf.co'];
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const triple = (v: unknown, d: [number, number, number]): [number, number, number] =>
  Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (v as [number, number, number]) : d;

export function parseJsonFile(name: string, bytes: Uint8Array): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new BundleError(`${name} is not a JSON object (${(e as Error).message})`);
  }
}

/** Refuses configs this app cannot run, in words. */
export function checkHfConfig(config: Record<string, unknown>): void {
  const type = config.model_type;
  if (type !== 'clipseg') {
    throw new BundleError(`config.json describes a '${String(type ?? 'unknown').slice(0, 40)}' model; from the transformers.js layout this app runs CLIPSeg (model_type 'clipseg') only`);
  }
}

/** The manifest's input block from preprocessor_config.json (ViTImageProcessor: resize to size, x rescale, (x - mean) / std). */
export function hfInput(pp: Record<string, unknown>, fallbackSize: number): Manifest['input'] {
  const size = pp.size;
  let h = fallbackSize;
  let w = fallbackSize;
  if (typeof size === 'number') h = w = size;
  else if (size && typeof size === 'object') {
    const s = obj(size);
    h = num(s.height ?? s.shortest_edge, fallbackSize);
    w = num(s.width ?? s.shortest_edge, fallbackSize);
  }
  const normalize = pp.do_normalize !== false;
  return {
    size: [Math.round(h), Math.round(w)],
    mean: normalize ? triple(pp.image_mean, [0.485, 0.456, 0.406]) : [0, 0, 0],
    std: normalize ? triple(pp.image_std, [0.229, 0.224, 0.225]) : [1, 1, 1],
    resize: 'stretch',
    colour: 'rgb',
    scale: pp.do_rescale === false ? 1 : num(pp.rescale_factor, 1 / 255),
  };
}

export interface HfGraph {
  path: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** Checks that a graph is a CLIPSeg single graph this engine can feed. */
export function checkHfGraph(g: HfGraph): void {
  const names = new Set(g.inputs.map((t) => t.name));
  const missing = ['pixel_values', 'input_ids'].filter((n) => !names.has(n));
  if (missing.length) throw new BundleError(`${g.path} has no ${missing.join(' or ')} input (inputs: ${[...names].join(', ').slice(0, 120)}), so it is not a text-prompted segmentation graph`);
  const extra = [...names].filter((n) => !['pixel_values', 'input_ids', 'attention_mask'].includes(n));
  if (extra.length) throw new BundleError(`${g.path} needs inputs this app does not provide: ${extra.join(', ').slice(0, 120)}`);
  if (!g.outputs.some((t) => t.name === 'logits')) throw new BundleError(`${g.path} has no 'logits' output (outputs: ${g.outputs.map((t) => t.name).join(', ').slice(0, 120)})`);
}

export interface HfLayoutParts {
  /** owner/name, or the folder's name. */
  label: string;
  config: Record<string, unknown>;
  preprocessor: Record<string, unknown>;
  graphs: HfGraph[];
  /** Size and sha256 of every stored file (config, preprocessor config, tokenizer, graphs). */
  files: FileEntry[];
  source: string;
}

export function bundleIdFor(label: string): string {
  const s = label.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/\.{2,}/g, '.').replace(/^[-._]+|[-._]+$/g, '');
  return (s || 'hf-model').slice(0, 64).replace(/[-._]+$/, '');
}

/** The bundle manifest (kind 'single', one variant per graph file present) of a transformers.js CLIPSeg folder. */
export function hfManifest(p: HfLayoutParts): Manifest {
  checkHfConfig(p.config);
  if (!p.graphs.length) throw new BundleError(`no ONNX graph: the transformers.js layout has ${HF_GRAPHS.map((g) => g.path).join(' or ')}`);
  const vision = obj(p.config.vision_config);
  const text = obj(p.config.text_config);
  const input = hfInput(p.preprocessor, num(vision.image_size, 352));
  const variants: VariantSpec[] = [];
  for (const spec of HF_GRAPHS) {
    const g = p.graphs.find((x) => x.path === spec.path);
    if (!g) continue;
    checkHfGraph(g);
    const graph: GraphSpec = { file: g.path, precision: spec.precision, inputs: g.inputs, outputs: g.outputs };
    variants.push({ name: spec.variant, backends: spec.backends, ...(spec.requires ? { requires: spec.requires } : {}), graphs: { model: graph } });
  }
  const logits = variants[0].graphs.model?.outputs.find((t) => t.name === 'logits');
  const dims = logits?.shape.slice(-2) ?? [];
  const size: [number, number] = [typeof dims[0] === 'number' ? dims[0] : input.size[0], typeof dims[1] === 'number' ? dims[1] : input.size[1]];
  const note = typeof p.config._vlsm_note === 'string' ? [p.config._vlsm_note.slice(0, 200)] : [];
  const manifest: Manifest = {
    format: 'vlsm-bundle',
    formatVersion: 1,
    id: bundleIdFor(p.label),
    name: p.label,
    architecture: 'clipseg',
    license: `not stated in the model folder: see ${p.source}`,
    modelCard: {
      summary: `CLIPSeg in the transformers.js layout (${p.label}), imported from ${p.source}: one graph (image and prompt together), so every prompt runs the whole model; the toolchain's python -m vlsm.split_single makes the faster split bundle from it.`,
      limits: ['Not trained or checked by this project: no test figures; general-purpose CLIPSeg was not trained on medical scans.', ...note],
    },
    input,
    text: { tokenizer: HF_TOKENIZER, maxLength: Math.round(num(text.max_position_embeddings, 77)), padding: 'none', lowercase: true },
    kind: 'single',
    variants,
    output: { activation: 'sigmoid', threshold: 0.5, size },
    files: p.files,
  };
  // The same checks as any bundle: schema, files listed, graphs per kind.
  return parseManifest(JSON.stringify(manifest));
}
