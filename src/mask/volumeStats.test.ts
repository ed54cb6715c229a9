import { describe, expect, it } from 'vitest';
import { volumeStats } from './volumeStats';

describe('volumeStats', () => {
  it('counts voxels, mL from spacing, HU statistics inside the mask, slices touched', () => {
    // 2 x 2 x 3 CT, spacing 0.5 x 0.5 x 2 mm -> 0.5 mm^3 per voxel
    const data = Int16Array.from([-1000, 40, 60, 0, 10, 20, 30, 40, 5, 5, 5, 5]);
    const mask = Uint8Array.from([0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const s = volumeStats(mask, { width: 2, height: 2, spacing: [0.5, 0.5, 2], spacingKnown: true, data, channels: 1, modality: 'CT' });
    expect(s.voxels).toBe(3);
    expect(s.ml).toBeCloseTo((3 * 0.5) / 1000, 10);
    expect([s.mean, s.min, s.max, s.unit, s.slices]).toEqual([35, 5, 60, 'HU', 2]);
    expect(s.sd).toBeCloseTo(Math.sqrt(((40 - 35) ** 2 + (60 - 35) ** 2 + (5 - 35) ** 2) / 3), 10);
  });
  it('an empty mask gives zeros; unknown spacing counts 1 mm voxels', () => {
    const s = volumeStats(new Uint8Array(8), { width: 2, height: 2, spacing: [3, 3, 3], spacingKnown: false, data: new Float32Array(8), channels: 1 });
    expect([s.voxels, s.ml, s.mean, s.sd, s.slices, s.unit]).toEqual([0, 0, 0, 0, 0, '']);
    const one = volumeStats(Uint8Array.from([1, 0, 0, 0]), { width: 2, height: 2, spacing: [3, 3, 3], spacingKnown: false, data: new Float32Array(4), channels: 1 });
    expect(one.ml).toBe(0.001);
  });
});
