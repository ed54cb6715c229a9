// Column definitions and number formatting shared by the runs list, the results table and the chart.
import type { RunView } from '../../state/runs';
import { durationWords } from '../models/format';

export interface Column {
  key: string;
  label: string;
  title: string;
  value(r: RunView): number | string | null;
  digits?: number;
  /** Shown after the number in the table (e.g. 'ms'). */
  unit?: string;
  /** How the table shows the value, when not as a plain number. */
  show?(v: number): string;
}

const score = (k: string) => (r: RunView): number | null => r.scores[k] ?? null;
const sum = (t: Record<string, number>): number | null => (t.totalMs ?? Object.values(t).reduce((a, b) => a + b, 0)) || null;

export const COLUMNS: Column[] = [
  { key: 'prompt', label: 'Prompt', title: 'The words given to the model', value: (r) => r.prompt || '(no words: baseline)' },
  { key: 'dice', label: 'Dice', title: 'Overlap with the reference mask (Dice): 0 none, 1 identical', value: score('dice'), digits: 3 },
  { key: 'iou', label: 'IoU', title: 'Overlap with the reference mask (intersection over union): 0 none, 1 identical', value: score('iou'), digits: 3 },
  { key: 'hd95', label: 'HD95', title: 'Boundary distance to the reference (95th percentile Hausdorff): in mm when the pixel spacing is known, else in pixels; lower is better', value: (r) => r.scores.hd95Mm ?? r.scores.hd95Px ?? null, digits: 1 },
  { key: 'influence', label: 'Same as no words', title: 'Influence of the prompt: overlap (Dice) between this mask and the mask drawn with no words at all. 1.00 = the words changed nothing; lower = the words steered the model', value: score('influence'), digits: 3 },
  { key: 'area', label: 'Area', title: 'Part of the image covered by the mask (0-1)', value: score('areaFraction'), digits: 3 },
  { key: 'conf', label: 'Confidence', title: 'Confidence: the mean probability the model gives inside the mask (0-1)', value: score('meanConfidence'), digits: 3 },
  { key: 'threshold', label: 'Threshold', title: 'Probability above which a pixel is in the mask', value: (r) => r.threshold, digits: 2 },
  { key: 'time', label: 'Time', title: 'How long the model took for this prompt', value: (r) => sum(r.timings), digits: 0, show: durationWords },
  {
    key: 'model',
    label: 'Model',
    title: 'Model, variant and where it ran; “image only” marks a model without a text graph (the prompt only picks a class)',
    value: (r) => `${r.modelId} ${r.variant} (${r.backend === 'webgpu' ? 'GPU' : r.backend === 'wasm' ? 'CPU' : r.backend})${r.channel ? ` · image only: ${channelWords(r.channel)}` : ''}`,
  },
];

/** The class an image-only run shows, in words. */
export const channelWords = (channel: string): string => (channel === 'all' ? 'all classes' : channel);

export function fmt(v: number | string | null, digits = 3): string {
  if (v === null || v === undefined) return '–';
  return typeof v === 'number' ? v.toFixed(digits) : v;
}

export function sortRuns(runs: readonly RunView[], key: string, dir: 1 | -1): RunView[] {
  const col = COLUMNS.find((c) => c.key === key);
  const val = (r: RunView) => (col ? col.value(r) : r.createdAt);
  return [...runs].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    if (x === null) return 1;
    if (y === null) return -1;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir;
  });
}
