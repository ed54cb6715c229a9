// The PACS layer without a server: a real 5-slice CT series from ../shared/data stacked into one volume in
// position order whatever order its files arrive in; the bounded pool; QIDO parameters; error wording.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readScan } from '../scan';
import { DATA_ROOT, hasData, readData } from '../scan/testing/data';
import { PacsError, resolveUrl, studyParams, toPacsError } from './client';
import { runPool } from './pool';
import { DEFAULT_POOL, PACS_BENCH_RESULT, seriesVolume } from './series';
import { stackByInstance, type Slice } from './stack';

const SERIES = 'sample-files/dicom/pydicom/series-CT5N-16x16';

describe.skipIf(!hasData)('seriesVolume on a real series', () => {
  it('orders slices by ImagePositionPatient along the normal, keeps each slice UID and position, spaces by position', async () => {
    const files = readdirSync(`${DATA_ROOT}/${SERIES}`).sort();
    const slices: Slice[] = [];
    for (const f of files) {
      const scan = await readScan(readData(`${SERIES}/${f}`));
      slices.push({ scan, instanceNumber: 0 });
    }
    const z = slices.map((s) => s.scan.geometry!.dicom!.imagePositionPatient![0][2]);
    const byZ = slices.map((_, i) => i).sort((a, b) => z[a] - z[b]);
    // Arrival order reversed and rotated: the volume must not depend on it.
    const shuffled = [...slices.slice(2), ...slices.slice(0, 2)].reverse();
    const { scan: vol, problems } = seriesVolume('CT5N', shuffled);
    expect(problems).toEqual([]);
    expect(vol.name).toBe('CT5N');
    expect(vol).toMatchObject({ frames: 5, width: 16, height: 16, channels: 1, shape: [5, 16, 16] });
    const plane = 256;
    byZ.forEach((src, k) => {
      expect(Array.from(vol.data.subarray(k * plane, (k + 1) * plane))).toEqual(
        Array.from(slices[src].scan.data),
      );
      expect(vol.geometry!.dicom!.sopInstanceUIDs![k]).toBe(
        slices[src].scan.geometry!.dicom!.sopInstanceUIDs![0],
      );
    });
    const zs = byZ.map((i) => z[i]);
    expect(vol.spacing[2]).toBeCloseTo(Math.abs(zs[4] - zs[0]) / 4, 5);
    expect(vol.geometry!.dicom!.imagePositionPatient!.map((p: number[]) => p[2])).toEqual(zs);
  });

  it('opens the largest part and says what was left out when the images do not make one volume', async () => {
    const a = await readScan(readData('sample-files/dicom/pydicom/CT_small.dcm'));
    const files = readdirSync(`${DATA_ROOT}/${SERIES}`).sort();
    const ct: Slice[] = [];
    for (const f of files)
      ct.push({ scan: await readScan(readData(`${SERIES}/${f}`)), instanceNumber: ct.length + 1 });
    const { scan, problems } = seriesVolume('mixed', [...ct, { scan: a, instanceNumber: 9 }]);
    expect(scan.frames).toBe(5);
    expect(problems.join(' ')).toMatch(/largest/);
  });
});

