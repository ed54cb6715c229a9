import { describe, expect, it } from 'vitest';
import { createMask } from './types';
import { paintDisc } from './paint';
import { fillPolygon } from './polygon';
import { colourWord, meanColour, shapeWord } from './appearance';

describe('shape words', () => {
  it('tells round, oval, elongated and irregular apart', () => {
    const disc = createMask(100, 100);
    paintDisc(disc, 50, 50, 20, 1);
    expect(shapeWord(disc)).toBe('round');
    const oval = createMask(100, 100);
    fillPolygon(oval, Array.from({ length: 64 }, (_, i) => ({ x: 50 + 35 * Math.cos((i / 64) * 2 * Math.PI), y: 50 + 20 * Math.sin((i / 64) * 2 * Math.PI) })), 1);
    expect(shapeWord(oval)).toBe('oval');
    const bar = createMask(100, 100);
    fillPolygon(bar, [{ x: 5, y: 45 }, { x: 95, y: 45 }, { x: 95, y: 55 }, { x: 5, y: 55 }], 1);
    expect(shapeWord(bar)).toBe('elongated');
    const ring = createMask(100, 100);
    paintDisc(ring, 50, 50, 30, 1);
    paintDisc(ring, 50, 50, 24, 0);
    expect(shapeWord(ring)).toBe('irregular');
    expect(shapeWord(createMask(5, 5))).toBeNull();
  });
});

describe('colour words', () => {
  it('names typical colours with the study vocabulary', () => {
    expect(colourWord(245, 240, 235)).toBe('white');
    expect(colourWord(128, 128, 128)).toBe('gray');
    expect(colourWord(10, 10, 10)).toBe('black');
    expect(colourWord(200, 30, 30)).toBe('red');
    expect(colourWord(240, 160, 170)).toBe('pink');
    expect(colourWord(230, 200, 60)).toBe('yellow');
    expect(colourWord(230, 140, 40)).toBe('orange');
    expect(colourWord(110, 70, 40)).toBe('brown');
    expect(colourWord(210, 180, 140)).toBe('tan');
  });

  it('averages the colour under the mask', () => {
    const m = createMask(2, 1, new Uint8Array([1, 0]));
    expect(meanColour([10, 20, 30, 99, 99, 99], 3, m)).toEqual([10, 20, 30]);
    expect(meanColour([1, 2, 3, 4, 5, 6], 3, createMask(2, 1))).toBeNull();
  });
});
