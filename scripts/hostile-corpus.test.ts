// The hostile corpus through the readers in Node (fast; the browser run is e2e/hostile.spec.ts): every
// scan and mask case ends as expected, refusals with their message and never raw library text.
import { describe, expect, it } from 'vitest';
import { readScan } from '../src/scan/readScan';
import { readMaskFile } from '../src/scan/writers/maskImport';
import { hostileCorpus, MASK_HOST, RAW_LIBRARY_TEXT } from './hostile-corpus';

const corpus = hostileCorpus();

describe('hostile corpus', () => {
  it('has at least 100 cases across every kind', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    expect(new Set(corpus.map((c) => c.id)).size).toBe(corpus.length);
    for (const t of ['scan', 'mask', 'study', 'bundle']) expect(corpus.some((c) => c.target === t)).toBe(true);
  });

  it('scan and mask cases end as expected in the readers', async () => {
    const host = await readScan({ name: MASK_HOST.name, bytes: MASK_HOST.bytes });
    const wrong: string[] = [];
    for (const c of corpus.filter((x) => x.target === 'scan' || x.target === 'mask')) {
      const f = c.files[0];
      const t0 = performance.now();
      let error: string | null = null;
      try {
        if (c.target === 'scan') await readScan({ name: f.name, bytes: f.bytes });
        else readMaskFile({ name: f.name, bytes: f.bytes }, host, 0);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      const ms = performance.now() - t0;
      const ok = c.expect === 'opens' ? error === null : error !== null && (!c.message || c.message.test(error)) && !RAW_LIBRARY_TEXT.test(error);
      if (!ok || ms > 3000) wrong.push(`${c.id}: expected ${c.expect}, got ${error ?? 'opened'} (${ms.toFixed(0)} ms)`);
    }
    expect(wrong).toEqual([]);
  });

  it('a NIfTI with ±Infinity voxels opens with a finite window from its finite voxels', async () => {
    const c = corpus.find((x) => x.id === 'nii-voxels-inf')!;
    const scan = await readScan({ name: c.files[0].name, bytes: c.files[0].bytes });
    expect(scan.range).toEqual([2, 63]);
    expect(Number.isFinite(scan.window.center) && Number.isFinite(scan.window.width)).toBe(true);
  });
});
