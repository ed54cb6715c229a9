// Model panel: the loaded model and backend (with the reason), backend preference, shipped and stored
// bundles (use / delete), import a bundle folder, download one from a URL (progress, cancel, resume),
// a transformers.js CLIPSeg folder from a model hub (<host>/<owner>/<name>/resolve/main/<file>, host
// configurable, huggingface.co by default), and storage used. Every network request here is one the user asked for.
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { ChangeEvent } from 'react';
import { useInference } from '../../state/inference';
import type { BundleRef } from '../../worker/client';
import { allowModelHost, hostInForce } from '../../worker/modelHosts';
import { deleteStoredModel, downloadHubModel, downloadModel, importFolder, listStoredModels, openModelCache, storageEstimate } from '../../worker/modelStore';
import { DEFAULT_HUB, hubOrigins, parseHubRepo } from '../../engine/hfLayout';
import type { HubRepo } from '../../engine/hfLayout';
import type { StoredModel, StoreProgress } from '../../worker/modelStore';
import type { BackendPreference } from '../../worker/protocol';
import { backendPreference, chooseModel, clearModelChoice, loadedRef, loadModelChosen, setBackendPreference, useInferenceClient } from './InferenceContext';
import { onModelChoice, sameRef, setUserModelChoice, userModelChoice } from './modelChoice';
import { backendLabel, plainReason, rememberDecision } from './backendChoice';
import { formatBytes } from '../../lib/format';
import { loadProgressText } from './format';
import { ModelCardButton } from './ModelCard';

const HUB_KEY = 'vlsm.modelHub';
const HUB_GRAPHS = {
  quantized: ['onnx/model_quantized.onnx'],
  fp32: ['onnx/model.onnx'],
  both: ['onnx/model_quantized.onnx', 'onnx/model.onnx'],
} as const;
type HubGraphs = keyof typeof HUB_GRAPHS;

interface Shipped {
  id: string;
  name: string;
  bytes: number;
}

