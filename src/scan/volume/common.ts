// Shared by the text-header volume readers (NRRD, MetaImage): header text splitting, element types,
// payload extraction (raw or compressed, bounded), and assembling the Scan with RAS affine.
import { int64FromBytes, typedFromBytes, type NumericArrayCtor } from '../../lib/bytes';
import { inflateBounded, InflateLimitError } from '../../lib/inflate';
import { finishScan } from '../build';
import { checkDims, type Limits } from '../limits';
import { ScanReadError, type PixelArray, type Scan, type ScanDType } from '../types';

export const CTORS: Record<ScanDType, NumericArrayCtor> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
};

/** Splits off a text header ending at the first blank line (NRRD) or after the line matching `last` (MetaImage). */
export function splitHeader(b: Uint8Array, what: string, last?: RegExp): { lines: string[]; dataOffset: number } {
  const max = Math.min(b.length, 65536);
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < max; i++) {
    if (b[i] !== 10) continue;
    const line = new TextDecoder().decode(b.subarray(start, i)).replace(/\r$/, '');
    start = i + 1;
    if (!last && line === '') return { lines, dataOffset: start };
    lines.push(line);
    if (last?.test(line)) return { lines, dataOffset: start };
  }
  throw new ScanReadError(`The ${what} header is truncated or too long (no end of header in the first 64 KiB).`, 'truncated');
}

export interface VolumeParts {
  name: string;
  format: 'nrrd' | 'mha';
  what: string;
  sizes: number[];
  channels: 1 | 3 | 4;
  dtype: ScanDType;
  little: boolean;
  /** 'raw', 'gzip' (gzip or zlib container is detected) */
  encoding: 'raw' | 'gzip' | 'zlib';
  payload: Uint8Array;
  /** Raw voxels are the payload's last bytes (NRRD "byte skip: -1"), whatever comes before them. */
  fromEnd?: boolean;
  /** 64-bit integers (no typed array holds them): read one by one into float64 (`dtype` is 'float64'). */
  int64?: 'signed' | 'unsigned';
  /** Size of a non-spatial first axis in the file (e.g. NRRD DWI gradients) that `sizes` lists last: de-interleaved on read. */
  leading?: number;
  spacing: number[];
  /** Column i = direction (with spacing) of axis i, in RAS; origin last. 3x4, row-major. */
  affine?: number[];
  metadata: Record<string, string | number>;
}

function voxels(p: VolumeParts, limits: Limits): { count: number; bytes: number } {
  const [w, h = 1, ...rest] = p.sizes;
  const frames = rest.reduce((a, v) => a * v, 1);
  const size = CTORS[p.dtype].BYTES_PER_ELEMENT;
  checkDims(p.what, w, h, frames, size * p.channels, limits);
  const count = w * h * frames * p.channels;
  return { count, bytes: count * size };
}

function payloadBytes(p: VolumeParts, need: number, limits: Limits): Uint8Array {
  if (p.encoding === 'raw') return p.fromEnd ? p.payload.subarray(Math.max(0, p.payload.length - need)) : p.payload;
  const container = p.payload[0] === 0x1f && p.payload[1] === 0x8b ? 'gzip' : p.encoding === 'zlib' ? 'zlib' : 'gzip';
  try {
    const progress = limits.onProgress;
    return inflateBounded(p.payload, { container, want: need, maxBytes: need, onProgress: progress && ((f) => progress(0.9 * f)) }).data;
  } catch (e) {
    if (e instanceof InflateLimitError) throw new ScanReadError(`The ${p.what} data expands past the memory limit.`, 'too-large');
    throw new ScanReadError(`The ${p.what} compressed data is corrupt: ${(e as Error).message}.`, 'corrupt');
  }
}

export function volumeScan(p: VolumeParts, limits: Limits): Scan {
  const { count, bytes } = voxels(p, limits);
  const raw = payloadBytes(p, bytes, limits);
  if (raw.length < bytes) throw new ScanReadError(`The ${p.what} file is truncated: ${raw.length} bytes of voxel data, ${bytes} declared.`, 'truncated');
  let data: PixelArray = p.int64 ? int64FromBytes(raw, count, p.int64 === 'signed', p.little) : typedFromBytes(raw, CTORS[p.dtype], count, p.little);
  const n = p.leading ?? 1;
  if (n > 1) {
    // file order: component fastest; scan order: component c is volume c (after all slices of c - 1)
    const per = count / n;
    const out = new CTORS[p.dtype](count) as PixelArray;
    for (let v = 0; v < per; v++) for (let c = 0; c < n; c++) out[v + per * c] = data[c + n * v];
    data = out;
  }
  const [w, h = 1, ...rest] = p.sizes;
  const sp = [p.spacing[0] ?? 1, p.spacing[1] ?? 1, p.spacing[2] ?? 1].map((v) => (Number.isFinite(v) && v > 0 ? v : 1));
  return finishScan({
    name: p.name, format: p.format, width: w, height: h, frames: rest.reduce((a, v) => a * v, 1),
    shape: p.sizes.slice(), channels: p.channels, data, spacing: [sp[0], sp[1], sp[2]],
    spacingKnown: p.spacing.length > 0 && p.spacing.every((v) => Number.isFinite(v) && v > 0),
    photometric: p.channels === 1 ? 'MONOCHROME2' : 'RGB', metadata: { ...p.metadata, storedDtype: p.int64 ? (p.int64 === 'signed' ? 'int64' : 'uint64') : p.dtype },
    geometry: p.affine ? { affine: [...p.affine, 0, 0, 0, 1] } : undefined,
  });
}

/**
 * 3x4 RAS affine from axis directions (each already scaled by spacing) and an origin given in a world
 * space whose axes are `signs` times R, A, S: [-1, -1, 1] for LPS, [-1, 1, 1] for LAS, [1, 1, 1] for RAS.
 */
export function affineToRas(dirs: number[][], origin: number[], signs: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) out.push(...[0, 1, 2].map((c) => (dirs[c]?.[r] ?? (r === c ? 1 : 0)) * signs[r]), (origin[r] ?? 0) * signs[r]);
  return out;
}

export const LPS: readonly number[] = [-1, -1, 1];
