// PACS panel: server address and login (kept in this browser only), study search (patient, date,
// modality, accession), the chosen study's series with thumbnails, opening a series with progress and
// cancel, and "Send to PACS" for the current mask as a DICOM SEG.
import { useEffect, useState, type FormEvent } from 'react';
import { useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { useToolSettings } from '../../state/tool';
import { maskSources } from '../../ui/export/exportActions';
import { useVolumeRun } from '../../ui/volume/volumeRun';
import { STUDY_LIMIT } from '../../pacs/client';
import { DEFAULT_POOL } from '../../pacs/series';
import {
  chooseStudy,
  loadPacsSettings,
  MAX_PARALLEL,
  openSeries,
  savePacsSettings,
  search,
  sendToPacs,
  VOLUME_SOURCE,
} from './actions';
import { usePacs } from './store';

const MODALITIES = ['', 'CT', 'MR', 'US', 'CR', 'DX', 'MG', 'NM', 'PT', 'XA', 'OT', 'SEG'];

const fmtDate = (d: string) =>
  d.length === 8 ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d || '—';

function ServerForm() {
  const config = usePacs((s) => s.config);
  const [draft, setDraft] = useState(config);
  useEffect(() => setDraft(config), [config]);
  const dirty =
    draft.url !== config.url ||
    draft.username !== config.username ||
    draft.password !== config.password ||
    (draft.parallel ?? DEFAULT_POOL) !== (config.parallel ?? DEFAULT_POOL);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void savePacsSettings(draft);
  };
  return (
    <form onSubmit={submit} data-testid="pacs-server-form">
      <label className="field">
        Server
        <input
          value={draft.url}
          onChange={(e) => setDraft({ ...draft, url: e.target.value })}
          placeholder="https://pacs.hospital.org/dicom-web"
          data-testid="pacs-url"
          autoComplete="url"
        />
      </label>
      <label className="field">
        User
        <input
          value={draft.username}
          onChange={(e) => setDraft({ ...draft, username: e.target.value })}
          data-testid="pacs-user"
          autoComplete="username"
        />
      </label>
      <label className="field">
        Password
        <input
          type="password"
          value={draft.password}
          onChange={(e) => setDraft({ ...draft, password: e.target.value })}
          data-testid="pacs-password"
          autoComplete="current-password"
        />
      </label>
      <label
        className="field"
        title="Images fetched at once when opening a series; lower it if the PACS limits connections"
      >
        Parallel downloads
        <input
          type="number"
          min={1}
          max={MAX_PARALLEL}
          value={draft.parallel ?? DEFAULT_POOL}
          onChange={(e) => setDraft({ ...draft, parallel: Number(e.target.value) || DEFAULT_POOL })}
          data-testid="pacs-parallel"
          style={{ width: '4em' }}
        />
      </label>
      <button type="submit" disabled={!dirty} data-testid="pacs-save">
        Save server
      </button>
      <p className="hint">Kept in this browser only; never exported.</p>
    </form>
  );
}

