// 3-D mask editing: plane read/write through strides, undo across slices (a coronal edit that spans
// axial slices is one step), shape-based interpolation between two slices, 6-connected components.
import { describe, expect, it } from 'vitest';
import { paintCapsule, paintDisc } from './paint';
import {
  component6, interpolateBetween, keepComponent, planeDiff, readPlaneMask, removeComponent, signedDistance,
  VolumeHistory, writePlaneMask, type PlaneStrides,
} from './volumeEdit';

const NX = 12;
const NY = 10;
const NZ = 8;
const dims: [number, number, number] = [NX, NY, NZ];
const at = (x: number, y: number, z: number): number => x + NX * (y + NY * z);
/** Planes of an NX x NY x NZ volume: axial (x, y | z), coronal (x, z | y), sagittal (y, z | x). */
const AXIAL: PlaneStrides = { width: NX, height: NY, slices: NZ, su: 1, sv: NX, sn: NX * NY };
const CORONAL: PlaneStrides = { width: NX, height: NZ, slices: NY, su: 1, sv: NX * NY, sn: NX };
const SAGITTAL: PlaneStrides = { width: NY, height: NZ, slices: NX, su: NX, sv: NX * NY, sn: 1 };
const count = (v: Uint8Array): number => v.reduce((s, x) => s + (x ? 1 : 0), 0);

describe('plane read / write', () => {
  it('a stroke on a coronal slice lands on that row of several axial slices', () => {
    const vol = new Uint8Array(NX * NY * NZ);
    const m = readPlaneMask(vol, CORONAL, 4);
    // vertical line down the coronal image at x = 3: z = 0..7
    paintCapsule(m, { x: 3.5, y: 0.5 }, { x: 3.5, y: 7.5 }, 0.5, 1);
    const c = writePlaneMask(vol, CORONAL, 4, m);
    expect(c.indices.length).toBe(NZ);
    for (let z = 0; z < NZ; z++) expect(vol[at(3, 4, z)]).toBe(1);
    expect(count(vol)).toBe(NZ);
    // read back through the sagittal plane x = 3: the column y = 4 is set on every z
    const s = readPlaneMask(vol, SAGITTAL, 3);
    for (let z = 0; z < NZ; z++) expect(s.data[z * NY + 4]).toBe(1);
    expect([...c.indices]).toEqual([...c.indices].sort((a, b) => a - b));
  });
});

describe('VolumeHistory', () => {
  it('undoes a coronal edit spanning many axial slices in one step, and redoes it', () => {
    const vol = new Uint8Array(NX * NY * NZ);
    vol[at(0, 0, 0)] = 1;
    const h = new VolumeHistory(vol);
    const before = readPlaneMask(vol, CORONAL, 5);
    const after = readPlaneMask(vol, CORONAL, 5);
    paintDisc(after, 6, 4, 3, 1);
    const change = planeDiff(CORONAL, 5, before, after);
    writePlaneMask(vol, CORONAL, 5, after);
    expect(h.push(change)).toBe(true);
    const zs = new Set([...change.indices].map((i) => Math.floor(i / (NX * NY))));
    expect(zs.size).toBeGreaterThan(3); // many axial slices touched
    const edited = vol.slice();
    expect(h.undoDepth).toBe(1);
    h.undo();
    expect(count(vol)).toBe(1);
    expect(h.redoDepth).toBe(1);
    h.redo();
    expect(vol).toEqual(edited);
    // an empty change is not a step
    expect(h.push(planeDiff(CORONAL, 5, after, after))).toBe(false);
    expect(h.undoDepth).toBe(1);
  });
  it('drops the oldest steps past its byte bound', () => {
    const vol = new Uint8Array(NX * NY * NZ);
    const h = new VolumeHistory(vol, 100);
    for (let z = 0; z < 4; z++) {
      const b = readPlaneMask(vol, AXIAL, z);
      const a = readPlaneMask(vol, AXIAL, z);
      a.data.fill(1, 0, 10); // 10 voxels = 60 bytes per step
      writePlaneMask(vol, AXIAL, z, a);
      h.push(planeDiff(AXIAL, z, b, a));
    }
    expect(h.undoDepth).toBe(1);
  });
});

