// PACS panel actions: settings (IndexedDB, this browser only), study search, series list with rendered
// thumbnails, opening a series as one volume (cached in IndexedDB like opened files), opening a SEG onto
// its series, and sending the current mask back as a DICOM SEG (STOW-RS). Failures land in the panel in
// the user's words; nothing here logs requests, addresses with credentials, or the credentials.
import {
  listInstances,
  listSeries,
  PacsError,
  retrieveInstance,
  retrieveRendered,
  searchStudies,
  storeInstances,
  type PacsConfig,
  type SeriesSummary,
  type StudySummary,
} from '../../pacs/client';
import { segReferences } from '../../pacs/seg';
import { DEFAULT_POOL, fetchSeries } from '../../pacs/series';
import type { Scan } from '../../scan/types';
import { readDicomSeg, writeDicomSeg } from '../../scan/writers/dicomSeg';
import { getDb, getSetting, listScans, loadScan, setSetting } from '../../storage';
import { saveReference } from '../../storage/runs';
import { notify } from '../../state/notices';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';
import { maskSources } from '../../ui/export/exportActions';
import { currentVolumeMask } from '../../ui/volume/volumeRun';
import { importSegReference, volumeMaskSeg } from '../../ui/volume/volumeSeg';
import { readBytes } from '../io/readFile';
import { refreshList } from '../actions/scans';
import { showScan } from '../actions/show';
import { trySave } from '../actions/open';
import { usePacs } from './store';

export const PACS_SETTINGS_KEY = 'pacsServer';
export const MAX_PARALLEL = 16;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const st = () => usePacs.getState();

export async function loadPacsSettings(): Promise<void> {
  try {
    const saved = await getSetting<PacsConfig>(getDb(), PACS_SETTINGS_KEY);
    if (saved && typeof saved.url === 'string') {
      st().set({
        config: {
          url: saved.url,
          username: saved.username ?? '',
          password: saved.password ?? '',
          ...(saved.parallel ? { parallel: saved.parallel } : {}),
        },
      });
    }
  } finally {
    st().set({ loaded: true });
  }
}

export async function savePacsSettings(config: PacsConfig): Promise<void> {
  st().set({ config, error: null, info: null });
  try {
    await setSetting(getDb(), PACS_SETTINGS_KEY, config);
  } catch (e) {
    st().set({ error: `The PACS settings could not be saved in this browser: ${message(e)}` });
  }
}

async function guarded<T>(busy: string, work: () => Promise<T>): Promise<T | null> {
  st().set({ busy, error: null, info: null });
  try {
    return await work();
  } catch (e) {
    st().set({ error: message(e) });
    return null;
  } finally {
    st().set({ busy: null });
  }
}

export async function search(): Promise<void> {
  const { config, query } = st();
  const studies = await guarded('Searching…', () => searchStudies(config, query));
  if (studies) st().set({ studies, study: null, series: null });
}

export async function chooseStudy(study: StudySummary): Promise<void> {
  const { config } = st();
  st().set({ study, series: null, thumbs: {} });
  const series = await guarded('Listing series…', () => listSeries(config, study.studyInstanceUID));
  if (!series || st().study !== study) return;
  st().set({ series });
  // Thumbnails: the middle image of each series, rendered by the PACS (two at a time, best effort).
  const queue = series.filter((s) => s.modality !== 'SEG');
  const one = async (s: SeriesSummary) => {
    let url: string | null = null;
    try {
      const inst = await listInstances(config, s.studyInstanceUID, s.seriesInstanceUID);
      const mid = inst[Math.floor(inst.length / 2)];
      if (mid)
        url = await blobToDataUrl(
          await retrieveRendered(config, {
            studyInstanceUID: s.studyInstanceUID,
            seriesInstanceUID: s.seriesInstanceUID,
            sopInstanceUID: mid.sopInstanceUID,
          }),
        );
    } catch {
      url = null; // a missing thumbnail is not worth a message; opening the series says what is wrong
    }
    if (st().study === study) st().set({ thumbs: { ...st().thumbs, [s.seriesInstanceUID]: url } });
  };
  const lanes = [0, 1].map(async () => {
    for (let s = queue.shift(); s; s = queue.shift()) await one(s);
  });
  await Promise.all(lanes);
}

