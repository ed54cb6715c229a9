// Bounded TIFF structure check run before utif2 sees the file: utif2 trusts counts and offsets and
// follows IFD chains without a visited set, so a cyclic or lying file would hang or exhaust memory.
import { ScanReadError } from '../types';

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };
const SUB_IFD_TAGS = new Set([330, 34665, 34853]);
const MAX_IFDS = 1024;

export interface TiffLayout {
  little: boolean;
  /** Offsets of the top-level IFDs (pages) in order. */
  pages: number[];
}

export function checkTiff(b: Uint8Array): TiffLayout {
  if (b.length < 8) throw new ScanReadError('The TIFF file is truncated: its header is incomplete.', 'truncated');
  const little = b[0] === 0x49;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, little);
  const u32 = (o: number): number => dv.getUint32(o, little);
  if (u16(2) === 43) throw new ScanReadError('BigTIFF files are not supported; save the image as a standard TIFF or PNG.', 'unsupported');
  const visited = new Set<number>();
  let budget = MAX_IFDS;

  const walkIfd = (off: number, depth: number): number => {
    if (depth > 4) throw new ScanReadError('The TIFF file is corrupt: its directories nest too deeply.', 'corrupt');
    if (off < 8 || off + 2 > b.length) throw new ScanReadError(`The TIFF file is corrupt: a directory offset (${off}) points outside the file.`, 'corrupt');
    if (visited.has(off)) throw new ScanReadError('The TIFF file is corrupt: its directories form a loop.', 'corrupt');
    if (--budget < 0) throw new ScanReadError('The TIFF file is corrupt: it has too many directories.', 'corrupt');
    visited.add(off);
    const count = u16(off);
    if (off + 2 + count * 12 + 4 > b.length) throw new ScanReadError('The TIFF file is truncated: a directory runs past the end of the file.', 'truncated');
    for (let i = 0; i < count; i++) {
      const e = off + 2 + i * 12;
      const tag = u16(e);
      const type = u16(e + 2);
      const n = u32(e + 4);
      const size = TYPE_SIZE[type];
      if (!size) continue;
      const bytes = size * n;
      const valueOff = bytes <= 4 ? e + 8 : u32(e + 8);
      if (valueOff + bytes > b.length) throw new ScanReadError(`The TIFF file is corrupt: tag ${tag} points past the end of the file.`, 'corrupt');
      if (SUB_IFD_TAGS.has(tag) && (type === 4 || type === 13)) {
        for (let j = 0; j < n; j++) walkIfd(u32(valueOff + 4 * j), depth + 1);
      }
    }
    return u32(off + 2 + count * 12);
  };

  const pages: number[] = [];
  let next = u32(4);
  if (next === 0) throw new ScanReadError('The TIFF file has no image directory.', 'corrupt');
  while (next !== 0) {
    pages.push(next);
    next = walkIfd(next, 0);
  }
  return { little, pages };
}
