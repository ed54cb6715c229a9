import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, unzipSync, strFromU8 } from 'fflate';
import { decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { dice } from '../../mask/metrics';
import { countForeground, sameBinary } from '../../mask/types';
import { parseNiftiHeader, niftiAffine } from '../nifti/header';
import { encodeBinaryPng, encodeLabelPng, labelMap } from './png';
import { readNiftiMask, writeNiftiMask } from './nifti';
import { readDicomSeg, writeDicomSeg } from './dicomSeg';
import { readMaskFile, sniffMaskFile } from './maskImport';
import { parseCocoJson, toCocoJson } from './coco';
import { parseScoresJson, scoresCsv, scoresJson } from './scores';
import { zipStudy } from './zip';
import dcmjs from 'dcmjs';
import { blobMask, fakeScan } from './testScans';
import { pythonExe, pythonSkipReason } from '../../engine/testing/python';

const DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const shared = (p: string): Uint8Array => new Uint8Array(readFileSync(DATA + p));

describe('PNG', () => {
  it('binary PNG round-trips at the scan size with Dice 1', () => {
    const scan = fakeScan(123, 77);
    const m = blobMask(123, 77);
    const png = encodeBinaryPng(m);
    const img = decodePng(png);
    expect([img.width, img.height, img.channels]).toEqual([123, 77, 1]);
    const back = readMaskFile({ name: 'm.png', bytes: png }, scan);
    expect(dice(back, m)).toBe(1);
  });

  it('label-map PNG keeps labels and re-imports as non-zero', () => {
    const a = blobMask(40, 30, 1);
    const b = blobMask(40, 30, 7);
    const lm = labelMap([a, b]);
    const img = decodePng(encodeLabelPng(lm));
    expect(Math.max(...img.data)).toBe(2);
    const back = readMaskFile({ name: 'l.png', bytes: encodeLabelPng(lm) }, fakeScan(40, 30));
    expect(countForeground(back.data)).toBe(countForeground(lm.data));
  });

  it('Kvasir JPEG mask is thresholded at 128', () => {
    const name = 'kvasir-seg/masks/cju0qkwl35piu0993l0dewei2.jpg';
    const bytes = shared(name);
    expect(sniffMaskFile(name, bytes)).toBe('jpeg');
    const img = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true });
    let expected = 0;
    let grey = 0;
    for (let i = 0; i < img.width * img.height; i++) {
      const v = img.data[i * 4];
      if (v >= 128) expected++;
      if (v > 0 && v < 255) grey++;
    }
    expect(grey).toBeGreaterThan(0); // JPEG noise really is there
    const m = readMaskFile({ name, bytes }, fakeScan(img.width, img.height));
    expect(countForeground(m.data)).toBe(expected);
    expect(countForeground(m.data)).toBeGreaterThan(1000);
    // a mask of another size is refused from its header, never stretched
    expect(() => readMaskFile({ name, bytes }, fakeScan(64, 48))).toThrow(/is 622 × 529 pixels, but the scan is 64 × 48.*not stretched/);
  });
});

