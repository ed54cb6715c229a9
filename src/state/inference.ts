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
  variant: string;
  kind: 'split' | 'single';
  threshold: number;
  classes: string[];
  promptExamples: string[];
}

export interface InferenceState {
  state: 'starting' | 'idle' | 'loading' | 'ready' | 'busy' | 'error';
  model: InferenceModelInfo | null;
  backend: string | null;
  reason: string | null;
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
  threads: null,
  progress: null,
  error: null,
  lastTimings: null,
  restarts: 0,
  set: (patch) => set(patch),
}));
