// The TotalSegmentator example volumes (a CT stored RAS, an MR stored LPS: ../shared/data/totalseg-examples) in the
// app, checked against anatomy. Their organ maps are model-made (TotalSegmentator), good enough to say where the
// liver, spleen, aorta and spinal cord are: nibabel gives each organ's centre in the file's voxels, and the app
// must draw the liver on the screen's left of the spleen in the axial and coronal views (the patient's right on
// screen left), the aorta above the spinal cord in the axial view (anterior up) and left of it in the sagittal view
// (anterior on screen left), whatever order the file stores its axes in. Then the CT is prompted on all slices,
// corrected by hand, exported as NIfTI (nibabel reads the source's affine) and reloaded.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { pythonExe } from '../src/engine/testing/python';
import { SHARED } from './pages/files';
import { paintOnSlice } from './pages/seg3d';
import { Workbench, type FilePayload } from './pages/Workbench';

const DIR = join(SHARED, 'totalseg-examples');
const file = (rel: string): FilePayload => ({ name: rel.split('/').pop()!, mimeType: 'application/octet-stream', buffer: readFileSync(join(DIR, rel)) });
type Voxel = [number, number, number];
type Plane = 'axial' | 'coronal' | 'sagittal';

/** Per organ: the centre (file voxel indices) of its voxels on the slice (third axis) where all four organs show most. */
function organCentres(name: string, task: string): Record<'liver' | 'spleen' | 'aorta' | 'spinal_cord', Voxel> {
  const py = pythonExe('numpy, nibabel');
  expect(py, 'nibabel in .venv (models/requirements.txt)').not.toBeNull();
  const script = `
import csv, json, sys, nibabel as n, numpy as np
lab = np.asanyarray(n.load(sys.argv[1]).dataobj)
ids = {r['name'].strip(): int(r['value']) for r in csv.DictReader(open(sys.argv[2], newline='')) if r['task'] == sys.argv[3]}
organs = ['liver', 'spleen', 'aorta', 'spinal_cord']
counts = np.array([[np.count_nonzero(lab[:, :, k] == ids[o]) for o in organs] for k in range(lab.shape[2])])
k = int(np.argmax(counts.min(axis=1)))
assert counts[k].min() > 0, 'no slice shows all four organs'
out = {}
for o in organs:
    i, j = np.nonzero(lab[:, :, k] == ids[o])
    out[o] = [int(round(i.mean())), int(round(j.mean())), k]
print(json.dumps(out))
`;
  return JSON.parse(execFileSync(py!, ['-c', script, join(DIR, 'labels', `${name}_seg.nii.gz`), join(DIR, 'label_table.csv'), task], { encoding: 'utf8' }));
}

async function openInThreeViews(page: Page, wb: Workbench, name: string, shape: Voxel): Promise<void> {
  await wb.openFiles([file(`volumes/${name}.nii.gz`)]);
  await wb.until((st) => expect(st.scan).toMatchObject({ format: 'nifti', frames: shape[2] }), 60_000);
  // 3 mm isotropic, recorded: no note about missing spacing
  await expect(page.getByTestId('geometry-note')).toHaveCount(0);
  // the single view's markers first (the three views stay on from the previous volume: switch them off)
  if ((await page.getByTestId('volume-mpr').getAttribute('aria-pressed')) === 'true') await page.getByTestId('volume-mpr').click();
  const markers = Object.fromEntries(await Promise.all(['left', 'right', 'top', 'bottom'].map(async (k) => [k, (await page.getByTestId(`orient-${k}`).textContent())?.trim()])));
  expect(markers).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
  await page.getByTestId('volume-mpr').click();
  await expect(page.getByTestId('mpr')).toBeVisible();
  await expect.poll(async () => (await page.evaluate(() => window.__vlsmMpr!.state())).dims).toEqual(shape);
}