describe('NIfTI', () => {
  it('round-trips a 2-D mask with an identity-like affine from the spacing', () => {
    const scan = fakeScan(64, 48, { spacing: [0.5, 0.7, 1], spacingKnown: true });
    const m = blobMask(64, 48);
    const nii = writeNiftiMask(m, scan);
    const raw = gunzipSync(nii);
    const h = parseNiftiHeader(raw);
    expect(h.dims.slice(0, 3)).toEqual([64, 48, 1]);
    expect(niftiAffine(h).slice(0, 12)).toEqual([0.5, 0, 0, 0, 0, expect.closeTo(0.7, 5), 0, 0, 0, 0, 1, 0]);
    expect(dice(readNiftiMask(nii, scan), m)).toBe(1);
    expect(dice(readMaskFile({ name: 'x.nii.gz', bytes: nii }, scan), m)).toBe(1);
  });

  it('copies the source header geometry and places the mask in its slice (real NIfTI)', () => {
    const src = gunzipSync(shared('sample-files/nifti/niivue/minimal.nii.gz'));
    const sh = parseNiftiHeader(src);
    const [nx, ny, nz] = sh.dims;
    const header = src.slice(0, 348).buffer;
    const scan = fakeScan(nx, ny, { format: 'nifti', frames: nz, shape: [nx, ny, nz] }, { nifti: { header, version: 1 } });
    const m = blobMask(nx, ny, 3);
    const nii = writeNiftiMask(m, scan, 4);
    const h = parseNiftiHeader(gunzipSync(nii));
    expect(h.dims.slice(0, 3)).toEqual([nx, ny, nz]);
    expect(niftiAffine(h)).toEqual(niftiAffine(sh).map((v) => expect.closeTo(v, 4)));
    expect(dice(readNiftiMask(nii, scan, 4), m)).toBe(1);
    expect(countForeground(readNiftiMask(nii, scan, 3).data)).toBe(0);
  });

  // An external reader: nibabel (pinned in models/requirements.txt, in .venv) loads what the writer wrote.
  it('reads back in nibabel: shape, dtype, affine (the source affine for a NIfTI source), voxels in x-fastest order', (ctx) => {
    const exe = pythonExe('nibabel, numpy');
    if (!exe) return ctx.skip(pythonSkipReason());
    const dir = mkdtempSync(join(tmpdir(), 'vlsm-nifti-'));
    try {
      const flat = fakeScan(64, 48, { spacing: [0.5, 0.7, 1], spacingKnown: true });
      const m2 = blobMask(64, 48);
      writeFileSync(join(dir, 'flat.nii.gz'), writeNiftiMask(m2, flat));
      const src = gunzipSync(shared('sample-files/nifti/niivue/minimal.nii.gz'));
      const [nx, ny, nz] = parseNiftiHeader(src).dims;
      const vol = fakeScan(nx, ny, { format: 'nifti', frames: nz, shape: [nx, ny, nz] }, { nifti: { header: src.slice(0, 348).buffer, version: 1 } });
      const m3 = blobMask(nx, ny, 3);
      writeFileSync(join(dir, 'vol.nii.gz'), writeNiftiMask(m3, vol, 4));
      const script = [
        'import sys, json, base64, nibabel as nib, numpy as np',
        'out = {}',
        'for name in sys.argv[2:]:',
        '    img = nib.load(name)',
        '    a = np.asarray(img.dataobj)',
        '    out[name] = dict(shape=list(a.shape), dtype=str(a.dtype), affine=img.affine.tolist(), zooms=[float(z) for z in img.header.get_zooms()],',
        "                     data=base64.b64encode(np.ascontiguousarray(a.ravel(order='F')).tobytes()).decode())",
        'print(json.dumps(out))',
      ].join('\n');
      const source = DATA + 'sample-files/nifti/niivue/minimal.nii.gz';
      const files = [join(dir, 'flat.nii.gz'), join(dir, 'vol.nii.gz'), source];
      const got = JSON.parse(execFileSync(exe, ['-c', script, '', ...files], { encoding: 'utf8', timeout: 300_000 })) as Record<string, { shape: number[]; dtype: string; affine: number[][]; zooms: number[]; data: string }>;
      const [flatR, volR, srcR] = files.map((f) => got[f]);
      // 2-D mask: 64 x 48 x 1, uint8, the spacing on the diagonal, voxel (x, y) = mask pixel (x, y)
      expect(flatR.shape).toEqual([64, 48, 1]);
      expect(flatR.dtype).toBe('uint8');
      expect(flatR.affine.map((r) => r.map((v) => Number(v.toFixed(5))))).toEqual([[0.5, 0, 0, 0], [0, 0.7, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
      expect(Array.from(Buffer.from(flatR.data, 'base64'))).toEqual(Array.from(m2.data, (v) => (v ? 1 : 0)));
      // into a real NIfTI volume: the source's shape and affine as nibabel reads the source, the mask in slice 4 only
      expect(volR.shape).toEqual(srcR.shape.slice(0, 3));
      expect(volR.dtype).toBe('uint8');
      volR.affine.flat().forEach((v, i) => expect(v, `affine[${i}]`).toBeCloseTo(srcR.affine.flat()[i], 4));
      expect(volR.zooms.slice(0, 3)).toEqual(srcR.zooms.slice(0, 3).map((z) => expect.closeTo(z, 5)));
      const voxels = Buffer.from(volR.data, 'base64');
      const plane = nx * ny;
      const want = new Uint8Array(plane * nz);
      m3.data.forEach((v, i) => (want[4 * plane + i] = v ? 1 : 0));
      expect(countForeground(want)).toBeGreaterThan(0);
      expect(voxels.equals(Buffer.from(want)), 'voxels equal the mask in slice 4').toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('DICOM SEG', () => {
  const geometry = {
    dicom: {
      studyInstanceUID: '1.2.3.4',
      seriesInstanceUID: '1.2.3.4.5',
      sopInstanceUIDs: ['1.2.3.4.5.6'],
      sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
      frameOfReferenceUID: '1.2.3.9',
      patientID: 'P1',
      patientName: 'Anon',
    },
  };

  it('writes a SEG that references the source and reads back with Dice 1', () => {
    const scan = fakeScan(37, 29, { format: 'dicom', spacing: [0.8, 0.8, 2], spacingKnown: true }, geometry);
    const m = blobMask(37, 29, 5);
    const seg = writeDicomSeg(m, scan, 0, { label: 'polyp', algorithm: 'clipseg' });
    expect(String.fromCharCode(...seg.subarray(128, 132))).toBe('DICM');
    expect(sniffMaskFile('x.dcm', seg)).toBe('dicom-seg');
    const info = readDicomSeg(seg, scan);
    expect(dice(info.mask, m)).toBe(1);
    expect(info.referencedSopInstanceUIDs).toEqual(['1.2.3.4.5.6']);
    expect(info.studyInstanceUID).toBe('1.2.3.4');
    expect(info.frameOfReferenceUID).toBe('1.2.3.9');
  });

  it('references the right frame of a multi-frame source and reads that frame back', () => {
    const multi = fakeScan(16, 12, { format: 'dicom', frames: 3 }, { dicom: { ...geometry.dicom, sopInstanceUIDs: ['9.9.9'] } });
    const m = blobMask(16, 12, 9);
    const seg = writeDicomSeg(m, multi, 2);
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(seg.buffer.slice(seg.byteOffset, seg.byteOffset + seg.byteLength) as ArrayBuffer).dict);
    const src = (ds.PerFrameFunctionalGroupsSequence as any)[0].DerivationImageSequence[0].SourceImageSequence[0];
    expect(src).toMatchObject({ ReferencedSOPInstanceUID: '9.9.9', ReferencedFrameNumber: 3 });
    expect(dice(readDicomSeg(seg, multi, 2).mask, m)).toBe(1);
  });

  it('reads a real third-party SEG (pydicom liver)', () => {
    const bytes = shared('sample-files/dicom/pydicom/liver_1frame.dcm');
    const info = readDicomSeg(bytes, fakeScan(512, 512, { format: 'dicom' }));
    expect(info.mask.width).toBe(512);
    expect(countForeground(info.mask.data)).toBeGreaterThan(100);
  });

  it('rejects a non-SEG DICOM', () => {
    const bytes = shared('sample-files/dicom/pydicom/CT_small.dcm');
    expect(() => readDicomSeg(bytes, fakeScan(128, 128))).toThrow(/not a Segmentation/);
  });
});

describe('COCO, scores, zip', () => {
  it('COCO RLE JSON round-trips and is validated', () => {
    const a = blobMask(50, 40, 2);
    const doc = toCocoJson('scan.png', [{ label: 'polyp', mask: a, score: 0.8 }]);
    const back = parseCocoJson(JSON.stringify(doc));
    expect(sameBinary(back.entries[0].mask, a)).toBe(true);
    expect(back.entries[0].label).toBe('polyp');
    expect(() => parseCocoJson('{"type":"other"}')).toThrow(/Not a/);
    const asRef = readMaskFile({ name: 'x_coco.json', bytes: new TextEncoder().encode(JSON.stringify(doc)) }, fakeScan(50, 40));
    expect(dice(asRef, a)).toBe(1);
    expect(() => readMaskFile({ name: 'bad.json', bytes: new TextEncoder().encode('{"type":"x"}') }, fakeScan(50, 40))).toThrow(/Not a/);
    expect(() => parseCocoJson(JSON.stringify({ ...doc, version: 99 }))).toThrow(/version/);
  });

  it('scores CSV quotes text and JSON validates', () => {
    const runs = [
      { runId: 'r1', prompt: 'one small, "pink" polyp', modelId: 'm', variant: 'wasm-int8', backend: 'wasm', threshold: 0.5, timings: { text: 12.5 }, scores: { dice: 0.91234567, hd95Mm: null }, createdAt: 0 },
    ];
    const csv = scoresCsv(runs);
    expect(csv.split('\n')[0]).toBe(
      'Run ID,Prompt,Model,Model variant,Compute backend,Threshold (probability 0-1),Dice vs reference (0-1),HD95 distance to reference (mm),Time text (ms),"Created (UTC, ISO 8601)"',
    );
    expect(scoresCsv([{ ...runs[0], timings: { totalMs: 3 }, scores: { influence: 1 } }]).split('\n')[0]).toContain('Overlap with the no-words mask (Dice 0-1; 1 = the words changed nothing),Total time (ms)');
    expect(csv).toContain('"one small, ""pink"" polyp"');
    expect(csv).toContain(',0.912346,,12.5,');
    expect(parseScoresJson(scoresJson('scan', null, runs)).runs[0].prompt).toBe(runs[0].prompt);
    expect(() => parseScoresJson('{"type":"vlsm-workbench/scores","version":1,"runs":[{}]}')).toThrow(/malformed/);
  });

  it('zips everything with unique safe names', () => {
    const z = zipStudy({ 'a/mask.png': new Uint8Array([1, 2]), 'a/mask.png ': 'x', 'scores.csv': 'a,b\n' });
    const files = unzipSync(z);
    expect(Object.keys(files).sort()).toEqual(['a/mask.png', 'a/mask.png_', 'scores.csv']);
    expect(strFromU8(files['scores.csv'])).toBe('a,b\n');
  });
});
