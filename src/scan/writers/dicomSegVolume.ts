// 3-D masks of a DICOM volume <-> one multi-frame DICOM Segmentation (SEG, BINARY, one segment per
// mask: the 3-D mask and each 3-D reference layer of the volume go into one file, segments 1..n).
//
// Writing: one SEG frame per slice that holds any mask pixel (or every slice), each frame with its own
// functional groups: Derivation Image / Source Image (the slice's SOP instance, plus its frame number
// when the source is one enhanced multi-frame file), Plane Position (the slice's ImagePositionPatient),
// Frame Content (dimension index values: segment number, position rank) and Segment Identification.
// Pixel Measures and Plane Orientation are shared; the Referenced Series Sequence lists every instance
// of the source series, so a PACS or viewer finds the whole series from the SEG. Segment Algorithm Type
// says how the mask came about (AUTOMATIC: the model's mask untouched; SEMIAUTOMATIC: corrected by the
// user) and the algorithm is named with its version (model id @ bundle hash). De-identified as the
// single-frame SEG (writers/dicomSeg.ts): patient name and ID become a pseudonym, UIDs are kept.
//
// Reading: every frame is put on the slice it references, matched by referenced SOP instance UID (and
// frame number), else by ImagePositionPatient, in the 3-D mask of its segment (readDicomSegVolumeSegments:
// one per segment, with its label, algorithm and RecommendedDisplayCIELabValue as sRGB); the result is a
// 3-D binary mask per segment in the scan's slice order. A SEG that references none of the scan's slices
// is refused in plain words.
//
// Only DICOM sources: a SEG must reference the images it segments. A NIfTI, NRRD or MHA volume has no
// SOP instances, study or frame of reference to reference, so the app offers NIfTI there instead of
// writing a SEG that points at nothing (see whyNoVolumeSeg).
import dcmjs from 'dcmjs';
import type { Scan } from '../types';
import { MaskReadError, type MaskTarget } from './maskImport';
import { binarySegImage, deidentification, part10, readSegHeader, SEG_SOP_CLASS } from './dicomSeg';

const { DicomMetaDictionary, Colors } = dcmjs.data;

export type SegAlgorithmType = 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';

/** One segment of a volume SEG: a 3-D mask of the volume and what it is. */
export interface SegVolumeSegment {
  /** Slice k at k * width * height, the scan's slice order; non-zero = inside. */
  data: Uint8Array;
  /** Segment label, e.g. the prompt. */
  label?: string;
  /** AUTOMATIC for a model's mask as it came out, SEMIAUTOMATIC once the user corrected it. */
  algorithmType: SegAlgorithmType;
  /** Required unless MANUAL: the model id and its version (bundle hash). */
  algorithm?: { name: string; version: string };
  /** Display colour (sRGB 0-255), written as RecommendedDisplayCIELabValue. */
  rgb?: readonly [number, number, number];
}

export interface SegVolumeOptions extends Omit<SegVolumeSegment, 'data'>, SegVolumeFileOptions {}

export interface SegVolumeFileOptions {
  /** Series description; default from the first segment's label. */
  description?: string;
  /** 'nonempty' (default): one frame per slice holding mask pixels, per segment (every slice when none does). */
  frames?: 'nonempty' | 'all';
  /** Injected for deterministic tests. */
  uid?: () => string;
  keepIdentifiers?: boolean;
  pseudonym?: string;
  /** Injected for deterministic tests. */
  now?: Date;
}

/** What a volume SEG needs from its scan (no pixels). */
export type SegVolumeSource = Pick<Scan, 'format' | 'width' | 'height' | 'frames' | 'spacing' | 'geometry'>;

