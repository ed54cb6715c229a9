import { describe, expect, it } from 'vitest';
import { createMask } from './types';
import { paintDisc } from './paint';
import { anySet, locationOf, locationPhrase, maskAttributes, numberWord, sizeWord } from './attributes';
import { buildPrompts } from './prompts';
import { connectedComponents } from './components';
import { contours } from './contours';
import { resizeBilinear, resizeNearest } from './resize';
import { threshold, thresholdBytes } from './threshold';

describe('attributes', () => {
  it('size thresholds follow medvlsm', () => {
    expect(sizeWord(0.31)).toBe('large');
    expect(sizeWord(0.3)).toBe('medium');
    expect(sizeWord(0.09)).toBe('medium');
    expect(sizeWord(0.08)).toBe('small');
    expect(sizeWord(0.001)).toBe('small');
    expect(sizeWord(0.0009)).toBe('tiny');
    expect([1, 2, 3, 4, 10].map(numberWord)).toEqual(['one', 'two', 'three', 'many', 'many']);
  });

  it('location on a 3x3 grid', () => {
    expect(locationOf(10, 10, 300, 300)).toBe('top left');
    expect(locationOf(150, 150, 300, 300)).toBe('center');
    expect(locationOf(290, 150, 300, 300)).toBe('right');
    expect(locationOf(150, 299, 300, 300)).toBe('bottom');
  });

  it('counts components and locates each, giving the study phrasing', () => {
    const m = createMask(300, 300);
    paintDisc(m, 30, 30, 10, 1);
    paintDisc(m, 270, 150, 20, 1);
    const a = maskAttributes(m);
    expect(a.count).toBe(2);
    expect(a.number).toBe('two');
    expect(a.size).toBe('small');
    expect(a.locations).toEqual(['top left', 'right']);
    expect(locationPhrase(a.locations)).toBe('located in top left, right of the image');
    expect(maskAttributes(m, 64)).toEqual({ ...a, locations: a.locations }); // same answer on a coarse grid
    const ps = buildPrompts({ className: 'polyp', shape: 'round', colour: 'pink', description: 'a projecting growth of tissue' }, a);
    const byKey = Object.fromEntries(ps.map((p) => [p.key, p.text]));
    expect(byKey.p0).toBe('');
    expect(byKey.p1).toBe('polyp');
    expect(byKey.p3).toBe('pink round polyp');
    expect(byKey.p6).toBe('two small pink round polyp, located in top left, right of the image');
    expect(byKey.p7).toBe('polyp which is a projecting growth of tissue');
    expect(byKey.p9).toBe('two small pink round polyp which is a projecting growth of tissue located in top left, right of the image');
  });

  it('connected components: 4 vs 8 connectivity', () => {
    const m = createMask(3, 3, new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0, 1]));
    expect(connectedComponents(m, 8).components.length).toBe(1);
    expect(connectedComponents(m, 4).components.length).toBe(3);
  });
});

describe('contours', () => {
  it('one closed loop per region, hole included', () => {
    const m = createMask(10, 10);
    for (let y = 2; y < 8; y++) for (let x = 2; x < 8; x++) m.data[y * 10 + x] = 1;
    m.data[5 * 10 + 5] = 0;
    const lines = contours(m);
    expect(lines.length).toBe(2);
    const outer = lines.reduce((a, b) => (a.length > b.length ? a : b));
    for (const p of outer) {
      expect(p.x).toBeGreaterThanOrEqual(1.5);
      expect(p.x).toBeLessThanOrEqual(8.5);
    }
  });
});

describe('resize and threshold', () => {
  it('nearest keeps labels; bilinear interpolates', () => {
    const src = new Uint8Array([0, 1, 2, 3]);
    expect(Array.from(resizeNearest(src, 2, 2, 4, 4))).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]);
    const p = resizeBilinear(new Float32Array([0, 1]), 2, 1, 4, 1);
    expect(Array.from(p)).toEqual([0, 0.25, 0.75, 1]);
    expect(Array.from(threshold(new Float32Array([0.1, 0.5, 0.9]), 0.5))).toEqual([0, 1, 1]);
    expect(Array.from(thresholdBytes([0, 127, 128, 255]))).toEqual([0, 0, 1, 1]);
  });
});

describe('attributes of large masks', () => {
  it('an empty mask over 4 Mpx is empty; one set pixel anywhere (any alignment) makes it non-empty', () => {
    const w = 2100;
    const h = 2100;
    const m = { width: w, height: h, data: new Uint8Array(w * h) };
    expect(maskAttributes(m, 512).empty).toBe(true);
    for (const at of [0, 1, 2, 3, 12345, w * h - 3, w * h - 1]) {
      m.data.fill(0);
      m.data[at] = 1;
      expect(maskAttributes(m, 512).empty, `pixel ${at}`).toBe(false);
    }
    // a view at an odd offset into a larger buffer
    const buf = new Uint8Array(w * h + 3);
    const view = buf.subarray(3);
    expect(anySet(view)).toBe(false);
    view[w * h - 1] = 1;
    expect(anySet(view)).toBe(true);
    buf.fill(0);
    view[0] = 7;
    expect(anySet(view)).toBe(true);
  });

  it('a half-full large mask is estimated within 1 %', () => {
    const w = 3000;
    const h = 2000;
    const m = { width: w, height: h, data: new Uint8Array(w * h) };
    for (let y = 0; y < h; y++) m.data.fill(1, y * w, y * w + w / 2);
    const a = maskAttributes(m, 512);
    expect(a.fraction).toBeGreaterThan(0.49);
    expect(a.fraction).toBeLessThan(0.51);
    expect(a.size).toBe('large');
  });
});