describe('stackByInstance', () => {
  const img = (v: number, w = 2) =>
    ({
      width: w,
      height: 2,
      channels: 1,
      frames: 1,
      data: new Uint8Array(w * 2).fill(v),
      format: 'dicom',
      geometry: { dicom: { sopInstanceUIDs: [`1.${v}`] } },
    }) as never;
  it('stacks images without geometry by instance number, or refuses mixed sizes', () => {
    const s = stackByInstance('us', [
      { scan: img(3), instanceNumber: 3 },
      { scan: img(1), instanceNumber: 1 },
      { scan: img(2), instanceNumber: 2 },
    ])!;
    expect(Array.from(s.data)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    expect(s.geometry!.dicom!.sopInstanceUIDs).toEqual(['1.1', '1.2', '1.3']);
    expect(
      stackByInstance('x', [
        { scan: img(1), instanceNumber: 1 },
        { scan: img(2, 3), instanceNumber: 2 },
      ]),
    ).toBeNull();
  });
});

describe('runPool', () => {
  it('never has more than `size` in flight, keeps item order, and stops after the first failure', async () => {
    let live = 0;
    let peak = 0;
    const out = await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
      live++;
      peak = Math.max(peak, live);
      await new Promise((r) => setTimeout(r, 5 * (8 - x)));
      live--;
      return x * 10;
    });
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(peak).toBe(3);
    const started: number[] = [];
    await expect(
      runPool([1, 2, 3, 4, 5, 6], 2, async (x, _i, signal) => {
        started.push(x);
        if (x === 2) throw new Error('boom');
        await new Promise((r) => setTimeout(r, 20));
        expect(signal.aborted).toBe(true); // the in-flight sibling sees the abort
        return x;
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });

  it('rejects at once when cancelled', async () => {
    const ac = new AbortController();
    const p = runPool(
      [1, 2, 3],
      1,
      async (_x, _i, signal) => {
        ac.abort();
        expect(signal.aborted).toBe(true);
        return 1;
      },
      ac.signal,
    );
    await expect(p).rejects.toBeDefined();
  });
});

describe('QIDO parameters and messages', () => {
  it('builds study search parameters from the form', () => {
    expect(
      studyParams({
        patientName: 'doe',
        patientId: ' 42 ',
        dateFrom: '2001-01-01',
        dateTo: '2001-02-01',
        modality: 'ct',
        accession: 'A7',
      }),
    ).toMatchObject({
      PatientName: '*doe*',
      PatientID: '42',
      StudyDate: '20010101-20010201',
      ModalitiesInStudy: 'CT',
      AccessionNumber: 'A7',
    });
    expect(studyParams({ dateFrom: '2001-01-01', dateTo: '2001-01-01' }).StudyDate).toBe('20010101');
    expect(studyParams({ dateFrom: '2001-01-01' }).StudyDate).toBe('20010101-');
    expect(studyParams({})).not.toHaveProperty('PatientName');
  });

  it('refuses addresses with credentials or another scheme, and resolves the proxy path on this origin', () => {
    expect(() => resolveUrl('https://u:p@pacs.example/dicom-web')).toThrow(/own fields/);
    expect(() => resolveUrl('ftp://pacs.example')).toThrow(/http/);
    expect(() => resolveUrl(' ')).toThrow(PacsError);
    expect(resolveUrl('/pacs/dicom-web/', 'http://127.0.0.1:4370/app').href).toBe(
      'http://127.0.0.1:4370/pacs/dicom-web',
    );
  });

  it('says what went wrong in the user’s words, naming the server but never the password', () => {
    const cfg = { url: 'https://pacs.example/dicom-web', username: 'dr', password: 's3cret-pw' };
    const cases: [number, RegExp, string][] = [
      [0, /cannot be reached/, 'unreachable'],
      [502, /cannot be reached/, 'unreachable'],
      [401, /refused the user name or password/, 'auth'],
      [403, /does not allow this account/, 'forbidden'],
      [406, /transfer syntax/, 'unsupported'],
      [500, /HTTP 500/, 'server'],
    ];
    for (const [status, text, kind] of cases) {
      const e = toPacsError({ status }, cfg, 'Searching studies');
      expect(e.message).toMatch(text);
      expect(e.kind).toBe(kind);
      expect(e.message).toContain('https://pacs.example/dicom-web');
      expect(e.message).not.toContain('s3cret-pw');
    }
    expect(toPacsError({ status: 0 }, cfg, 'Searching studies', true).kind).toBe('cancelled');
  });
});

describe('the default download pool', () => {
  it('is the best pool of the committed bench:pacs result, which says when, under what load and how it was measured', () => {
    const r = JSON.parse(readFileSync(PACS_BENCH_RESULT, 'utf8')) as {
      date: string; command: string; gitCommit: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[];
      byPool: { pool: number; openMs: number }[]; bestPool: number;
    };
    expect(r.command).toMatch(/bench-pacs\.mjs/);
    expect(r.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(r.loadAverageAtStart).toHaveLength(3);
    expect(r.loadAverageAtEnd).toHaveLength(3);
    const best = r.byPool.reduce((a, b) => (b.openMs < a.openMs ? b : a));
    expect(r.bestPool).toBe(best.pool);
    expect(DEFAULT_POOL).toBe(r.bestPool);
  });
});