/** Why a volume of this scan cannot be written as a DICOM SEG, in the user's words; null when it can. */
export function whyNoVolumeSeg(scan: SegVolumeSource): string | null {
  if (scan.format !== 'dicom')
    return `DICOM SEG references the DICOM images it segments; this volume is ${scan.format.toUpperCase()} and has none (no study, series or instance identifiers), so a SEG would point at nothing. Export the 3-D mask as NIfTI instead.`;
  const d = scan.geometry?.dicom;
  const uids = d?.sopInstanceUIDs ?? [];
  if (!d?.studyInstanceUID || !d.seriesInstanceUID || uids.length === 0 || uids.some((u) => !u))
    return 'DICOM SEG needs the study, series and instance identifiers of every source image, which this volume lacks.';
  if (uids.length !== 1 && uids.length !== scan.frames)
    return `The volume has ${scan.frames} slices but ${uids.length} instance identifiers; the slices cannot be referenced one by one.`;
  return null;
}

interface SliceRef {
  sopClass: string;
  sop: string;
  frameNumber?: number;
}

/** The source image of slice k: its own instance, or frame n of one multi-frame instance. */
function sliceRef(scan: SegVolumeSource, k: number): SliceRef {
  const d = scan.geometry?.dicom ?? {};
  const uids = d.sopInstanceUIDs ?? [];
  const sopClass = d.sopClassUID ?? '1.2.840.10008.5.1.4.1.1.7';
  if (uids.length === scan.frames && (scan.frames > 1 || !d.sourceFrames)) return { sopClass, sop: uids[k] };
  return { sopClass, sop: uids[0], frameNumber: d.sourceFrames?.[k] ?? k + 1 };
}

/** A decimal string DS can hold (16 characters at most). */
const ds16 = (v: number): number => Number(v.toPrecision(10));
const code = (value: string, scheme: string, meaning: string) => ({ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning });

/** sRGB 0-255 -> DICOM CIELab (PS3.3 C.10.7.1.1, unsigned 0-65535), and back. */
export const rgbToDicomLab = (rgb: readonly [number, number, number]): [number, number, number] =>
  Colors.rgb2DICOMLAB(rgb.map((c) => c / 255)).map((v) => Math.max(0, Math.min(65535, Math.round(v)))) as [number, number, number];
export const dicomLabToRgb = (lab: readonly number[]): [number, number, number] =>
  Colors.dicomlab2RGB(lab).map((v) => Math.max(0, Math.min(255, Math.round(v * 255)))) as [number, number, number];

/** Writes the 3-D mask `data` (slice k at k * width * height, the scan's slice order) as one SEG. */
export function writeDicomSegVolume(data: Uint8Array, scan: SegVolumeSource, opts: SegVolumeOptions): Uint8Array {
  const { label, algorithmType, algorithm, rgb, ...file } = opts;
  return writeDicomSegVolumeSegments([{ data, label, algorithmType, algorithm, rgb }], scan, file);
}

