// Mask -> NIfTI-1 (.nii.gz, uint8) in the source's geometry. For NIfTI sources the spatial fields
// (pixdim, qform, sform, units) are copied from the source header and the mask goes into the slice it
// was drawn on (the volume keeps the source's x, y, z size); other sources get an identity-like affine
// from the pixel spacing (or scan.geometry.affine when a reader derived one).
import { gzipSync } from 'fflate';
import { inflateBounded } from '../../lib/inflate';
import type { Mask } from '../../mask/types';
import type { Scan } from '../types';
import { MaskReadError, type MaskTarget } from './maskImport';
import { parseNiftiHeader, type NiftiHeader } from '../nifti/header';

const HDR = 348;
const OFFSET = 352;

export interface NiftiPlacement {
  dims: [number, number, number];
  slice: number;
}

function sourceHeader(scan: Scan): NiftiHeader | null {
  const raw = scan.geometry?.nifti?.header;
  if (!raw) return null;
  try {
    return parseNiftiHeader(new Uint8Array(raw));
  } catch {
    return null;
  }
}

/** Where a mask of `frame` goes in the written volume. */
export function niftiPlacement(scan: Scan, frame: number): NiftiPlacement {
  const h = sourceHeader(scan);
  const nz = h ? (h.dims[2] ?? 1) : 1;
  return { dims: [scan.width, scan.height, nz], slice: nz > 1 ? frame % nz : 0 };
}

export function writeNiftiMask(mask: Mask, scan: Scan, frame = 0, gzip = true): Uint8Array {
  if (mask.width !== scan.width || mask.height !== scan.height) throw new Error('mask and scan differ in size');
  const { dims, slice } = niftiPlacement(scan, frame);
  const plane = mask.width * mask.height;
  const out = niftiMaskFile(scan, dims);
  const base = OFFSET + slice * plane;
  for (let i = 0; i < plane; i++) out[base + i] = mask.data[i] ? 1 : 0;
  return gzip ? gzipSync(out, { level: 6 }) : out;
}

/**
 * A whole-volume mask (slice k at k * width * height, values 0/1 or labels 0..255) as NIfTI in the
 * source's geometry: a NIfTI source's spatial header fields are copied (so nibabel reads the same
 * affine), a DICOM series gets its RAS affine as the sform. `data` covers the first time point's slices.
 */
export function writeNiftiVolumeMask(data: Uint8Array, scan: Scan, gzip = true): Uint8Array {
  const plane = scan.width * scan.height;
  const nz = Math.round(data.length / plane);
  if (nz * plane !== data.length || nz < 1) throw new Error('the mask does not hold whole slices of the scan');
  const h = sourceHeader(scan);
  if (h && (h.dims[2] ?? 1) !== nz) throw new Error(`the mask has ${nz} slices but the NIfTI volume ${h.dims[2] ?? 1}`);
  const out = niftiMaskFile(scan, [scan.width, scan.height, nz]);
  out.set(data, OFFSET);
  return gzip ? gzipSync(out, { level: 6 }) : out;
}

