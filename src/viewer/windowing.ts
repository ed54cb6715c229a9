// Window/level presets, automatic window from the data, drag-to-window, and the pixel value read-out.
// Pure functions over the Scan type; the scan layer renders with scan/windowLevelToRGBA.
import type { Scan, WindowLevel } from '../scan/types';

export interface WindowPreset {
  id: string;
  label: string;
  /** Fixed window, or null for presets computed from the scan ('file', 'auto'). */
  window: WindowLevel | null;
  /** Only meaningful for CT-like data in Hounsfield units. */
  ct: boolean;
}

export const PRESETS: readonly WindowPreset[] = [
  { id: 'file', label: 'File default', window: null, ct: false },
  { id: 'auto', label: 'Auto (1–99 %)', window: null, ct: false },
  { id: 'ct-lung', label: 'CT lung', window: { center: -600, width: 1500 }, ct: true },
  { id: 'ct-bone', label: 'CT bone', window: { center: 400, width: 1800 }, ct: true },
  { id: 'ct-brain', label: 'CT brain', window: { center: 40, width: 80 }, ct: true },
  { id: 'ct-abdomen', label: 'CT abdomen', window: { center: 50, width: 400 }, ct: true },
];

/** Presets that make sense for this scan: CT presets only for DICOM/NIfTI volumes. */
export function presetsFor(scan: Pick<Scan, 'format'>): WindowPreset[] {
  const medical = scan.format === 'dicom' || scan.format === 'nifti';
  return PRESETS.filter((p) => !p.ct || medical);
}

export function presetWindow(id: string, scan: Scan, frame: number): WindowLevel {
  const p = PRESETS.find((x) => x.id === id);
  if (p?.window) return p.window;
  if (id === 'auto') return autoWindow(scan, frame);
  return scan.window;
}

/** Window spanning the 1st..99th percentile of the frame's values (all channels), never zero width. */
export function autoWindow(scan: Scan, frame: number): WindowLevel {
  const n = scan.width * scan.height * scan.channels;
  const start = Math.min(Math.max(0, frame), scan.frames - 1) * n;
  const [min, max] = scan.range;
  if (!(max > min)) return { center: min, width: 1 };
  const bins = 4096;
  const hist = new Uint32Array(bins);
  const k = (bins - 1) / (max - min);
  // Sample at most ~1M values: plenty for percentiles, keeps a 2048² frame instant.
  const step = Math.max(1, Math.floor(n / 1_000_000));
  let count = 0;
  for (let i = 0; i < n; i += step) {
    const v = scan.data[start + i];
    if (Number.isFinite(v)) {
      hist[Math.round((v - min) * k)]++;
      count++;
    }
  }
  const lo = percentileBin(hist, count * 0.01);
  const hi = percentileBin(hist, count * 0.99);
  const a = min + lo / k;
  const b = min + hi / k;
  const width = Math.max(b - a, (max - min) / bins, 1e-6);
  return { center: (a + b) / 2, width };
}

function percentileBin(hist: Uint32Array, target: number): number {
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i];
    if (acc >= target) return i;
  }
  return hist.length - 1;
}

/** Right-drag window/level: horizontal changes width, vertical changes level, scaled by the data range. */
export function dragWindow(start: WindowLevel, dx: number, dy: number, range: [number, number]): WindowLevel {
  const span = Math.max(range[1] - range[0], 1e-6);
  const k = span / 512;
  return { center: start.center - dy * k, width: Math.max(span / 4096, start.width + dx * k) };
}

/** Formatted value(s) of pixel (x, y) in `frame`: one number for greyscale, 'r, g, b' for colour. */
export function pixelValue(scan: Scan, frame: number, x: number, y: number): string {
  const c = scan.channels;
  const i = ((frame * scan.height + y) * scan.width + x) * c;
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(5))));
  if (c === 1) return fmt(scan.data[i]);
  const vals: string[] = [];
  for (let k = 0; k < Math.min(c, 3); k++) vals.push(fmt(scan.data[i + k]));
  return vals.join(', ');
}

export const formatWindow = (w: WindowLevel): string => `W ${round(w.width)} / L ${round(w.center)}`;
const round = (v: number) => (Math.abs(v) >= 100 ? Math.round(v) : Number(v.toPrecision(3)));
