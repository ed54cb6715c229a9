// The one in-memory scan type every reader produces and every consumer (viewer, engine, storage) reads.
export type ScanDType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
export type PixelArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

export type ScanFormat = 'png' | 'jpeg' | 'webp' | 'bmp' | 'tiff' | 'dicom' | 'nifti' | 'nrrd' | 'mha' | 'demo';

/** Photometric interpretation after decoding: palette and YBR are converted to RGB by the readers. */
export type Photometric = 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';

export interface WindowLevel {
  center: number;
  width: number;
}

/** Geometry needed to write masks back in the source's space (NIfTI affine, DICOM references). */
export interface ScanGeometry {
  /** NIfTI: 4x4 row-major voxel->world (RAS) affine; DICOM: derived from position/orientation when present. */
  affine?: number[];
  dicom?: {
    studyInstanceUID?: string;
    seriesInstanceUID?: string;
    sopInstanceUIDs?: string[];
    /** Enhanced multi-frame (one SOP instance): the file's frame number (1-based) of each slice, in slice order. */
    sourceFrames?: number[];
    sopClassUID?: string;
    frameOfReferenceUID?: string;
    imagePositionPatient?: number[][];
    imageOrientationPatient?: number[];
    /** Enhanced multi-frame whose frames lie in different planes: each frame's ImageOrientationPatient. */
    frameOrientations?: number[][];
    patientName?: string;
    patientID?: string;
  };
  nifti?: { header: ArrayBuffer; version: 1 | 2 };
}

export interface Scan {
  name: string;
  format: ScanFormat;
  width: number;
  height: number;
  /** Number of 2-D frames (DICOM frames, NIfTI slices x volumes). Frame f starts at f*width*height*channels. */
  frames: number;
  /**
   * Full shape as the source declares it: [w,h] (+[c] for colour) for 2-D pictures, [x,y,z] or [x,y,z,t] for NIfTI,
   * [rows,cols] or [frames,rows,cols] (+[3] for colour) for DICOM, as pydicom reports it.
   */
  shape: number[];
  /** 1 = greyscale, 3 = RGB interleaved, 4 = RGBA interleaved. */
  channels: 1 | 3 | 4;
  dtype: ScanDType;
  /** Stored values, rescale slope/intercept already applied (dtype widened to float32 when needed). */
  data: PixelArray;
  /** Pixel spacing in mm [column, row, slice]; [1,1,1] when unknown (spacingKnown false). */
  spacing: [number, number, number];
  spacingKnown: boolean;
  photometric: Photometric;
  /** Default window from the file (DICOM), or from the data range. */
  window: WindowLevel;
  /** Minimum and maximum of the stored values. */
  range: [number, number];
  modality?: string;
  metadata: Record<string, string | number>;
  geometry?: ScanGeometry;
}

/** A readable error for bad input: shown to the user as is. */
export class ScanReadError extends Error {
  constructor(
    message: string,
    readonly code: 'empty' | 'unknown-format' | 'truncated' | 'corrupt' | 'too-large' | 'unsupported' | 'not-an-image',
  ) {
    super(message);
    this.name = 'ScanReadError';
  }
}
