// NIfTI reader (.nii and .nii.gz, NIfTI-1/2, either byte order, 3-D to 7-D).
//
// Frame ordering: voxels stay in file order, so x runs along a row (width = dim[1]), y down the rows
// (height = dim[2]; row 0 is j = 0, which for a RAS-ish affine is the posterior/inferior edge — viewers
// that want radiological display flip vertically) and frames are slices then volumes:
// frame f = k + dim[3] * (t + dim[4] * (...)), i.e. slice k = f % dim[3] of volume t = floor(f / dim[3]).
// scl_slope/scl_inter are applied (float32 result) when they are not the identity.
import { int64FromBytes, typedFromBytes, type NumericArrayCtor } from '../../lib/bytes';
import { inflateBounded, InflateLimitError } from '../../lib/inflate';
import { finishScan, valueRange, windowFromRange } from '../build';
import { checkAbort, checkDims, type Limits } from '../limits';
import { ScanReadError, type PixelArray, type Scan, type ScanDType } from '../types';
import { niftiAffine, parseNiftiHeader, type NiftiHeader } from './header';

interface TypeInfo {
  bytes: number;
  channels: 1 | 3 | 4;
  dtype: ScanDType;
  /** 64-bit integers have no matching typed array: read one by one into float64. */
  int64?: 'signed' | 'unsigned';
}

const TYPES: Record<number, TypeInfo> = {
  2: { bytes: 1, channels: 1, dtype: 'uint8' },
  4: { bytes: 2, channels: 1, dtype: 'int16' },
  8: { bytes: 4, channels: 1, dtype: 'int32' },
  16: { bytes: 4, channels: 1, dtype: 'float32' },
  64: { bytes: 8, channels: 1, dtype: 'float64' },
  128: { bytes: 3, channels: 3, dtype: 'uint8' },
  256: { bytes: 1, channels: 1, dtype: 'int8' },
  512: { bytes: 2, channels: 1, dtype: 'uint16' },
  768: { bytes: 4, channels: 1, dtype: 'uint32' },
  1024: { bytes: 8, channels: 1, dtype: 'float64', int64: 'signed' },
  1280: { bytes: 8, channels: 1, dtype: 'float64', int64: 'unsigned' },
  2304: { bytes: 4, channels: 4, dtype: 'uint8' },
};
const DISK_NAME: Record<number, string> = { 1024: 'int64', 1280: 'uint64', 128: 'rgb24', 2304: 'rgba32' };

const ARRAYS: Record<ScanDType, NumericArrayCtor> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
};

function typeOf(h: NiftiHeader): TypeInfo {
  const t = TYPES[h.datatype];
  if (!t) {
    const what = { 32: 'complex64', 1792: 'complex128', 1536: 'float128', 2048: 'complex256' }[h.datatype];
    throw new ScanReadError(what ? `NIfTI ${what} data cannot be shown as an image.` : `The NIfTI header is corrupt: unknown datatype ${h.datatype}.`, what ? 'unsupported' : 'corrupt');
  }
  return t;
}

/** Decompresses just enough of a .nii.gz: first the header, then header + voxels, never past what it declares. */
function gunzipNifti(gz: Uint8Array, limits: Limits): { bytes: Uint8Array; header: NiftiHeader } {
  const run = (want: number, onProgress?: (f: number) => void): { data: Uint8Array; ended: boolean } => {
    try {
      return inflateBounded(gz, { container: 'gzip', want, maxBytes: Math.max(want, 0), onProgress });
    } catch (e) {
      if (e instanceof InflateLimitError) throw new ScanReadError('The compressed NIfTI expands to more data than its header declares.', 'corrupt');
      throw new ScanReadError(`The .nii.gz file is corrupt or truncated: ${(e as Error).message}.`, 'corrupt');
    }
  };
  const head = run(540).data;
  const header = parseNiftiHeader(head);
  const need = planBytes(header, limits);
  // inflating is most of a large .nii.gz's decode: it is reported as 0-90 %
  const progress = limits.onProgress;
  return { bytes: run(need, progress && ((f) => progress(0.9 * f))).data, header };
}