/** Writes several 3-D masks of the volume as the segments 1..n of one SEG (frames segment by segment). */
export function writeDicomSegVolumeSegments(segments: readonly SegVolumeSegment[], scan: SegVolumeSource, opts: SegVolumeFileOptions = {}): Uint8Array {
  const why = whyNoVolumeSeg(scan);
  if (why) throw new Error(why);
  if (segments.length === 0) throw new Error('There is no 3-D mask to write.');
  const plane = scan.width * scan.height;
  segments.forEach((s, i) => {
    if (s.data.length !== plane * scan.frames) throw new Error(`The 3-D mask ${i + 1} holds ${s.data.length} voxels, the volume ${plane * scan.frames}.`);
    if (s.algorithmType !== 'MANUAL' && !s.algorithm?.name) throw new Error(`The ${s.algorithmType.toLowerCase()} segment "${s.label ?? i + 1}" must name its algorithm.`);
  });
  const uid = opts.uid ?? (() => DicomMetaDictionary.uid());
  const d = scan.geometry?.dicom ?? {};
  const positions = d.imagePositionPatient?.length === scan.frames ? d.imagePositionPatient : null;
  const iop = d.imageOrientationPatient?.length === 6 ? d.imageOrientationPatient : null;

  // frames: per segment, its slices holding mask voxels (every slice when it has none, or with frames 'all')
  const frames: { seg: number; k: number }[] = [];
  segments.forEach((s, i) => {
    const filled = (k: number): boolean => {
      for (let j = k * plane, e = j + plane; j < e; j++) if (s.data[j]) return true;
      return false;
    };
    let slices = Array.from({ length: scan.frames }, (_, k) => k);
    if (opts.frames !== 'all') {
      const nonEmpty = slices.filter(filled);
      if (nonEmpty.length) slices = nonEmpty;
    }
    for (const k of slices) frames.push({ seg: i, k });
  });
  // the position dimension's index: rank of the slice among the slices any frame is on
  const written = [...new Set(frames.map((f) => f.k))].sort((a, b) => a - b);
  const rank = new Map(written.map((k, r) => [k, r + 1]));

  // pixel data: the frames' bits packed contiguously, frame after frame (PS3.5 8.1.1)
  const bits = frames.length * plane;
  const px = new Uint8Array(Math.ceil(bits / 8) + (Math.ceil(bits / 8) % 2));
  frames.forEach(({ seg, k }, f) => {
    const data = segments[seg].data;
    const src = k * plane;
    const dst = f * plane;
    for (let i = 0; i < plane; i++) if (data[src + i]) px[(dst + i) >> 3] |= 1 << ((dst + i) & 7);
  });

  const purpose = [code('121322', 'DCM', 'Source image for image processing operation')];
  const perFrame = frames.map(({ seg, k }) => {
    const r = sliceRef(scan, k);
    return {
      DerivationImageSequence: [
        {
          SourceImageSequence: [
            {
              ReferencedSOPClassUID: r.sopClass,
              ReferencedSOPInstanceUID: r.sop,
              ...(r.frameNumber ? { ReferencedFrameNumber: r.frameNumber } : {}),
              PurposeOfReferenceCodeSequence: purpose,
              // same rows and columns as the source slice: a pixel of the SEG frame is that pixel of the image
              SpatialLocationsPreserved: 'YES',
            },
          ],
          DerivationCodeSequence: [code('113076', 'DCM', 'Segmentation')],
        },
      ],
      FrameContentSequence: [{ DimensionIndexValues: positions ? [seg + 1, rank.get(k)!] : [seg + 1] }],
      ...(positions ? { PlanePositionSequence: [{ ImagePositionPatient: positions[k].map(ds16) }] } : {}),
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: seg + 1 }],
    };
  });

  const dimOrg = uid();
  const dimensions = [
    { DimensionOrganizationUID: dimOrg, DimensionIndexPointer: 0x0062000b, FunctionalGroupPointer: 0x0062000a, DimensionDescriptionLabel: 'Segment Number' },
    ...(positions ? [{ DimensionOrganizationUID: dimOrg, DimensionIndexPointer: 0x00200032, FunctionalGroupPointer: 0x00209113, DimensionDescriptionLabel: 'Image Position Patient' }] : []),
  ];
  const instances = new Map<string, string>();
  for (let k = 0; k < scan.frames; k++) {
    const r = sliceRef(scan, k);
    instances.set(r.sop, r.sopClass);
  }
  const now = opts.now ?? new Date();
  const date = now.toISOString().slice(0, 10).replace(/-/g, '');
  const time = now.toISOString().slice(11, 19).replace(/:/g, '');
  const sopInstance = uid();
  const labelOf = (s: SegVolumeSegment, i: number): string => s.label?.trim() || (segments.length === 1 ? 'mask' : `mask ${i + 1}`);
  const description = opts.description?.trim() || (segments.length === 1 ? labelOf(segments[0], 0) : segments.map(labelOf).join(', '));
  const dataset: Record<string, unknown> = {
    _vrMap: { PixelData: 'OB' },
    SOPClassUID: SEG_SOP_CLASS,
    SOPInstanceUID: sopInstance,
    StudyInstanceUID: d.studyInstanceUID,
    SeriesInstanceUID: uid(),
    FrameOfReferenceUID: d.frameOfReferenceUID ?? uid(),
    PositionReferenceIndicator: '',
    Modality: 'SEG',
    SeriesNumber: 999,
    InstanceNumber: 1,
    SeriesDescription: `VLSM 3-D mask${segments.length === 1 ? '' : 's'}: ${description}`.slice(0, 64),
    ContentLabel: 'VLSM',
    ContentDescription: description.slice(0, 64),
    ContentCreatorName: 'VLSM Workbench',
    ContentDate: date,
    ContentTime: time,
    SeriesDate: date,
    SeriesTime: time,
    StudyDate: '',
    StudyTime: '',
    StudyID: '',
    AccessionNumber: '',
    ReferringPhysicianName: '',
    PatientBirthDate: '',
    PatientSex: '',
    Manufacturer: 'VLSM Workbench',
    ManufacturerModelName: 'VLSM Workbench',
    DeviceSerialNumber: '1',
    SoftwareVersions: 'VLSM-WB-0.1',
    ...deidentification(d, opts),
    ...binarySegImage(scan.height, scan.width),
    NumberOfFrames: frames.length,
    DimensionOrganizationType: '3D',
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimOrg }],
    DimensionIndexSequence: dimensions,
    SegmentSequence: segments.map((sg, i) => {
      const algo = sg.algorithm;
      return {
        SegmentNumber: i + 1,
        SegmentLabel: labelOf(sg, i).slice(0, 64),
        SegmentAlgorithmType: sg.algorithmType,
        ...(algo && sg.algorithmType !== 'MANUAL'
          ? {
              SegmentAlgorithmName: `${algo.name}@${algo.version}`.slice(0, 64),
              SegmentationAlgorithmIdentificationSequence: [
                { AlgorithmFamilyCodeSequence: [code('123110', 'DCM', 'Artificial Intelligence')], AlgorithmName: algo.name.slice(0, 64), AlgorithmVersion: algo.version.slice(0, 64) },
              ],
            }
          : {}),
        ...(sg.rgb ? { RecommendedDisplayCIELabValue: rgbToDicomLab(sg.rgb) } : {}),
        SegmentedPropertyCategoryCodeSequence: [code('91723000', 'SCT', 'Anatomical Structure')],
        SegmentedPropertyTypeCodeSequence: [code('85756007', 'SCT', 'Tissue')],
      };
    }),
    SharedFunctionalGroupsSequence: [
      {
        PixelMeasuresSequence: [{ PixelSpacing: [ds16(scan.spacing[1]), ds16(scan.spacing[0])], SliceThickness: ds16(scan.spacing[2]), SpacingBetweenSlices: ds16(scan.spacing[2]) }],
        ...(iop ? { PlaneOrientationSequence: [{ ImageOrientationPatient: iop.map(ds16) }] } : {}),
      },
    ],
    PerFrameFunctionalGroupsSequence: perFrame,
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: d.seriesInstanceUID,
        ReferencedInstanceSequence: [...instances].map(([sop, cls]) => ({ ReferencedSOPClassUID: cls, ReferencedSOPInstanceUID: sop })),
      },
    ],
    PixelData: px.buffer,
  };
  return part10(dataset, sopInstance);
}

