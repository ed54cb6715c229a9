// Demo scans: procedural, deterministic (seeded), with a ground-truth mask and a prompt that describes it.
// Pure TS without DOM: the app's gallery and the Node export script (scripts/export-demos.ts) share it.
import type { Scan } from '../scan/types';
import { demoScan } from './build';
import { maskStats, locationWord, sizeWord, type MaskStats } from './describe';
import { dermoscopy } from './dermoscopy';
import { endoscopy, type Generated } from './endoscopy';
import { ultrasound } from './ultrasound';
import { xray } from './xray';

export type DemoKind = 'endoscopy' | 'ultrasound' | 'xray' | 'dermoscopy';

export interface DemoCase {
  kind: DemoKind;
  seed: number;
  scan: Scan;
  /** Ground truth, 0/1 per pixel, width*height. */
  mask: Uint8Array;
  prompt: string;
  stats: MaskStats;
}

interface DemoSpec {
  kind: DemoKind;
  title: string;
  modality: string;
  channels: 1 | 3;
  generate(seed: number, size: number): Generated;
  prompt(s: MaskStats): string;
}

const at = (s: MaskStats) => `located in ${locationWord(s.cu, s.cv)} of the image`;

export const DEMOS: readonly DemoSpec[] = [
  { kind: 'endoscopy', title: 'Colonoscopy polyp', modality: 'ES', channels: 3, generate: endoscopy,
    prompt: (s) => `one ${sizeWord(s.areaFraction)} pink round polyp, ${at(s)}` },
  { kind: 'ultrasound', title: 'Breast ultrasound lesion', modality: 'US', channels: 1, generate: ultrasound,
    prompt: (s) => `one ${sizeWord(s.areaFraction)} dark oval tumour, ${at(s)}` },
  { kind: 'xray', title: 'Chest X-ray lungs', modality: 'CR', channels: 1, generate: xray,
    prompt: () => 'two dark lungs, located in left and right of the image' },
  { kind: 'dermoscopy', title: 'Dermoscopy skin lesion', modality: 'XC', channels: 3, generate: dermoscopy,
    prompt: (s) => `one ${sizeWord(s.areaFraction)} brown irregular skin lesion, ${at(s)}` },
];

export const DEMO_KINDS: readonly DemoKind[] = DEMOS.map((d) => d.kind);

export function demoSpec(kind: DemoKind): DemoSpec {
  const spec = DEMOS.find((d) => d.kind === kind);
  if (!spec) throw new Error(`Unknown demo kind "${kind}"`);
  return spec;
}

/** Generates one demo case. Same (kind, seed, size) -> same pixels, mask and prompt. */
export function makeDemo(kind: DemoKind, seed: number, size = 512): DemoCase {
  if (!Number.isInteger(size) || size < 16 || size > 4096) throw new Error(`Demo size must be an integer in 16..4096, got ${size}`);
  const spec = demoSpec(kind);
  const { data, mask } = spec.generate(seed >>> 0, size);
  const stats = maskStats(mask, size, size);
  const scan = demoScan(`Demo: ${spec.title} #${seed}`, size, spec.channels, data, spec.modality);
  return { kind, seed, scan, mask, prompt: spec.prompt(stats), stats };
}
