// Assembles a Scan from decoded parts: dtype from the array, value range, default window.
import type { PixelArray, Scan, ScanDType, WindowLevel } from './types';

export type ScanParts = Omit<Scan, 'dtype' | 'range' | 'window' | 'spacing' | 'spacingKnown' | 'photometric' | 'metadata'> &
  Partial<Pick<Scan, 'window' | 'spacing' | 'spacingKnown' | 'photometric' | 'metadata'>>;

export function dtypeOf(a: PixelArray): ScanDType {
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Float32Array) return 'float32';
  return 'float64';
}

/** Min and max over finite values; [0, 0] when there are none. */
export function valueRange(a: PixelArray, start = 0, end = a.length): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = start; i < end; i++) {
    const v = a[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // NaN never wins a comparison; ±Infinity does, and would make the window infinite: skip both
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return rangeSkippingNaN(a, start, end);
  return [lo, hi];
}

function rangeSkippingNaN(a: PixelArray, start: number, end: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = start; i < end; i++) {
    const v = a[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/** A window spanning [lo, hi] in the DICOM linear-window convention. */
export function windowFromRange(lo: number, hi: number): WindowLevel {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  const width = Math.max(hi - lo, 1);
  return { center: lo + width / 2, width };
}

/** A compact copy when `a` is a view into a larger buffer, so the buffer can be transferred to a worker alone. */
function compact(a: PixelArray): PixelArray {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

export function finishScan(parts: ScanParts): Scan {
  const p = { ...parts, data: compact(parts.data) };
  const range = valueRange(p.data);
  const dtype = dtypeOf(p.data);
  // 8-bit pictures display as stored (identity window); wider data is stretched over its range.
  // a declared window must be finite and positive (a hostile header may say ±Infinity or NaN)
  const declared = p.window && Number.isFinite(p.window.center) && Number.isFinite(p.window.width) && p.window.width > 0 ? p.window : undefined;
  const window = declared ?? (dtype === 'uint8' ? { center: 128, width: 256 } : windowFromRange(range[0], range[1]));
  return {
    ...p,
    dtype,
    range,
    window,
    spacing: p.spacing ?? [1, 1, 1],
    spacingKnown: p.spacingKnown ?? false,
    photometric: p.photometric ?? (p.channels === 1 ? 'MONOCHROME2' : 'RGB'),
    metadata: p.metadata ?? {},
  };
}
