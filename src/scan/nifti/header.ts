// NIfTI-1 / NIfTI-2 header parser (either byte order), written here rather than using nifti-reader-js so
// every declared size is validated before anything is allocated, and the affine follows the standard
// (sform, else qform quaternion, else nibabel's centred radiological base affine).
import { ScanReadError } from '../types';

export interface NiftiHeader {
  version: 1 | 2;
  little: boolean;
  /** dim[1..dim[0]] */
  dims: number[];
  datatype: number;
  bitpix: number;
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  calMin: number;
  calMax: number;
  xyztUnits: number;
  qformCode: number;
  sformCode: number;
  quatern: [number, number, number];
  qoffset: [number, number, number];
  srow: number[];
  descrip: string;
  /** Size in bytes of the fixed header (348 or 540). */
  size: number;
}

export function parseNiftiHeader(b: Uint8Array): NiftiHeader {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let version: 1 | 2 | undefined;
  let little = true;
  for (const le of [true, false]) {
    if (b.length >= 348 && dv.getInt32(0, le) === 348) [version, little] = [1, le];
    else if (b.length >= 540 && dv.getInt32(0, le) === 540) [version, little] = [2, le];
    if (version) break;
  }
  if (!version) throw new ScanReadError('The NIfTI header is truncated or corrupt (sizeof_hdr is not 348 or 540).', b.length < 348 ? 'truncated' : 'corrupt');
  const i16 = (o: number): number => dv.getInt16(o, little);
  const i32 = (o: number): number => dv.getInt32(o, little);
  const f32 = (o: number): number => dv.getFloat32(o, little);
  const f64 = (o: number): number => dv.getFloat64(o, little);
  const i64 = (o: number): number => Number(dv.getBigInt64(o, little));
  const str = (o: number, n: number): string => String.fromCharCode(...b.subarray(o, o + n)).replace(/\0.*$/s, '').trim();
  const v1 = version === 1;
  const rawDims = Array.from({ length: 8 }, (_, i) => (v1 ? i16(40 + 2 * i) : i64(16 + 8 * i)));
  const ndim = rawDims[0];
  if (!(ndim >= 1 && ndim <= 7)) throw new ScanReadError(`The NIfTI header is corrupt: dim[0] = ${ndim}, but it must be between 1 and 7.`, 'corrupt');
  const dims = rawDims.slice(1, ndim + 1);
  const bad = dims.find((d) => !Number.isSafeInteger(d) || d < 0);
  if (bad !== undefined) throw new ScanReadError(`The NIfTI header is corrupt: it declares a dimension of ${bad}.`, 'corrupt');
  // dim[i] = 0 for an axis the header says it has (i <= dim[0]) is not "unused": the image would hold no
  // voxels. Reading it as 1 would show an image the file does not contain, so it is refused.
  const zero = dims.indexOf(0);
  if (zero >= 0) {
    throw new ScanReadError(
      `The NIfTI header is corrupt: it declares ${ndim} dimensions but dimension ${zero + 1} (dim[${zero + 1}]) is 0, so the image holds no voxels. Re-export the file from the tool that made it.`,
      'corrupt',
    );
  }
  return {
    version,
    little,
    dims,
    datatype: v1 ? i16(70) : i16(12),
    bitpix: v1 ? i16(72) : i16(14),
    pixdim: Array.from({ length: 8 }, (_, i) => (v1 ? f32(76 + 4 * i) : f64(104 + 8 * i))),
    voxOffset: v1 ? f32(108) : i64(168),
    sclSlope: v1 ? f32(112) : f64(176),
    sclInter: v1 ? f32(116) : f64(184),
    calMax: v1 ? f32(124) : f64(192),
    calMin: v1 ? f32(128) : f64(200),
    xyztUnits: v1 ? b[123] : i32(500),
    qformCode: v1 ? i16(252) : i32(344),
    sformCode: v1 ? i16(254) : i32(348),
    quatern: v1 ? [f32(256), f32(260), f32(264)] : [f64(352), f64(360), f64(368)],
    qoffset: v1 ? [f32(268), f32(272), f32(276)] : [f64(376), f64(384), f64(392)],
    srow: Array.from({ length: 12 }, (_, i) => (v1 ? f32(280 + 4 * i) : f64(400 + 8 * i))),
    descrip: v1 ? str(148, 80) : str(240, 80),
    size: v1 ? 348 : 540,
  };
}

/** NIFTI_XFORM_SCANNER_ANAT (1) ... NIFTI_XFORM_TEMPLATE_OTHER (5); any other code means "not set" (nibabel
 *  resets an out-of-range code to 0 with a warning). */
const validXform = (code: number): boolean => code >= 1 && code <= 5;

/** The sform's 3x3 part can place voxels: finite and not singular (an all-zero sform with a code is a writer's bug). */
function usableSform(srow: readonly number[]): boolean {
  if (srow.length < 12 || !srow.every(Number.isFinite)) return false;
  const [a, b, c, , d, e, f, , g, h, i] = srow;
  return Math.abs(a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)) > 1e-12;
}

/** 4x4 row-major voxel -> world (RAS mm) affine: sform if set (and usable), else qform, else nibabel's base affine. */
export function niftiAffine(h: NiftiHeader): number[] {
  if (validXform(h.sformCode) && usableSform(h.srow)) return [...h.srow, 0, 0, 0, 1];
  // negative pixdim[1..3] (some writers flip an axis this way) count as their size, as nibabel reads them
  const [dx, dy, dz] = [Math.abs(h.pixdim[1]) || 1, Math.abs(h.pixdim[2]) || 1, Math.abs(h.pixdim[3]) || 1];
  if (!validXform(h.qformCode)) {
    // No orientation at all (ANALYZE-era files): follow nibabel's base affine, radiological (x flipped)
    // and centred on the volume, so orientation labels match what nibabel and FSL show.
    const [nx, ny, nz] = [h.dims[0] ?? 1, h.dims[1] ?? 1, h.dims[2] ?? 1].map((n) => (n - 1) / 2);
    return [-dx, 0, 0, nx * dx, 0, dy, 0, -ny * dy, 0, 0, dz, -nz * dz, 0, 0, 0, 1];
  }
  let [qb, qc, qd] = h.quatern;
  let a = 1 - (qb * qb + qc * qc + qd * qd);
  if (a < 1e-7) {
    const n = Math.hypot(qb, qc, qd) || 1;
    [qb, qc, qd] = [qb / n, qc / n, qd / n];
    a = 0;
  } else a = Math.sqrt(a);
  const qfac = h.pixdim[0] < 0 ? -1 : 1;
  const r = [
    [a * a + qb * qb - qc * qc - qd * qd, 2 * (qb * qc - a * qd), 2 * (qb * qd + a * qc)],
    [2 * (qb * qc + a * qd), a * a + qc * qc - qb * qb - qd * qd, 2 * (qc * qd - a * qb)],
    [2 * (qb * qd - a * qc), 2 * (qc * qd + a * qb), a * a + qd * qd - qc * qc - qb * qb],
  ];
  const s = [dx, dy, qfac * dz];
  const out: number[] = [];
  for (let i = 0; i < 3; i++) out.push(r[i][0] * s[0], r[i][1] * s[1], r[i][2] * s[2], h.qoffset[i]);
  return [...out, 0, 0, 0, 1];
}
