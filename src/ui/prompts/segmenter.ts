// The one thing the prompt/results panels need from inference: "segment this scan with this prompt".
// The inference panel (or a test) provides it via setSegmenter; the panels never touch the worker.
export interface SegmentResult {
  /** Probabilities, row-major; resized to the scan's size when they are not already. */
  probabilities: Float32Array;
  width: number;
  height: number;
  timings: object;
  modelId: string;
  variant: string;
  backend?: string;
  threshold?: number;
  /** Image-only models: the class the prompt picked ('all' for no words). */
  channel?: string;
}

export interface Segmenter {
  /** Classes of the loaded model (modelCard.classes), for suggestions. */
  classes(): string[];
  /** lane: a newer segment supersedes an older one on the same frame only within its lane (default: the prompt
   *  box's); the all-slices run has its own, so neither cancels the other. */
  segment(scanId: string, prompt: string, frame: number, signal?: AbortSignal, lane?: string): Promise<SegmentResult>;
}

let current: Segmenter | null = null;
const listeners = new Set<() => void>();

export const getSegmenter = (): Segmenter | null => current;

export function setSegmenter(s: Segmenter | null): void {
  current = s;
  listeners.forEach((fn) => fn());
}

export function onSegmenter(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Timings as plain numbers (ms), dropping anything else the engine reports. */
export function numericTimings(t: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(t)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}
