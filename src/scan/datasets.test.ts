// Real 2-D dataset images and masks load with sane sizes and colour modes: a deterministic sample of
// at least 20 pairs per dataset folder (every file whose name has a space, and the odd colour modes, included).
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readScan } from './index';
import { DATA_ROOT, hasData, readData } from './testing/data';

const PER_DATASET = 20;

function listDir(rel: string): string[] {
  return readdirSync(resolve(DATA_ROOT, rel)).filter((f) => !f.startsWith('.')).sort();
}

/** Evenly spread picks, so every run tests the same files across the whole folder. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

const stem = (f: string): string => f.replace(/\.[^.]+$/, '');

function pairs(ds: string): [string, string][] {
  const masks = new Map(listDir(`${ds}/masks`).map((m) => [stem(m).replace(/_mask$/, ''), m]));
  return listDir(`${ds}/images`)
    .filter((i) => masks.has(stem(i)))
    .map((i) => [`${ds}/images/${i}`, `${ds}/masks/${masks.get(stem(i))}`]);
}

const DATASETS = ['kvasir-seg', 'busi', 'fuseg2021', 'covid-cxr-lungs', 'ph2'];

describe.skipIf(!hasData)('dataset images and masks', () => {
  for (const ds of DATASETS) {
    it(`${ds}: ${PER_DATASET}+ image/mask pairs load`, async () => {
      const all = pairs(ds);
      expect(all.length).toBeGreaterThanOrEqual(PER_DATASET);
      // Always include the awkward ones: names with spaces, BMP originals, a format unlike the folder's first file.
      const ext = (f: string): string => f.split('.').pop()?.toLowerCase() ?? '';
      const awkward = all.filter(([i]) => / |\.bmp$/i.test(i) || ext(i) !== ext(all[0][0])).slice(0, 10);
      const chosen = [...new Map([...spread(all, PER_DATASET), ...awkward].map((p) => [p[0], p])).values()];
      const modes = new Set<string>();
      for (const [img, mask] of chosen) {
        const a = await readScan(readData(img));
        const m = await readScan(readData(mask));
        for (const s of [a, m]) {
          expect(s.width, img).toBeGreaterThanOrEqual(16);
          expect(s.height, img).toBeGreaterThanOrEqual(16);
          expect(s.width, img).toBeLessThanOrEqual(8192);
          expect(s.frames).toBe(1);
          expect(s.data.length).toBe(s.width * s.height * s.channels);
        }
        expect([m.width, m.height], `${mask} matches ${img}`).toEqual([a.width, a.height]);
        expect(m.range[1], mask).toBeLessThanOrEqual(255);
        modes.add(String(a.metadata.colorMode));
      }
      if (ds === 'covid-cxr-lungs') expect(modes.size).toBeGreaterThanOrEqual(2);
    }, 60_000);
  }

  // The PH2 originals are BMP (24-bit images, 1-bit or 8-bit lesion masks); the PNGs here are lossless re-encodes.
  const bmpDir = resolve(DATA_ROOT, 'ph2/original_bmp_samples');
  it.skipIf(!existsSync(bmpDir))('PH2 original BMPs load pixel-exact like their PNG re-encodes', async () => {
    const bmps = readdirSync(bmpDir, { recursive: true }).map(String).filter((f) => /\.bmp$/i.test(f));
    expect(bmps.length).toBeGreaterThan(0);
    for (const f of bmps) {
      const s = await readScan(readData(`ph2/original_bmp_samples/${f}`));
      expect(s.format).toBe('bmp');
      const id = /IMD\d+/.exec(f)?.[0] ?? '';
      const png = await readScan(readData(`ph2/${/lesion/i.test(f) ? 'masks' : 'images'}/${id}.png`));
      expect([s.width, s.height]).toEqual([png.width, png.height]);
      if (s.channels === png.channels) expect(s.data.every((v, i) => v === png.data[i])).toBe(true);
    }
  }, 60_000);

  it('BUSI: names with spaces and parentheses, and 1-bit masks as 0/255', async () => {
    const [img, mask] = pairs('busi').find(([i]) => i.includes('benign (1)')) ?? pairs('busi')[0];
    expect(img).toMatch(/ \(\d+\)/);
    const m = await readScan(readData(mask));
    expect(m.channels).toBe(1);
    expect(m.metadata.bitDepth).toBe(1);
    expect(m.range).toEqual([0, 255]);
  });

  it('covid-cxr-lungs: RGB, greyscale and RGBA sources all load; masks keep the 127 ignore value', async () => {
    const imgs = listDir('covid-cxr-lungs/images');
    const seen = new Map<string, string>();
    for (const f of imgs) {
      const s = await readScan(readData(`covid-cxr-lungs/images/${f}`));
      const key = `${s.format}:${s.metadata.colorMode}`;
      if (!seen.has(key)) seen.set(key, f);
    }
    const modes = [...seen.keys()].map((k) => k.split(':')[1]);
    expect(modes).toEqual(expect.arrayContaining(['L', 'RGB']));
    expect(modes.some((m) => m === 'RGBA' || m === 'RGB')).toBe(true);
    const mask = await readScan(readData(`covid-cxr-lungs/masks/${listDir('covid-cxr-lungs/masks')[0]}`));
    expect(mask.channels).toBe(1);
    const values = new Set(mask.data);
    expect([...values].every((v) => v === 0 || v === 127 || v === 255)).toBe(true);
  }, 120_000);
});
