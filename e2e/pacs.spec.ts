// PACS through DICOMweb against a real Orthanc (scripts/orthanc.sh; started and seeded here when it is not
// running): search, thumbnails, a series opened as one volume and cached in IndexedDB, a mask sent back
// as a DICOM SEG (checked in Orthanc itself) and re-opened from the PACS with Dice 1.0, the whole 3-D mask
// of a series sent as one multi-frame SEG (found in Orthanc with every reference, checked by pydicom and
// highdicom, re-opened from the PACS as the series' 3-D reference with Dice 1.0), and what the
// panel says when the server is unreachable, the login is wrong, the transfer syntax is unreadable, the
// connection drops mid-series or the user cancels. Requests to other hosts are recorded: none may happen.
import { expect, test, type Page, type Request } from '@playwright/test';
import { encode } from 'fast-png';
import { decodeRle } from '../src/mask/rle';
import { recordForeignRequests } from './pages/network';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from './pages/files';
import { appMask, checkSeg, dice, paintOnSlice, voxelsOf } from './pages/seg3d';
import {
  deleteSeries,
  ensureOrthanc,
  fetchInstanceBytes,
  fetchSeg,
  PACS_PASSWORD,
  PacsPanel,
  qido,
  stopOrthanc,
  val,
} from './pages/pacs';
import { Workbench } from './pages/Workbench';

const APP_PACS = '/pacs/dicom-web';
let started = false;

test.beforeAll(() => {
  started = ensureOrthanc();
});
test.afterAll(() => {
  if (started) stopOrthanc();
});

async function studyOf(
  patientId: string,
): Promise<{ study: string; series: { uid: string; modality: string }[] }> {
  const [s] = await qido(`/studies?PatientID=${encodeURIComponent(patientId)}`);
  const study = val(s, '0020000D');
  const series = (await qido(`/studies/${study}/series`)).map((x) => ({
    uid: val(x, '0020000E'),
    modality: val(x, '00080060'),
  }));
  return { study, series };
}

/** SOP instance UIDs of a series ordered along z (ImagePositionPatient), as a volume's frames should be. */
async function framesOf(study: string, series: string): Promise<string[]> {
  const inst = await qido(`/studies/${study}/series/${series}/instances?includefield=00200032`);
  return inst
    .map((d) => ({
      sop: val(d, '00080018'),
      z: Number((d['00200032']?.Value as number[] | undefined)?.[2] ?? 0),
    }))
    .sort((a, b) => a.z - b.z)
    .map((x) => x.sop);
}

/** The seeded 5-slice CT (patient 98890234) searched and opened from the PACS as one volume, with the SEG
 * series Orthanc held before (so a test can find the one it sent). */
async function openCtSeries(page: Page) {
  const ct = await studyOf('98890234');
  const source = ct.series.find((s) => s.modality === 'CT')!;
  const frames = await framesOf(ct.study, source.uid);
  const segsBefore = new Set(
    (await qido(`/studies/${ct.study}/series?Modality=SEG`)).map((d) => val(d, '0020000E')),
  );
  const { app, pacs } = await openCtStudy(page, ct.study);
  await pacs.series(source.uid).getByTestId('pacs-open').click();
  await app.until((st) => expect(st.scan).toMatchObject({ frames: 5, width: 16, height: 16 }), 30_000);
  return { app, pacs, ct, source, frames, segsBefore };
}

/** The app opened on `page`, the PACS panel pointed at the app's Orthanc, the CT patient's study chosen. */
async function openCtStudy(page: Page, study: string): Promise<{ app: Workbench; pacs: PacsPanel }> {
  const app = new Workbench(page);
  await app.goto();
  const pacs = new PacsPanel(page);
  await pacs.open();
  await pacs.configure(APP_PACS);
  await pacs.search({ id: '98890234' });
  await pacs.chooseStudy(study);
  return { app, pacs };
}

const isRetrieve = (r: Request | URL) =>
  /\/pacs\/dicom-web\/studies\/[^/]+\/series\/[^/]+\/instances\/[^/]+$/.test(
    new URL(r instanceof URL ? r.href : r.url()).pathname,
  );

