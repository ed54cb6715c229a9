// Writes demo scans with their ground-truth masks and prompts to a folder, as synthetic training data.
// Run: node scripts/export-demos-cli.mjs <outDir> [--count N] [--size S] [--kinds endoscopy,xray] [--seed S0]
// (the -cli.mjs launcher loads this TypeScript through Vite's module runner; Node 20 cannot strip types itself).
// Output: <outDir>/<kind>/<kind>-<seed>.png, <kind>-<seed>_mask.png (0/255) and prompts.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { DEMO_KINDS, makeDemo, type DemoKind } from '../src/demo/index';

interface Args {
  out: string;
  count: number;
  size: number;
  seed: number;
  kinds: DemoKind[];
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { out: '', count: 10, size: 352, seed: 1, kinds: [...DEMO_KINDS] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i] ?? '';
    if (a === '--count') args.count = Number(next());
    else if (a === '--size') args.size = Number(next());
    else if (a === '--seed') args.seed = Number(next());
    else if (a === '--kinds') args.kinds = next().split(',') as DemoKind[];
    else if (!a.startsWith('--')) args.out = a;
    else throw new Error(`unknown option ${a}`);
  }
  if (!args.out) throw new Error('usage: node scripts/export-demos-cli.mjs <outDir> [--count N] [--size S] [--kinds a,b] [--seed S0]');
  for (const k of args.kinds) if (!DEMO_KINDS.includes(k)) throw new Error(`unknown kind ${k}; one of ${DEMO_KINDS.join(', ')}`);
  return args;
}

export function exportDemos(args: Args): number {
  let written = 0;
  for (const kind of args.kinds) {
    const dir = join(args.out, kind);
    mkdirSync(dir, { recursive: true });
    const prompts: Record<string, { prompt: string; mask: string; areaFraction: number }> = {};
    for (let s = args.seed; s < args.seed + args.count; s++) {
      const d = makeDemo(kind, s, args.size);
      const stem = `${kind}-${s}`;
      const image = encode({ width: d.scan.width, height: d.scan.height, data: d.scan.data as Uint8Array, channels: d.scan.channels, depth: 8 });
      const mask = encode({ width: d.scan.width, height: d.scan.height, data: d.mask.map((v) => v * 255), channels: 1, depth: 8 });
      writeFileSync(join(dir, `${stem}.png`), image);
      writeFileSync(join(dir, `${stem}_mask.png`), mask);
      prompts[`${stem}.png`] = { prompt: d.prompt, mask: `${stem}_mask.png`, areaFraction: d.stats.areaFraction };
      written++;
    }
    writeFileSync(join(dir, 'prompts.json'), JSON.stringify(prompts, null, 2));
  }
  return written;
}

export function main(argv: string[]): void {
  const args = parseArgs(argv);
  const n = exportDemos(args);
  console.log(`wrote ${n} demo scans with masks to ${args.out}`);
}