function blobToDataUrl(b: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(b);
  });
}

/** The saved scan of this series, if it was opened before. */
async function cachedSeries(seriesInstanceUID: string): Promise<string | null> {
  const rows = await listScans(getDb());
  return rows.find((r) => r.metadata?.pacsSeries === seriesInstanceUID)?.id ?? null;
}

/** Opens a series: from IndexedDB when it was opened before, else from the PACS. Returns the scan id. */
async function openSeriesScan(
  series: SeriesSummary,
  label: string,
): Promise<{ id: string | null; scan: Scan } | null> {
  const cached = await cachedSeries(series.seriesInstanceUID);
  if (cached) {
    const scan = await loadScan(getDb(), cached);
    if (scan) return { id: cached, scan };
  }
  const { config } = st();
  const abort = new AbortController();
  const cancel = () => abort.abort();
  st().set({
    transfer: { series: series.seriesInstanceUID, label, progress: null, cancel },
    error: null,
    info: null,
  });
  const { setBusy } = useScans.getState();
  setBusy(`${label}…`, cancel);
  const t0 = performance.now();
  try {
    const study = st().study;
    const name = [study?.patientName, series.description || `${series.modality} series ${series.number}`]
      .filter(Boolean)
      .join(' – ');
    const { scan, problems } = await fetchSeries(config, series, {
      decode: (n, bytes, signal) => readBytes(n, bytes, signal),
      pool: Math.max(1, Math.min(MAX_PARALLEL, Math.round(config.parallel ?? DEFAULT_POOL))),
      signal: abort.signal,
      name,
      onProgress: (progress) => {
        const t = st().transfer;
        if (t && t.series === series.seriesInstanceUID) st().set({ transfer: { ...t, progress } });
        setBusy(`${label}: ${progress.done} of ${progress.total} images`, cancel);
      },
    });
    const t1 = performance.now();
    const id = await trySave(scan, { source: 'pacs' });
    // User timing for npm run bench:pacs: download + decode + stack, then with saving.
    performance.measure('vlsm:pacs-transfer', { start: t0, end: t1, detail: { frames: scan.frames } });
    performance.measure('vlsm:pacs-open', {
      start: t0,
      end: performance.now(),
      detail: { frames: scan.frames },
    });
    if (problems.length) st().set({ info: problems.join(' ') });
    return { id, scan };
  } catch (e) {
    if (abort.signal.aborted) st().set({ info: 'Cancelled; nothing of that series was saved.' });
    else st().set({ error: message(e) });
    return null;
  } finally {
    setBusy(null);
    st().set({ transfer: null });
  }
}

export async function openSeries(series: SeriesSummary): Promise<void> {
  if (series.modality === 'SEG') return openSeg(series);
  const opened = await openSeriesScan(series, `Opening ${series.description || 'series'}`);
  if (!opened) return;
  await showScan(opened.scan, opened.id);
  await refreshList();
}

