// DICOM attributes read for display and for writing masks back: rescale, window, spacing and geometry,
// looking in the enhanced multi-frame functional groups (shared, then first frame) when the top level lacks them.
import type { DataSet } from 'dicom-parser';
import type { ScanGeometry, WindowLevel } from '../types';

const SHARED = 'x52009229';
const PER_FRAME = 'x52009230';

/** Items of a functional group (e.g. Pixel Measures x00289110) for a frame, shared group first. */
function groupItems(ds: DataSet, macro: string, frame = 0): DataSet[] {
  const out: DataSet[] = [];
  for (const [tag, idx] of [[SHARED, 0], [PER_FRAME, frame]] as const) {
    const item = ds.elements[tag]?.items?.[idx]?.dataSet;
    const inner = item?.elements[macro]?.items?.[0]?.dataSet;
    if (inner) out.push(inner);
  }
  return out;
}

function numbers(ds: DataSet, tag: string): number[] | undefined {
  const n = ds.numStringValues(tag);
  if (!n) return undefined;
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(ds.floatString(tag, i) ?? NaN);
  return out.every(Number.isFinite) ? out : undefined;
}

/** A numeric (DS) attribute from the top level or from the functional group macro. */
export function dsNumbers(ds: DataSet, tag: string, macro?: string, frame = 0): number[] | undefined {
  const top = numbers(ds, tag);
  if (top) return top;
  if (!macro) return undefined;
  for (const item of groupItems(ds, macro, frame).reverse()) {
    const v = numbers(item, tag);
    if (v) return v;
  }
  return undefined;
}

function perFrameNumbers(ds: DataSet, tag: string, macro: string, frame: number): number[] | undefined {
  const inner = ds.elements[PER_FRAME]?.items?.[frame]?.dataSet?.elements[macro]?.items?.[0]?.dataSet;
  return inner ? numbers(inner, tag) : undefined;
}

export function rescaleOf(ds: DataSet, frame = 0): { slope: number; intercept: number } {
  const own = (tag: string): number | undefined => (frame > 0 ? perFrameNumbers(ds, tag, 'x00289145', frame)?.[0] : undefined);
  const slope = own('x00281053') ?? dsNumbers(ds, 'x00281053', 'x00289145', frame)?.[0] ?? 1;
  const intercept = own('x00281052') ?? dsNumbers(ds, 'x00281052', 'x00289145', frame)?.[0] ?? 0;
  return { slope: slope === 0 ? 1 : slope, intercept };
}

/** Rescale per frame: enhanced multi-frame files (e.g. PET) may scale every frame differently. */
export function frameRescales(ds: DataSet, frames: number): { slope: number; intercept: number }[] {
  const first = rescaleOf(ds, 0);
  if (!ds.elements.x52009230) return [first];
  const all = Array.from({ length: frames }, (_, f) => rescaleOf(ds, f));
  return all.every((r) => r.slope === first.slope && r.intercept === first.intercept) ? [first] : all;
}

/**
 * The Modality LUT (0028,3000) when the file has one instead of Rescale Slope/Intercept (older CR/XA): stored
 * values below the first mapped value take entry 0, above the table the last entry (as pydicom applies it).
 */
export function modalityLutOf(ds: DataSet): { first: number; table: Uint8Array | Uint16Array } | undefined {
  if (ds.elements.x00281053) return undefined;
  const item = ds.elements.x00283000?.items?.[0]?.dataSet;
  const el = item?.elements.x00283006;
  if (!item || !el) return undefined;
  const entries = item.uint16('x00283002', 0) || 65536;
  const first = item.elements.x00283002?.vr === 'SS' ? (item.int16('x00283002', 1) ?? 0) : (item.uint16('x00283002', 1) ?? 0);
  const bits = item.uint16('x00283002', 2) ?? 16;
  const raw = item.byteArray.subarray(el.dataOffset, el.dataOffset + el.length);
  const little = item.byteArrayParser.readUint16(new Uint8Array([1, 0]), 0) === 1;
  const table = bits <= 8 ? new Uint8Array(entries) : new Uint16Array(entries);
  if (raw.length >= entries * 2) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < entries; i++) table[i] = dv.getUint16(i * 2, little);
  } else if (raw.length >= entries) table.set(raw.subarray(0, entries));
  else return undefined;
  return { first, table };
}