export function ModelManager() {
  const client = useInferenceClient();
  const inf = useInference();
  const [shipped, setShipped] = useState<Shipped[]>([]);
  const [stored, setStored] = useState<StoredModel[]>([]);
  const [storage, setStorage] = useState<{ usage: number; quota: number } | null>(null);
  const [url, setUrl] = useState('');
  const [job, setJob] = useState<{ label: string; progress: StoreProgress | null; ctl: AbortController } | null>(null);
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string } | null>(null);
  const [pref, setPref] = useState<BackendPreference>(backendPreference());
  const choice = useSyncExternalStore(onModelChoice, userModelChoice);
  const [hub, setHub] = useState(() => globalThis.localStorage?.getItem(HUB_KEY) ?? DEFAULT_HUB);
  const [hubName, setHubName] = useState('');
  const [hubGraphs, setHubGraphs] = useState<HubGraphs>('quantized');

  const refresh = useCallback(async () => {
    const res = await fetch(`${import.meta.env.BASE_URL}models/index.json`).catch(() => null);
    if (res?.ok) setShipped((await res.json()) as Shipped[]);
    if (typeof caches !== 'undefined') setStored(await listStoredModels(await openModelCache()));
    setStorage(await storageEstimate());
  }, []);

  useEffect(() => {
    refresh().catch(() => undefined);
  }, [refresh]);

  const [loadCtl, setLoadCtl] = useState<AbortController | null>(null);
  /** Loads `ref`: the user's choice (remembered for every scan) when `explicit`, else the model loaded now again (another backend). */
  const use = (ref: BundleRef, p = pref, explicit = true) => {
    setMessage(null);
    const ctl = new AbortController();
    setLoadCtl(ctl);
    (explicit ? chooseModel : loadModelChosen)(client, ref, p, ctl.signal)
      .catch((e: Error) => setMessage({ kind: 'error', text: e.name === 'AbortError' ? 'Model loading cancelled.' : e.message }))
      .finally(() => setLoadCtl(null));
  };

  const run = async (label: string, work: (cache: Awaited<ReturnType<typeof openModelCache>>, ctl: AbortController) => Promise<StoredModel>) => {
    const ctl = new AbortController();
    setMessage(null);
    setJob({ label, progress: null, ctl });
    try {
      const m = await work(await openModelCache(), ctl);
      setMessage({ kind: 'ok', text: `Stored '${m.name}' (${formatBytes(m.bytes)}).` });
    } catch (e) {
      setMessage({ kind: 'error', text: storeErrorText(e) });
    } finally {
      setJob(null);
      await refresh();
    }
  };

  const onFolder = (e: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(e.target.files ?? []);
    e.target.value = '';
    if (files.length) void run('Importing', (cache) => importFolder(cache, files, (p) => setJob((j) => j && { ...j, progress: p })));
  };

  const onDownload = () => {
    let target: URL;
    try {
      target = new URL(url.trim());
      if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error('scheme');
      if (target.username || target.password) throw new Error('credentials');
    } catch {
      setMessage({ kind: 'error', text: 'Enter the web address (https://…) of a bundle folder that contains manifest.json.' });
      return;
    }
    if (!originsInForce([target.origin], `the bundle folder from ${target.origin}`)) return;
    void run('Downloading', (cache, ctl) =>
      downloadModel(cache, target.href, { signal: ctl.signal, onProgress: (p) => setJob((j) => j && { ...j, progress: p }) }),
    );
  };

  /** Allows `origins` for downloads (the page's security policy), or says why it cannot; true when all are in force. */
  const originsInForce = (origins: string[], what: string): boolean => {
    const missing = origins.filter((o) => !hostInForce(o));
    if (!missing.length) return true;
    if (!globalThis.navigator?.serviceWorker?.controller) {
      setMessage({ kind: 'error', text: `This app contacts no other site unless you allow it, which needs the installed (offline) app. Download ${what} yourself and use Import folder instead.` });
      return false;
    }
    void Promise.all(missing.map((o) => allowModelHost(o))).then(
      () => setMessage({ kind: 'ok', text: `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} now allowed for model downloads. Reload the page (the security policy is set when the page loads), then press Download again.` }),
      () => setMessage({ kind: 'error', text: `${missing[0]} could not be allowed (the browser refused to store the setting).` }),
    );
    return false;
  };

  const onHubDownload = () => {
    let repo: HubRepo;
    try {
      repo = parseHubRepo(hubName, hub);
    } catch (e) {
      setMessage({ kind: 'error', text: `${(e as Error).message}.` });
      return;
    }
    globalThis.localStorage?.setItem(HUB_KEY, hub.trim() || DEFAULT_HUB);
    if (!originsInForce(hubOrigins(repo.host), `the model folder from ${repo.host}/${repo.repo}`)) return;
    void run('Downloading', (cache, ctl) =>
      downloadHubModel(cache, repo, { graphs: HUB_GRAPHS[hubGraphs], signal: ctl.signal, onProgress: (p) => setJob((j) => j && { ...j, progress: p }) }),
    );
  };

  const current = inf.model;
  const pct = job?.progress?.total ? Math.round((job.progress.loaded / job.progress.total) * 100) : inf.progress?.total ? Math.round(((inf.progress.loaded ?? 0) / inf.progress.total) * 100) : null;
  return (
    <div className="model-manager" data-testid="model-manager">
      <p data-testid="model-current" data-state={inf.state}>
        {current ? current.modelName : inf.state === 'loading' ? 'Loading model…' : 'No model loaded'}
        {current && <span className="hint"> ({current.variant} variant, {current.kind === 'split' ? 'image read once per scan' : current.kind === 'image-only' ? 'image only: one graph, read once per scan; prompt words only pick a class' : 'one graph'})</span>}
      </p>
      {current && <ModelCardButton testId="model-card-open-panel" />}
      {inf.backend && (
        <div className="backend-box" data-testid="model-backend" title={`Technical detail: ${inf.reason ?? ''}`}>
          <strong>Runs on: {backendLabel(inf.backend, inf.threads)}</strong>
          <p className="hint" data-testid="model-backend-reason">
            {inf.choiceNote ?? plainReason(inf.backend, inf.reason, inf.softwareGpu, pref)}
          </p>
        </div>
      )}
      {inf.error && <p className="error" data-testid="model-error">{inf.error}</p>}
      <label className="field" title="Where the model computes. Automatic picks the graphics processor only when it is really faster than the CPU on this computer, and remembers it.">
        Compute backend
        <select
          data-testid="model-backend-pref"
          value={pref}
          onChange={(e) => {
            const p = e.target.value as BackendPreference;
            setPref(p);
            setBackendPreference(p);
            const now = loadedRef();
            if (now) use(now, p, false);
          }}
        >
          <option value="auto">Automatic (fastest here)</option>
          <option value="webgpu">Graphics processor (WebGPU)</option>
          <option value="wasm">CPU (WebAssembly)</option>
        </select>
      </label>
      {pref === 'auto' && inf.choiceNote && (
        <button
          type="button"
          className="link"
          data-testid="model-backend-retest"
          title="Forget the remembered result and test the speed of both backends again"
          onClick={() => {
            rememberDecision(null);
            const now = loadedRef();
            if (now) use(now, 'auto', false);
          }}
        >
          Test again
        </button>
      )}
      {choice ? (
        <p className="hint" data-testid="model-choice" data-choice="user">
          Your choice, used for every scan: {choiceName(choice, shipped, stored)}.{' '}
          <button
            type="button"
            className="link"
            data-testid="model-choice-clear"
            onClick={() => {
              setMessage(null);
              clearModelChoice(client).catch((e: Error) => setMessage({ kind: 'error', text: e.message }));
            }}
          >
            Use the default for each kind of scan
          </button>
        </p>
      ) : (
        <p className="hint" data-testid="model-choice" data-choice="default">
          No model chosen: 2-D pictures get the shipped 2-D default, volumes (more than one slice) the shipped volume default, as the model cards say. Use picks one for every scan.
        </p>
      )}
      <ul className="model-list" data-testid="model-list">
        {shipped.map((m) => (
          <li key={`s-${m.id}`} data-testid={`model-shipped-${m.id}`}>
            {m.name} <span className="hint">shipped · {formatBytes(m.bytes)}</span>{' '}
            <button type="button" onClick={() => use({ kind: 'shipped', id: m.id })}>Use</button>
          </li>
        ))}
        {stored.map((m) => (
          <li key={`u-${m.id}`} data-testid={`model-stored-${m.id}`}>
            {m.name} <span className="hint">{m.source} · {formatBytes(m.bytes)}</span>{' '}
            <button type="button" onClick={() => use({ kind: 'stored', id: m.id })}>Use</button>{' '}
            <button
              type="button"
              data-testid={`model-delete-${m.id}`}
              onClick={() => {
                if (sameRef(userModelChoice(), { kind: 'stored', id: m.id })) {
                  setUserModelChoice(null); // a deleted model is nobody's choice: back to the default per kind of scan
                }
                void openModelCache().then((c) => deleteStoredModel(c, m.id)).then(refresh);
              }}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      <label className="button">
        Import bundle folder…
        <input type="file" data-testid="model-import" hidden multiple {...{ webkitdirectory: '' }} onChange={onFolder} />
      </label>
      <div className="row">
        <input type="url" placeholder="https://…/bundle/" data-testid="model-url" value={url} onChange={(e) => setUrl(e.target.value)} />
        <button type="button" data-testid="model-download" disabled={!!job} onClick={onDownload}>Download</button>
      </div>
      <fieldset className="hub" data-testid="model-hub">
        <legend title="A CLIPSeg model published in the transformers.js layout (config.json, preprocessor_config.json, tokenizer.json, onnx/), e.g. Xenova/clipseg-rd64-refined">From a model hub</legend>
        <div className="row">
          <input type="text" placeholder="owner/name, e.g. Xenova/clipseg-rd64-refined" data-testid="model-hub-name" value={hubName} onChange={(e) => setHubName(e.target.value)} />
          <button type="button" data-testid="model-hub-download" disabled={!!job || !hubName.trim()} onClick={onHubDownload}>Download</button>
        </div>
        <label className="field">
          Hub
          <input type="url" data-testid="model-hub-host" value={hub} onChange={(e) => setHub(e.target.value)} />
        </label>
        <label className="field" title="transformers.js loads the quantized graph by default; the full-precision one is about four times larger">
          Graph
          <select data-testid="model-hub-graphs" value={hubGraphs} onChange={(e) => setHubGraphs(e.target.value as HubGraphs)}>
            <option value="quantized">Quantized (model_quantized.onnx)</option>
            <option value="fp32">Full precision (model.onnx)</option>
            <option value="both">Both</option>
          </select>
        </label>
      </fieldset>
      {(job || pct !== null || inf.state === 'loading') && (
        <div data-testid="model-progress" className="model-progress">
          <progress max={100} value={pct ?? undefined} />{' '}
          <span data-testid="model-progress-text">
            {job ? `${job.label}${job.progress ? ` ${job.progress.file}: ${formatBytes(job.progress.loaded)}${job.progress.total ? ` of ${formatBytes(job.progress.total)}` : ''}` : ''}${pct !== null ? ` (${pct} %)` : ''}` : loadProgressText(inf.progress)}
          </span>
          {job && <button type="button" onClick={() => job.ctl.abort()}>Cancel</button>}
          {!job && loadCtl && <button type="button" data-testid="model-load-cancel" onClick={() => loadCtl.abort()}>Cancel</button>}
        </div>
      )}
      {message && <p className={message.kind === 'error' ? 'error' : 'hint'} data-testid="model-message">{message.text}</p>}
      {storage && (
        <p className="hint" data-testid="model-storage">
          Storage used {formatBytes(storage.usage)} of {formatBytes(storage.quota)}
        </p>
      )}
    </div>
  );
}

function choiceName(ref: BundleRef, shipped: Shipped[], stored: StoredModel[]): string {
  if (ref.kind === 'url') return ref.baseUrl;
  return (ref.kind === 'shipped' ? shipped : stored).find((m) => m.id === ref.id)?.name ?? ref.id;
}

/** A stored-model failure in the user's words: bundle problems as found, browser and network errors explained. */
function storeErrorText(e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  if (err.name === 'AbortError') return 'Download paused: download again to resume.';
  if (err.name === 'BundleError') return `The model bundle was not stored: ${err.message}.`;
  if (err.name === 'QuotaExceededError') return 'The browser has no room left to store this model. Delete stored models or scans you no longer need, then try again.';
  if (err instanceof TypeError) return 'The bundle could not be fetched: the server is unreachable, or it does not allow this app to download from it (CORS). Check the address, or download the folder and use Import folder.';
  return 'The model bundle could not be stored (the browser refused it). Nothing was changed; try again, or import the folder instead.';
}