/** Opens a segmentation: its source series (cached or from the PACS), each SEG frame as the reference of its slice. */
export async function openSeg(series: SeriesSummary): Promise<void> {
  const { config } = st();
  const seg = await guarded('Reading the segmentation…', async () => {
    const inst = await listInstances(config, series.studyInstanceUID, series.seriesInstanceUID);
    if (inst.length === 0)
      throw new PacsError('The PACS lists no object in this segmentation series.', 'not-found');
    const bytes = await retrieveInstance(config, {
      studyInstanceUID: series.studyInstanceUID,
      seriesInstanceUID: series.seriesInstanceUID,
      sopInstanceUID: inst[0].sopInstanceUID,
    });
    return { bytes, refs: segReferences(bytes) };
  });
  if (!seg) return;
  const source = (st().series ?? []).find((s) => s.seriesInstanceUID === seg.refs.seriesInstanceUID) ?? {
    studyInstanceUID: seg.refs.studyInstanceUID || series.studyInstanceUID,
    seriesInstanceUID: seg.refs.seriesInstanceUID,
    modality: '',
    number: '',
    description: 'source series',
    instances: 0,
  };
  const opened = await openSeriesScan(source, 'Opening the segmented series');
  if (!opened) return;
  const { id, scan } = opened;
  if (seg.refs.frames > 1 && id) {
    // a multi-frame SEG (e.g. a 3-D mask sent from here): the volume's 3-D reference, frames on their slices
    let slices: number[] = [];
    try {
      const refs = await importSegReference(new Uint8Array(seg.bytes), 'PACS SEG', { scanId: id, scan });
      slices = [...new Set(refs.flatMap((r) => r.slices))].sort((a, b) => a - b);
    } catch (e) {
      st().set({ error: `The segmentation could not be read or kept: ${message(e)}` });
      return;
    }
    await showScan(scan, id);
    if (slices.length) useView.getState().setFrame(slices[Math.floor(slices.length / 2)]);
    await refreshList();
    st().set({
      info: `Segmentation "${seg.refs.label}" shown as the 3-D reference of this series (${slices.length} slice${slices.length === 1 ? '' : 's'} with mask).`,
    });
    return;
  }
  const uids = scan.geometry?.dicom?.sopInstanceUIDs ?? [];
  const frames = uids.map((u, k) => (seg.refs.sopInstanceUIDs.includes(u) ? k : -1)).filter((k) => k >= 0);
  if (frames.length === 0) {
    st().set({ error: 'The segmentation refers to images that are not in its series on the PACS.' });
    return;
  }
  if (id) {
    try {
      for (const k of frames)
        await saveReference(
          getDb(),
          id,
          k,
          readDicomSeg(new Uint8Array(seg.bytes), scan, k).mask,
          `${seg.refs.label} (PACS SEG)`,
        );
    } catch (e) {
      st().set({ error: `The segmentation could not be read or kept: ${message(e)}` });
    }
  }
  await showScan(scan, id);
  useView.getState().setFrame(frames[0]);
  await refreshList();
  st().set({
    info: `Segmentation "${seg.refs.label}" shown as the reference on ${frames.length === 1 ? `slice ${frames[0] + 1}` : `${frames.length} slices`}.`,
  });
}

/** The id of the 3-D mask among the masks the Send control offers. */
export const VOLUME_SOURCE = 'volume';

/** Sends the open volume's 3-D mask as one multi-frame DICOM SEG into the scan's study. */
async function sendVolume(): Promise<void> {
  const { config } = st();
  const mask = currentVolumeMask();
  const sent = await guarded('Sending the 3-D mask to the PACS…', async () => {
    const f = volumeMaskSeg();
    const d = useScans.getState().scan?.geometry?.dicom;
    await storeInstances(config, [f.bytes.buffer.slice(f.bytes.byteOffset, f.bytes.byteOffset + f.bytes.byteLength) as ArrayBuffer], d?.studyInstanceUID);
    return f;
  });
  if (sent && mask) {
    st().set({ info: `Sent the 3-D mask "${mask.prompt}" to the PACS as one segmentation of this series (${sent.algorithmType.toLowerCase()}).` });
    notify('info', 'Sent to the PACS', `The 3-D mask "${mask.prompt}" is stored in the study as a DICOM SEG.`);
  }
}

/** Sends the chosen mask (of the current slice, or the 3-D mask) as a DICOM SEG into the scan's study. */
export async function sendToPacs(sourceId: string): Promise<void> {
  if (sourceId === VOLUME_SOURCE) return sendVolume();
  const { scan } = useScans.getState();
  const frame = useView.getState().frame;
  const d = scan?.geometry?.dicom;
  if (!scan || !d?.studyInstanceUID || !d.sopInstanceUIDs?.length) {
    st().set({
      error: 'Only a DICOM scan (e.g. a series opened from the PACS) can be sent back as a segmentation.',
    });
    return;
  }
  const src = maskSources().find((s) => s.id === sourceId) ?? maskSources()[0];
  if (!src) {
    st().set({ error: 'There is no mask to send yet: run a prompt or draw one.' });
    return;
  }
  const { config } = st();
  const ok = await guarded('Sending to the PACS…', async () => {
    const bytes = writeDicomSeg(src.mask, scan, frame, { label: src.label });
    await storeInstances(
      config,
      [bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer],
      d.studyInstanceUID,
    );
    return true;
  });
  if (ok) {
    st().set({
      info: `Sent "${src.label}" (slice ${frame + 1}) to the PACS as a segmentation of this series.`,
    });
    notify('info', 'Sent to the PACS', `The segmentation "${src.label}" is stored in the study.`);
  }
}
