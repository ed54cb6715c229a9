// Command-line use of the engine in Node (onnxruntime-node), run through scripts/bench-node.mjs:
//   node scripts/bench-node.mjs --bundle models/compact-vlsm --image scan.jpg --prompt "small polyp" [--prompt ...]
//        [--variant NAME] [--threads N] [--out mask.pgm]
// Prints JSON: model, variant, per-prompt timings, cache use and foreground fraction; --out writes the
// last probability map as an 8-bit PGM at the scan's size.
//   node scripts/bench-node.mjs --batch spec.json
// Batch mode (the study parity test, models/tests/test_study_parity.py): spec {bundle, variant?, threads?, outDir,
// images: [{path, prompts: [...]}]}; writes outDir/<i>_<j>.f32 (float32 probabilities at the scan's size, row-major)
// and prints {width, height} per image.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadBundle } from '../engine/bundle';
import { VlsmEngine } from '../engine/engine';
import { preprocess } from '../engine/preprocess';
import { readScan } from '../scan/readScan';
import { fsSource, nodeRuntime } from './nodeRuntime';

function parse(argv: string[]): { bundle: string; image: string; prompts: string[]; variant?: string; threads: number; out?: string } {
  const get = (k: string) => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const prompts = argv.flatMap((a, i) => (a === '--prompt' ? [argv[i + 1]] : []));
  const bundle = get('--bundle');
  const image = get('--image');
  if (!bundle || !image || !prompts.length) throw new Error('usage: --bundle DIR --image FILE --prompt TEXT [--prompt TEXT] [--variant NAME] [--threads N] [--out FILE.pgm]');
  return { bundle, image, prompts, variant: get('--variant'), threads: Number(get('--threads') ?? 2), out: get('--out') };
}

interface BatchSpec {
  bundle: string;
  variant?: string;
  threads?: number;
  outDir: string;
  images: { path: string; prompts: string[] }[];
}

async function batch(specPath: string): Promise<unknown> {
  const spec = JSON.parse(await readFile(specPath, 'utf8')) as BatchSpec;
  const bundle = await loadBundle(fsSource(spec.bundle), { backend: 'wasm', name: spec.variant });
  const engine = await VlsmEngine.create(nodeRuntime({ intraOpNumThreads: spec.threads ?? 1 }), bundle);
  await mkdir(spec.outDir, { recursive: true });
  const images = [];
  for (const [i, im] of spec.images.entries()) {
    const scan = await readScan({ name: im.path, bytes: new Uint8Array(await readFile(im.path)) });
    const pre = preprocess(scan, engine.manifest.input);
    for (const [j, prompt] of im.prompts.entries()) {
      const r = await engine.segment(`batch-${i}`, prompt, pre);
      const p = r.probabilities;
      await writeFile(`${spec.outDir}/${i}_${j}.f32`, new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    }
    images.push({ path: im.path, width: scan.width, height: scan.height, channels: scan.channels });
  }
  await engine.dispose();
  return { modelId: engine.manifest.id, variant: engine.variant.name, threshold: engine.manifest.output.threshold, images };
}

export async function main(argv: string[]): Promise<unknown> {
  const b = argv.indexOf('--batch');
  if (b >= 0) return batch(argv[b + 1]);
  const a = parse(argv);
  const t0 = performance.now();
  const bundle = await loadBundle(fsSource(a.bundle), { backend: 'wasm', name: a.variant });
  const engine = await VlsmEngine.create(nodeRuntime({ intraOpNumThreads: a.threads }), bundle);
  const loadMs = performance.now() - t0;
  const scan = await readScan({ name: a.image, bytes: new Uint8Array(await readFile(a.image)) });
  const tp = performance.now();
  const pre = preprocess(scan, engine.manifest.input);
  const preMs = performance.now() - tp;
  const enc = await engine.encodeImage('cli', pre);
  const runs = [];
  let last: Float32Array | null = null;
  for (const prompt of a.prompts) {
    const r = await engine.segment('cli', prompt, pre);
    last = r.probabilities;
    let fg = 0;
    for (const p of r.probabilities) if (p >= r.threshold) fg++;
    runs.push({ prompt, timings: r.timings, cache: r.cache, foreground: fg / r.probabilities.length });
  }
  if (a.out && last) {
    const header = new TextEncoder().encode(`P5\n${scan.width} ${scan.height}\n255\n`);
    const body = Uint8Array.from(last, (p) => Math.round(p * 255));
    await writeFile(a.out, Buffer.concat([header, body]));
  }
  await engine.dispose();
  return { modelId: engine.manifest.id, variant: engine.variant.name, scan: { width: scan.width, height: scan.height }, loadMs, preMs, visionMs: enc.visionMs, runs };
}