async function savedScans(page: Page): Promise<{ name: string; json: string }[]> {
  return page.evaluate(
    () =>
      new Promise<{ name: string; json: string }[]>((resolve, reject) => {
        const open = indexedDB.open('vlsm-workbench');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction('scans').objectStore('scans').getAll();
          req.onsuccess = () =>
            resolve(
              (req.result as { name: string }[]).map((r) => ({ name: r.name, json: JSON.stringify(r) })),
            );
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

test('search the PACS, see thumbnails, open a series as one volume, re-open it from IndexedDB; no other host', async ({
  page,
  context,
  baseURL,
}) => {
  const foreign = recordForeignRequests(context, baseURL);
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  const retrieves: string[] = [];
  page.on('request', (r) => isRetrieve(r) && retrieves.push(r.url()));
  const app = new Workbench(page);
  await app.goto();
  const pacs = new PacsPanel(page);
  await pacs.open();
  await pacs.configure(APP_PACS);

  const vs = await studyOf('VS-SEG-001');
  const ct = await studyOf('98890234');
  // QIDO-RS by patient name (any case, part of it), patient ID, modality + date range, accession.
  await pacs.search({ name: 'vs-seg' });
  await expect(pacs.studies()).toHaveCount(1);
  await expect(pacs.studies().first()).toHaveAttribute('data-uid', vs.study);
  await pacs.search({ id: '98890234' });
  await expect(pacs.studies()).toHaveCount(1);
  await pacs.search({ modality: 'CT', from: '2001-01-01', to: '2001-01-01' });
  await expect(pacs.studies()).toHaveCount(1);
  await expect(pacs.studies().first()).toHaveAttribute('data-uid', ct.study);
  await pacs.search({ accession: 'SYNTH24' });
  await expect(pacs.studies()).toHaveCount(1);
  await pacs.search({ name: 'nobody-by-this-name' });
  await expect(page.getByTestId('pacs-no-studies')).toBeVisible();

  await pacs.search({ id: 'VS-SEG-001' });
  await pacs.chooseStudy(vs.study);
  const mr = vs.series.find((s) => s.modality === 'MR')!;
  // A thumbnail rendered by the PACS (WADO-RS /rendered).
  await expect(pacs.series(mr.uid).getByTestId('pacs-thumb')).toHaveAttribute(
    'src',
    /^data:image\/jpeg;base64,/,
  );
  await pacs.series(mr.uid).getByTestId('pacs-open').click();
  const s = await app.until((st) => {
    expect(st.scan?.frames).toBe(3);
    expect(st.busy).toBeNull();
  }, 30_000);
  expect(s.scan).toMatchObject({ width: 512, height: 512, format: 'dicom', channels: 1 });
  expect(retrieves).toHaveLength(3);
  const saved = (await savedScans(page)).filter((r) => r.json.includes(mr.uid));
  expect(saved).toHaveLength(1);

  // Again: from IndexedDB, no transfer; after a reload too, with the network cut the saved volume opens.
  await pacs.series(mr.uid).getByTestId('pacs-open').click();
  await app.until((st) => expect(st.scan?.frames).toBe(3));
  expect(retrieves).toHaveLength(3);
  await app.offlineReady(); // a loaded machine may still be precaching: offline before that, the reload fails
  await context.setOffline(true);
  await page.reload();
  await app.until((st) => expect(st.scan?.frames).toBe(3));
  await context.setOffline(false);

  expect(foreign, 'requests to other hosts').toEqual([]);
  expect(
    logs.filter((l) => l.includes(PACS_PASSWORD)),
    'the password in the console',
  ).toEqual([]);
  expect(
    (await savedScans(page)).filter((r) => r.json.includes(PACS_PASSWORD)),
    'the password in a saved scan',
  ).toEqual([]);
});

test('Send to PACS stores a SEG of the series; re-opened from the PACS it overlays its slice with Dice 1.0', async ({
  page,
  browser,
  context,
  baseURL,
}) => {
  const foreign = recordForeignRequests(context, baseURL);
  const { app, ct, source, frames, segsBefore } = await openCtSeries(page);
  // Slice 2 of 5 (frame 1): not the middle one the volume opens on, so landing there later means something.
  await app.viewer.click();
  for (let f = (await app.state()).frame; f > 1; f--) await page.keyboard.press('ArrowLeft');
  for (let f = (await app.state()).frame; f < 1; f++) await page.keyboard.press('ArrowRight');
  await app.until((st) => expect(st.frame).toBe(1));

  // A 16x16 mask (an L shape and a dot) as the reference of slice 2, then sent.
  const sent = new Uint8Array(256);
  for (let y = 3; y < 12; y++) for (let x = 4; x < 7; x++) sent[y * 16 + x] = 1;
  for (let x = 4; x < 13; x++) for (let y = 10; y < 13; y++) sent[y * 16 + x] = 1;
  sent[2 * 16 + 13] = 1;
  const png = Buffer.from(
    encode({ width: 16, height: 16, data: sent.map((v) => v * 255), channels: 1, depth: 8 }),
  );
  await page
    .getByTestId('reference-input')
    .setInputFiles({ name: 'lesion.png', mimeType: 'image/png', buffer: png });
  await expect(page.getByTestId('reference-label')).toContainText('lesion.png');
  await page.getByTestId('pacs-send-source').selectOption('reference');
  await page.getByTestId('pacs-send').click();
  await expect(page.getByTestId('pacs-info')).toContainText('Sent', { timeout: 15_000 });

  // Orthanc now has a SEG in the study that references the source series and slice 2's instance.
  const segs = (await qido(`/studies/${ct.study}/series?Modality=SEG`))
    .map((d) => val(d, '0020000E'))
    .filter((u) => !segsBefore.has(u));
  expect(segs).toHaveLength(1);
  try {
    const [inst] = await qido(`/studies/${ct.study}/series/${segs[0]}/instances`);
    const seg = await fetchSeg(ct.study, segs[0], val(inst, '00080018'));
    const refSeries = seg.ReferencedSeriesSequence as Record<string, unknown>[] | Record<string, unknown>;
    const ref = Array.isArray(refSeries) ? refSeries[0] : refSeries;
    expect(seg.Modality).toBe('SEG');
    expect(seg.StudyInstanceUID).toBe(ct.study);
    expect(ref.SeriesInstanceUID).toBe(source.uid);
    const refInst = ref.ReferencedInstanceSequence as Record<string, unknown>[] | Record<string, unknown>;
    expect((Array.isArray(refInst) ? refInst[0] : refInst).ReferencedSOPInstanceUID).toBe(frames[1]);

    // A fresh browser profile (empty IndexedDB): the SEG opens its series from the PACS and lands on slice 2.
    const ctx2 = await browser.newContext();
    const foreign2 = recordForeignRequests(ctx2, baseURL);
    const page2 = await ctx2.newPage();
    const { app: app2, pacs: pacs2 } = await openCtStudy(page2, ct.study);
    await pacs2.series(segs[0]).getByTestId('pacs-open').click();
    await app2.until((st) => {
      expect(st.scan?.frames).toBe(5);
      expect(st.frame).toBe(1);
    }, 30_000);
    await expect(page2.getByTestId('reference-label')).toContainText('PACS SEG');
    const got = await page2.evaluate(() => window.__vlsmLoop!.referenceMask());
    expect(got).not.toBeNull();
    const mask = decodeRle({ width: got!.width, height: got!.height, counts: got!.counts }).data;
    let inter = 0;
    let sum = 0;
    for (let i = 0; i < 256; i++) {
      inter += mask[i] && sent[i] ? 1 : 0;
      sum += (mask[i] ? 1 : 0) + sent[i];
    }
    expect((2 * inter) / sum).toBe(1);
    expect(foreign2).toEqual([]);
    await ctx2.close();
  } finally {
    for (const u of segs) await deleteSeries(u);
  }
  expect(foreign).toEqual([]);
});

test('Send to PACS sends the whole 3-D mask as one multi-frame SEG; Orthanc has it with every reference; re-opened from the PACS it is the 3-D reference with Dice 1.0', async ({
  page,
  browser,
  context,
  baseURL,
}) => {
  test.setTimeout(300_000);
  const foreign = recordForeignRequests(context, baseURL);
  const { ct, source, frames, segsBefore } = await openCtSeries(page);
  const files = readdirSync(join(SHARED, 'sample-files/dicom/pydicom/series-CT5N-16x16')).map((f) =>
    join(SHARED, 'sample-files/dicom/pydicom/series-CT5N-16x16', f),
  );

  // every slice prompted, then corrected by hand on slice 4 (so the mask is not empty, and SEMIAUTOMATIC)
  const panel = page.getByTestId('volume-panel');
  await panel.getByTestId('volume-prompt').fill('liver');
  await expect(panel.getByTestId('volume-run')).toBeEnabled({ timeout: 120_000 });
  await panel.getByTestId('volume-run').click();
  await expect(panel.getByTestId('volume-last')).toContainText('“liver”: 5 slices', { timeout: 120_000 });
  await paintOnSlice(page, 3, 8, 8, 2);
  const sent = await appMask(page);
  const info = (await page.evaluate(() => window.__vlsmVolume!.state().info)) as { modelId: string; bundleHash?: string };
  const nonEmpty = [0, 1, 2, 3, 4].filter((k) => Buffer.from(sent.mask, 'base64').subarray(k * 256, (k + 1) * 256).some((v) => v));
  expect(nonEmpty).toContain(3);

  // the Send control offers the 3-D mask first
  await expect(page.getByTestId('pacs-send-source')).toHaveValue('volume');
  await page.getByTestId('pacs-send').click();
  await expect(page.getByTestId('pacs-info')).toContainText('Sent the 3-D mask', { timeout: 15_000 });

  const segs = (await qido(`/studies/${ct.study}/series?Modality=SEG`))
    .map((d) => val(d, '0020000E'))
    .filter((u) => !segsBefore.has(u));
  expect(segs).toHaveLength(1);
  try {
    // one SEG instance in Orthanc: a frame per non-empty slice, each referencing its slice; every instance listed
    const insts = await qido(`/studies/${ct.study}/series/${segs[0]}/instances`);
    expect(insts).toHaveLength(1);
    const sop = val(insts[0], '00080018');
    const seg = await fetchSeg(ct.study, segs[0], sop);
    expect(seg).toMatchObject({ Modality: 'SEG', StudyInstanceUID: ct.study, NumberOfFrames: nonEmpty.length });
    const list = <T,>(v: unknown): T[] => (Array.isArray(v) ? v : [v]) as T[];
    const ref = list<Record<string, unknown>>(seg.ReferencedSeriesSequence)[0];
    expect(ref.SeriesInstanceUID).toBe(source.uid);
    expect(list<Record<string, string>>(ref.ReferencedInstanceSequence).map((r) => r.ReferencedSOPInstanceUID).sort()).toEqual([...frames].sort());
    const perFrame = list<Record<string, unknown>>(seg.PerFrameFunctionalGroupsSequence).map(
      (g) => list<Record<string, unknown>>(list<Record<string, unknown>>(g.DerivationImageSequence)[0].SourceImageSequence)[0].ReferencedSOPInstanceUID,
    );
    expect(perFrame).toEqual(nonEmpty.map((k) => frames[k]));
    // and the stored file as pydicom and highdicom read it, against the source files
    const facts = checkSeg(await fetchInstanceBytes(ct.study, segs[0], sop), { ...sent, algorithmType: 'SEMIAUTOMATIC', algorithmName: `${info.modelId}@${info.bundleHash}` }, files);
    expect(facts).toMatchObject({ highdicomDice: 1, referencedInstances: 5, voxels: voxelsOf(sent.mask) });

    // A fresh browser profile: the SEG opens its series from the PACS as the 3-D reference, Dice 1.0 with what was sent
    const ctx2 = await browser.newContext();
    const foreign2 = recordForeignRequests(ctx2, baseURL);
    const page2 = await ctx2.newPage();
    const { app: app2, pacs: pacs2 } = await openCtStudy(page2, ct.study);
    await pacs2.series(segs[0]).getByTestId('pacs-open').click();
    await app2.until((st) => expect(st.scan?.frames).toBe(5), 30_000);
    await expect(page2.getByTestId('volume-reference')).toContainText('PACS SEG', { timeout: 15_000 });
    await expect(page2.getByTestId('pacs-info')).toContainText('3-D reference');
    const got = await page2.evaluate(() => window.__vlsmVolumeSeg!.referencePixels());
    expect(got).not.toBeNull();
    expect(dice(got!, sent.mask)).toBe(1);
    expect(got).toBe(sent.mask);
    expect(foreign2).toEqual([]);
    await ctx2.close();
  } finally {
    for (const u of segs) await deleteSeries(u);
  }
  expect(foreign).toEqual([]);
});

test('the panel says plainly: unreachable, wrong login, unreadable transfer syntax, dropped connection, cancel', async ({
  page,
  context,
  baseURL,
}) => {
  const app = new Workbench(page);
  await app.goto();
  const pacs = new PacsPanel(page);
  await pacs.open();

  // Nothing listens on this port (PORT+9 of this checkout's range): no answer.
  const dead = `http://127.0.0.1:${Number(new URL(baseURL!).port) + 9}/dicom-web`;
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  await pacs.configure(dead);
  let t0 = Date.now();
  await pacs.search({ name: 'x' });
  await expect(pacs.error()).toContainText('cannot be reached');
  expect(Date.now() - t0).toBeLessThan(5000);
  expect(requests.filter((u) => !u.startsWith(new URL(baseURL!).origin) && !u.startsWith(dead))).toEqual([]);

  // Wrong password: 401, said as such (and no browser login dialog: the test would hang on it).
  await pacs.configure(APP_PACS, 'vlsm', 'not-the-password');
  t0 = Date.now();
  await pacs.search({});
  await expect(pacs.error()).toContainText('refused the user name or password');
  expect(Date.now() - t0).toBeLessThan(5000);

  await pacs.configure(APP_PACS);
  const before = (await savedScans(page)).length;

  // An MPEG-2 object: stored by the PACS, unreadable here.
  const video = await studyOf('VLSM-SYNTH-VIDEO');
  await pacs.search({ accession: 'SYNTHVIDEO' });
  await pacs.chooseStudy(video.study);
  await pacs.series(video.series[0].uid).getByTestId('pacs-open').click();
  await expect(pacs.error()).toContainText('cannot be opened');
  await expect(pacs.error()).toContainText('transfer syntax');

  // The connection drops at the 10th image of 24: an error, nothing stored.
  const phantom = await studyOf('VLSM-SYNTH-24');
  await pacs.search({ accession: 'SYNTH24' });
  await pacs.chooseStudy(phantom.study);
  let n = 0;
  await page.route(isRetrieve, (route) => (++n === 10 ? route.abort('connectionreset') : route.continue()));
  await pacs.series(phantom.series[0].uid).getByTestId('pacs-open').click();
  await expect(pacs.error()).toContainText('connection to the PACS');
  await expect(pacs.error()).toContainText('nothing of this series was saved');
  await expect(page.getByTestId('pacs-transfer')).toHaveCount(0);
  expect(await savedScans(page)).toHaveLength(before);
  await page.unrouteAll({ behavior: 'wait' });

  // Cancel while images are held back: stops at once, nothing stored; later the series opens whole.
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  n = 0;
  await page.route(isRetrieve, async (route) => {
    if (++n > 5) await held;
    await route.continue().catch(() => {});
  });
  await pacs.series(phantom.series[0].uid).getByTestId('pacs-open').click();
  await expect(page.getByTestId('pacs-transfer')).toContainText('5 of 24');
  await page.getByTestId('pacs-cancel').click();
  await expect(page.getByTestId('pacs-info')).toContainText('Cancelled');
  await expect(page.getByTestId('pacs-transfer')).toHaveCount(0);
  release();
  await page.unrouteAll({ behavior: 'wait' });
  expect(await savedScans(page)).toHaveLength(before);
  expect((await app.state()).scans).toHaveLength(before);

  await pacs.series(phantom.series[0].uid).getByTestId('pacs-open').click();
  await app.until((st) => expect(st.scan).toMatchObject({ frames: 24, width: 128, height: 128 }), 30_000);
  expect(await savedScans(page)).toHaveLength(before + 1);
});
