// What a DICOM SEG refers to: its study, the source series and the source instances (for opening the
// source series from the PACS and putting each segmentation frame on its slice).
import dcmjs from 'dcmjs';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;
const SEG_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';

export interface SegReferences {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUIDs: string[];
  label: string;
  /** Number of frames (a multi-frame SEG covers several slices). */
  frames: number;
}

const list = (v: unknown): Record<string, unknown>[] =>
  (Array.isArray(v) ? v : v ? [v] : []) as Record<string, unknown>[];

export function segReferences(bytes: ArrayBuffer): SegReferences {
  const ds = DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(bytes).dict);
  if (ds.SOPClassUID !== SEG_SOP_CLASS) throw new Error('This object is not a DICOM Segmentation (SEG).');
  const refSeries = list(ds.ReferencedSeriesSequence)[0];
  const sops = new Set<string>();
  for (const r of list(refSeries?.ReferencedInstanceSequence))
    if (r.ReferencedSOPInstanceUID) sops.add(String(r.ReferencedSOPInstanceUID));
  for (const g of list(ds.PerFrameFunctionalGroupsSequence)) {
    for (const d of list(g.DerivationImageSequence)) {
      for (const s of list(d.SourceImageSequence))
        if (s.ReferencedSOPInstanceUID) sops.add(String(s.ReferencedSOPInstanceUID));
    }
  }
  const seriesInstanceUID = String(refSeries?.SeriesInstanceUID ?? '');
  if (!seriesInstanceUID)
    throw new Error(
      'The segmentation does not say which series it was drawn on (no Referenced Series Sequence).',
    );
  const seg = list(ds.SegmentSequence)[0];
  return {
    studyInstanceUID: String(ds.StudyInstanceUID ?? ''),
    seriesInstanceUID,
    sopInstanceUIDs: [...sops],
    label: String(seg?.SegmentLabel ?? ds.SeriesDescription ?? 'segmentation'),
    frames: Number(ds.NumberOfFrames ?? 1) || 1,
  };
}