describe('interpolateBetween (shape-based)', () => {
  it('blends two discs of different radius: radii in between grow linearly; ends untouched', () => {
    const vol = new Uint8Array(40 * 40 * 9);
    const g: PlaneStrides = { width: 40, height: 40, slices: 9, su: 1, sv: 40, sn: 1600 };
    const a = readPlaneMask(vol, g, 0);
    paintDisc(a, 20, 20, 4, 1);
    writePlaneMask(vol, g, 0, a);
    const b = readPlaneMask(vol, g, 8);
    paintDisc(b, 20, 20, 12, 1);
    writePlaneMask(vol, g, 8, b);
    const end0 = count(readPlaneMask(vol, g, 0).data);
    const end8 = count(readPlaneMask(vol, g, 8).data);
    const c = interpolateBetween(vol, g, 8, 0);
    expect(c.indices.length).toBeGreaterThan(0);
    const areas = Array.from({ length: 9 }, (_, s) => count(readPlaneMask(vol, g, s).data));
    expect(areas[0]).toBe(end0);
    expect(areas[8]).toBe(end8);
    for (let s = 1; s < 9; s++) expect(areas[s]).toBeGreaterThan(areas[s - 1]);
    // middle slice: radius ~8 -> area ~ pi * 64 = 201
    expect(Math.abs(areas[4] - Math.PI * 64)).toBeLessThan(25);
    // centred on the discs' centre
    expect(readPlaneMask(vol, g, 4).data[20 * 40 + 20]).toBe(1);
    expect(readPlaneMask(vol, g, 4).data[20 * 40 + 31]).toBe(0);
  });
  it('moves an overlapping shape between two positions (not a union of both)', () => {
    const vol = new Uint8Array(40 * 20 * 5);
    const g: PlaneStrides = { width: 40, height: 20, slices: 5, su: 1, sv: 40, sn: 800 };
    const a = readPlaneMask(vol, g, 0);
    paintDisc(a, 10, 10, 6, 1);
    writePlaneMask(vol, g, 0, a);
    const b = readPlaneMask(vol, g, 4);
    paintDisc(b, 18, 10, 6, 1);
    writePlaneMask(vol, g, 4, b);
    interpolateBetween(vol, g, 0, 4);
    const mid = readPlaneMask(vol, g, 2).data;
    let n = 0;
    let sx = 0;
    for (let i = 0; i < mid.length; i++) {
      if (!mid[i]) continue;
      n++;
      sx += i % 40;
    }
    expect(sx / n + 0.5).toBeCloseTo(14, 1); // centred halfway (pixel centres at +0.5)
    expect(n).toBeGreaterThan(0.6 * Math.PI * 36);
    expect(n).toBeLessThan(1.1 * Math.PI * 36); // a union of both discs would be ~1.5x
    // a quarter of the way: nearer the first disc
    const q = readPlaneMask(vol, g, 1).data;
    expect(q[10 * 40 + 7]).toBe(1);
    expect(q[10 * 40 + 21]).toBe(0);
  });
  it('an empty end slice shrinks the shape to nothing towards it; both empty clears between', () => {
    const vol = new Uint8Array(30 * 30 * 7);
    const g: PlaneStrides = { width: 30, height: 30, slices: 7, su: 1, sv: 30, sn: 900 };
    const a = readPlaneMask(vol, g, 0);
    paintDisc(a, 15, 15, 9, 1);
    writePlaneMask(vol, g, 0, a);
    interpolateBetween(vol, g, 0, 6);
    const areas = Array.from({ length: 7 }, (_, s) => count(readPlaneMask(vol, g, s).data));
    for (let s = 1; s < 7; s++) expect(areas[s]).toBeLessThan(areas[s - 1] + 1);
    expect(areas[6]).toBe(0);
    expect(areas[3]).toBeGreaterThan(0);
    const vol2 = new Uint8Array(30 * 30 * 7);
    vol2[at(0, 0, 0) + 900 * 3] = 1;
    interpolateBetween(vol2, g, 0, 6);
    expect(count(vol2)).toBe(0);
  });
  it('respects anisotropic spacing in the signed distance', () => {
    const m = { width: 9, height: 9, data: new Uint8Array(81) };
    m.data[4 * 9 + 4] = 1;
    const d = signedDistance(m, 1, 3)!;
    expect(d[4 * 9 + 6]).toBeCloseTo(0.5 - 2); // two columns away at 1 mm
    expect(d[6 * 9 + 4]).toBeCloseTo(0.5 - 6); // two rows away at 3 mm
    expect(signedDistance({ width: 2, height: 2, data: new Uint8Array(4) })).toBeNull();
  });
});

describe('6-connected components in 3-D', () => {
  const build = () => {
    const vol = new Uint8Array(NX * NY * NZ);
    // component A: a column through z = 0..5 at (2, 2)
    for (let z = 0; z < 6; z++) vol[at(2, 2, z)] = 1;
    // component B: two voxels touching A only diagonally (not 6-connected)
    vol[at(3, 3, 2)] = 1;
    vol[at(3, 3, 3)] = 1;
    // component C: a block 2x2x2
    for (const [x, y, z] of [[8, 7, 6], [9, 7, 6], [8, 8, 6], [9, 8, 6], [8, 7, 7], [9, 7, 7], [8, 8, 7], [9, 8, 7]]) vol[at(x, y, z)] = 1;
    return vol;
  };
  it('finds the component through slices, not across diagonals', () => {
    const vol = build();
    expect(component6(vol, dims, at(2, 2, 4)).length).toBe(6);
    expect(component6(vol, dims, at(3, 3, 3)).length).toBe(2);
    expect(component6(vol, dims, at(9, 8, 7)).length).toBe(8);
    expect(component6(vol, dims, at(0, 0, 0)).length).toBe(0);
  });
  it('remove clears one component; keep clears the others; both undo in one step', () => {
    const vol = build();
    const orig = vol.slice();
    const h = new VolumeHistory(vol);
    h.push(removeComponent(vol, dims, at(8, 8, 6)));
    expect(count(vol)).toBe(8);
    h.push(keepComponent(vol, dims, at(3, 3, 2)));
    expect(count(vol)).toBe(2);
    expect(vol[at(3, 3, 3)]).toBe(1);
    h.undo();
    expect(count(vol)).toBe(8);
    h.undo();
    expect(vol).toEqual(orig);
  });
});
