// A volume as a radiologist exports it, end to end on real DICOM series of ../shared/data/sample-files:
// - a multi-segment DICOM SEG made independently with highdicom (models/tests/make_multiseg.py: three
//   segments, labels, display colours) loads as three 3-D reference layers with their labels, colours and
//   statistics; the Export panel writes one SEG of all the volume's layers (checked by pydicom and
//   highdicom: models/tests/seg_check.py), which loads back with Dice 1.0 per segment; its zip holds the
//   full-volume outputs (NIfTI per layer read by nibabel, label map, SEG, statistics), de-identified, and
//   per-slice PNGs only when asked;
// - the brush radius is in mm on a series with spacing (0.41 x 0.41 mm pixels, 1.5 mm slices): round in
//   mm, an ellipse in voxels on the coronal view; a plain image keeps pixels;
// - on a CT series the statistics are in HU and equal pydicom's own computation from the source files.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Download, type Page } from '@playwright/test';
import { unzipSync, strFromU8 } from 'fflate';
import { pythonExe } from '../src/engine/testing/python';
import { SHARED } from './pages/files';
import { appMask, checkSeg, paintOnSlice, voxelsOf } from './pages/seg3d';
import { Workbench, type FilePayload } from './pages/Workbench';

type Plane = 'axial' | 'coronal' | 'sagittal';
type Voxel = [number, number, number];
const VS = 'sample-files/dicom/niivue-series-VS-SEG-001';
const CT = 'sample-files/dicom/pydicom/series-CT5N-16x16';
const filesOf = (rel: string): FilePayload[] =>
  readdirSync(join(SHARED, rel)).sort().map((n) => ({ name: n, mimeType: 'application/octet-stream', buffer: readFileSync(join(SHARED, rel, n)) }));
const pathsOf = (rel: string): string[] => readdirSync(join(SHARED, rel)).sort().map((n) => join(SHARED, rel, n));
const bytesOf = async (dl: Download): Promise<Buffer> => readFileSync((await dl.path())!);
const download = async (page: Page, testid: string): Promise<{ name: string; bytes: Buffer }> => {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  return { name: dl.suggestedFilename(), bytes: await bytesOf(dl) };
};
const py = (modules: string): string => {
  const exe = pythonExe(modules);
  expect(exe, `${modules} in .venv (models/requirements.txt)`).not.toBeNull();
  return exe!;
};
const near = (a: number[], b: number[], tol: number) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

interface Made {
  sops: string[];
  shape: [number, number, number];
  segments: { label: string; rgb: [number, number, number]; algorithmType: string; algorithmName: string; mask: string; voxels: number }[];
}