function SearchForm() {
  const query = usePacs((s) => s.query);
  const busy = usePacs((s) => s.busy);
  const set = (patch: Partial<typeof query>) =>
    usePacs.getState().set({ query: { ...usePacs.getState().query, ...patch } });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void search();
  };
  return (
    <form onSubmit={submit} data-testid="pacs-search-form">
      <label className="field">
        Patient
        <input
          value={query.patientName ?? ''}
          onChange={(e) => set({ patientName: e.target.value })}
          placeholder="name"
          data-testid="pacs-q-name"
        />
      </label>
      <label className="field">
        Patient ID
        <input
          value={query.patientId ?? ''}
          onChange={(e) => set({ patientId: e.target.value })}
          data-testid="pacs-q-id"
        />
      </label>
      <label className="field">
        From
        <input
          type="date"
          value={query.dateFrom ?? ''}
          onChange={(e) => set({ dateFrom: e.target.value })}
          data-testid="pacs-q-from"
        />
      </label>
      <label className="field">
        To
        <input
          type="date"
          value={query.dateTo ?? ''}
          onChange={(e) => set({ dateTo: e.target.value })}
          data-testid="pacs-q-to"
        />
      </label>
      <label className="field">
        Modality
        <select
          value={query.modality ?? ''}
          onChange={(e) => set({ modality: e.target.value })}
          data-testid="pacs-q-modality"
        >
          {MODALITIES.map((m) => (
            <option key={m} value={m}>
              {m || 'any'}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        Accession
        <input
          value={query.accession ?? ''}
          onChange={(e) => set({ accession: e.target.value })}
          data-testid="pacs-q-accession"
        />
      </label>
      <button type="submit" disabled={!!busy} data-testid="pacs-search">
        Search
      </button>
    </form>
  );
}

function Studies() {
  const studies = usePacs((s) => s.studies);
  const study = usePacs((s) => s.study);
  if (!studies) return null;
  if (studies.length === 0)
    return (
      <p className="hint" data-testid="pacs-no-studies">
        No study matches.
      </p>
    );
  return (
    <>
      {studies.length >= STUDY_LIMIT && (
        <p className="hint">The first {STUDY_LIMIT} studies are shown; narrow the search to see others.</p>
      )}
      <ul className="pacs-list" data-testid="pacs-studies">
        {studies.map((s) => (
          <li key={s.studyInstanceUID}>
            <button
              type="button"
              aria-pressed={study?.studyInstanceUID === s.studyInstanceUID}
              onClick={() => void chooseStudy(s)}
              data-testid="pacs-study"
              data-uid={s.studyInstanceUID}
            >
              <strong>{s.patientName || s.patientId || '(no name)'}</strong> {fmtDate(s.date)} {s.modalities}{' '}
              · {s.description || 'study'} · {s.series} series
              {s.accession ? ` · acc. ${s.accession}` : ''}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

function SeriesList() {
  const series = usePacs((s) => s.series);
  const thumbs = usePacs((s) => s.thumbs);
  const transfer = usePacs((s) => s.transfer);
  if (!series) return null;
  if (series.length === 0) return <p className="hint">This study has no series.</p>;
  return (
    <ul className="pacs-list" data-testid="pacs-series">
      {series.map((s) => (
        <li
          key={s.seriesInstanceUID}
          className="pacs-series"
          data-testid="pacs-series-item"
          data-uid={s.seriesInstanceUID}
          data-modality={s.modality}
        >
          {thumbs[s.seriesInstanceUID] ? (
            <img
              src={thumbs[s.seriesInstanceUID] as string}
              alt=""
              width={48}
              height={48}
              data-testid="pacs-thumb"
            />
          ) : (
            <span className="pacs-thumb-empty" />
          )}
          <span>
            {s.modality} #{s.number || '?'} {s.description || ''} · {s.instances}{' '}
            {s.instances === 1 ? 'image' : 'images'}
          </span>
          <button
            type="button"
            disabled={!!transfer}
            onClick={() => void openSeries(s)}
            data-testid="pacs-open"
          >
            {s.modality === 'SEG' ? 'Show on its series' : 'Open'}
          </button>
        </li>
      ))}
    </ul>
  );
}

function Transfer() {
  const transfer = usePacs((s) => s.transfer);
  if (!transfer) return null;
  const p = transfer.progress;
  return (
    <div data-testid="pacs-transfer">
      <span>
        {p
          ? `${transfer.label}: ${p.done} of ${p.total} images (${(p.bytes / 1e6).toFixed(1)} MB)`
          : `${transfer.label}…`}
      </span>
      <progress max={p?.total ?? 1} value={p?.done ?? 0} />
      <button type="button" onClick={transfer.cancel} data-testid="pacs-cancel">
        Cancel
      </button>
    </div>
  );
}

function Send() {
  const scan = useScans((s) => s.scan);
  useRuns((s) => s.runs);
  useRuns((s) => s.pixelsVersion);
  useToolSettings((s) => s.maskVersion);
  const busy = usePacs((s) => s.busy);
  const volumeInfo = useVolumeRun((s) => s.info);
  const activeId = useScans((s) => s.activeId);
  const volume = volumeInfo && volumeInfo.scanId === activeId ? volumeInfo : null;
  // the 3-D mask first (every slice in one SEG), then the current slice's masks
  const sources = [...(volume ? [{ id: VOLUME_SOURCE, label: `3-D mask, every slice (“${volume.prompt}”)` }] : []), ...maskSources()];
  const [source, setSource] = useState('correction');
  const chosen = sources.some((s) => s.id === source) ? source : (sources[0]?.id ?? '');
  const dicom = !!scan?.geometry?.dicom?.studyInstanceUID && !!scan.geometry.dicom.sopInstanceUIDs?.length;
  return (
    <div className="pacs-send">
      <label className="field">
        Mask
        <select
          value={chosen}
          onChange={(e) => setSource(e.target.value)}
          disabled={sources.length === 0}
          data-testid="pacs-send-source"
        >
          {sources.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        disabled={!dicom || sources.length === 0 || !!busy}
        onClick={() => void sendToPacs(chosen)}
        data-testid="pacs-send"
        title={
          dicom
            ? chosen === VOLUME_SOURCE
              ? 'Store the 3-D mask in the PACS as one DICOM SEG of its series (a frame per slice with mask)'
              : 'Store this slice’s mask in the PACS as a DICOM SEG of its series'
            : 'Open a DICOM series first'
        }
      >
        Send to PACS
      </button>
    </div>
  );
}

export function PacsPanel() {
  const loaded = usePacs((s) => s.loaded);
  const busy = usePacs((s) => s.busy);
  const error = usePacs((s) => s.error);
  const info = usePacs((s) => s.info);
  useEffect(() => {
    if (!usePacs.getState().loaded) void loadPacsSettings();
  }, []);
  if (!loaded) return <p className="hint">Loading…</p>;
  return (
    <div data-testid="pacs-panel" className="pacs-panel">
      <details>
        <summary>Server</summary>
        <ServerForm />
      </details>
      <SearchForm />
      {busy && (
        <p className="hint" data-testid="pacs-busy">
          {busy}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="pacs-error">
          {error}
        </p>
      )}
      {info && (
        <p className="hint" role="status" data-testid="pacs-info">
          {info}
        </p>
      )}
      <Transfer />
      <Studies />
      <SeriesList />
      <Send />
    </div>
  );
}
