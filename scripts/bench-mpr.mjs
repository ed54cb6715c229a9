#!/usr/bin/env node
// npm run bench:mpr — the MPR and 3-D correction maths on a 512 x 512 x 300 int16 volume in Node (the
// same TypeScript the views run, loaded through Vite's SSR module loader): reslicing a slice of each
// plane to RGBA (what a view does when its slice or window changes, before putImageData), reslicing the
// mask, filling between two slices 20 apart, a 3-D component keep/remove, undo of a coronal stroke. The
// browser adds putImageData and one drawImage per view (e2e/bigvolume.spec.ts prints those in-page
// figures). Prints JSON and writes bench/results/<date>-mpr.json with date, load and command.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createServer } from 'vite';

const NX = 512, NY = 512, NZ = 300;
const server = await createServer({ server: { middlewareMode: true, hmr: false }, appType: 'custom', logLevel: 'error', optimizeDeps: { noDiscovery: true } });
const stats = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  const r = (v) => Math.round(v * 1000) / 1000;
  return { n: s.length, median: r(s[Math.floor(s.length / 2)]), min: r(s[0]), max: r(s[s.length - 1]) };
};
const time = (fn) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};
try {
  const mpr = await server.ssrLoadModule('/src/scan/volume/mpr.ts');
  const edit = await server.ssrLoadModule('/src/mask/volumeEdit.ts');
  const paint = await server.ssrLoadModule('/src/mask/paint.ts');
  const load0 = loadavg();
  const data = new Int16Array(NX * NY * NZ);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) % 2000 - 1000;
  const scan = {
    name: 'bench', format: 'nifti', width: NX, height: NY, frames: NZ, shape: [NX, NY, NZ], channels: 1, dtype: 'int16', data,
    spacing: [0.7, 0.7, 1.5], spacingKnown: true, photometric: 'MONOCHROME2', window: { center: 40, width: 400 }, range: [-1000, 999],
    metadata: {}, geometry: { affine: [-0.7, 0, 0, 0, 0, -0.7, 0, 0, 0, 0, 1.5, 0, 0, 0, 0, 1] },
  };
  const g = mpr.mprGeometry(scan);
  const result = { reslice: {}, resliceMask: {} };
  const mask = new Uint8Array(NX * NY * NZ);
  for (let z = 100; z < 200; z++) for (let y = 200; y < 300; y++) mask.fill(1, (z * NY + y) * NX + 200, (z * NY + y) * NX + 300);
  for (const plane of mpr.PLANES) {
    const p = g.planes[plane];
    const rgba = new Uint8ClampedArray(p.width * p.height * 4);
    const steps = Math.min(60, p.slices);
    const img = [];
    const msk = [];
    for (let k = 0; k < steps; k++) {
      const s = Math.floor((k * (p.slices - 1)) / (steps - 1));
      img.push(time(() => mpr.resliceRGBA(scan, p, s, { center: 40 + k, width: 400 }, false, rgba)));
      msk.push(time(() => mpr.resliceMaskRGBA(mask, p, s, [0, 220, 255], rgba)));
    }
    result.reslice[plane] = { size: `${p.width}x${p.height}`, ...stats(img.slice(5)) };
    result.resliceMask[plane] = stats(msk.slice(5));
  }
  // fill between two axial slices 20 apart (discs of radius 40 and 80 px)
  const vol = new Uint8Array(NX * NY * NZ);
  const ax = g.planes.axial;
  for (const [s, r] of [[100, 40], [120, 80]]) {
    const m = edit.readPlaneMask(vol, ax, s);
    paint.paintDisc(m, 256, 256, r, 1);
    edit.writePlaneMask(vol, ax, s, m);
  }
  let changed = 0;
  result.fillBetween20 = { ms: Math.round(time(() => (changed = edit.interpolateBetween(vol, ax, 100, 120, ax.spacingU, ax.spacingV).indices.length))), voxelsChanged: changed };
  // components: the filled shape (one component) plus a stray blob; remove the blob, keep the shape
  const blob = edit.readPlaneMask(vol, ax, 50);
  paint.paintDisc(blob, 60, 60, 10, 1);
  edit.writePlaneMask(vol, ax, 50, blob);
  const seed = (110 * NY + 256) * NX + 256;
  result.component6 = { ms: Math.round(time(() => (changed = edit.component6(vol, g.dims, seed).length))), voxels: changed };
  result.removeComponent = { ms: Math.round(time(() => (changed = edit.removeComponent(vol, g.dims, (50 * NY + 60) * NX + 60).indices.length))), voxels: changed };
  result.keepComponent = { ms: Math.round(time(() => (changed = edit.keepComponent(vol, g.dims, seed).indices.length))), voxelsCleared: changed };
  // a brush stroke down a coronal slice (spans 300 axial slices), recorded and undone in one step
  const co = g.planes.coronal;
  const before = edit.readPlaneMask(vol, co, 256);
  const after = edit.readPlaneMask(vol, co, 256);
  paint.paintCapsule(after, { x: 100, y: 5 }, { x: 100, y: 295 }, 6, 1);
  const h = new edit.VolumeHistory(vol);
  result.coronalStroke = {
    commitMs: Math.round(time(() => (edit.writePlaneMask(vol, co, 256, after), h.push(edit.planeDiff(co, 256, before, after)))) * 100) / 100,
    undoMs: Math.round(time(() => (changed = h.undo().indices.length)) * 100) / 100,
    voxels: changed,
  };
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const out = {
    bench: 'mpr', date: new Date().toISOString(), command: 'npm run bench:mpr', commit, node: process.version,
    machine: { cpus: cpus().length, loadAverage: [load0, loadavg()].map((l) => l.map((v) => Math.round(v * 100) / 100)) },
    volume: { width: NX, height: NY, slices: NZ, dtype: 'int16', spacing: scan.spacing },
    unit: 'ms', ...result,
  };
  console.log(JSON.stringify(out, null, 2));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${out.date.slice(0, 10)}-mpr.json`, JSON.stringify(out, null, 2) + '\n');
} finally {
  await server.close();
}
