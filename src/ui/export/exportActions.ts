// Builds export files for the open scan from the mask writers: PNG, label-map PNG, NIfTI, DICOM SEG,
// COCO RLE JSON, scores CSV/JSON, and everything as one zip. Downloads through a Blob URL.
import type { Mask } from '../../mask/types';
import type { Scan } from '../../scan/types';
import { encodeBinaryPng, encodeLabelPng, labelMap } from '../../scan/writers/png';
import { writeNiftiMask } from '../../scan/writers/nifti';
import { writeDicomSeg } from '../../scan/writers/dicomSeg';
import { toCocoJson } from '../../scan/writers/coco';
import { scoresCsv, scoresJson, type ScoreRow } from '../../scan/writers/scores';
import { safeName, zipStudy } from '../../scan/writers/zip';
import { referencePixels, runPixels, useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';
import { getSession } from '../../tools/session';

export type ExportFormat = 'png' | 'label-png' | 'nifti' | 'dicom-seg' | 'coco' | 'scores-csv' | 'scores-json' | 'zip';

export interface ExportFile {
  name: string;
  bytes: Uint8Array;
  mime: string;
}

export interface MaskSource {
  id: string;
  label: string;
  mask: Mask;
}

/** Masks that can be exported: the correction, each run, the reference. */
export function maskSources(): MaskSource[] {
  const out: MaskSource[] = [];
  const s = getSession();
  if (s) out.push({ id: 'correction', label: 'Your correction', mask: s.mask });
  for (const r of useRuns.getState().runs) {
    const px = runPixels.get(r.id);
    if (px) out.push({ id: r.id, label: r.prompt || 'No words (baseline)', mask: { width: px.width, height: px.height, data: px.mask } });
  }
  const ref = referencePixels.current;
  if (ref) out.push({ id: 'reference', label: 'Reference mask', mask: ref });
  return out;
}

export function scoreRows(): ScoreRow[] {
  return useRuns.getState().runs.map((r) => ({
    runId: r.id, prompt: r.prompt, modelId: r.modelId, variant: r.variant, backend: r.backend, threshold: r.threshold,
    timings: r.timings, scores: r.scores, createdAt: r.createdAt,
  }));
}

/** Exports are de-identified unless the user opts in (per session, never remembered): file names, zip
 *  entries, COCO file_name and the scores' scan field use a neutral study label derived from the scan's
 *  id, and DICOM SEG gets a pseudonym for the patient (PS3.15 basic profile, see writers/dicomSeg.ts). */
let keepIdentifiers = false;
export const setKeepIdentifiers = (keep: boolean): void => {
  keepIdentifiers = keep;
};
export const keepsIdentifiers = (): boolean => keepIdentifiers;

/** A short stable code for a scan (FNV-1a of its id, or of its name when unsaved): no identifier in it. */
function codeOf(scan: Scan, id: string | null): string {
  let h = 0x811c9dc5;
  for (const ch of id ?? `${scan.name}:${scan.width}x${scan.height}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').slice(0, 6).toUpperCase();
}

/** The neutral label and the patient pseudonym used by de-identified exports of a scan. */
export function studyLabel(scan: Scan, id: string | null = useScans.getState().activeId): { label: string; pseudonym: string } {
  const code = codeOf(scan, id);
  return { label: `study-${code.toLowerCase()}`, pseudonym: `ANON-${code}` };
}

/** Base of every export file name: the neutral study label, or the scan's name when identifiers are kept. */
export const stem = (scan: Scan): string =>
  keepIdentifiers ? safeName(scan.name.replace(/\.(nii\.gz|nii|dcm|png|jpe?g|webp|bmp|tiff?|nrrd|mha)$/i, '')) : studyLabel(scan).label;
/** The scan's name in exported documents (COCO, scores, statistics): the study label when de-identified. */
export const scanField = (scan: Scan): string => (keepIdentifiers ? scan.name : studyLabel(scan).label);
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export function canExport(format: ExportFormat, scan: Scan | null): boolean {
  if (!scan) return false;
  return format !== 'dicom-seg' || (scan.format === 'dicom' && !!scan.geometry?.dicom?.sopInstanceUIDs?.length);
}

/** Why a format cannot be exported now, in the user's words; null when it can. */
export function whyNot(format: ExportFormat, scan: Scan | null, hasMasks: boolean, hasRuns: boolean): string | null {
  if (!scan) return 'Open a scan first.';
  if (format === 'dicom-seg' && !canExport(format, scan)) {
    return scan.format === 'dicom'
      ? 'DICOM SEG needs the source DICOM’s instance identifiers, which this file lacks.'
      : `DICOM SEG needs a DICOM source scan (this one is ${scan.format.toUpperCase()}): use NIfTI or PNG instead.`;
  }
  if (format.startsWith('scores')) return hasRuns ? null : 'Scores need at least one prompt result.';
  if (!hasMasks) return 'Nothing to export yet: run a prompt, correct by hand, or import a reference.';
  return null;
}

export function buildExport(format: ExportFormat, sourceId: string): ExportFile {
  const scan = useScans.getState().scan;
  if (!scan) throw new Error('No scan is open.');
  const frame = useView.getState().frame;
  const sources = maskSources();
  const src = sources.find((s) => s.id === sourceId) ?? sources[0];
  const base = stem(scan);
  const tag = src ? safeName(src.id === 'correction' || src.id === 'reference' ? src.id : src.label).slice(0, 40) : 'mask';
  const needMask = (): MaskSource => {
    if (!src) throw new Error('There is no mask to export yet.');
    return src;
  };
  switch (format) {
    case 'png':
      return { name: `${base}_${tag}.png`, bytes: encodeBinaryPng(needMask().mask), mime: 'image/png' };
    case 'label-png': {
      const masks = sources.filter((s) => s.id !== 'reference').map((s) => s.mask);
      if (masks.length === 0) throw new Error('There is no mask to export yet.');
      return { name: `${base}_labels.png`, bytes: encodeLabelPng(labelMap(masks)), mime: 'image/png' };
    }
    case 'nifti':
      return { name: `${base}_${tag}.nii.gz`, bytes: writeNiftiMask(needMask().mask, scan, frame), mime: 'application/gzip' };
    case 'dicom-seg':
      return { name: `${base}_${tag}_seg.dcm`, bytes: writeDicomSeg(needMask().mask, scan, frame, { label: needMask().label, keepIdentifiers, pseudonym: studyLabel(scan).pseudonym }), mime: 'application/dicom' };
    case 'coco':
      return { name: `${base}_coco.json`, bytes: enc(JSON.stringify(toCocoJson(scanField(scan), sources.map((s) => ({ label: s.label, mask: s.mask }))))), mime: 'application/json' };
    case 'scores-csv':
      return { name: `${base}_scores.csv`, bytes: enc(scoresCsv(scoreRows())), mime: 'text/csv' };
    case 'scores-json':
      return { name: `${base}_scores.json`, bytes: enc(scoresJson(scanField(scan), useRuns.getState().reference?.label ?? null, scoreRows())), mime: 'application/json' };
    case 'zip': {
      const files: Record<string, Uint8Array> = {};
      for (const f of ['coco', 'scores-csv', 'scores-json', 'label-png'] as const) {
        const x = buildExport(f, sourceId);
        files[x.name] = x.bytes;
      }
      for (const s of sources) {
        for (const f of ['png', 'nifti', ...(canExport('dicom-seg', scan) ? (['dicom-seg'] as const) : [])] as const) {
          const x = buildExport(f, s.id);
          files[`masks/${x.name}`] = x.bytes;
        }
      }
      return { name: `${base}_study.zip`, bytes: zipStudy(files), mime: 'application/zip' };
    }
  }
}

export function download(file: ExportFile): void {
  const url = URL.createObjectURL(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
