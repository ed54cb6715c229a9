// Statistics of a volume's 3-D layers as CSV and JSON (units in the column names, HU for CT, formula
// cells neutralised), and the layers as one label volume.
import { describe, expect, it } from 'vitest';
import { volumeStats } from '../../mask/volumeStats';
import { volumeLabelMap, volumeStatsCsv, volumeStatsJson, type LayerStats } from './volumeStats';

// 4 x 3 x 2 CT volume: value = -1000 + 100 * index
const ct = { width: 4, height: 3, spacing: [0.5, 0.5, 2] as const, spacingKnown: true, channels: 1, modality: 'CT', data: Int16Array.from({ length: 24 }, (_, i) => -1000 + 100 * i) };
const a = new Uint8Array(24);
a[1] = a[2] = a[13] = 1; // -900, -800, +300
const b = new Uint8Array(24);
b[2] = b[3] = 1;
const layers: LayerStats[] = [
  { number: 1, label: 'liver', kind: '3-D mask', algorithmType: 'SEMIAUTOMATIC', algorithmName: 'm@abc', stats: volumeStats(a, ct) },
  { number: 2, label: '=HYPERLINK("x")', kind: '3-D reference', algorithmType: 'MANUAL', algorithmName: null, stats: volumeStats(b, ct) },
];
const meta = { scan: 'study-abc123', modality: 'CT', shape: [4, 3, 2] as [number, number, number], spacingMm: [0.5, 0.5, 2] as [number, number, number] };

describe('volume statistics export', () => {
  it('CSV: a row per layer, mL from the spacing, HU for CT, formula text neutralised', () => {
    const rows = volumeStatsCsv(meta, layers).trim().split('\n');
    expect(rows[0]).toBe('Segment number,Label,Kind,Algorithm type,Algorithm (model@version),Voxels,Volume (mL),Slices with mask,Mean intensity,SD intensity,Min intensity,Max intensity,Intensity unit,"Voxel spacing (mm, x y slice)"');
    // 3 voxels of 0.5 mm³ = 0.0015 mL; mean of -900, -800, 300 = -466.67, population SD 543.65
    expect(rows[1]).toBe('1,liver,3-D mask,SEMIAUTOMATIC,m@abc,3,0.0015,2,-466.666667,543.650214,-900,300,HU,0.5 0.5 2');
    expect(rows[2].startsWith(`2,"'=HYPERLINK(""x"")",3-D reference,MANUAL,,2,0.001,1,-750,`)).toBe(true);
  });

  it('JSON: typed, the scan as given (de-identified label), layers with intensity and unit', () => {
    const doc = JSON.parse(volumeStatsJson({ ...meta, spacingMm: null }, layers));
    expect(doc).toMatchObject({ type: 'vlsm-workbench/volume-stats', version: 1, scan: 'study-abc123', modality: 'CT', spacingMm: null });
    expect(doc.layers[0]).toMatchObject({ number: 1, label: 'liver', voxels: 3, slicesWithMask: 2, intensity: { min: -900, max: 300, unit: 'HU' } });
    expect(doc.layers[0].volumeMl).toBeCloseTo(0.0015, 10);
    expect(doc.layers[0].intensity.mean).toBeCloseTo(-466.6667, 3);
  });

  it('label map: value n where layer n is, the later layer over the earlier one', () => {
    const m = volumeLabelMap([a, b]);
    expect(Array.from(m.subarray(0, 4))).toEqual([0, 1, 2, 2]);
    expect(m[13]).toBe(1);
    expect(m.reduce((s, v) => s + (v ? 1 : 0), 0)).toBe(4);
    expect(() => volumeLabelMap([a, new Uint8Array(3)])).toThrow(/same volume/);
  });
});
