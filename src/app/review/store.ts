// Review queue state (issue 16), outside React so it survives collapsing the panel: the imported study's
// cases, the picked files they matched, the case open in the viewer, and the corrections kept for the
// finetune dataset. In memory for the page's life: the scans opened from the queue, their runs and the
// corrections themselves are saved in IndexedDB as any opened scan is; re-import the study after a reload.
import { create } from 'zustand';
import type { ReviewCase, SortMode } from './studyRows';

export interface KeptCorrection {
  caseId: string;
  /** Storage id of the scan the correction was made on (names the case de-identified in the export). */
  scanId: string | null;
  /** File stem used in the dataset (de-identified label, or the image name when identifiers are kept). */
  label: string;
  image: Uint8Array;
  mask: Uint8Array;
  width: number;
  height: number;
  foreground: number;
  prompts: { promptType: string; prompt: string; dice: number }[];
  dataset: string;
  structure: string;
  modelId: string;
  modelHash: string;
  keptAt: number;
}

export interface ReviewState {
  /** The study file's name, once imported. */
  fileName: string | null;
  cases: ReviewCase[];
  sort: SortMode;
  /** Picked files by case id (image and reference mask). */
  images: Map<string, File>;
  masks: Map<string, File>;
  /** Case names listed in the study but not among the picked images. */
  missing: string[];
  /** The case shown in the viewer, and the storage id of its scan. */
  openCase: string | null;
  openScanId: string | null;
  kept: Record<string, KeptCorrection>;
  busy: string | null;
  error: string | null;
  info: string | null;
  set(patch: Partial<Omit<ReviewState, 'set'>>): void;
}

export const useReview = create<ReviewState>((set) => ({
  fileName: null,
  cases: [],
  sort: 'worst',
  images: new Map(),
  masks: new Map(),
  missing: [],
  openCase: null,
  openScanId: null,
  kept: {},
  busy: null,
  error: null,
  info: null,
  set: (patch) => set(patch),
}));