export interface SegVolumeInfo {
  /** 3-D binary mask in the scan's slice order. */
  data: Uint8Array;
  /** Slices that received a SEG frame, in slice order. */
  slices: number[];
  /** SEG frames of the segment that matched no slice of the scan. */
  unmatched: number;
  /** The segment's number in the SEG. */
  number: number;
  label: string;
  algorithmType: string | null;
  algorithmName: string | null;
  /** RecommendedDisplayCIELabValue as sRGB 0-255; null when the SEG gives none. */
  rgb: [number, number, number] | null;
  referencedSeriesInstanceUID: string | null;
}

type Item = Record<string, unknown>;
const list = (v: unknown): Item[] => (Array.isArray(v) ? v : v ? [v] : []) as Item[];
const nums = (v: unknown): number[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).map(Number);

/** A segment's algorithm as name@version (its Segmentation Algorithm Identification), else its SegmentAlgorithmName. */
function algorithmNameOf(seg: Item): string | null {
  const id = list(seg.SegmentationAlgorithmIdentificationSequence)[0];
  if (id?.AlgorithmName) return `${String(id.AlgorithmName)}${id.AlgorithmVersion ? `@${String(id.AlgorithmVersion)}` : ''}`;
  return seg.SegmentAlgorithmName ? String(seg.SegmentAlgorithmName) : null;
}

