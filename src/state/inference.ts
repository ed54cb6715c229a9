// Inference status for any panel (status bar, prompt box): mirrors InferenceClient.status. Holds no
// tensors or masks, only what the UI shows (model, backend and why, threads, progress, last timings).
import { create } from 'zustand';

export interface InferenceProgress {
  stage: string;
  loaded?: number;
  total?: number;
  file?: string;
}

export interface InferenceModelInfo {
  modelId: string;
  modelName: string;
  /** The bundle's version (12 hex digits over its files' sha256; recorded in DICOM SEG exports). */
  bundleHash: string;
  variant: string;
  kind: 'split' | 'single' | 'image-only';
  threshold: number;
  classes: string[];
  promptExamples: string[];
  /** The bundle's model card (plain data; fields beyond summary may be absent in older bundles). */
  card: ModelCard | null;
  license: string | null;
}

/** What the Model card view and the prompt box read from a bundle's modelCard (all optional but summary). */
export interface ModelCard {
  summary?: string;
  classes?: string[];
  promptExamples?: string[];
  trainingData?: { name: string; citation?: string; terms?: string }[];
  metrics?: Record<string, unknown>;
  testMetrics?: Record<string, Record<string, { dice: number; ci95?: [number, number]; n?: number }>>;
  vocabulary?: string[];
  modalities?: string[];
  /** The kinds of scan ('image', 'volume') a shipped bundle is the default for (src/ui/models/defaultModel.ts). */
  defaultFor?: string[];
  intendedUse?: string;
  limits?: string[];
  leftRightConvention?: string;
}

export interface InferenceState {
  state: 'starting' | 'idle' | 'loading' | 'ready' | 'busy' | 'error';
  model: InferenceModelInfo | null;
  backend: string | null;
  reason: string | null;
  /** The WebGPU adapter seen was a software one (SwiftShader etc.). */
  softwareGpu: boolean;
  /** Plain-words note on how 'auto' chose (the self-test's figures), or null. */
  choiceNote: string | null;
  /** Why the loaded model was picked for the open scan when the user chose none (a volume's default), or null. */
  defaultNote: { text: string; modelId: string } | null;
  threads: number | null;
  progress: InferenceProgress | null;
  error: string | null;
  lastTimings: Record<string, number | undefined> | null;
  restarts: number;
  set(patch: Partial<Omit<InferenceState, 'set'>>): void;
}

export const useInference = create<InferenceState>((set) => ({
  state: 'starting',
  model: null,
  backend: null,
  reason: null,
  softwareGpu: false,
  choiceNote: null,
  defaultNote: null,
  threads: null,
  progress: null,
  error: null,
  lastTimings: null,
  restarts: 0,
  set: (patch) => set(patch),
}));
