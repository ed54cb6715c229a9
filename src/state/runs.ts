// Runs of the open scan as the results panels see them: metadata, display settings and scores. The
// pixels (probabilities at scan size, thresholded masks, the reference) live in `runPixels`, a plain
// Map outside the store; the store only carries a version counter that bumps when they change.
import { create } from 'zustand';
import type { MaskSuggestion } from '../mask/jobs';

export type DisplayMode = 'binary' | 'contour' | 'heatmap';

export interface RunView {
  id: string;
  prompt: string;
  colour: string;
  visible: boolean;
  opacity: number;
  mode: DisplayMode;
  threshold: number;
  modelId: string;
  variant: string;
  backend: string;
  /** Image-only model (prompt words only pick a class): the class shown, 'all' for no words; null otherwise. */
  channel?: string | null;
  timings: Record<string, number>;
  /** null = undefined for this run (e.g. no reference yet, HD95 of an empty mask). */
  scores: Record<string, number | null>;
  createdAt: number;
}

export interface ReferenceInfo {
  label: string;
  kind: 'imported' | 'corrected';
}

export type SortKey = 'prompt' | 'createdAt' | string;

export interface RunsState {
  scanId: string | null;
  frame: number;
  runs: RunView[];
  soloId: string | null;
  selectedId: string | null;
  reference: ReferenceInfo | null;
  /** Whether the reference outline is drawn over the scan. */
  showReference: boolean;
  /** Label of work in progress (e.g. 'Running "polyp"…'), or null. */
  busy: string | null;
  error: string | null;
  sort: { key: SortKey; dir: 1 | -1 };
  /** Bumped when pixel buffers change. */
  pixelsVersion: number;
  /** A correction is being edited: the runs' masks are drawn faint so the edited mask stands out. */
  dimmed: boolean;
  setDimmed(d: boolean): void;
  reset(scanId: string | null, frame: number): void;
  setRuns(runs: RunView[]): void;
  upsertRun(run: RunView): void;
  patchRun(id: string, patch: Partial<Omit<RunView, 'id'>>): void;
  removeRun(id: string): void;
  setSolo(id: string | null): void;
  select(id: string | null): void;
  setReference(r: ReferenceInfo | null): void;
  setShowReference(show: boolean): void;
  setBusy(b: string | null): void;
  setError(e: string | null): void;
  setSort(key: SortKey): void;
  bumpPixels(): void;
}

export const useRuns = create<RunsState>((set) => ({
  scanId: null,
  frame: 0,
  runs: [],
  soloId: null,
  selectedId: null,
  reference: null,
  showReference: true,
  busy: null,
  error: null,
  sort: { key: 'createdAt', dir: 1 },
  pixelsVersion: 0,
  dimmed: false,
  setDimmed: (dimmed) => set({ dimmed }),
  reset: (scanId, frame) => set({ scanId, frame, runs: [], soloId: null, selectedId: null, reference: null, busy: null, error: null }),
  setRuns: (runs) => set({ runs }),
  upsertRun: (run) => set((s) => ({ runs: s.runs.some((r) => r.id === run.id) ? s.runs.map((r) => (r.id === run.id ? run : r)) : [...s.runs, run] })),
  patchRun: (id, patch) => set((s) => ({ runs: s.runs.map((r) => (r.id === id ? { ...r, ...patch } : r)) })),
  removeRun: (id) => set((s) => ({ runs: s.runs.filter((r) => r.id !== id), soloId: s.soloId === id ? null : s.soloId })),
  setSolo: (soloId) => set({ soloId }),
  select: (selectedId) => set({ selectedId }),
  setReference: (reference) => set({ reference }),
  setShowReference: (showReference) => set({ showReference }),
  setBusy: (busy) => set({ busy }),
  setError: (error) => set({ error }),
  setSort: (key) => set((s) => ({ sort: { key, dir: s.sort.key === key ? (-s.sort.dir as 1 | -1) : 1 } })),
  bumpPixels: () => set((s) => ({ pixelsVersion: s.pixelsVersion + 1 })),
}));

/** Pixel buffers of a run, at the scan's size. */
export interface RunPixels {
  width: number;
  height: number;
  probs: Float32Array;
  mask: Uint8Array;
  /** What prompt suggestions read of `mask`, made with it in the mask worker; dropped when the mask changes. */
  suggestion?: MaskSuggestion;
}

export const runPixels = new Map<string, RunPixels>();
/** The reference mask of the open scan frame (imported, or the accepted correction). */
export const referencePixels: { current: { width: number; height: number; data: Uint8Array } | null } = { current: null };

export const PALETTE = ['#ff4d4f', '#40a9ff', '#73d13d', '#ffc53d', '#b37feb', '#36cfc9', '#ff85c0', '#ffa940', '#597ef7', '#bae637'];
/** Opacity factor of the runs' masks while a correction is edited. */
export const DIM_FACTOR = 0.3;
export const colourFor = (index: number): string => PALETTE[index % PALETTE.length];
