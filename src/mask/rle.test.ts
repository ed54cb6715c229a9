import { describe, expect, it } from 'vitest';
import { createMask, sameBinary } from './types';
import { cocoCountsToString, cocoStringToCounts, decodeCocoCounts, decodeRle, encodeCocoCounts, encodeRle, fromCocoRle, toCocoRle } from './rle';
import { paintDisc } from './paint';

function randomMask(w: number, h: number, seed: number) {
  const m = createMask(w, h);
  let s = seed;
  for (let k = 0; k < 8; k++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    paintDisc(m, s % w, (s >> 8) % h, 2 + (s % 9), k % 3 === 2 ? 0 : 1);
  }
  return m;
}

describe('RLE', () => {
  it('round-trips row-major RLE', () => {
    for (let seed = 1; seed < 6; seed++) {
      const m = randomMask(37, 23, seed);
      expect(sameBinary(decodeRle(encodeRle(m)), m)).toBe(true);
    }
  });

  it('starts with a background run', () => {
    const m = createMask(3, 1, new Uint8Array([1, 1, 0]));
    expect(encodeRle(m).counts).toEqual([0, 2, 1]);
  });

  it('rejects counts that do not cover the image', () => {
    expect(() => decodeRle({ width: 2, height: 2, counts: [1, 1] })).toThrow(/covers/);
  });

  it('COCO counts are column-major', () => {
    // 2x2, only top-right set: column-major order is (0,0),(0,1),(1,0),(1,1) -> 0,0,1,0
    const m = createMask(2, 2, new Uint8Array([0, 1, 0, 0]));
    expect(encodeCocoCounts(m)).toEqual([2, 1, 1]);
    expect(sameBinary(decodeCocoCounts([2, 1, 1], 2, 2), m)).toBe(true);
  });

  it('matches pycocotools string form on a known example', () => {
    // pycocotools.mask.encode of a 4x4 Fortran array with a 2x2 block at rows 1-2, cols 1-2:
    // counts [5, 2, 2, 2, 5] -> b'52203'
    expect(cocoCountsToString([5, 2, 2, 2, 5])).toBe('52203');
    expect(cocoStringToCounts('52203')).toEqual([5, 2, 2, 2, 5]);
  });

  it('string form round-trips large and negative deltas', () => {
    const counts = [0, 100000, 3, 5, 70000, 1, 123456, 2];
    expect(cocoStringToCounts(cocoCountsToString(counts))).toEqual(counts);
    for (let seed = 1; seed < 5; seed++) {
      const m = randomMask(64, 48, seed);
      expect(sameBinary(fromCocoRle(toCocoRle(m)), m)).toBe(true);
    }
  });
});
