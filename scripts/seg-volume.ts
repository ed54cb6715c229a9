// Writes the app's multi-frame DICOM SEG of a real DICOM series with a deterministic 3-D mask, for the
// Python check (models/tests/test_seg_volume.py reads it with pydicom and highdicom), and reads it back
// with the app's own SEG reader (Dice against what was written, printed as JSON).
// Run: node scripts/seg-volume-cli.mjs <out.dcm> <source.dcm>... [--type AUTOMATIC|SEMIAUTOMATIC] [--all-frames]
// Writes <out.dcm> and <out.dcm>.expected.json (the format models/tests/seg_check.py reads).
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { dice } from '../src/mask/metrics';
import { readScan } from '../src/scan/index';
import { assembleSeries } from '../src/scan/volume/series';
import { readDicomSegVolume, writeDicomSegVolume, type SegAlgorithmType } from '../src/scan/writers/dicomSegVolume';
import type { Scan } from '../src/scan/types';

/** Voxels above the volume's mid value, on every slice but the first (so some SEG frames are left out). */
export function testMask(scan: Scan): Uint8Array {
  const plane = scan.width * scan.height;
  const out = new Uint8Array(plane * scan.frames);
  const mid = (scan.range[0] + scan.range[1]) / 2;
  for (let i = plane; i < out.length; i++) out[i] = scan.data[i] > mid ? 1 : 0;
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
  const seg = writeDicomSegVolume(mask, scan, { label: 'test mask', algorithmType: type, algorithm, frames: argv.includes('--all-frames') ? 'all' : 'nonempty', pseudonym: 'ANON-TEST' });
  writeFileSync(out, seg);
  const d = scan.geometry?.dicom ?? {};
  const multi = (d.sopInstanceUIDs?.length ?? 0) === 1 && scan.frames > 1;
  writeFileSync(
    `${out}.expected.json`,
    JSON.stringify({
      shape: [scan.frames, scan.height, scan.width],
      mask: Buffer.from(mask).toString('base64'),
      sops: Array.from({ length: scan.frames }, (_, k) => (multi ? d.sopInstanceUIDs![0] : d.sopInstanceUIDs![k])),
      frameNumbers: Array.from({ length: scan.frames }, (_, k) => (multi ? (d.sourceFrames?.[k] ?? k + 1) : null)),
      algorithmType: type,
      algorithmName: `${algorithm.name}@${algorithm.version}`,
      pseudonym: 'ANON-TEST',
    }),
  );
  const back = readDicomSegVolume(seg, scan);
  const plane = { width: scan.width, height: scan.height * scan.frames };
  const d3 = dice({ ...plane, data: back.data }, { ...plane, data: mask });
  console.log(JSON.stringify({ slices: scan.frames, voxels: mask.reduce((a, v) => a + v, 0), segBytes: seg.length, readBackDice: d3, unmatched: back.unmatched }));
}