export function windowOf(ds: DataSet): WindowLevel | undefined {
  const c = dsNumbers(ds, 'x00281050', 'x00289132')?.[0];
  const w = dsNumbers(ds, 'x00281051', 'x00289132')?.[0];
  return c !== undefined && w !== undefined && w > 0 ? { center: c, width: w } : undefined;
}

/** [column spacing, row spacing, slice spacing] in mm, and whether the in-plane part came from the file. */
export function spacingOf(ds: DataSet): { spacing: [number, number, number]; known: boolean } {
  const ps = dsNumbers(ds, 'x00280030', 'x00289110') ?? numbers(ds, 'x00181164');
  const slice = dsNumbers(ds, 'x00180088', 'x00289110')?.[0] ?? dsNumbers(ds, 'x00180050', 'x00289110')?.[0];
  const ok = ps !== undefined && ps.length >= 2 && ps[0] > 0 && ps[1] > 0;
  return { spacing: [ok ? ps[1] : 1, ok ? ps[0] : 1, slice && slice > 0 ? Math.abs(slice) : 1], known: ok };
}

/**
 * UIDs and patient geometry for DICOM SEG export; affine maps (column, row, frame) to RAS mm
 * (DICOM is LPS, so the first two rows are negated).
 */
export function geometryOf(ds: DataSet, frames: number, spacing: [number, number, number]): ScanGeometry {
  // Frame 0 may use the top-level position; later frames only count with their own per-frame position
  // (a classic multi-frame file's single position must not be repeated for every frame).
  const positions: number[][] = [];
  for (let f = 0; f < frames; f++) {
    const p = f === 0 ? dsNumbers(ds, 'x00200032', 'x00209113', 0) : perFrameNumbers(ds, 'x00200032', 'x00209113', f);
    if (!p || p.length < 3) break;
    positions.push(p.slice(0, 3));
  }
  const iop = dsNumbers(ds, 'x00200037', 'x00209116');
  // Enhanced multi-frame: frames may lie in different planes (a 3-plane localiser in one file)
  let frameOrientations: number[][] | undefined;
  if (iop && iop.length >= 6 && positions.length === frames && frames > 1) {
    const each = positions.map((_, f) => (f === 0 ? iop : (perFrameNumbers(ds, 'x00200037', 'x00209116', f) ?? iop)).slice(0, 6));
    if (each.some((o) => o.length < 6 || o.some((v, i) => Math.abs(v - iop[i]) > 1e-3))) frameOrientations = each;
  }
  const dicom: NonNullable<ScanGeometry['dicom']> = {
    studyInstanceUID: ds.string('x0020000d'),
    seriesInstanceUID: ds.string('x0020000e'),
    sopInstanceUIDs: ds.string('x00080018') ? [ds.string('x00080018') as string] : [],
    sopClassUID: ds.string('x00080016'),
    frameOfReferenceUID: ds.string('x00200052'),
    imagePositionPatient: positions.length ? positions : undefined,
    imageOrientationPatient: iop && iop.length >= 6 ? iop.slice(0, 6) : undefined,
    ...(frameOrientations ? { frameOrientations } : {}),
    patientName: ds.string('x00100010'),
    patientID: ds.string('x00100020'),
  };
  const geometry: ScanGeometry = { dicom };
  if (positions.length && dicom.imageOrientationPatient) {
    const [r0, r1, r2, c0, c1, c2] = dicom.imageOrientationPatient;
    let n = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0].map((v) => v * spacing[2]);
    if (positions.length > 1) n = positions[1].map((v, i) => v - positions[0][i]);
    const p = positions[0];
    const lps = [
      [r0 * spacing[0], c0 * spacing[1], n[0], p[0]],
      [r1 * spacing[0], c1 * spacing[1], n[1], p[1]],
      [r2 * spacing[0], c2 * spacing[1], n[2], p[2]],
    ];
    geometry.affine = [...lps[0].map((v) => -v), ...lps[1].map((v) => -v), ...lps[2], 0, 0, 0, 1];
  }
  return geometry;
}
