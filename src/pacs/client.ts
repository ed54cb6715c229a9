// DICOMweb access to the user's PACS through dicomweb-client (QIDO-RS search, WADO-RS retrieve, STOW-RS
// store). Every failure becomes a PacsError whose message is meant for the user; messages name the server
// by its address only, never the credentials. Each request gets its own XMLHttpRequest so it can be
// aborted (cancel) and given a time limit.
import { api } from 'dicomweb-client';

export interface PacsConfig {
  /** DICOMweb root, e.g. https://pacs.example.org/dicom-web, or /pacs/dicom-web (this app's same-origin proxy). */
  url: string;
  username: string;
  password: string;
  /** Images downloaded in parallel when opening a series (default DEFAULT_POOL in series.ts). */
  parallel?: number;
}

export type PacsErrorKind =
  'unreachable' | 'auth' | 'forbidden' | 'not-found' | 'unsupported' | 'server' | 'cancelled' | 'bad-url';

export class PacsError extends Error {
  constructor(
    message: string,
    readonly kind: PacsErrorKind,
    readonly status = 0,
  ) {
    super(message);
    this.name = 'PacsError';
  }
}

/** Time limit of one search or small request; instance transfers get their own (see retrieveInstance). */
export const QUERY_TIMEOUT_MS = 15_000;

