// Column definitions and number formatting shared by the runs list, the results table and the chart.
import type { RunView } from '../../state/runs';

export interface Column {
  key: string;
  label: string;
  title: string;
  value(r: RunView): number | string | null;
  digits?: number;
}

const score = (k: string) => (r: RunView): number | null => r.scores[k] ?? null;
const sum = (t: Record<string, number>): number | null => (t.totalMs ?? Object.values(t).reduce((a, b) => a + b, 0)) || null;

export const COLUMNS: Column[] = [
  { key: 'prompt', label: 'Prompt', title: 'Prompt text', value: (r) => r.prompt || '(empty)' },
  { key: 'dice', label: 'Dice', title: 'Dice vs the reference', value: score('dice'), digits: 3 },
  { key: 'iou', label: 'IoU', title: 'IoU vs the reference', value: score('iou'), digits: 3 },
  { key: 'hd95', label: 'HD95', title: 'Hausdorff 95 vs the reference (mm when the spacing is known, else px)', value: (r) => r.scores.hd95Mm ?? r.scores.hd95Px ?? null, digits: 1 },
  { key: 'influence', label: 'Infl.', title: 'Influence: Dice between this mask and the empty prompt’s mask', value: score('influence'), digits: 3 },
  { key: 'area', label: 'Area', title: 'Area fraction of the image', value: score('areaFraction'), digits: 3 },
  { key: 'conf', label: 'Conf.', title: 'Mean probability inside the mask', value: score('meanConfidence'), digits: 3 },
  { key: 'threshold', label: 'Thr.', title: 'Threshold', value: (r) => r.threshold, digits: 2 },
  { key: 'time', label: 'ms', title: 'Total time (ms)', value: (r) => sum(r.timings), digits: 0 },
  { key: 'model', label: 'Model', title: 'Model, variant and backend', value: (r) => `${r.modelId} ${r.variant} ${r.backend}` },
];

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