/** Header (uint8, source geometry) and zeroed voxels for a mask of `dims`. */
function niftiMaskFile(scan: Scan, dims: [number, number, number]): Uint8Array {
  const src = sourceHeader(scan);
  const plane = scan.width * scan.height;
  const out = new Uint8Array(OFFSET + plane * dims[2]);
  const dv = new DataView(out.buffer);
  const le = true;
  dv.setInt32(0, HDR, le);
  out[38] = 'r'.charCodeAt(0);
  [3, dims[0], dims[1], dims[2], 1, 1, 1, 1].forEach((d, i) => dv.setInt16(40 + 2 * i, d, le));
  dv.setInt16(70, 2, le); // DT_UINT8
  dv.setInt16(72, 8, le);
  const sx = scan.spacingKnown ? scan.spacing[0] : 1;
  const sy = scan.spacingKnown ? scan.spacing[1] : 1;
  const sz = scan.spacingKnown ? scan.spacing[2] : 1;
  const pixdim = src ? src.pixdim.slice(0, 8) : [1, sx, sy, sz, 1, 1, 1, 1];
  while (pixdim.length < 8) pixdim.push(1);
  pixdim.forEach((p, i) => dv.setFloat32(76 + 4 * i, p, le));
  dv.setFloat32(108, OFFSET, le);
  dv.setFloat32(112, 1, le); // scl_slope
  dv.setFloat32(116, 0, le);
  dv.setFloat32(124, 1, le); // cal_max
  dv.setFloat32(128, 0, le);
  out[123] = src ? src.xyztUnits : 2; // mm
  const descrip = 'VLSM Workbench mask';
  for (let i = 0; i < descrip.length; i++) out[148 + i] = descrip.charCodeAt(i);
  if (src) {
    dv.setInt16(252, src.qformCode, le);
    dv.setInt16(254, src.sformCode, le);
    src.quatern.forEach((q, i) => dv.setFloat32(256 + 4 * i, q, le));
    src.qoffset.forEach((q, i) => dv.setFloat32(268 + 4 * i, q, le));
    src.srow.forEach((q, i) => dv.setFloat32(280 + 4 * i, q, le));
  } else {
    const a = scan.geometry?.affine;
    const srow = a && a.length === 16 ? a.slice(0, 12) : [sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0];
    dv.setInt16(252, 0, le);
    dv.setInt16(254, 2, le); // NIFTI_XFORM_ALIGNED_ANAT
    srow.forEach((q, i) => dv.setFloat32(280 + 4 * i, q, le));
  }
  out.set([0x6e, 0x2b, 0x31, 0x00], 344); // "n+1\0"
  return out;
}

const isGzip = (b: Uint8Array): boolean => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Read a NIfTI mask (any integer or float type, non-zero = foreground) for `frame` of `scan`. */
export function readNiftiMask(bytes: Uint8Array, scan: MaskTarget, frame = 0): Mask {
  // a .nii.gz is inflated only as far as the header, then as far as the slice needed (never a bomb)
  const gz = isGzip(bytes);
  const headBytes = gz ? inflateBounded(bytes, { container: 'gzip', want: 540, maxBytes: 540 }).data : bytes;
  const h = parseNiftiHeader(headBytes);
  const [nx, ny = 1, nz = 1] = h.dims;
  if (nx !== scan.width || ny !== scan.height) {
    throw new MaskReadError(`The NIfTI mask is ${nx} × ${ny} pixels, but the scan is ${scan.width} × ${scan.height}. A reference mask must have the scan's exact size; it is not stretched.`);
  }
  const slice = nz > 1 ? frame % nz : 0;
  const bpv = Math.max(1, h.bitpix / 8);
  const plane = nx * ny;
  const start = Math.round(h.voxOffset) + slice * plane * bpv;
  if (!Number.isFinite(start) || start < 0 || start > 2 ** 31) throw new MaskReadError('The NIfTI mask header is corrupt: its data offset is impossible.');
  const file = gz ? inflateBounded(bytes, { container: 'gzip', want: start + plane * bpv, maxBytes: start + plane * bpv }).data : bytes;
  if (file.length < start + plane * bpv) throw new MaskReadError('The NIfTI mask is truncated: it ends before the slice it should hold.');
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const data = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) {
    const o = start + i * bpv;
    let v: number;
    switch (h.datatype) {
      case 2: case 256: v = file[o]; break;
      case 4: case 512: v = dv.getInt16(o, h.little); break;
      case 8: case 768: v = dv.getInt32(o, h.little); break;
      case 16: v = dv.getFloat32(o, h.little); break;
      case 64: v = dv.getFloat64(o, h.little); break;
      default: throw new Error(`NIfTI datatype ${h.datatype} is not supported for masks.`);
    }
    data[i] = v !== 0 ? 1 : 0;
  }
  return { width: nx, height: ny, data };
}
