// NRRD reader (single-file .nrrd, raw or gzip encoding, either byte order). Axes stay in file order
// like NIfTI: x along rows, y down, then slices/volumes as frames. A leading colour axis of 3 or 4
// (kinds RGB-color / RGBA-color / 3-color / 4-color) becomes the channels.
import type { Limits } from '../limits';
import { ScanReadError, type Scan, type ScanDType } from '../types';
import { affineToRas, LPS, splitHeader, volumeScan } from './common';

const TYPES: [RegExp, ScanDType][] = [
  [/^(signed char|int8|int8_t)$/, 'int8'],
  [/^(uchar|unsigned char|uint8|uint8_t)$/, 'uint8'],
  [/^(short|short int|signed short|signed short int|int16|int16_t)$/, 'int16'],
  [/^(ushort|unsigned short|unsigned short int|uint16|uint16_t)$/, 'uint16'],
  [/^(int|signed int|int32|int32_t)$/, 'int32'],
  [/^(uint|unsigned int|uint32|uint32_t)$/, 'uint32'],
  [/^(longlong|long long|long long int|signed long long|signed long long int|int64|int64_t)$/, 'float64'],
  [/^(ulonglong|unsigned long long|unsigned long long int|uint64|uint64_t)$/, 'float64'],
  [/^float$/, 'float32'],
  [/^double$/, 'float64'],
];

const vector = (s: string): number[] | undefined => {
  if (s.trim() === 'none') return undefined;
  const v = s.replace(/[()]/g, '').split(',').map(Number);
  return v.every(Number.isFinite) ? v : undefined;
};

export function readNrrd(name: string, b: Uint8Array, limits: Limits): Scan {
  const { lines, dataOffset } = splitHeader(b, 'NRRD');
  const f = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line.startsWith('#') || line.includes(':=')) continue;
    const i = line.indexOf(':');
    if (i > 0) f.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  if (f.has('data file') || f.has('datafile')) throw new ScanReadError('This NRRD header points to a separate data file; open a single-file .nrrd instead.', 'unsupported');
  const typeName = (f.get('type') ?? '').toLowerCase();
  const dtype = TYPES.find(([re]) => re.test(typeName))?.[1];
  if (!dtype) throw new ScanReadError(`NRRD data of type "${typeName}" is not supported.`, 'unsupported');
  const encoding = (f.get('encoding') ?? '').toLowerCase();
  if (!['raw', 'gzip', 'gz'].includes(encoding)) throw new ScanReadError(`NRRD "${encoding}" encoding is not supported; save it with raw or gzip encoding.`, 'unsupported');
  let sizes = (f.get('sizes') ?? '').split(/\s+/).map(Number);
  const dimension = Number(f.get('dimension'));
  if (!(dimension >= 1 && dimension <= 7) || sizes.length !== dimension || !sizes.every((s) => Number.isInteger(s) && s > 0)) {
    throw new ScanReadError(`The NRRD header is corrupt: dimension ${f.get('dimension')} with sizes "${f.get('sizes') ?? ''}".`, 'corrupt');
  }
  const kinds = (f.get('kinds') ?? '').toLowerCase().split(/\s+/);
  let channels: 1 | 3 | 4 = 1;
  if (/^(rgb-color|3-color|rgba-color|4-color)$/.test(kinds[0] ?? '') && (sizes[0] === 3 || sizes[0] === 4)) {
    channels = sizes[0] as 3 | 4;
    sizes = sizes.slice(1);
  }
  const dirsAll = (f.get('space directions') ?? '').match(/\([^)]*\)|none/g) ?? [];
  // one entry per axis (a colour axis's "none" included); a first axis without a direction that is not
  // colour (DWI gradients, vector components: kinds list/vector) is moved last, its entries becoming
  // volumes like time points; any other non-spatial axis before a spatial one cannot be shown as slices.
  let axisDirs = channels > 1 && dirsAll.length === sizes.length + 1 ? dirsAll.slice(1) : dirsAll;
  let leading = 1;
  if (channels === 1 && axisDirs.length === sizes.length && sizes.length >= 4 && axisDirs[0] === 'none' && axisDirs.slice(1, 4).every((d) => d !== 'none')) {
    leading = sizes[0];
    sizes = [...sizes.slice(1), leading];
    axisDirs = [...axisDirs.slice(1), 'none'];
  }
  const firstNone = axisDirs.indexOf('none');
  if (firstNone >= 0 && axisDirs.slice(firstNone).some((d) => d !== 'none')) {
    throw new ScanReadError(`This NRRD's axis ${firstNone + 1} (kind "${kinds[firstNone + (channels > 1 ? 1 : 0)] ?? 'none'}") is not spatial but comes before a spatial axis; only volumes whose spatial axes come first (or after one list/vector first axis) can be shown.`, 'unsupported');
  }
  const dirs = dirsAll.map(vector).filter((v): v is number[] => v !== undefined);
  const spacings = f.get('spacings')?.split(/\s+/).map(Number).filter(Number.isFinite);
  const spacing = dirs.length ? dirs.map((d) => Math.hypot(...d)) : (spacings ?? []);
  const space = (f.get('space') ?? '').toLowerCase();
  const origin = vector(f.get('space origin') ?? '') ?? [0, 0, 0];
  // World axes of the NRRD space as signs of R, A, S. Spaces without anatomical meaning (scanner-xyz,
  // 3D-right-handed) are read as LPS, as ITK's NrrdImageIO (and so 3D Slicer) does.
  const signs = /^(right-anterior-superior|ras)/.test(space) ? [1, 1, 1] : /^(left-anterior-superior|las)/.test(space) ? [-1, 1, 1] : LPS;
  const byteSkip = Number(f.get('byte skip') ?? 0);
  const start = encoding === 'raw' && byteSkip > 0 ? dataOffset + byteSkip : dataOffset;
  return volumeScan(
    {
      name, format: 'nrrd', what: 'NRRD', sizes, channels, dtype, leading, fromEnd: encoding === 'raw' && byteSkip === -1,
      int64: /64|long long|longlong/.test(typeName) ? (/^u/.test(typeName) ? 'unsigned' : 'signed') : undefined,
      little: (f.get('endian') ?? 'little').toLowerCase() !== 'big',
      encoding: encoding === 'raw' ? 'raw' : 'gzip',
      payload: b.subarray(Math.min(start, b.length)),
      spacing,
      affine: dirs.length >= 3 ? affineToRas(dirs, origin, signs) : undefined,
      metadata: { nrrdType: typeName, encoding, space },
    },
    limits,
  );
}
