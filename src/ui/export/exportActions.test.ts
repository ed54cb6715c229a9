import { afterEach, describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import { paintDisc } from '../../mask/paint';
import { dice } from '../../mask/metrics';
import { readMaskFile } from '../../scan/writers/maskImport';
import { parseScoresJson } from '../../scan/writers/scores';
import type { Scan } from '../../scan/types';
import { runPixels, useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { CorrectionSession, setSession } from '../../tools/session';
import { buildExport, canExport, maskSources, setKeepIdentifiers, studyLabel } from './exportActions';
import dcmjs from 'dcmjs';

const W = 48;
const H = 32;
function scan(format: Scan['format'] = 'png'): Scan {
  return {
    name: 'case 7.png', format, width: W, height: H, frames: 1, shape: [W, H], channels: 1, dtype: 'uint8', data: new Uint8Array(W * H),
    spacing: [1, 1, 1], spacingKnown: false, photometric: 'MONOCHROME2', window: { center: 0, width: 1 }, range: [0, 1], metadata: {},
    geometry: format === 'dicom' ? { dicom: { studyInstanceUID: '1.2', seriesInstanceUID: '1.2.3', sopInstanceUIDs: ['1.2.3.4'], frameOfReferenceUID: '1.9' } } : undefined,
  };
}

function setup(format: Scan['format'] = 'png') {
  useScans.setState({ scan: scan(format), activeId: 's' });
  const mask = new Uint8Array(W * H);
  paintDisc({ width: W, height: H, data: mask }, 20, 16, 6, 1);
  runPixels.set('r1', { width: W, height: H, probs: new Float32Array(W * H), mask });
  useRuns.getState().reset('s', 0);
  useRuns.getState().setRuns([{ id: 'r1', prompt: 'polyp', colour: '#f00', visible: true, opacity: 1, mode: 'binary', threshold: 0.5, modelId: 'm', variant: 'v', backend: 'wasm', timings: { totalMs: 5 }, scores: { dice: 0.5 }, createdAt: 1 }]);
  const session = new CorrectionSession(W, H, mask, 'r1');
  paintDisc(session.mask, 35, 10, 4, 1);
  setSession(session);
  return session;
}

afterEach(() => setSession(null));

describe('exports', () => {
  it('PNG and NIfTI of the corrected mask re-import with Dice 1', () => {
    const s = setup();
    expect(maskSources().map((m) => m.id)).toEqual(['correction', 'r1']);
    for (const f of ['png', 'nifti'] as const) {
      const file = buildExport(f, 'correction');
      expect(file.name.startsWith(studyLabel(scan(), 's').label)).toBe(true);
      expect(file.name).not.toMatch(/case/);
      expect(dice(readMaskFile({ name: file.name, bytes: file.bytes }, scan()), s.mask)).toBe(1);
    }
    expect(canExport('dicom-seg', scan())).toBe(false);
  });

  it('the zip holds every mask in every format plus scores and COCO', () => {
    setup('dicom');
    expect(canExport('dicom-seg', scan('dicom'))).toBe(true);
    const files = unzipSync(buildExport('zip', 'correction').bytes);
    const names = Object.keys(files).sort();
    expect(names.filter((n) => n.startsWith('masks/'))).toHaveLength(6); // 2 masks x (png, nii.gz, seg)
    expect(names.some((n) => n.endsWith('_seg.dcm'))).toBe(true);
    const scores = parseScoresJson(strFromU8(files[names.find((n) => n.endsWith('_scores.json'))!]));
    expect(scores.runs[0]).toMatchObject({ prompt: 'polyp', scores: { dice: 0.5 } });
    expect(strFromU8(files[names.find((n) => n.endsWith('_coco.json'))!])).toContain('vlsm-workbench/coco-rle');
  });

  it('exports are de-identified by default (PS3.15 pseudonym in SEG, neutral names everywhere), identifiers only on opt-in', () => {
    setup('dicom');
    const phi = { ...scan('dicom'), name: 'DOE_JANE_MRN-4471_chest.dcm' };
    phi.geometry!.dicom = { ...phi.geometry!.dicom!, patientName: 'DOE^JANE', patientID: 'MRN-4471' };
    useScans.setState({ scan: phi, activeId: 's' });
    const { label, pseudonym } = studyLabel(phi, 's');
    expect(label).toMatch(/^study-[0-9a-f]{6}$/);
    const zip = buildExport('zip', 'correction');
    const files = unzipSync(zip.bytes);
    const everything = [zip.name, ...Object.keys(files), ...Object.values(files).map((b) => strFromU8(b, true))].join('\n');
    expect(everything).not.toMatch(/DOE|JANE|4471/);
    expect(Object.keys(files).every((n) => n.replace(/^masks\//, '').startsWith(label))).toBe(true);
    const coco = JSON.parse(strFromU8(files[Object.keys(files).find((n) => n.endsWith('_coco.json'))!]));
    expect(coco.images[0].file_name).toBe(label);
    const seg = files[Object.keys(files).find((n) => n.endsWith('_seg.dcm'))!];
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(seg.slice().buffer).dict);
    expect([(ds.PatientName as { Alphabetic?: string }[] | undefined)?.[0]?.Alphabetic ?? ds.PatientName, ds.PatientID, ds.PatientIdentityRemoved]).toEqual([pseudonym, pseudonym, 'YES']);
    expect(ds.StudyInstanceUID).toBe('1.2'); // UIDs kept for referencing
    // explicit opt-in
    setKeepIdentifiers(true);
    try {
      const kept = buildExport('dicom-seg', 'correction');
      expect(kept.name.startsWith('DOE_JANE')).toBe(true);
      const k = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(kept.bytes.slice().buffer).dict);
      expect(k.PatientID).toBe('MRN-4471');
    } finally {
      setKeepIdentifiers(false);
    }
  });

  it('scores CSV cells cannot run as spreadsheet formulas', () => {
    setup();
    for (const p of ['=HYPERLINK("http://x","y")', '+1+2', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd']) {
      useRuns.setState({ runs: useRuns.getState().runs.map((r) => ({ ...r, prompt: p })) });
      const csv = strFromU8(buildExport('scores-csv', 'correction').bytes);
      const cell = csv.split('\n')[1].split(',').slice(1).join(',');
      expect(cell.replace(/^"/, '').startsWith("'")).toBe(true);
    }
  });
});
