// The worker side of long 3-D edits: a job runs on its own copy of the volume and answers with the change
// (the same voxels the in-place edit sets), with progress rising to 1; the change applies to the original
// as one step, and is refused (nothing written) on a volume that changed meanwhile.
import { describe, expect, it } from 'vitest';
import { paintDisc } from './paint';
import { interpolateBetween, keepComponent, readPlaneMask, removeComponent, writePlaneMask, type PlaneStrides } from './volumeEdit';
import { applyChange, runVolumeJob } from './volumeJobs';
import { startVolumeJob } from '../ui/volume/volumeJobClient';

const NX = 40;
const NY = 36;
const NZ = 30;
const dims: [number, number, number] = [NX, NY, NZ];
const at = (x: number, y: number, z: number): number => x + NX * (y + NY * z);
const AXIAL: PlaneStrides = { width: NX, height: NY, slices: NZ, su: 1, sv: NX, sn: NX * NY };
const CORONAL: PlaneStrides = { width: NX, height: NZ, slices: NY, su: 1, sv: NX * NY, sn: NX };
const count = (v: Uint8Array): number => v.reduce((s, x) => s + (x ? 1 : 0), 0);

/** Discs on two slices of a plane (radius r0 on slice a, r1 on slice b). */
function twoDiscs(g: PlaneStrides, a: number, b: number, r0: number, r1: number): Uint8Array {
  const vol = new Uint8Array(NX * NY * NZ);
  for (const [s, r] of [[a, r0], [b, r1]] as const) {
    const m = readPlaneMask(vol, g, s);
    paintDisc(m, g.width / 2, g.height / 2, r, 1);
    writePlaneMask(vol, g, s, m);
  }
  return vol;
}

describe('runVolumeJob', () => {
  it('fills between slices on its copy: the same voxels as the in-place fill, the original untouched, progress to 1', () => {
    for (const g of [AXIAL, CORONAL]) {
      const vol = twoDiscs(g, 3, 25, 5, 12);
      const original = vol.slice();
      const direct = vol.slice();
      interpolateBetween(direct, g, 3, 25, 1, 1);
      const seen: number[] = [];
      const copy = vol.slice();
      const { change, transfer } = runVolumeJob({ type: 'fill', vol: copy, g, a: 3, b: 25, sx: 1, sy: 1 }, (f) => seen.push(f));
      expect(vol).toEqual(original);
      expect(copy).toEqual(direct); // the worker's copy, edited, goes back whole
      expect(transfer).toContain(copy.buffer);
      expect(change.indices.length).toBeGreaterThan(21 * 50);
      expect(transfer).toHaveLength(4);
      // ascending voxel indices, also for a plane whose slices interleave in memory (coronal)
      for (let i = 1; i < change.indices.length; i++) expect(change.indices[i]).toBeGreaterThan(change.indices[i - 1]);
      expect(applyChange(vol, change)).toBe(true);
      expect(vol).toEqual(direct);
      expect(seen.length).toBeGreaterThan(10);
      expect(seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1]))).toBe(true);
      expect(seen[seen.length - 1]).toBe(1);
    }
  });

  it('keeps or removes a 3-D component on its copy, as keepComponent / removeComponent do in place', () => {
    const vol = twoDiscs(AXIAL, 5, 20, 6, 4);
    vol[at(1, 1, 10)] = 1; // a stray voxel
    for (const type of ['keep', 'remove'] as const) {
      const direct = vol.slice();
      (type === 'keep' ? keepComponent : removeComponent)(direct, dims, at(NX / 2, NY / 2, 5));
      const work = vol.slice();
      const seen: number[] = [];
      const { change } = runVolumeJob({ type, vol: vol.slice(), dims, seed: at(NX / 2, NY / 2, 5) }, (f) => seen.push(f));
      expect(applyChange(work, change)).toBe(true);
      expect(work).toEqual(direct);
      const part = count(readPlaneMask(vol, AXIAL, 5).data);
      expect(part).toBeGreaterThan(50);
      expect(count(work)).toBe(type === 'keep' ? part : count(vol) - part);
      expect(seen[seen.length - 1]).toBe(1);
    }
  });

  it('refuses a volume that does not match the job', () => {
    expect(() => runVolumeJob({ type: 'keep', vol: new Uint8Array(10), dims, seed: 0 })).toThrow(/10 voxels/);
    expect(() => runVolumeJob({ type: 'fill', vol: new Uint8Array(10), g: AXIAL, a: 0, b: 5, sx: 1, sy: 1 })).toThrow(/plane reaches/);
  });
});

describe('applyChange', () => {
  it('writes nothing when the volume is not the one the change was computed on', () => {
    const vol = twoDiscs(AXIAL, 3, 12, 5, 8);
    const { change } = runVolumeJob({ type: 'fill', vol: vol.slice(), g: AXIAL, a: 3, b: 12, sx: 1, sy: 1 });
    // a voxel the change sets late in its list was already edited by hand
    const k = change.indices[change.indices.length - 1];
    vol[k] = change.after[change.indices.length - 1];
    const before = vol.slice();
    expect(applyChange(vol, change)).toBe(false);
    expect(vol).toEqual(before);
  });
});

describe('startVolumeJob (no Worker here: the calling thread)', () => {
  it('works on a copy and leaves the caller’s mask unchanged until the change is applied', async () => {
    const vol = twoDiscs(AXIAL, 2, 10, 4, 9);
    const before = vol.slice();
    const job = startVolumeJob({ type: 'fill', vol, g: AXIAL, a: 2, b: 10, sx: 1, sy: 1 }, () => {});
    const { change, vol: edited } = await job.result;
    expect(vol).toEqual(before);
    expect(applyChange(vol, change)).toBe(true);
    expect(edited).toEqual(vol);
    expect(change.indices.length).toBeGreaterThan(0);
  });
});
