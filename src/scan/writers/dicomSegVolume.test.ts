// Multi-frame DICOM SEG of a 3-D mask on the real series of ../shared/data/sample-files: one frame per
// non-empty slice with its source reference and position, read back onto the series with Dice 1.0 (also
// when the slices come in another order, and by position alone); enhanced multi-frame sources are
// referenced by frame number; non-DICOM volumes are refused with a reason; a SEG of another series is
// refused. The pydicom/highdicom side of the same files is models/tests/test_seg_volume.py.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { dice } from '../../mask/metrics';
import { readScan } from '../index';
import { DATA_ROOT, hasData, readData } from '../testing/data';
import type { Scan } from '../types';
import { assembleSeries } from '../volume/series';
import { MaskReadError } from './maskImport';
import { dicomLabToRgb, readDicomSegVolume, readDicomSegVolumeSegments, rgbToDicomLab, whyNoVolumeSeg, writeDicomSegVolume, writeDicomSegVolumeSegments } from './dicomSegVolume';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;
const SERIES = {
  ct5n: 'sample-files/dicom/pydicom/series-CT5N-16x16',
  vs: 'sample-files/dicom/niivue-series-VS-SEG-001',
};

async function openSeries(rel: string, reverse = false): Promise<Scan> {
  const names = readdirSync(resolve(DATA_ROOT, rel)).sort();
  if (reverse) names.reverse();
  const scans = await Promise.all(names.map((n) => readScan(readData(`${rel}/${n}`))));
  const { scans: vols } = assembleSeries(scans);
  expect(vols).toHaveLength(1);
  return vols[0];
}

/** Above the mid value, every slice but the first. */
function maskOf(scan: Scan): Uint8Array {
  const plane = scan.width * scan.height;
  const out = new Uint8Array(plane * scan.frames);
  const mid = (scan.range[0] + scan.range[1]) / 2;
  for (let i = plane; i < out.length; i++) out[i] = scan.data[i] > mid ? 1 : 0;
  return out;
}

const dice3 = (scan: Scan, a: Uint8Array, b: Uint8Array) => {
  const m = (data: Uint8Array) => ({ width: scan.width, height: scan.height * scan.frames, data });
  return dice(m(a), m(b));
};
const parse = (b: Uint8Array) => DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(b.slice().buffer).dict);
const algo = { algorithmType: 'AUTOMATIC' as const, algorithm: { name: 'compact-vlsm', version: 'abcdef012345' } };