function planBytes(h: NiftiHeader, limits: Limits): number {
  const t = typeOf(h);
  const [w, hgt = 1, ...rest] = h.dims;
  const frames = rest.reduce((a, b) => a * b, 1);
  checkDims('NIfTI', w, hgt, frames, t.bytes, limits);
  const off = Math.max(h.voxOffset, h.size);
  if (!Number.isFinite(off) || off > limits.maxBytes) throw new ScanReadError(`The NIfTI header is corrupt: vox_offset ${h.voxOffset} is impossible.`, 'corrupt');
  return Math.floor(off) + w * hgt * frames * t.bytes;
}

export function readNifti(name: string, file: Uint8Array, gz: boolean, limits: Limits): Scan {
  let bytes = file;
  let h: NiftiHeader;
  if (gz) ({ bytes, header: h } = gunzipNifti(file, limits));
  else h = parseNiftiHeader(file);
  checkAbort(limits.signal);
  const need = planBytes(h, limits);
  if (bytes.length < need) throw new ScanReadError(`The NIfTI file is truncated: it holds ${bytes.length} bytes but its header declares ${need}.`, 'truncated');
  const t = typeOf(h);
  const [w, hgt = 1, ...rest] = h.dims;
  const frames = rest.reduce((a, b) => a * b, 1);
  const samples = w * hgt * frames * t.channels;
  const sampleBytes = t.bytes / t.channels;
  const off = Math.floor(Math.max(h.voxOffset, h.size));
  const raw = bytes.subarray(off, off + samples * sampleBytes);
  let data: PixelArray = t.int64 ? int64FromBytes(raw, samples, t.int64 === 'signed', h.little) : typedFromBytes(raw, ARRAYS[t.dtype], samples, h.little);
  const scaled = Number.isFinite(h.sclSlope) && h.sclSlope !== 0 && (h.sclSlope !== 1 || h.sclInter !== 0) && t.channels === 1;
  if (scaled) {
    const out = t.dtype === 'float64' ? new Float64Array(samples) : new Float32Array(samples);
    for (let i = 0; i < samples; i++) out[i] = data[i] * h.sclSlope + h.sclInter;
    data = out;
  }
  const units = h.xyztUnits & 7;
  const toMm = units === 1 ? 1000 : units === 3 ? 0.001 : 1;
  const pix = [1, 2, 3].map((i) => Math.abs(h.pixdim[i] || 0) * toMm);
  const spacingKnown = pix.slice(0, Math.min(3, h.dims.length)).every((p) => p > 0 && Number.isFinite(p));
  const range = valueRange(data);
  const window = Number.isFinite(h.calMin) && Number.isFinite(h.calMax) && h.calMax > h.calMin ? windowFromRange(h.calMin, h.calMax) : windowFromRange(range[0], range[1]);
  const header = bytes.slice(0, h.size).buffer as ArrayBuffer;
  return finishScan({
    name, format: 'nifti', width: w, height: hgt, frames, shape: h.dims.slice(), channels: t.channels, data,
    spacing: [pix[0] || 1, pix[1] || 1, pix[2] || 1], spacingKnown, photometric: t.channels === 1 ? 'MONOCHROME2' : 'RGB', window,
    metadata: {
      niftiVersion: h.version, byteOrder: h.little ? 'little' : 'big', datatype: h.datatype,
      storedDtype: DISK_NAME[h.datatype] ?? t.dtype, sclSlope: h.sclSlope, sclInter: h.sclInter,
      qformCode: h.qformCode, sformCode: h.sformCode, description: h.descrip,
    },
    geometry: { affine: niftiAffine(h), nifti: { header, version: h.version } },
  });
}