test('a multi-segment SEG: a 3-D layer per segment, one SEG of all layers from the Export panel (pydicom/highdicom), Dice 1.0 per segment back, the volume zip', async ({ page }) => {
  test.setTimeout(240_000);
  const wb = new Workbench(page);
  await wb.goto();
  await wb.openFiles(filesOf(VS));
  await wb.until((st) => expect(st.scan).toMatchObject({ format: 'dicom', frames: 3, width: 512, height: 512 }), 60_000);
  const dir = mkdtempSync(join(tmpdir(), 'vlsm-volexp-'));
  const made = JSON.parse(execFileSync(py('numpy, pydicom, highdicom'), ['models/tests/make_multiseg.py', join(dir, 'hd.dcm'), ...pathsOf(VS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 })) as Made;

  // every segment its own layer, with its label, colour (from RecommendedDisplayCIELabValue) and statistics
  await page.getByTestId('volume-reference-input').setInputFiles({ name: 'highdicom_seg.dcm', mimeType: 'application/dicom', buffer: readFileSync(join(dir, 'hd.dcm')) });
  await expect(page.getByTestId('volume-reference-item')).toHaveCount(3, { timeout: 15_000 });
  const refs = await page.evaluate(() => window.__vlsmVolumeSeg!.references());
  expect(refs.map((r) => r.label)).toEqual(['tumour', 'cochlea', 'nerve']);
  refs.forEach((r, i) => expect(near(r.rgb, made.segments[i].rgb, 2), `colour of ${r.label}: ${r.rgb} vs ${made.segments[i].rgb}`).toBe(true));
  for (let i = 0; i < 3; i++) expect(await page.evaluate((k) => window.__vlsmVolumeSeg!.referencePixels(k), i)).toBe(made.segments[i].mask);
  await expect(page.getByTestId('volume-reference-label-2')).toHaveText('“cochlea”');
  await expect(page.getByTestId('volume-reference-stats-voxels')).toHaveText(String(made.segments[0].voxels));
  await expect(page.getByTestId('volume-reference-stats-3-voxels')).toHaveText(String(made.segments[2].voxels));
  // 0.41 x 0.41 x 1.5 mm voxels: mL from the spacing
  const ml = (made.segments[0].voxels * 0.41015625 * 0.41015625 * 1.5) / 1000;
  await expect(page.getByTestId('volume-reference-stats-ml')).toHaveText(`${ml.toFixed(1)} mL`);

  // the Export panel on a volume: full-volume outputs first, the slice's 2-D formats folded away
  const panel = page.getByTestId('export-panel');
  await expect(panel.getByTestId('export-volume')).toBeVisible();
  await expect(panel.getByTestId('export-slice')).not.toHaveAttribute('open');
  const pseudonym = (await panel.getByTestId('export-privacy').textContent())!.match(/ANON-[0-9A-F]{6}/)![0];
  const seg = await download(page, 'export-volume-seg');
  expect(seg.name).toMatch(/^study-[0-9a-f]{6}_3_segments_seg3d\.dcm$/);
  const expected = {
    shape: made.shape, sops: made.sops, frameNumbers: made.sops.map(() => null), pseudonym,
    segments: made.segments.map((s) => ({ mask: s.mask, label: s.label, rgb: s.rgb, algorithmType: s.algorithmType, algorithmName: s.algorithmName })),
  };
  const facts = checkSeg(seg.bytes, expected, pathsOf(VS));
  expect((facts.segments as { label: string; algorithmType: string; highdicomDice: number }[]).map((s) => [s.label, s.algorithmType, s.highdicomDice])).toEqual([
    ['tumour', 'MANUAL', 1], ['cochlea', 'SEMIAUTOMATIC', 1], ['nerve', 'MANUAL', 1],
  ]);

  // the app's own SEG back: the same three layers, Dice 1.0 each
  await page.getByTestId('volume-reference-input').setInputFiles({ name: 'app_seg.dcm', mimeType: 'application/dicom', buffer: seg.bytes });
  await expect(page.getByTestId('volume-reference')).toContainText('app_seg.dcm', { timeout: 15_000 });
  const back = await page.evaluate(() => window.__vlsmVolumeSeg!.references());
  expect(back.map((r) => [r.label, r.algorithmType])).toEqual([['tumour', 'MANUAL'], ['cochlea', 'SEMIAUTOMATIC'], ['nerve', 'MANUAL']]);
  for (let i = 0; i < 3; i++) expect(await page.evaluate((k) => window.__vlsmVolumeSeg!.referencePixels(k), i), `segment ${i + 1} back with Dice 1.0`).toBe(made.segments[i].mask);
  back.forEach((r, i) => expect(near(r.rgb, made.segments[i].rgb, 2)).toBe(true));

  // the zip: full-volume outputs, de-identified; no per-slice PNG unless asked
  const zip = unzipSync(new Uint8Array((await download(page, 'export-volume-zip')).bytes));
  const label = seg.name.slice(0, 'study-000000'.length);
  // (plus the prompt scores when the scan has prompt results)
  const runs = await page.evaluate(() => document.querySelectorAll('[data-testid="results-row"]').length);
  const names = Object.keys(zip).filter((n) => !(n === `${label}_scores.csv` || n === `${label}_scores.json`)).sort();
  if (Object.keys(zip).length > names.length) expect(Object.keys(zip).length - names.length, `scores with ${runs} result rows`).toBe(2);
  expect(names).toEqual([
    `${label}_volume_stats.csv`, `${label}_volume_stats.json`, `masks/${label}_3_segments_seg3d.dcm`, `masks/${label}_cochlea.nii.gz`,
    `masks/${label}_labels.nii.gz`, `masks/${label}_nerve.nii.gz`, `masks/${label}_tumour.nii.gz`,
  ].sort());
  for (const n of names) expect(n).not.toMatch(/VS-SEG|1-00\d/);
  const stats = JSON.parse(strFromU8(zip[`${label}_volume_stats.json`]));
  expect(stats).toMatchObject({ type: 'vlsm-workbench/volume-stats', scan: label, modality: 'MR', shape: [512, 512, 3] });
  expect(stats.layers.map((l: { voxels: number }) => l.voxels)).toEqual(made.segments.map((s) => s.voxels));
  expect(strFromU8(zip[`${label}_volume_stats.csv`]).trim().split('\n')).toHaveLength(4);
  for (const [n, want] of [[`${label}_tumour`, made.segments[0].voxels], [`${label}_labels`, null]] as const) {
    const f = join(dir, `${n}.nii.gz`);
    writeFileSync(f, zip[`masks/${n}.nii.gz`]);
    const r = JSON.parse(execFileSync(py('numpy, nibabel'), ['-c', 'import sys,json,nibabel as n,numpy as np; d=np.asanyarray(n.load(sys.argv[1]).dataobj); print(json.dumps({"shape": list(d.shape), "counts": [int((d==v).sum()) for v in range(4)]}))', f], { encoding: 'utf8' }));
    expect(r.shape).toEqual([512, 512, 3]);
    if (want !== null) expect(r.counts[1]).toBe(want);
    // label map: a later layer over an earlier one (the nerve disc lies mostly inside the tumour disc)
    else {
      const [t, co, ne] = made.segments.map((x) => Buffer.from(x.mask, 'base64'));
      const want3 = [0, 0, 0];
      for (let j = 0; j < t.length; j++) if (ne[j]) want3[2]++; else if (co[j]) want3[1]++; else if (t[j]) want3[0]++;
      expect(r.counts.slice(1)).toEqual(want3);
      expect(want3[0]).toBeLessThan(made.segments[0].voxels);
    }
  }
  await panel.getByTestId('export-volume-per-slice').check();
  const withSlices = Object.keys(unzipSync(new Uint8Array((await download(page, 'export-volume-zip')).bytes)));
  expect(withSlices.filter((n) => n.startsWith('slices/') && n.endsWith('.png'))).toHaveLength(9);

  // kept with the scan
  await page.reload();
  await page.waitForFunction(() => !!window.__vlsm);
  await expect(page.getByTestId('volume-reference-item')).toHaveCount(3, { timeout: 30_000 });
});

test('the brush radius is in mm on a series with spacing: round in mm, an ellipse in voxels on the coronal view; pixels on a plain image', async ({ page }) => {
  test.setTimeout(180_000);
  const wb = new Workbench(page);
  await wb.goto();
  await wb.openFiles(filesOf(VS));
  await wb.until((st) => expect(st.scan).toMatchObject({ format: 'dicom', frames: 3 }), 60_000);
  await expect(page.getByTestId('brush-size-unit')).toHaveText('mm');
  await page.getByTestId('volume-mpr').click();
  await expect(page.getByTestId('mpr-coronal')).toBeVisible();
  await expect(page.getByTestId('mpr-radius-unit')).toHaveText('mm');
  await page.getByTestId('mpr-radius').fill('3');
  // 3 mm = 7.3 voxels of 0.41 mm across and 2 slices of 1.5 mm
  await expect(page.getByTestId('mpr-radius-voxels')).toHaveText('= 7.3 × 7.3 × 2.0 vox');
  const st = await page.evaluate(() => window.__vlsmMpr!.state());
  const coronal = st.planes!.coronal;
  expect(coronal.n).toBe(1); // the coronal view looks along the rows (y): its image is x across, slices down
  // the crosshair to row 256, then one dab on the coronal view at x = 256 on slice 1
  await page.getByTestId('mpr-tool-crosshair').click();
  const a = await page.evaluate(() => window.__vlsmMpr!.screenOf('axial', [256, 256, 1]));
  await page.mouse.click(a!.x, a!.y);
  await expect.poll(async () => (await page.evaluate(() => window.__vlsmMpr!.state())).point).toEqual([256, 256, 1]);
  await page.getByTestId('mpr-tool-brush').click();
  const c = await page.evaluate(([pl, v]) => window.__vlsmMpr!.screenOf(pl as Plane, v as Voxel), ['coronal', [256, 256, 1]] as const);
  await page.mouse.move(c!.x, c!.y);
  await page.mouse.down();
  await page.mouse.up();
  await expect.poll(async () => (await page.evaluate(() => window.__vlsmMpr!.state())).voxels ?? 0).toBeGreaterThan(0);
  const m = await appMask(page);
  const vox = Buffer.from(m.mask, 'base64');
  const at = (x: number, y: number, k: number) => vox[k * 512 * 512 + y * 512 + x];
  // on row y = 256: the extent across x on slice 1 is 6 mm / 0.41 = 14-15 voxels, in k 4 mm / 1.5: slices 0-2
  const across = Array.from({ length: 512 }, (_, x) => at(x, 256, 1)).reduce((s, v) => s + v, 0);
  expect(across).toBeGreaterThanOrEqual(13);
  expect(across).toBeLessThanOrEqual(15);
  expect([0, 1, 2].map((k) => at(256, 256, k))).toEqual([1, 1, 1]);
  // nothing off the coronal slice (a stroke on one coronal slice edits only row 256)
  expect(voxelsOf(m.mask)).toBe([0, 1, 2].reduce((s, k) => s + Array.from({ length: 512 }, (_, x) => at(x, 256, k)).reduce((t, v) => t + v, 0), 0));
  // its size in mm is round: 6 mm across, and the slices it spans (3 x 1.5 mm = 4.5 mm) hold the 6 mm disc's middle
  expect(across * 0.41015625).toBeGreaterThan(5);
  expect(across * 0.41015625).toBeLessThan(6.5);

  // a plain image keeps pixels
  await wb.openDemo('endoscopy');
  await expect(page.getByTestId('brush-size-unit')).toHaveText('px', { timeout: 30_000 });
});

test('CT series: the 3-D mask statistics are in HU, equal to pydicom’s from the source files, in the panel and the export', async ({ page }) => {
  test.setTimeout(180_000);
  const wb = new Workbench(page);
  await wb.goto();
  await wb.openFiles(filesOf(CT));
  await wb.until((st) => expect(st.scan).toMatchObject({ format: 'dicom', frames: 5 }), 60_000);
  await paintOnSlice(page, 2, 8, 8, 2);
  const m = await appMask(page);
  const dir = mkdtempSync(join(tmpdir(), 'vlsm-volct-'));
  writeFileSync(join(dir, 'mask.json'), JSON.stringify(m));
  const ref = JSON.parse(
    execFileSync(py('numpy, pydicom'), ['-c', `
import sys, json, base64, numpy as np, pydicom
m = json.load(open(sys.argv[1]))
ds = [pydicom.dcmread(p) for p in sys.argv[2:]]
n = np.cross([float(v) for v in ds[0].ImageOrientationPatient[:3]], [float(v) for v in ds[0].ImageOrientationPatient[3:]])
ds.sort(key=lambda d: float(np.dot([float(v) for v in d.ImagePositionPatient], n)))
hu = np.stack([d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in ds])
mask = np.frombuffer(base64.b64decode(m["mask"]), np.uint8).reshape(m["shape"]) > 0
v = hu[mask]
print(json.dumps({"voxels": int(mask.sum()), "mean": float(v.mean()), "sd": float(v.std()), "min": float(v.min()), "max": float(v.max())}))
`, join(dir, 'mask.json'), ...pathsOf(CT)], { encoding: 'utf8' }),
  );
  await expect(page.getByTestId('volume-voxels')).toHaveText(String(ref.voxels));
  await expect(page.getByTestId('volume-stats')).toContainText('HU');
  const f = await download(page, 'export-volume-stats-json');
  const layer = JSON.parse(f.bytes.toString('utf8')).layers[0];
  expect(layer).toMatchObject({ number: 1, kind: '3-D mask', voxels: ref.voxels, intensity: { unit: 'HU', min: ref.min, max: ref.max } });
  expect(layer.intensity.mean).toBeCloseTo(ref.mean, 6);
  expect(layer.intensity.sd).toBeCloseTo(ref.sd, 4);
  // 0.488 x 0.488 x 2.5 mm voxels
  expect(layer.volumeMl).toBeCloseTo((ref.voxels * 0.488281 * 0.488281 * 2.5) / 1000, 5);
});