/** Reads a (multi-frame) SEG onto the slices of `scan`: segment `segment` (default: the first one). */
export function readDicomSegVolume(bytes: Uint8Array, scan: MaskTarget & Pick<Scan, 'format'>, segment?: number): SegVolumeInfo {
  const all = readDicomSegVolumeSegments(bytes, scan, segment);
  return all.find((s) => s.number === segment) ?? all[0];
}

/**
 * Reads every segment of a (multi-frame) SEG onto the slices of `scan`, in segment order; `only` reads
 * just that segment (or the first when it has no such number). Throws MaskReadError when no frame of
 * the SEG lands on a slice of the scan.
 */
export function readDicomSegVolumeSegments(bytes: Uint8Array, scan: MaskTarget & Pick<Scan, 'format'>, only?: number): SegVolumeInfo[] {
  const { ds, rows, cols } = readSegHeader(bytes);
  if (cols !== scan.width || rows !== scan.height)
    throw new MaskReadError(`The SEG frames are ${cols} × ${rows} pixels, but the scan's slices are ${scan.width} × ${scan.height}; it was not made on this series.`);
  const nFrames = Number(ds.NumberOfFrames ?? 1);
  const bitsAllocated = Number(ds.BitsAllocated);
  if (!Number.isInteger(nFrames) || nFrames < 1) throw new MaskReadError('The DICOM SEG declares an impossible number of frames; the file is damaged.');
  if (bitsAllocated !== 1 && bitsAllocated !== 8) throw new MaskReadError(`The DICOM SEG declares ${String(ds.BitsAllocated)} bits allocated; a SEG has 1 (binary) or 8 (fractional).`);
  const pxBuf = list(ds.PixelData)[0] as unknown as ArrayBuffer | undefined;
  if (!pxBuf) throw new MaskReadError('The DICOM SEG has no pixel data.');
  const raw = new Uint8Array(pxBuf);
  const plane = rows * cols;
  const need = bitsAllocated === 1 ? Math.ceil((plane * nFrames) / 8) : plane * nFrames;
  if (raw.length < need) throw new MaskReadError(`The DICOM SEG is truncated: its pixel data holds ${raw.length} bytes, ${need} are needed for ${nFrames} frames of ${cols} × ${rows}.`);

  let segments = list(ds.SegmentSequence);
  if (segments.length === 0) segments = [{ SegmentNumber: 1 }];
  if (only !== undefined) segments = [segments.find((s) => Number(s.SegmentNumber) === only) ?? segments[0]];
  const numberOf = (s: Item, i: number): number => (Number.isInteger(Number(s.SegmentNumber)) ? Number(s.SegmentNumber) : i + 1);
  const single = segments.length === 1;
  const outs = new Map<number, { data: Uint8Array; hit: Set<number>; unmatched: number }>();
  segments.forEach((s, i) => outs.set(numberOf(s, i), { data: new Uint8Array(plane * scan.frames), hit: new Set(), unmatched: 0 }));
  const shared = list(ds.SharedFunctionalGroupsSequence)[0] ?? {};
  const perFrame = list(ds.PerFrameFunctionalGroupsSequence);

  // the scan's slices by reference and by position along its normal
  const d = scan.geometry?.dicom ?? {};
  const uids = d.sopInstanceUIDs ?? [];
  const bySop = new Map<string, number>();
  if (uids.length === scan.frames && scan.frames > 0 && !(scan.frames === 1 && d.sourceFrames)) uids.forEach((u, k) => bySop.set(u, k));
  const byFrame = new Map<number, number>();
  if (uids.length === 1 && scan.frames > 1) for (let k = 0; k < scan.frames; k++) byFrame.set(d.sourceFrames?.[k] ?? k + 1, k);
  const positions = d.imagePositionPatient?.length === scan.frames ? d.imagePositionPatient : null;
  const step = Math.abs(scan.spacing[2]) || 1;

  let anyHit = false;
  perFrame.forEach((g, f) => {
    const ident = list(g.SegmentIdentificationSequence)[0] ?? list(shared.SegmentIdentificationSequence)[0];
    // a frame without segment identification belongs to the only segment
    const out = ident ? outs.get(Number(ident.ReferencedSegmentNumber)) : single ? [...outs.values()][0] : undefined;
    if (!out) return;
    let k = -1;
    for (const der of list(g.DerivationImageSequence)) {
      for (const src of list(der.SourceImageSequence)) {
        const sop = String(src.ReferencedSOPInstanceUID ?? '');
        const fn = nums(src.ReferencedFrameNumber)[0];
        if (bySop.has(sop)) k = bySop.get(sop)!;
        else if (uids.length === 1 && sop === uids[0] && fn !== undefined && byFrame.has(fn)) k = byFrame.get(fn)!;
      }
    }
    if (k < 0 && positions) {
      const p = nums(list(g.PlanePositionSequence)[0]?.ImagePositionPatient ?? list(shared.PlanePositionSequence)[0]?.ImagePositionPatient);
      if (p.length === 3) {
        let best = -1;
        let bestDist = Infinity;
        positions.forEach((q, j) => {
          const dist = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
          if (dist < bestDist) [best, bestDist] = [j, dist];
        });
        if (bestDist <= step * 0.25) k = best;
      }
    }
    if (k < 0) {
      out.unmatched++;
      return;
    }
    out.hit.add(k);
    anyHit = true;
    const dst = k * plane;
    const base = f * plane;
    const o = out.data;
    if (bitsAllocated === 1) {
      for (let i = 0; i < plane; i++) {
        const b = base + i;
        if ((raw[b >> 3] >> (b & 7)) & 1) o[dst + i] = 1;
      }
    } else for (let i = 0; i < plane; i++) if (raw[base + i]) o[dst + i] = 1;
  });
  if (!anyHit) {
    throw new MaskReadError(
      perFrame.length === 0
        ? 'The DICOM SEG has no per-frame information, so its frames cannot be placed on the slices of this series.'
        : `None of the ${perFrame.length} frames of this SEG belongs to a slice of this series (neither by image reference nor by position): it was made on another series.`,
    );
  }
  const refSeries = list(ds.ReferencedSeriesSequence)[0];
  return segments.map((seg, i) => {
    const n = numberOf(seg, i);
    const out = outs.get(n)!;
    const lab = nums(seg.RecommendedDisplayCIELabValue);
    return {
      data: out.data,
      slices: [...out.hit].sort((a, b) => a - b),
      unmatched: out.unmatched,
      number: n,
      label: String(seg.SegmentLabel ?? ds.SeriesDescription ?? 'segmentation'),
      algorithmType: seg.SegmentAlgorithmType ? String(seg.SegmentAlgorithmType) : null,
      algorithmName: algorithmNameOf(seg),
      rgb: lab.length === 3 && lab.every(Number.isFinite) ? dicomLabToRgb(lab) : null,
      referencedSeriesInstanceUID: refSeries?.SeriesInstanceUID ? String(refSeries.SeriesInstanceUID) : null,
    };
  });
}