/** The configured address made absolute (relative paths are on this page's origin), without a trailing slash. */
export function resolveUrl(url: string, base = globalThis.location?.href ?? 'http://127.0.0.1/'): URL {
  const trimmed = url.trim();
  if (!trimmed)
    throw new PacsError(
      'Enter the address of the PACS (its DICOMweb root, e.g. https://pacs.hospital.org/dicom-web).',
      'bad-url',
    );
  let u: URL;
  try {
    u = new URL(trimmed, base);
  } catch {
    throw new PacsError(
      `"${trimmed}" is not a web address; enter the DICOMweb root, e.g. https://pacs.hospital.org/dicom-web.`,
      'bad-url',
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new PacsError(
      `The PACS address must start with http:// or https:// (got ${u.protocol}).`,
      'bad-url',
    );
  if (u.username || u.password)
    throw new PacsError('Put the user name and password in their own fields, not in the address.', 'bad-url');
  u.pathname = u.pathname.replace(/\/+$/, '');
  u.search = '';
  u.hash = '';
  return u;
}

/** How the server is named in messages: its address, never the credentials. */
export const serverName = (cfg: PacsConfig): string => {
  try {
    return resolveUrl(cfg.url).href;
  } catch {
    return 'the PACS';
  }
};

function basicAuth(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

interface Req {
  request: { instance: XMLHttpRequest };
}
interface Ids {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
}
type MediaType = { mediaType: string; transferSyntaxUID?: string };
/** The calls used here, as dicomweb-client 0.11 implements them (its bundled .d.ts is looser than its code). */
interface Client {
  searchForStudies(o: { queryParams: Record<string, string> } & Req): Promise<DicomJson[]>;
  searchForSeries(
    o: { studyInstanceUID: string; queryParams: Record<string, string> } & Req,
  ): Promise<DicomJson[]>;
  searchForInstances(
    o: { studyInstanceUID: string; seriesInstanceUID: string; queryParams: Record<string, string> } & Req,
  ): Promise<DicomJson[]>;
  /** Used by retrieveInstance(), which in 0.11 rejects any explicit media type (it compares "application/"
   *  with "application/dicom"); called directly to ask for the stored transfer syntax (transfer-syntax=*). */
  _httpGetMultipartApplicationDicom(
    url: string,
    mediaTypes: MediaType[],
    params: false,
    request: Req['request'],
  ): Promise<ArrayBuffer[]>;
  wadoURL: string;
  retrieveInstanceRendered(o: Ids & { mediaTypes: MediaType[] } & Req): Promise<ArrayBuffer | ArrayBuffer[]>;
  storeInstances(o: { datasets: ArrayBuffer[]; studyInstanceUID?: string } & Req): Promise<unknown>;
}

export function makeClient(cfg: PacsConfig): Client {
  const url = resolveUrl(cfg.url).href;
  const headers: Record<string, string> =
    cfg.username || cfg.password ? { Authorization: basicAuth(cfg.username, cfg.password) } : {};
  // verbose off: the library would otherwise print failed requests to the console.
  return new api.DICOMwebClient({ url, headers, verbose: false, singlepart: false }) as unknown as Client;
}

/** What the user should read for a failed request (status 0: no answer, aborted or timed out). */
export function toPacsError(e: unknown, cfg: PacsConfig, what: string, aborted = false): PacsError {
  if (e instanceof PacsError) return e;
  if (aborted) return new PacsError(`${what} was cancelled.`, 'cancelled');
  const status =
    typeof e === 'object' && e !== null && 'status' in e ? Number((e as { status: unknown }).status) : NaN;
  const where = serverName(cfg);
  if (status === 0 || status === 502 || status === 503 || status === 504) {
    return new PacsError(
      `The PACS at ${where} cannot be reached (${status ? `HTTP ${status} from the proxy` : 'no answer'}). Check the address, your network, and that the server is running.`,
      'unreachable',
      status,
    );
  }
  if (status === 401)
    return new PacsError(
      `The PACS at ${where} refused the user name or password (HTTP 401). Check the credentials in the PACS settings.`,
      'auth',
      status,
    );
  if (status === 403)
    return new PacsError(
      `The PACS at ${where} accepted the login but does not allow this account to do this (HTTP 403).`,
      'forbidden',
      status,
    );
  if (status === 404)
    return new PacsError(
      `${what}: the PACS at ${where} does not have it (HTTP 404). Is the address the DICOMweb root (often ending in /dicom-web)?`,
      'not-found',
      status,
    );
  if (status === 406 || status === 415)
    return new PacsError(
      `${what}: the PACS at ${where} cannot send or accept this in a transfer syntax the workbench reads (HTTP ${status}).`,
      'unsupported',
      status,
    );
  if (Number.isFinite(status))
    return new PacsError(
      `${what}: the PACS at ${where} answered with an error (HTTP ${status}).`,
      'server',
      status,
    );
  const detail = e instanceof Error ? e.message : String(e);
  return new PacsError(`${what} failed: ${detail}`, 'server');
}

/** One request with its own XHR: aborted by `signal`, stopped after `timeoutMs`. */
async function withXhr<T>(
  cfg: PacsConfig,
  what: string,
  signal: AbortSignal | undefined,
  timeoutMs: number,
  call: (xhr: XMLHttpRequest) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw new PacsError(`${what} was cancelled.`, 'cancelled');
  const xhr = new XMLHttpRequest();
  xhr.timeout = timeoutMs;
  let timedOut = false;
  xhr.addEventListener('timeout', () => (timedOut = true));
  const onAbort = () => xhr.abort();
  signal?.addEventListener('abort', onAbort);
  try {
    return await call(xhr);
  } catch (e) {
    if (timedOut)
      throw new PacsError(
        `${what}: the PACS at ${serverName(cfg)} did not answer within ${Math.round(timeoutMs / 1000)} s.`,
        'unreachable',
      );
    throw toPacsError(e, cfg, what, signal?.aborted);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

// ---- DICOM JSON (PS3.18 F.2) helpers ----
export type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

export function str(ds: DicomJson, tag: string): string {
  const v = ds[tag]?.Value?.[0];
  if (v === undefined || v === null) return '';
  if (typeof v === 'object' && v !== null && 'Alphabetic' in v)
    return String((v as { Alphabetic?: string }).Alphabetic ?? '');
  return String(v);
}

export const nums = (ds: DicomJson, tag: string): number[] => (ds[tag]?.Value ?? []).map(Number);

export interface StudyQuery {
  patientName?: string;
  patientId?: string;
  /** YYYY-MM-DD (an HTML date input), inclusive. */
  dateFrom?: string;
  dateTo?: string;
  modality?: string;
  accession?: string;
}

export interface StudySummary {
  studyInstanceUID: string;
  patientName: string;
  patientId: string;
  date: string;
  description: string;
  accession: string;
  modalities: string;
  series: number;
  instances: number;
}

export interface SeriesSummary {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  modality: string;
  number: string;
  description: string;
  instances: number;
}

export interface InstanceSummary {
  sopInstanceUID: string;
  sopClassUID: string;
  instanceNumber: number;
  frames: number;
}

const dicomDate = (d?: string) => (d ? d.replace(/-/g, '') : '');

/** Most studies one search lists (the panel says when a search hit it). */
export const STUDY_LIMIT = 200;

/** QIDO-RS query parameters for a study search; name matching is case-insensitive prefix (wildcard). */
export function studyParams(q: StudyQuery): Record<string, string> {
  const p: Record<string, string> = {
    includefield: '00081030,00080061,00201206,00201208',
    limit: String(STUDY_LIMIT),
  };
  const name = q.patientName?.trim();
  if (name) p.PatientName = name.includes('*') ? name : `*${name}*`;
  if (q.patientId?.trim()) p.PatientID = q.patientId.trim();
  if (q.accession?.trim()) p.AccessionNumber = q.accession.trim();
  if (q.modality?.trim()) p.ModalitiesInStudy = q.modality.trim().toUpperCase();
  const from = dicomDate(q.dateFrom);
  const to = dicomDate(q.dateTo);
  if (from || to) p.StudyDate = from === to ? from : `${from}-${to}`;
  return p;
}

export async function searchStudies(
  cfg: PacsConfig,
  q: StudyQuery,
  signal?: AbortSignal,
): Promise<StudySummary[]> {
  const client = makeClient(cfg);
  const rows = await withXhr(cfg, 'Searching studies', signal, QUERY_TIMEOUT_MS, (xhr) =>
    client.searchForStudies({ queryParams: studyParams(q), request: { instance: xhr } }),
  );
  return (rows ?? []).map((ds) => ({
    studyInstanceUID: str(ds, '0020000D'),
    patientName: str(ds, '00100010').replace(/\^+$/, '').replace(/\^/g, ' ').trim(),
    patientId: str(ds, '00100020'),
    date: str(ds, '00080020'),
    description: str(ds, '00081030'),
    accession: str(ds, '00080050'),
    modalities: (ds['00080061']?.Value ?? []).join('/'),
    series: Number(str(ds, '00201206') || 0),
    instances: Number(str(ds, '00201208') || 0),
  }));
}

export async function listSeries(
  cfg: PacsConfig,
  studyInstanceUID: string,
  signal?: AbortSignal,
): Promise<SeriesSummary[]> {
  const client = makeClient(cfg);
  const rows = await withXhr(cfg, 'Listing the series', signal, QUERY_TIMEOUT_MS, (xhr) =>
    client.searchForSeries({
      studyInstanceUID,
      queryParams: { includefield: '0008103E,00200011,00201209' },
      request: { instance: xhr },
    }),
  );
  return (rows ?? [])
    .map((ds) => ({
      studyInstanceUID,
      seriesInstanceUID: str(ds, '0020000E'),
      modality: str(ds, '00080060'),
      number: str(ds, '00200011'),
      description: str(ds, '0008103E'),
      instances: Number(str(ds, '00201209') || 0),
    }))
    .sort((a, b) => Number(a.number || 0) - Number(b.number || 0));
}

export async function listInstances(
  cfg: PacsConfig,
  studyInstanceUID: string,
  seriesInstanceUID: string,
  signal?: AbortSignal,
): Promise<InstanceSummary[]> {
  const client = makeClient(cfg);
  const rows = await withXhr(cfg, 'Listing the images of the series', signal, QUERY_TIMEOUT_MS, (xhr) =>
    client.searchForInstances({
      studyInstanceUID,
      seriesInstanceUID,
      queryParams: { includefield: '00200013,00280008', limit: '100000' },
      request: { instance: xhr },
    }),
  );
  return (rows ?? [])
    .map((ds) => ({
      sopInstanceUID: str(ds, '00080018'),
      sopClassUID: str(ds, '00080016'),
      instanceNumber: Number(str(ds, '00200013') || 0),
      frames: Number(str(ds, '00280008') || 1),
    }))
    .sort((a, b) => a.instanceNumber - b.instanceNumber);
}

/** One instance as a DICOM Part 10 file, in the transfer syntax it is stored in (the app decodes it). */
export async function retrieveInstance(
  cfg: PacsConfig,
  ids: { studyInstanceUID: string; seriesInstanceUID: string; sopInstanceUID: string },
  signal?: AbortSignal,
  timeoutMs = 60_000,
): Promise<ArrayBuffer> {
  const client = makeClient(cfg);
  const url = `${client.wadoURL}/studies/${ids.studyInstanceUID}/series/${ids.seriesInstanceUID}/instances/${ids.sopInstanceUID}`;
  const parts = await withXhr(cfg, 'Downloading an image', signal, timeoutMs, (xhr) =>
    client._httpGetMultipartApplicationDicom(
      url,
      [{ mediaType: 'application/dicom', transferSyntaxUID: '*' }],
      false,
      { instance: xhr },
    ),
  );
  const part = parts?.[0];
  if (!(part instanceof ArrayBuffer) || part.byteLength === 0)
    throw new PacsError('The PACS sent an empty image.', 'server');
  return part;
}

/** The instance rendered as JPEG by the PACS (WADO-RS /rendered), as a Blob. No viewport parameter: the
 *  comma in it arrives URL-encoded, which Orthanc's DICOMweb plugin 1.7 refuses (400); the panel scales it. */
export async function retrieveRendered(
  cfg: PacsConfig,
  ids: { studyInstanceUID: string; seriesInstanceUID: string; sopInstanceUID: string },
  signal?: AbortSignal,
): Promise<Blob> {
  const client = makeClient(cfg);
  const body = await withXhr(cfg, 'Loading a thumbnail', signal, QUERY_TIMEOUT_MS, (xhr) =>
    client.retrieveInstanceRendered({
      ...ids,
      mediaTypes: [{ mediaType: 'image/jpeg' }],
      request: { instance: xhr },
    }),
  );
  const buf = Array.isArray(body) ? body[0] : body;
  return new Blob([buf], { type: 'image/jpeg' });
}

/** STOW-RS: stores DICOM Part 10 files in the study; throws when the server reports a failure. */
export async function storeInstances(
  cfg: PacsConfig,
  datasets: ArrayBuffer[],
  studyInstanceUID?: string,
  signal?: AbortSignal,
): Promise<void> {
  const client = makeClient(cfg);
  const reply = await withXhr(cfg, 'Sending to the PACS', signal, 60_000, (xhr) =>
    client.storeInstances({
      datasets,
      ...(studyInstanceUID ? { studyInstanceUID } : {}),
      request: { instance: xhr },
    }),
  );
  // A 200 reply lists stored and failed SOPs (PS3.18 10.5.3); a 202 means some failed.
  const parsed =
    typeof reply === 'string'
      ? safeJson(reply)
      : reply instanceof ArrayBuffer
        ? safeJson(new TextDecoder().decode(reply))
        : Array.isArray(reply) && reply[0] instanceof ArrayBuffer
          ? safeJson(new TextDecoder().decode(reply[0]))
          : reply;
  const failed = parsed && typeof parsed === 'object' ? (parsed as DicomJson)['00081198']?.Value : undefined;
  if (failed && failed.length > 0)
    throw new PacsError(
      `The PACS at ${serverName(cfg)} refused ${failed.length} of the ${datasets.length} objects sent.`,
      'server',
    );
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