async function expectAnatomy(page: Page, c: ReturnType<typeof organCentres>): Promise<void> {
  const at = async (plane: Plane, v: Voxel) => {
    const p = await page.evaluate(([pl, vx]) => window.__vlsmMpr!.screenOf(pl as Plane, vx as Voxel), [plane, v] as const);
    expect(p, `${plane} view shown`).not.toBeNull();
    return p!;
  };
  // the patient's right (liver) on screen left of the patient's left (spleen)
  expect((await at('axial', c.liver)).x).toBeLessThan((await at('axial', c.spleen)).x);
  expect((await at('coronal', c.liver)).x).toBeLessThan((await at('coronal', c.spleen)).x);
  // anterior (aorta) up in the axial view and on screen left in the sagittal view, of the spinal cord
  expect((await at('axial', c.aorta)).y).toBeLessThan((await at('axial', c.spinal_cord)).y);
  expect((await at('sagittal', c.aorta)).x).toBeLessThan((await at('sagittal', c.spinal_cord)).x);
}

test('TotalSegmentator CT (stored RAS) and MR (stored LPS): organs on the radiological sides in three views; the CT prompted on all slices, corrected, exported, reloaded', async ({ page }) => {
  test.setTimeout(300_000);
  const wb = new Workbench(page);
  await wb.goto();
  await expect(page.getByTestId('status-model')).toHaveAttribute('data-state', /ready|idle/, { timeout: 120_000 });

  await openInThreeViews(page, wb, 'example_mr_sm', [117, 91, 20]);
  await expectAnatomy(page, organCentres('example_mr_sm', 'total_mr'));

  await openInThreeViews(page, wb, 'example_ct_sm', [122, 101, 30]);
  const ct = organCentres('example_ct_sm', 'total');
  await expectAnatomy(page, ct);

  const panel = page.getByTestId('volume-panel');
  await panel.getByTestId('volume-prompt').fill('liver');
  await expect(panel.getByTestId('volume-run')).toBeEnabled({ timeout: 120_000 });
  await panel.getByTestId('volume-run').click();
  await expect(panel.getByTestId('volume-last')).toContainText('“liver”: 30 slices', { timeout: 180_000 });
  await expect(panel.getByTestId('volume-error')).toHaveCount(0);
  // a brush dab on the liver's slice, in the view that shows it: the mask becomes a corrected one
  await paintOnSlice(page, ct.liver[2], ct.liver[0], ct.liver[1], 2);
  expect((await page.evaluate(() => window.__vlsmMpr!.state())).provenance).toBe('corrected');
  const voxels = Number(await panel.getByTestId('volume-voxels').textContent());
  expect(voxels).toBeGreaterThan(0);

  const [dl] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('volume-export-nifti').click()]);
  const out = join(mkdtempSync(join(tmpdir(), 'vlsm-totalseg-')), dl.suggestedFilename());
  await dl.saveAs(out);
  const r = JSON.parse(
    execFileSync(pythonExe('numpy, nibabel')!, ['-c', `
import json, sys, nibabel as n, numpy as np
m, s = n.load(sys.argv[1]), n.load(sys.argv[2])
d = np.asanyarray(m.dataobj)
i, j, k = (int(x) for x in sys.argv[3:6])
print(json.dumps({"shape": list(d.shape), "sum": int(d.sum()), "max": int(d.max()), "affine": bool(np.allclose(m.affine, s.affine, atol=1e-4)), "painted": int(d[i, j, k])}))
`, out, join(DIR, 'volumes/example_ct_sm.nii.gz'), ...ct.liver.map(String)], { encoding: 'utf8' }),
  );
  // the painted voxel is where nibabel finds the liver's centre: the mask is in the source's voxel order
  expect(r).toEqual({ shape: [122, 101, 30], sum: voxels, max: 1, affine: true, painted: 1 });

  await page.reload();
  await page.waitForFunction(() => !!window.__vlsm);
  await expect(page.getByTestId('volume-result')).toContainText('“liver”', { timeout: 30_000 });
  await expect(page.getByTestId('volume-voxels')).toHaveText(String(voxels));
});