describe.skipIf(!hasData)('3-D DICOM SEG on real series', () => {
  it('CT5N: one frame per non-empty slice, every source instance referenced, positions, Dice 1.0 back', async () => {
    const scan = await openSeries(SERIES.ct5n);
    const mask = maskOf(scan);
    const seg = writeDicomSegVolume(mask, scan, { ...algo, label: 'liver' });
    const ds = parse(seg);
    const d = scan.geometry!.dicom!;
    expect(ds.NumberOfFrames).toBe(scan.frames - 1);
    expect(ds.StudyInstanceUID).toBe(d.studyInstanceUID);
    expect(ds.FrameOfReferenceUID).toBe(d.frameOfReferenceUID);
    expect(ds.PatientName).toEqual([{ Alphabetic: 'ANONYMOUS' }]);
    expect(ds.PatientIdentityRemoved).toBe('YES');
    const ref = (ds.ReferencedSeriesSequence as Record<string, unknown>[])[0];
    expect(ref.SeriesInstanceUID).toBe(d.seriesInstanceUID);
    expect((ref.ReferencedInstanceSequence as { ReferencedSOPInstanceUID: string }[]).map((r) => r.ReferencedSOPInstanceUID).sort()).toEqual([...d.sopInstanceUIDs!].sort());
    const frames = ds.PerFrameFunctionalGroupsSequence as Record<string, Record<string, unknown>[]>[];
    frames.forEach((g, f) => {
      const src = (g.DerivationImageSequence[0].SourceImageSequence as Record<string, unknown>[])[0];
      expect(src.ReferencedSOPInstanceUID).toBe(d.sopInstanceUIDs![f + 1]);
      expect((g.PlanePositionSequence[0].ImagePositionPatient as number[]).map(Number)).toEqual(d.imagePositionPatient![f + 1]);
      expect(g.FrameContentSequence[0].DimensionIndexValues).toEqual([1, f + 1]);
    });
    const seg0 = (ds.SegmentSequence as Record<string, unknown>[])[0];
    expect(seg0).toMatchObject({ SegmentAlgorithmType: 'AUTOMATIC', SegmentAlgorithmName: 'compact-vlsm@abcdef012345', SegmentLabel: 'liver' });

    const back = readDicomSegVolume(seg, scan);
    expect(back.slices).toEqual([1, 2, 3, 4]);
    expect(back.unmatched).toBe(0);
    expect(back.algorithmType).toBe('AUTOMATIC');
    expect(dice3(scan, back.data, mask)).toBe(1);
    expect(Array.from(back.data)).toEqual(Array.from(mask));
  });

  it('VS-SEG-001 (512x512 MR): SEMIAUTOMATIC, read back onto the series opened in reverse file order; every frame when asked', async () => {
    const scan = await openSeries(SERIES.vs);
    const mask = maskOf(scan);
    expect(mask.some((v) => v)).toBe(true);
    const seg = writeDicomSegVolume(mask, scan, { ...algo, algorithmType: 'SEMIAUTOMATIC', frames: 'all' });
    expect(parse(seg).NumberOfFrames).toBe(scan.frames);
    const again = await openSeries(SERIES.vs, true);
    const back = readDicomSegVolume(seg, again);
    expect(back.algorithmType).toBe('SEMIAUTOMATIC');
    expect(back.slices).toEqual([0, 1, 2]);
    expect(dice3(scan, back.data, mask)).toBe(1);
  });

  it('a SEG whose frames carry no image reference is placed by ImagePositionPatient', async () => {
    const scan = await openSeries(SERIES.ct5n);
    const mask = maskOf(scan);
    const other = { ...scan, geometry: { ...scan.geometry, dicom: { ...scan.geometry!.dicom, sopInstanceUIDs: scan.geometry!.dicom!.sopInstanceUIDs!.map((u) => `${u}.9`) } } };
    const back = readDicomSegVolume(writeDicomSegVolume(mask, other, algo), scan);
    expect(back.slices).toEqual([1, 2, 3, 4]);
    expect(dice3(scan, back.data, mask)).toBe(1);
  });

  it('enhanced multi-frame source: frames referenced by their frame number in the file', async () => {
    const scan = (await Promise.all([readScan(readData('sample-files/dicom/niivue/enh.dcm'))]).then((s) => assembleSeries(s).scans))[0];
    expect(scan.frames).toBe(6);
    const mask = maskOf(scan);
    const seg = writeDicomSegVolume(mask, scan, algo);
    const frames = parse(seg).PerFrameFunctionalGroupsSequence as Record<string, Record<string, unknown>[]>[];
    const refs = frames.map((g) => (g.DerivationImageSequence[0].SourceImageSequence as Record<string, unknown>[])[0]);
    expect(new Set(refs.map((r) => r.ReferencedSOPInstanceUID)).size).toBe(1);
    const nums = refs.map((r) => Number(r.ReferencedFrameNumber));
    expect(nums.every((n) => n >= 1 && n <= 6)).toBe(true);
    expect(nums).toEqual(Array.from({ length: frames.length }, (_, f) => scan.geometry!.dicom!.sourceFrames![f + 6 - frames.length]));
    expect(dice3(scan, readDicomSegVolume(seg, scan).data, mask)).toBe(1);
  });

  it('NIfTI, NRRD and MHA volumes get no SEG, with the reason; a SEG of another series is refused in words', async () => {
    for (const rel of ['sample-files/nifti/niivue/FLAIR.nii.gz', 'sample-files/other-formats/niivue/FLAIR.nrrd', 'sample-files/other-formats/niivue/mha.mha']) {
      const scan = await readScan(readData(rel));
      expect(whyNoVolumeSeg(scan)).toMatch(/has none .*Export the 3-D mask as NIfTI instead/);
      expect(() => writeDicomSegVolume(new Uint8Array(scan.width * scan.height * scan.frames), scan, algo)).toThrow(/NIfTI instead/);
    }
    const ct = await openSeries(SERIES.ct5n);
    const vs = await openSeries(SERIES.vs);
    const seg = writeDicomSegVolume(maskOf(vs), vs, algo);
    expect(() => readDicomSegVolume(seg, ct)).toThrow(MaskReadError);
    expect(() => readDicomSegVolume(seg, ct)).toThrow(/not made on this series/);
    // liver.dcm (dcmqi, 512x512, 3 frames) references a CT series that is not in the samples
    const liver = readData('sample-files/dicom/pydicom-data/liver.dcm').bytes;
    expect(() => readDicomSegVolume(liver, vs)).toThrow(/None of the 3 frames .* made on another series/);
  });

  it('several 3-D masks as the segments of one SEG: numbers, labels, algorithm types, colours; each back with Dice 1.0', async () => {
    const scan = await openSeries(SERIES.vs);
    const plane = scan.width * scan.height;
    const a = maskOf(scan);
    // b: a square on slices 0 and 2 only; c: empty (one frame per slice, all empty)
    const b = new Uint8Array(a.length);
    for (const k of [0, 2]) for (let y = 100; y < 140; y++) for (let x = 200; x < 260; x++) b[k * plane + y * scan.width + x] = 1;
    const c = new Uint8Array(a.length);
    const seg = writeDicomSegVolumeSegments(
      [
        { data: a, label: 'tumour', ...algo, rgb: [0, 220, 255] },
        { data: b, label: 'cochlea', algorithmType: 'SEMIAUTOMATIC', algorithm: { name: 'compact-vlsm', version: 'abcdef012345' }, rgb: [255, 200, 0] },
        { data: c, label: 'nothing', algorithmType: 'MANUAL' },
      ],
      scan,
      { pseudonym: 'ANON-X' },
    );
    const ds = parse(seg);
    const segs = ds.SegmentSequence as Record<string, unknown>[];
    expect(segs.map((s) => [s.SegmentNumber, s.SegmentLabel, s.SegmentAlgorithmType])).toEqual([
      [1, 'tumour', 'AUTOMATIC'], [2, 'cochlea', 'SEMIAUTOMATIC'], [3, 'nothing', 'MANUAL'],
    ]);
    expect(segs[2].SegmentAlgorithmName).toBeUndefined();
    // frames: a's 2 non-empty slices, b's 2, c's 3 (empty: every slice), segment by segment
    expect(ds.NumberOfFrames).toBe(2 + 2 + 3);
    const frames = ds.PerFrameFunctionalGroupsSequence as Record<string, Record<string, unknown>[]>[];
    expect(frames.map((g) => g.SegmentIdentificationSequence[0].ReferencedSegmentNumber)).toEqual([1, 1, 2, 2, 3, 3, 3]);
    expect(frames.map((g) => g.FrameContentSequence[0].DimensionIndexValues)).toEqual([[1, 2], [1, 3], [2, 1], [2, 3], [3, 1], [3, 2], [3, 3]]);

    const back = readDicomSegVolumeSegments(seg, scan);
    expect(back.map((s) => [s.number, s.label, s.algorithmType])).toEqual([[1, 'tumour', 'AUTOMATIC'], [2, 'cochlea', 'SEMIAUTOMATIC'], [3, 'nothing', 'MANUAL']]);
    expect(dice3(scan, back[0].data, a)).toBe(1);
    expect(dice3(scan, back[1].data, b)).toBe(1);
    expect(back[2].data.some((v) => v)).toBe(false);
    expect(back[1].slices).toEqual([0, 2]);
    // colours survive the CIELab round trip within a grey level
    back[0].rgb!.forEach((v, i) => expect(Math.abs(v - [0, 220, 255][i])).toBeLessThanOrEqual(1));
    back[1].rgb!.forEach((v, i) => expect(Math.abs(v - [255, 200, 0][i])).toBeLessThanOrEqual(1));
    expect(back[2].rgb).toBeNull();
    // one segment asked for: that one
    expect(readDicomSegVolume(seg, scan, 2).label).toBe('cochlea');
  });
});

describe('DICOM CIELab colours', () => {
  it('round-trips sRGB through RecommendedDisplayCIELabValue and knows white and black', () => {
    expect(rgbToDicomLab([255, 255, 255])[0]).toBeGreaterThan(65000);
    expect(rgbToDicomLab([0, 0, 0])[0]).toBe(0);
    for (const rgb of [[255, 0, 0], [0, 128, 64], [12, 34, 200]] as [number, number, number][]) {
      dicomLabToRgb(rgbToDicomLab(rgb)).forEach((v, i) => expect(Math.abs(v - rgb[i])).toBeLessThanOrEqual(1));
    }
  });
});
