// Creates the one InferenceClient, loads the default model (zero set-up: the user's explicit choice, else the
// shipped default for the kind of scan open, defaultModel.ts), mirrors the client's status into the
// inference store, provides the Segmenter the prompt panels use, and pre-encodes the open scan so the first
// prompt only runs the small graphs. Opening a scan of another kind (a volume after a 2-D picture) switches
// to that kind's default, unless the user chose a model.
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
import type { Scan } from '../../scan/types';
import { defaultModelFor, scanKindOf, volumeDefaultNote } from './defaultModel';
import { sameRef, setUserModelChoice, userModelChoice } from './modelChoice';
import { shippedModels } from './shippedModels';

export { backendPreference, setBackendPreference } from './backendChoice';

let singleton: InferenceClient | null = null;
export function getInferenceClient(): InferenceClient {
  singleton ??= new InferenceClient();
  return singleton;
}

let loading: Promise<unknown> | null = null;
/** The bundle loadModelChosen was last asked for (loaded, or loading now). */
let lastRef: BundleRef | null = null;

export function loadedRef(): BundleRef | null {
  return lastRef;
}

/** Loads a bundle on the backend this device should use (see backendChoice) and says how it was chosen. */
export function loadModelChosen(client: InferenceClient, bundle: BundleRef, pref: BackendPreference = backendPreference(), signal?: AbortSignal): Promise<unknown> {
  lastRef = bundle;
  useInference.getState().set({ choiceNote: null });
  const p = loadWithChoice(client, bundle, pref, signal).then(({ note }) => useInference.getState().set({ choiceNote: note }));
  loading = p;
  void p.catch(() => undefined).finally(() => {
    if (loading === p) loading = null;
  });
  return p;
}

/** The user's explicit choice of model: remembered (used for every scan from now on), then loaded. */
export function chooseModel(client: InferenceClient, bundle: BundleRef, pref: BackendPreference = backendPreference(), signal?: AbortSignal): Promise<unknown> {
  setUserModelChoice(bundle);
  useInference.getState().set({ defaultNote: null });
  return loadModelChosen(client, bundle, pref, signal);
}

/** Forgets the user's choice: from now on each kind of scan gets its shipped default, the open scan's at once. */
export function clearModelChoice(client: InferenceClient): Promise<unknown> {
  setUserModelChoice(null);
  followed = null;
  return followScan(client, useScans.getState().scan);
}

/** The model for `scan` (the user's choice, else the shipped default for its kind) and the line that says why. */
async function modelFor(scan: Scan | null): Promise<{ ref: BundleRef; note: string | null }> {
  const cards = (await shippedModels()).map((m) => m.card);
  const choice = defaultModelFor(scanKindOf(scan), cards, userModelChoice());
  if (!choice) throw new Error('No model is shipped with this app (models/index.json lists none): import one in the Model panel.');
  return { ref: choice.ref, note: volumeDefaultNote(choice, cards) };
}

/** Resolves once no load is under way (each one settled, however it ended). */
async function loadsSettled(): Promise<void> {
  while (loading) await loading.catch(() => undefined);
}

let followed: { scan: Scan | null; done: Promise<unknown> } | null = null;

/**
 * When the open scan changes: the model for it (the user's choice, else the default for its kind), loaded
 * if another is loaded (after any load under way, never beside it), and the line that says why a volume got
 * it. Once per scan; the same promise for the same scan.
 */
function followScan(client: InferenceClient, scan: Scan | null): Promise<unknown> {
  if (followed && followed.scan === scan) return followed.done;
  const done = (async () => {
    await loadsSettled();
    const { ref, note } = await modelFor(scan); // after any load under way: it may have been the user's choice
    await loadsSettled();
    // another scan came since: it decides (unless nothing is loaded yet: the first load starts at once)
    if (followed?.scan !== scan && lastRef) return;
    if (!sameRef(lastRef, ref) || (!client.status.model && client.status.state !== 'loading')) await loadModelChosen(client, ref);
    else if (client.status.state === 'loading') await ensureModel(client);
    useInference.getState().set({ defaultNote: note && ref.kind === 'shipped' ? { text: note, modelId: ref.id } : null });
  })();
  const entry = { scan, done };
  followed = entry;
  done.catch(() => {
    if (followed === entry) followed = null; // failed (load refused, cancelled): the next call tries again
  });
  return done;
}

/** Resolves once a model is ready: the one loading now, or the model for the open scan (loaded at app start). */
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
  followed = null; // nothing loaded (start, or the last load failed): decide again
  return followScan(client, useScans.getState().scan);
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
      segment: async (scanId, prompt, frame, signal, lane) => {
        await followScan(client, useScans.getState().scan);
        await ensureModel(client);
        return encoder.segment(scanId, prompt, frame, signal, lane);
      },
    });
    // The default model loads (warms up) as soon as the app opens, so the first scan does not wait for it;
    // the open scan is encoded as soon as it is shown (and when its frame or window changes).
    ensureModel(client).catch((e: unknown) => {
      if (!isAbortError(e)) console.warn('model failed to load', e);
    });
    const warm = () => {
      const { activeId, scan } = useScans.getState();
      if (!scan) return;
      const follow = followScan(client, scan);
      if (!activeId) {
        follow.catch(() => undefined);
        return;
      }
      follow
        .then(() => ensureModel(client))
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
