// The development PACS for e2e: a real Orthanc with DICOMweb (scripts/orthanc.sh), started and seeded
// here when it is not already running (and stopped again by the spec that started it), and the PACS
// panel's page object.
import { execFileSync } from 'node:child_process';
import { expect, type Page } from '@playwright/test';
import dcmjs from 'dcmjs';

export const ORTHANC_PORT = Number(process.env.ORTHANC_HTTP_PORT ?? 4371);
export const ORTHANC = `http://127.0.0.1:${ORTHANC_PORT}`;
export const PACS_USER = process.env.ORTHANC_USER ?? 'vlsm';
export const PACS_PASSWORD = process.env.ORTHANC_PASSWORD ?? 'vlsm-dev-only';
const AUTH = `Basic ${Buffer.from(`${PACS_USER}:${PACS_PASSWORD}`).toString('base64')}`;

const script = (cmd: string) =>
  execFileSync('sh', ['scripts/orthanc.sh', cmd], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
    timeout: 120_000,
  }).toString();

/** Starts and seeds Orthanc when it does not answer; returns whether this call started it. */
export function ensureOrthanc(): boolean {
  try {
    script('status');
    return false;
  } catch {
    // not running: start it below
  }
  try {
    script('start');
    script('seed');
    return true;
  } catch (e) {
    const err = (e as { status?: number; stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(err || String(e));
  }
}

export function stopOrthanc(): void {
  script('stop');
}

/** Orthanc's own REST/DICOMweb API, from the test (not through the app). */
export async function orthanc(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${ORTHANC}${path}`, { ...init, headers: { Authorization: AUTH, ...(init.headers ?? {}) } });
}

export async function qido(path: string): Promise<Record<string, { Value?: unknown[] }>[]> {
  const r = await orthanc(`/dicom-web${path}`, { headers: { Accept: 'application/dicom+json' } });
  expect(r.status, `QIDO ${path}`).toBeLessThan(300);
  return r.status === 204 ? [] : r.json();
}

export const val = (ds: Record<string, { Value?: unknown[] }>, tag: string): string =>
  String(ds[tag]?.Value?.[0] ?? '');

/** A SEG stored in Orthanc, read back with dcmjs (naturalized). */
export async function fetchSeg(study: string, series: string, sop: string): Promise<Record<string, unknown>> {
  const part = await fetchInstanceBytes(study, series, sop);
  const ab = part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength) as ArrayBuffer;
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(ab).dict);
}

/** One stored instance as its DICOM file bytes (WADO-RS, first part of the multipart answer). */
export async function fetchInstanceBytes(study: string, series: string, sop: string): Promise<Buffer> {
  const r = await orthanc(`/dicom-web/studies/${study}/series/${series}/instances/${sop}`, {
    headers: { Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
  });
  expect(r.status).toBe(200);
  const body = Buffer.from(await r.arrayBuffer());
  const start = body.indexOf(Buffer.from('DICM')) - 128;
  const boundary = /boundary=([^;]+)/.exec(r.headers.get('content-type') ?? '')?.[1]?.replace(/"/g, '');
  const end = boundary ? body.indexOf(Buffer.from(`\r\n--${boundary}`), start) : body.length;
  return Buffer.from(body.subarray(start, end));
}

/** Deletes a series from Orthanc by its SeriesInstanceUID (test clean-up). */
export async function deleteSeries(seriesUid: string): Promise<void> {
  const r = await orthanc('/tools/lookup', { method: 'POST', body: seriesUid });
  for (const hit of (await r.json()) as { Type: string; ID: string }[])
    if (hit.Type === 'Series') await orthanc(`/series/${hit.ID}`, { method: 'DELETE' });
}

export class PacsPanel {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    const panel = this.page.getByTestId('panel-pacs');
    const toggle = panel.locator('.panel-title');
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    await expect(this.page.getByTestId('pacs-panel')).toBeVisible();
  }

  async configure(url: string, user = PACS_USER, password = PACS_PASSWORD): Promise<void> {
    const form = this.page.getByTestId('pacs-server-form');
    if (!(await form.isVisible())) await this.page.getByTestId('pacs-panel').locator('summary').click();
    await this.page.getByTestId('pacs-url').fill(url);
    await this.page.getByTestId('pacs-user').fill(user);
    await this.page.getByTestId('pacs-password').fill(password);
    await this.page.getByTestId('pacs-save').click();
    await expect(this.page.getByTestId('pacs-save')).toBeDisabled();
  }

  async search(
    q: { name?: string; id?: string; from?: string; to?: string; modality?: string; accession?: string } = {},
  ): Promise<void> {
    await this.page.getByTestId('pacs-q-name').fill(q.name ?? '');
    await this.page.getByTestId('pacs-q-id').fill(q.id ?? '');
    await this.page.getByTestId('pacs-q-from').fill(q.from ?? '');
    await this.page.getByTestId('pacs-q-to').fill(q.to ?? '');
    await this.page.getByTestId('pacs-q-modality').selectOption(q.modality ?? '');
    await this.page.getByTestId('pacs-q-accession').fill(q.accession ?? '');
    await this.page.getByTestId('pacs-search').click();
  }

  studies() {
    return this.page.getByTestId('pacs-study');
  }

  async chooseStudy(uid: string): Promise<void> {
    await this.page.locator(`[data-testid="pacs-study"][data-uid="${uid}"]`).click();
    await expect(this.page.getByTestId('pacs-series-item').first()).toBeVisible();
  }

  series(uid: string) {
    return this.page.locator(`[data-testid="pacs-series-item"][data-uid="${uid}"]`);
  }

  error() {
    return this.page.getByTestId('pacs-error');
  }
}
