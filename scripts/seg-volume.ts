// Writes the app's multi-frame DICOM SEG of a real DICOM series with a deterministic 3-D mask, for the
// Python check (models/tests/test_seg_volume.py reads it with pydicom and highdicom), and reads it back
// with the app's own SEG reader (Dice against what was written, printed as JSON).
// Run: node scripts/seg-volume-cli.mjs <out.dcm> <source.dcm>... [--type AUTOMATIC|SEMIAUTOMATIC] [--all-frames] [--segments]
// --segments writes three segments (the test mask AUTOMATIC, a box SEMIAUTOMATIC, its complement in the
// box's slices MANUAL, each with a colour) and reads every one back.
// Writes <out.dcm> and <out.dcm>.expected.json (the format models/tests/seg_check.py reads).
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { dice } from '../src/mask/metrics';
import { readScan } from '../src/scan/index';
import { assembleSeries } from '../src/scan/volume/series';
import { readDicomSegVolume, readDicomSegVolumeSegments, writeDicomSegVolume, writeDicomSegVolumeSegments, type SegAlgorithmType, type SegVolumeSegment } from '../src/scan/writers/dicomSegVolume';
import type { Scan } from '../src/scan/types';

/** Voxels above the volume's mid value, on every slice but the first (so some SEG frames are left out). */
export function testMask(scan: Scan): Uint8Array {
  const plane = scan.width * scan.height;
  const out = new Uint8Array(plane * scan.frames);
  const mid = (scan.range[0] + scan.range[1]) / 2;
  for (let i = plane; i < out.length; i++) out[i] = scan.data[i] > mid ? 1 : 0;
  return out;
}

/** A box over the middle third of rows and columns on every slice but the last. */
export function boxMask(scan: Scan): Uint8Array {
  const plane = scan.width * scan.height;
  const out = new Uint8Array(plane * scan.frames);
  const [x0, x1, y0, y1] = [scan.width / 3, (2 * scan.width) / 3, scan.height / 3, (2 * scan.height) / 3].map(Math.round);
  for (let k = 0; k < scan.frames - 1; k++) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out[k * plane + y * scan.width + x] = 1;
  return out;
}

export async function main(argv: string[]): Promise<void> {
  const files = argv.filter((a) => !a.startsWith('--'));
  const type = (argv.includes('--type') ? argv[argv.indexOf('--type') + 1] : 'AUTOMATIC') as SegAlgorithmType;
  const out = files.shift();
  if (!out || files.length === 0) throw new Error('usage: node scripts/seg-volume-cli.mjs <out.dcm> <source.dcm>... [--type T] [--all-frames]');
  const sources = files.filter((f) => f !== type);
  const scans = await Promise.all(sources.map((f) => readScan({ name: basename(f), bytes: new Uint8Array(readFileSync(f)) })));
  const { scans: vols } = assembleSeries(scans);
  const scan = vols.reduce((a, b) => (b.frames > a.frames ? b : a));
  const mask = testMask(scan);
  const algorithm = { name: 'test-model', version: '0123456789ab' };
  const plane = { width: scan.width, height: scan.height * scan.frames };
  const d = scan.geometry?.dicom ?? {};
  const multi = (d.sopInstanceUIDs?.length ?? 0) === 1 && scan.frames > 1;
  const where = {
    shape: [scan.frames, scan.height, scan.width],
    sops: Array.from({ length: scan.frames }, (_, k) => (multi ? d.sopInstanceUIDs![0] : d.sopInstanceUIDs![k])),
    frameNumbers: Array.from({ length: scan.frames }, (_, k) => (multi ? (d.sourceFrames?.[k] ?? k + 1) : null)),
    pseudonym: 'ANON-TEST',
  };
  const b64 = (m: Uint8Array) => Buffer.from(m).toString('base64');
  if (argv.includes('--segments')) {
    const box = boxMask(scan);
    const rest = box.map((v, i) => (v && !mask[i] ? 1 : 0));
    const segments: SegVolumeSegment[] = [
      { data: mask, label: 'bright', algorithmType: type, algorithm, rgb: [0, 220, 255] },
      { data: box, label: 'box', algorithmType: 'SEMIAUTOMATIC', algorithm, rgb: [255, 200, 0] },
      { data: rest, label: 'box not bright', algorithmType: 'MANUAL', rgb: [40, 200, 60] },
    ];
    const seg = writeDicomSegVolumeSegments(segments, scan, { pseudonym: 'ANON-TEST' });
    writeFileSync(out, seg);
    writeFileSync(`${out}.expected.json`, JSON.stringify({
      ...where,
      segments: segments.map((s) => ({ mask: b64(s.data), algorithmType: s.algorithmType, algorithmName: s.algorithm ? `${s.algorithm.name}@${s.algorithm.version}` : '', label: s.label, rgb: s.rgb })),
    }));
    const back = readDicomSegVolumeSegments(seg, scan);
    console.log(JSON.stringify({
      slices: scan.frames, segBytes: seg.length,
      segments: back.map((s, i) => ({ number: s.number, label: s.label, algorithmType: s.algorithmType, rgb: s.rgb, readBackDice: dice({ ...plane, data: s.data }, { ...plane, data: segments[i].data }), unmatched: s.unmatched })),
    }));
    return;
  }
  const seg = writeDicomSegVolume(mask, scan, { label: 'test mask', algorithmType: type, algorithm, frames: argv.includes('--all-frames') ? 'all' : 'nonempty', pseudonym: 'ANON-TEST' });
  writeFileSync(out, seg);
  writeFileSync(`${out}.expected.json`, JSON.stringify({ ...where, mask: b64(mask), algorithmType: type, algorithmName: `${algorithm.name}@${algorithm.version}` }));
  const back = readDicomSegVolume(seg, scan);
  const d3 = dice({ ...plane, data: back.data }, { ...plane, data: mask });
  console.log(JSON.stringify({ slices: scan.frames, voxels: mask.reduce((a, v) => a + v, 0), segBytes: seg.length, readBackDice: d3, unmatched: back.unmatched }));
}
