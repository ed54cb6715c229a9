// Mask -> DICOM Segmentation (SEG, BINARY, one segment, one frame) referencing the source DICOM: same
// study, frame of reference and patient; a new series; the source image by SOP class/instance UID
// (and frame number for multi-frame sources). Also reads a SEG back into a binary mask.
import dcmjs from 'dcmjs';
import type { Mask } from '../../mask/types';
import type { Scan } from '../types';
import { MaskReadError, type MaskTarget } from './maskImport';

const { DicomDict, DicomMessage, DicomMetaDictionary } = dcmjs.data;
export const SEG_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

type DicomIds = NonNullable<NonNullable<Scan['geometry']>['dicom']>;

/**
 * Patient attributes of a SEG. PS3.15 Basic Application Level Confidentiality Profile by default: the
 * patient's name and ID become a pseudonym (shown to the user), no other patient attribute is copied; UIDs
 * are kept (Retain UIDs option) so the SEG still references its source images. keepIdentifiers is the
 * explicit opt-in.
 */
export function deidentification(d: DicomIds, opts: { keepIdentifiers?: boolean; pseudonym?: string }): Record<string, unknown> {
  if (opts.keepIdentifiers) return { PatientName: d.patientName ?? '', PatientID: d.patientID ?? '' };
  return {
    PatientName: opts.pseudonym ?? 'ANONYMOUS',
    PatientID: opts.pseudonym ?? 'ANONYMOUS',
    PatientIdentityRemoved: 'YES',
    // LO: 64 characters at most
    DeidentificationMethod: 'PS3.15 Basic Profile, Retain UIDs; name and ID pseudonymised',
    DeidentificationMethodCodeSequence: [
      { CodeValue: '113100', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Basic Application Confidentiality Profile' },
      { CodeValue: '113110', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Retain UIDs Option' },
    ],
  };
}

/** A naturalized dataset as a DICOM Part 10 file (explicit VR little endian). */
/** The image attributes every BINARY SEG of this app carries (one frame or many). */
export function binarySegImage(rows: number, columns: number): Record<string, unknown> {
  return {
    ImageType: ['DERIVED', 'PRIMARY'],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
  };
}

export function part10(dataset: Record<string, unknown>, sopInstance: string): Uint8Array {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SEG_SOP_CLASS,
    MediaStorageSOPInstanceUID: sopInstance,
    TransferSyntaxUID: EXPLICIT_LE,
    ImplementationClassUID: '2.25.80302813137786398554742050926734630921',
    ImplementationVersionName: 'VLSM-WB-0.1',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

export interface SegOptions {
  label?: string;
  /** Algorithm name recorded in the segment, e.g. the model id. */
  algorithm?: string;
  /** Injected for deterministic tests. */
  uid?: () => string;
  /** Copy the source's PatientName and PatientID (explicit opt-in); otherwise they become `pseudonym`. */
  keepIdentifiers?: boolean;
  pseudonym?: string;
}

function packBits(mask: Mask): ArrayBuffer {
  const n = mask.data.length;
  const out = new Uint8Array(Math.ceil(n / 8));
  for (let i = 0; i < n; i++) if (mask.data[i]) out[i >> 3] |= 1 << (i & 7);
  return out.buffer;
}

/** The source image that frame `frame` of `scan` came from. */
function sourceRef(scan: Pick<Scan, 'geometry' | 'frames'>, frame: number): { sop: string; sopClass: string; frameNumber?: number } | null {
  const d = scan.geometry?.dicom;
  const uids = d?.sopInstanceUIDs ?? [];
  if (uids.length === 0) return null;
  const sopClass = d?.sopClassUID ?? '1.2.840.10008.5.1.4.1.1.7';
  if (uids.length > 1) return { sop: uids[Math.min(frame, uids.length - 1)], sopClass };
  return scan.frames > 1 ? { sop: uids[0], sopClass, frameNumber: frame + 1 } : { sop: uids[0], sopClass };
}

export function writeDicomSeg(mask: Mask, scan: Scan, frame = 0, opts: SegOptions = {}): Uint8Array {
  if (mask.width !== scan.width || mask.height !== scan.height) throw new Error('mask and scan differ in size');
  const uid = opts.uid ?? (() => DicomMetaDictionary.uid());
  const d = scan.geometry?.dicom ?? {};
  const ref = sourceRef(scan, frame);
  const sopInstance = uid();
  const now = new Date();
  const date = now.toISOString().slice(0, 10).replace(/-/g, '');
  const time = now.toISOString().slice(11, 19).replace(/:/g, '');
  const refImage = ref
    ? [{ ReferencedSOPClassUID: ref.sopClass, ReferencedSOPInstanceUID: ref.sop, ...(ref.frameNumber ? { ReferencedFrameNumber: ref.frameNumber } : {}) }]
    : [];
  const pos = d.imagePositionPatient?.[Math.min(frame, (d.imagePositionPatient?.length ?? 1) - 1)];
  const perFrame: Record<string, unknown> = {
    SegmentIdentificationSequence: [{ ReferencedSegmentNumber: 1 }],
    FrameContentSequence: [{ DimensionIndexValues: [1, 1] }],
    ...(pos ? { PlanePositionSequence: [{ ImagePositionPatient: pos }] } : {}),
    ...(ref ? { DerivationImageSequence: [{ SourceImageSequence: refImage.map((r) => ({ ...r, PurposeOfReferenceCodeSequence: [{ CodeValue: '121322', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Source image for image processing operation' }] })), DerivationCodeSequence: [{ CodeValue: '113076', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Segmentation' }] }] } : {}),
  };
  const dataset: Record<string, unknown> = {
    _vrMap: { PixelData: 'OB' },
    SOPClassUID: SEG_SOP_CLASS,
    SOPInstanceUID: sopInstance,
    StudyInstanceUID: d.studyInstanceUID ?? uid(),
    SeriesInstanceUID: uid(),
    FrameOfReferenceUID: d.frameOfReferenceUID ?? uid(),
    Modality: 'SEG',
    SeriesNumber: 999,
    InstanceNumber: 1,
    SeriesDescription: opts.label ?? 'VLSM Workbench mask',
    ContentLabel: 'VLSM',
    ContentDescription: opts.label ?? 'mask',
    ContentCreatorName: 'VLSM Workbench',
    ContentDate: date,
    ContentTime: time,
    SeriesDate: date,
    SeriesTime: time,
    Manufacturer: 'VLSM Workbench',
    ...deidentification(d, opts),
    ...binarySegImage(mask.height, mask.width),
    NumberOfFrames: 1,
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: uid() }],
    SegmentSequence: [
      {
        SegmentNumber: 1,
        SegmentLabel: opts.label ?? 'mask',
        SegmentAlgorithmType: opts.algorithm ? 'SEMIAUTOMATIC' : 'MANUAL',
        ...(opts.algorithm ? { SegmentAlgorithmName: opts.algorithm } : {}),
        SegmentedPropertyCategoryCodeSequence: [{ CodeValue: '91723000', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Anatomical Structure' }],
        SegmentedPropertyTypeCodeSequence: [{ CodeValue: '85756007', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Tissue' }],
      },
    ],
    SharedFunctionalGroupsSequence: [
      {
        PixelMeasuresSequence: [{ PixelSpacing: [scan.spacing[1], scan.spacing[0]], SliceThickness: scan.spacing[2] }],
        ...(d.imageOrientationPatient ? { PlaneOrientationSequence: [{ ImageOrientationPatient: d.imageOrientationPatient }] } : {}),
      },
    ],
    PerFrameFunctionalGroupsSequence: [perFrame],
    ...(ref && d.seriesInstanceUID ? { ReferencedSeriesSequence: [{ SeriesInstanceUID: d.seriesInstanceUID, ReferencedInstanceSequence: refImage.map(({ ReferencedSOPClassUID, ReferencedSOPInstanceUID }) => ({ ReferencedSOPClassUID, ReferencedSOPInstanceUID })) }] } : {}),
    PixelData: packBits(mask),
  };
  return part10(dataset, sopInstance);
}

export interface SegInfo {
  mask: Mask;
  referencedSopInstanceUIDs: string[];
  studyInstanceUID?: string;
  frameOfReferenceUID?: string;
}

const first = <T>(v: unknown): T | undefined => (Array.isArray(v) ? (v[0] as T) : (v as T | undefined));

/**
 * Read a DICOM SEG: the frame of segment 1 that references the scan's frame `frame` (by SOP instance
 * UID and frame number when references exist; else frame `frame` or the first frame), as a binary mask.
 */
/** dcmjs zero-pads pixel data cut short by the end of the file: the declared length is checked here
 *  (explicit VR little endian Pixel Data, as SEG files are written). */
export function checkPixelDataComplete(b: Uint8Array): void {
  for (let i = b.length - 12; i >= 132; i--) {
    if (b[i] !== 0xe0 || b[i + 1] !== 0x7f || b[i + 2] !== 0x10 || b[i + 3] !== 0x00) continue;
    const vr = String.fromCharCode(b[i + 4], b[i + 5]);
    if (vr !== 'OB' && vr !== 'OW') continue;
    const len = new DataView(b.buffer, b.byteOffset + i + 8, 4).getUint32(0, true);
    if (len !== 0xffffffff && i + 12 + len > b.length) {
      throw new MaskReadError(`The DICOM SEG is truncated: its pixel data declares ${len} bytes, the file ends after ${b.length - i - 12}.`);
    }
    return;
  }
}

/** The parsed attributes of a SEG file and its frame size, or a MaskReadError in words (damaged, truncated,
 * not a SEG, no valid Rows/Columns). Shared by the one-frame and the multi-frame readers. */
export function readSegHeader(bytes: Uint8Array): { ds: Record<string, unknown>; rows: number; cols: number } {
  checkPixelDataComplete(bytes);
  let ds: Record<string, unknown>;
  try {
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    ds = DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(buf).dict);
  } catch {
    throw new MaskReadError('The DICOM SEG file is damaged or truncated: its attributes could not be read.');
  }
  if (ds.SOPClassUID !== SEG_SOP_CLASS) throw new MaskReadError('This DICOM file is not a Segmentation (SEG).');
  const rows = Number(ds.Rows);
  const cols = Number(ds.Columns);
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw new MaskReadError('The DICOM SEG does not declare a valid size (Rows and Columns); the file is damaged.');
  return { ds, rows, cols };
}

export function readDicomSeg(bytes: Uint8Array, scan: MaskTarget, frame = 0): SegInfo {
  const { ds, rows, cols } = readSegHeader(bytes);
  if (cols !== scan.width || rows !== scan.height) throw new MaskReadError(`The SEG mask is ${cols} × ${rows} pixels, but the scan is ${scan.width} × ${scan.height}. A reference mask must have the scan's exact size; it is not stretched.`);
  const nFrames = Number(ds.NumberOfFrames ?? 1);
  if (!Number.isInteger(nFrames) || nFrames < 1) throw new MaskReadError('The DICOM SEG declares an impossible number of frames; the file is damaged.');
  const bits = Number(ds.BitsAllocated);
  if (bits !== 1 && bits !== 8) throw new MaskReadError(`The DICOM SEG declares ${String(ds.BitsAllocated)} bits allocated; a SEG has 1 (binary) or 8 (fractional).`);
  const px = first<ArrayBuffer>(ds.PixelData as ArrayBuffer[] | undefined);
  if (!px) throw new MaskReadError('The DICOM SEG has no pixel data.');
  const raw = new Uint8Array(px);
  const need = bits === 1 ? Math.ceil((rows * cols * nFrames) / 8) : rows * cols * nFrames;
  if (raw.length < need) throw new MaskReadError(`The DICOM SEG is truncated: its pixel data holds ${raw.length} bytes, ${need} are needed for ${nFrames} frame(s) of ${cols} × ${rows}.`);
  const perFrame = (ds.PerFrameFunctionalGroupsSequence as Record<string, unknown>[] | undefined) ?? [];
  const refs: string[] = [];
  const want = sourceRef(scan, frame);
  let pick = -1;
  perFrame.forEach((g, i) => {
    const der = first<Record<string, unknown>>(g.DerivationImageSequence);
    const srcImg = first<Record<string, unknown>>(der?.SourceImageSequence);
    const seg = first<Record<string, unknown>>(g.SegmentIdentificationSequence);
    const sop = srcImg?.ReferencedSOPInstanceUID as string | undefined;
    if (sop) refs.push(sop);
    const fn = srcImg?.ReferencedFrameNumber as number | undefined;
    const segNo = Number(seg?.ReferencedSegmentNumber ?? 1);
    if (pick < 0 && segNo === 1 && want && sop === want.sop && (!want.frameNumber || Number(fn ?? want.frameNumber) === want.frameNumber)) pick = i;
  });
  if (pick < 0) pick = Math.min(frame, nFrames - 1);
  const plane = rows * cols;
  const data = new Uint8Array(plane);
  if (bits === 1) {
    const base = pick * plane;
    for (let i = 0; i < plane; i++) {
      const b = base + i;
      data[i] = (raw[b >> 3] >> (b & 7)) & 1;
    }
  } else {
    const base = pick * plane;
    for (let i = 0; i < plane; i++) data[i] = raw[base + i] ? 1 : 0;
  }
  return {
    mask: { width: cols, height: rows, data },
    referencedSopInstanceUIDs: refs,
    studyInstanceUID: ds.StudyInstanceUID as string | undefined,
    frameOfReferenceUID: ds.FrameOfReferenceUID as string | undefined,
  };
}
