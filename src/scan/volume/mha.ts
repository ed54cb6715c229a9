// MetaImage reader (.mha with ElementDataFile = LOCAL; raw or zlib-compressed). MetaImage world space
// is LPS (as in ITK): the affine is converted to RAS like the NIfTI one. Axes in file order, as NRRD.
import type { Limits } from '../limits';
import { ScanReadError, type Scan, type ScanDType } from '../types';
import { affineToRas, LPS, splitHeader, volumeScan } from './common';

const TYPES: Record<string, ScanDType> = {
  MET_CHAR: 'int8', MET_UCHAR: 'uint8', MET_SHORT: 'int16', MET_USHORT: 'uint16',
  MET_INT: 'int32', MET_UINT: 'uint32', MET_LONG: 'int32', MET_ULONG: 'uint32', MET_FLOAT: 'float32', MET_DOUBLE: 'float64',
  MET_LONG_LONG: 'float64', MET_ULONG_LONG: 'float64',
};

const nums = (s?: string): number[] => (s ?? '').trim().split(/\s+/).filter(Boolean).map(Number);

export function readMha(name: string, b: Uint8Array, limits: Limits): Scan {
  const { lines, dataOffset } = splitHeader(b, 'MetaImage', /^\s*ElementDataFile\s*=/);
  const f = new Map<string, string>();
  for (const line of lines) {
    const i = line.indexOf('=');
    if (i > 0) f.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  if ((f.get('ElementDataFile') ?? '').toUpperCase() !== 'LOCAL') {
    throw new ScanReadError('This MetaImage header (.mhd) points to a separate data file; open a single-file .mha instead.', 'unsupported');
  }
  const type = f.get('ElementType') ?? '';
  const dtype = TYPES[type];
  if (!dtype) throw new ScanReadError(`MetaImage element type "${type}" is not supported.`, 'unsupported');
  const ndims = Number(f.get('NDims'));
  const sizes = nums(f.get('DimSize'));
  if (!(ndims >= 1 && ndims <= 7) || sizes.length !== ndims || !sizes.every((s) => Number.isInteger(s) && s > 0)) {
    throw new ScanReadError(`The MetaImage header is corrupt: NDims ${f.get('NDims')} with DimSize "${f.get('DimSize') ?? ''}".`, 'corrupt');
  }
  const ch = Number(f.get('ElementNumberOfChannels') ?? 1);
  if (![1, 3, 4].includes(ch)) throw new ScanReadError(`MetaImage images with ${ch} channels are not supported.`, 'unsupported');
  const spacing = nums(f.get('ElementSpacing') ?? f.get('ElementSize'));
  const origin = nums(f.get('Offset') ?? f.get('Position') ?? f.get('Origin'));
  // No TransformMatrix: MetaIO's default, the identity (axes along L, P, S), as ITK reads it.
  // Row i of the NDims x NDims matrix is axis i's direction (ITK); a 4-D file's spatial part is its first 3 x 3.
  const identity = Array.from({ length: ndims * ndims }, (_, i) => (i % (ndims + 1) === 0 ? 1 : 0)).join(' ');
  const m = nums(f.get('TransformMatrix') ?? f.get('Rotation') ?? f.get('Orientation') ?? identity);
  const dirs = ndims >= 3 && m.length === ndims * ndims ? [0, 1, 2].map((i) => [m[ndims * i], m[ndims * i + 1], m[ndims * i + 2]].map((v) => v * (spacing[i] || 1))) : undefined;
  const msb = /true/i.test(f.get('BinaryDataByteOrderMSB') ?? f.get('ElementByteOrderMSB') ?? 'false');
  const compressed = /true/i.test(f.get('CompressedData') ?? 'false');
  return volumeScan(
    {
      name, format: 'mha', what: 'MetaImage', sizes, channels: ch as 1 | 3 | 4, dtype, little: !msb,
      int64: type === 'MET_LONG_LONG' ? 'signed' : type === 'MET_ULONG_LONG' ? 'unsigned' : undefined,
      encoding: compressed ? 'zlib' : 'raw', payload: b.subarray(dataOffset), spacing,
      affine: dirs ? affineToRas(dirs, origin, LPS) : undefined,
      metadata: { elementType: type, compressed: compressed ? 1 : 0 },
    },
    limits,
  );
}
