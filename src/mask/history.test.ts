import { describe, expect, it } from 'vitest';
import { createMask, cloneMask, sameBinary, countForeground } from './types';
import { MaskHistory } from './history';
import { paintDisc } from './paint';

describe('MaskHistory', () => {
  it('one gesture is one undo step, stored as a bounding-box patch', () => {
    const m = createMask(200, 200);
    const h = new MaskHistory(m);
    const before = cloneMask(m);
    h.begin();
    h.touch(paintDisc(m, 50, 50, 5, 1));
    h.touch(paintDisc(m, 60, 50, 5, 1));
    const r = h.commit();
    expect(h.undoDepth).toBe(1);
    expect(r).toEqual({ x0: 45, y0: 45, x1: 65, y1: 55 });
    const after = cloneMask(m);
    h.undo();
    expect(sameBinary(m, before)).toBe(true);
    h.redo();
    expect(sameBinary(m, after)).toBe(true);
  });

  it('cancel rolls back the gesture and records nothing', () => {
    const m = createMask(50, 50);
    const h = new MaskHistory(m);
    h.begin();
    h.touch(paintDisc(m, 25, 25, 5, 1));
    expect(countForeground(m.data)).toBeGreaterThan(0);
    h.cancel();
    expect(countForeground(m.data)).toBe(0);
    expect(h.undoDepth).toBe(0);
  });

  it('keeps at least 100 steps and drops the oldest past the limit', () => {
    const m = createMask(300, 300);
    const h = new MaskHistory(m, 150);
    for (let i = 0; i < 160; i++) {
      h.begin();
      h.touch(paintDisc(m, 5 + (i % 29) * 10, 5 + Math.floor(i / 29) * 10, 3, 1));
      h.commit();
    }
    expect(h.undoDepth).toBe(150);
    let n = 0;
    while (h.undo()) n++;
    expect(n).toBe(150);
    // the first 10 strokes were dropped, so their pixels remain
    expect(m.data[5 * 300 + 5]).toBe(1);
    expect(m.data[5 * 300 + 105]).toBe(0);
  });

  it('a gesture that changes nothing is not a step; a new gesture clears redo', () => {
    const m = createMask(30, 30);
    const h = new MaskHistory(m);
    h.begin();
    h.touch(paintDisc(m, 10, 10, 3, 0));
    expect(h.commit()).toBeNull();
    h.begin();
    h.touch(paintDisc(m, 10, 10, 3, 1));
    h.commit();
    h.undo();
    expect(h.redoDepth).toBe(1);
    h.begin();
    h.touch(paintDisc(m, 20, 20, 3, 1));
    h.commit();
    expect(h.redoDepth).toBe(0);
  });

  it('replaceAll is undoable', () => {
    const m = createMask(10, 10);
    const h = new MaskHistory(m);
    h.replaceAll(new Uint8Array(100).fill(1));
    expect(countForeground(m.data)).toBe(100);
    h.undo();
    expect(countForeground(m.data)).toBe(0);
  });

  it('replays steps recorded on another base: only their changed pixels, each one undoable step', () => {
    const early = createMask(100, 100);
    const eh = new MaskHistory(early);
    eh.begin();
    eh.touch(paintDisc(early, 30, 30, 6, 1));
    eh.commit();
    eh.begin();
    eh.touch(paintDisc(early, 34, 30, 3, 0)); // an eraser bite out of the first stroke
    eh.commit();

    const base = createMask(100, 100);
    paintDisc(base, 60, 60, 10, 1);
    paintDisc(base, 30, 38, 4, 1); // overlaps the first step's bounding box, outside its disc
    const saved = cloneMask(base);
    const h = new MaskHistory(base);
    h.replay(eh.steps);
    expect(h.undoDepth).toBe(2);
    for (let i = 0; i < base.data.length; i++) {
      const changedEarly = early.data[i] !== 0 || (i % 100 >= 31 && i % 100 <= 37 && Math.floor(i / 100) >= 27 && Math.floor(i / 100) <= 33);
      if (!changedEarly) expect(base.data[i]).toBe(saved.data[i]);
    }
    expect(base.data[30 * 100 + 30]).toBe(1); // painted by step 1
    expect(base.data[30 * 100 + 34]).toBe(0); // erased by step 2
    expect(base.data[38 * 100 + 30]).toBe(1); // the base's own pixel inside step 1's box stays
    expect(base.data[60 * 100 + 60]).toBe(1);
    h.undo();
    h.undo();
    expect(sameBinary(base, saved)).toBe(true);
  });
});
