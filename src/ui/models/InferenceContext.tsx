// Creates the one InferenceClient, loads the shipped default model (zero set-up), mirrors the client's
// status into the inference store, provides the Segmenter the prompt panels use, and pre-encodes the
// open scan so the first prompt only runs the small graphs.
import { createContext, useContext, useEffect } from 'react';
import type { ReactNode } from 'react';
import { InferenceClient, isAbortError } from '../../worker/client';
import type { BundleRef, InferenceStatus } from '../../worker/client';
import type { BackendPreference } from '../../worker/protocol';
import { useInference, type ModelCard } from '../../state/inference';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';
import { setSegmenter } from '../prompts/segmenter';
import { registerServiceWorker } from '../../worker/registerSW';
import { getLastResult, ScanEncoder } from './scanEncoder';
import { backendPreference, loadWithChoice } from './backendChoice';
import type { ResultSummary } from './scanEncoder';

export const DEFAULT_MODEL: BundleRef = { kind: 'shipped', id: 'compact-vlsm' };

export { backendPreference, setBackendPreference } from './backendChoice';

let singleton: InferenceClient | null = null;
export function getInferenceClient(): InferenceClient {
  singleton ??= new InferenceClient();
  return singleton;
}

let loading: Promise<unknown> | null = null;

/** Loads a bundle on the backend this device should use (see backendChoice) and says how it was chosen. */
export function loadModelChosen(client: InferenceClient, bundle: BundleRef, pref: BackendPreference = backendPreference(), signal?: AbortSignal): Promise<unknown> {
  useInference.getState().set({ choiceNote: null });
  const p = loadWithChoice(client, bundle, pref, signal).then(({ note }) => useInference.getState().set({ choiceNote: note }));
  loading = p;
  void p.catch(() => undefined).finally(() => {
    if (loading === p) loading = null;
  });
  return p;
}

/** Resolves once a model is ready: the one loading now, or the default model (loaded at app start). */
export function ensureModel(client: InferenceClient): Promise<unknown> {
  if (loading) return loading;
  if (client.status.model && client.status.state !== 'loading') return Promise.resolve();
  if (client.status.state === 'loading') {
    return new Promise<void>((resolve, reject) => {
      const off = client.subscribe((s) => {
        if (s.state === 'loading') return;
        queueMicrotask(() => off());
        if (s.model) resolve();
        else reject(new Error(s.error ?? 'model failed to load'));
      });
    });
  }
  return loadModelChosen(client, DEFAULT_MODEL);
}

const Ctx = createContext<InferenceClient | null>(null);

/** Test-only read access (like window.__vlsm): inference status and the last result, no pixels. */
declare global {
  interface Window {
    __vlsmInference?: { getState(): { status: InferenceStatus; crossOriginIsolated: boolean; lastResult: ResultSummary | null } };
  }
}

export function useInferenceClient(): InferenceClient {
  return useContext(Ctx) ?? getInferenceClient();
}

export function InferenceProvider({ children }: { children: ReactNode }) {
  const client = getInferenceClient();
  useEffect(() => {
    const unsub = client.subscribe((s) =>
      useInference.getState().set({
        state: s.state,
        model: s.model
          ? {
              modelId: s.model.modelId, modelName: s.model.modelName, bundleHash: s.model.bundleHash, variant: s.model.variant, kind: s.model.kind, threshold: s.model.threshold,
              classes: s.model.classes, promptExamples: s.model.promptExamples, card: (s.model.card as ModelCard | undefined) ?? null, license: s.model.license ?? null,
            }
          : null,
        backend: s.backend ?? null,
        reason: s.reason ?? null,
        softwareGpu: s.model?.softwareGpu === true,
        threads: s.threads ?? null,
        progress: s.progress ?? null,
        error: s.error ?? null,
        lastTimings: s.lastTimings ? { ...s.lastTimings } : null,
        restarts: s.restarts,
      }),
    );
    if (document.readyState === 'complete') void registerServiceWorker();
    else window.addEventListener('load', () => void registerServiceWorker(), { once: true });
    const encoder = new ScanEncoder(client);
    if (import.meta.env.MODE !== 'production') window.__vlsmInference = { getState: () => ({ status: client.status, crossOriginIsolated: globalThis.crossOriginIsolated === true, lastResult: getLastResult() }) };
    setSegmenter({
      classes: () => client.status.model?.classes ?? [],
      segment: async (scanId, prompt, frame, signal) => {
        await ensureModel(client);
        return encoder.segment(scanId, prompt, frame, signal);
      },
    });
    // The default model loads (warms up) as soon as the app opens, so the first scan does not wait for it;
    // the open scan is encoded as soon as it is shown (and when its frame or window changes).
    ensureModel(client).catch((e: unknown) => {
      if (!isAbortError(e)) console.warn('model failed to load', e);
    });
    const warm = () => {
      const { activeId, scan } = useScans.getState();
      if (!activeId || !scan) return;
      ensureModel(client)
        .then(() => encoder.prepare(activeId, useView.getState().frame))
        .catch((e: unknown) => {
          if (!isAbortError(e)) console.warn('model or encode failed', e);
        });
    };
    warm();
    const unsubScans = useScans.subscribe(warm);
    const unsubView = useView.subscribe((s, prev) => {
      if (s.frame !== prev.frame || s.window !== prev.window) warm();
    });
    const unsubModel = useInference.subscribe((s, prev) => {
      if (s.model?.modelId !== prev.model?.modelId || s.model?.variant !== prev.model?.variant) warm();
    });
    return () => {
      unsub();
      unsubScans();
      unsubView();
      unsubModel();
      setSegmenter(null);
    };
  }, [client]);
  return <Ctx.Provider value={client}>{children}</Ctx.Provider>;
}
