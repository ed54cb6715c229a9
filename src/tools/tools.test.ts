import { beforeEach, describe, expect, it } from 'vitest';
import { countForeground } from '../mask/types';
import { createBrush, createEraser } from './brush';
import { createLasso } from './lasso';
import { createFloodFill } from './fill';
import { createPan } from './pan';
import { CorrectionSession } from './session';
import { PointerHarness, toolContext } from './harness';

let session: CorrectionSession;
const getSession = () => session;
const W = 100;
const H = 80;

beforeEach(() => {
  session = new CorrectionSession(W, H);
});

describe('brush and eraser', () => {
  it('a stroke is painted along its path and is one undo step', () => {
    const brush = createBrush({ id: 'brush', label: 'Brush', value: 1, getSession, getSize: () => 6 });
    const h = new PointerHarness(brush, toolContext(W, H));
    h.drag([[10, 10], [30, 10], [50, 10], [50, 40]]);
    expect(session.mask.data[10 * W + 40]).toBe(1);
    expect(session.mask.data[25 * W + 50]).toBe(1);
    expect(session.mask.data[40 * W + 10]).toBe(0);
    expect(session.history.undoDepth).toBe(1);
    session.undo();
    expect(countForeground(session.mask.data)).toBe(0);
    session.redo();
    expect(session.mask.data[10 * W + 40]).toBe(1);
  });

  it('eraser removes paint; cancel rolls the gesture back', () => {
    const brush = createBrush({ id: 'brush', label: 'Brush', value: 1, getSession, getSize: () => 20 });
    const eraser = createEraser({ getSession, getSize: () => 6 });
    const b = new PointerHarness(brush, toolContext(W, H));
    const e = new PointerHarness(eraser, toolContext(W, H));
    b.drag([[50, 40], [60, 40]]);
    const painted = countForeground(session.mask.data);
    e.drag([[50, 40], [60, 40]]);
    expect(countForeground(session.mask.data)).toBeLessThan(painted);
    expect(session.mask.data[40 * W + 55]).toBe(0);
    expect(session.history.undoDepth).toBe(2);
    const before = countForeground(session.mask.data);
    e.down(50, 35).move(60, 35).cancel();
    expect(countForeground(session.mask.data)).toBe(before);
    expect(session.history.undoDepth).toBe(2);
    expect(eraser.id).toBe('eraser');
  });

  it('ignores a right-button press and does nothing without a session', () => {
    const brush = createBrush({ id: 'brush', label: 'Brush', value: 1, getSession, getSize: () => 6 });
    new PointerHarness(brush, toolContext(W, H)).down(10, 10, { buttons: 2 }).up(10, 10);
    expect(countForeground(session.mask.data)).toBe(0);
    const orphan = createBrush({ id: 'b2', label: 'B', value: 1, getSession: () => null, getSize: () => 6 });
    expect(() => new PointerHarness(orphan, toolContext(W, H)).drag([[1, 1], [5, 5]])).not.toThrow();
  });

  it('emits dirty rectangles no bigger than the stroke', () => {
    const rects: { x0: number; x1: number }[] = [];
    session.onChange((r) => rects.push(r));
    const brush = createBrush({ id: 'brush', label: 'Brush', value: 1, getSession, getSize: () => 4 });
    new PointerHarness(brush, toolContext(W, H)).drag([[10, 10], [14, 10]]);
    for (const r of rects) expect(r.x1 - r.x0).toBeLessThanOrEqual(10);
  });
});

describe('lasso fill and cut', () => {
  it('fills the outline on release and cuts with the cut tool', () => {
    const previews: number[] = [];
    const fill = createLasso({ id: 'lasso-fill', label: 'Fill', value: 1, getSession, onPreview: (p) => previews.push(p.length) });
    const cut = createLasso({ id: 'lasso-cut', label: 'Cut', value: 0, getSession });
    const h = new PointerHarness(fill, toolContext(W, H));
    h.down(10, 10).move(50, 10).move(50, 50);
    expect(countForeground(session.mask.data)).toBe(0); // nothing until release
    h.up(10, 50);
    expect(countForeground(session.mask.data)).toBe(1600);
    expect(previews[previews.length - 1]).toBe(0);
    new PointerHarness(cut, toolContext(W, H)).drag([[10, 10], [30, 10], [30, 50], [10, 50]]);
    expect(countForeground(session.mask.data)).toBe(800);
    expect(session.history.undoDepth).toBe(2);
  });
});

describe('polygon by clicks', () => {
  it('clicks add vertices; clicking the first vertex closes and fills as one step', () => {
    const previews: number[] = [];
    const poly = createLasso({ id: 'lasso-fill', label: 'Fill', value: 1, getSession, onPreview: (p) => previews.push(p.length) });
    const h = new PointerHarness(poly, toolContext(W, H));
    const click = (x: number, y: number) => h.down(x, y).up(x, y);
    click(10, 10);
    expect(poly.mode).toBe('polygon');
    click(50, 10);
    click(50, 50);
    click(10, 50);
    expect(countForeground(session.mask.data)).toBe(0);
    h.move(30, 70);
    expect(previews[previews.length - 1]).toBe(5); // rubber band
    click(11, 11); // near the first vertex: close
    expect(poly.mode).toBe('idle');
    expect(countForeground(session.mask.data)).toBe(1600);
    expect(session.history.undoDepth).toBe(1);
  });

  it('a double-click closes; cancel drops the polygon', () => {
    const cut = createLasso({ id: 'lasso-cut', label: 'Cut', value: 0, getSession });
    session.mask.data.fill(1);
    const h = new PointerHarness(cut, toolContext(W, H));
    const click = (x: number, y: number) => h.down(x, y).up(x, y);
    click(0, 0);
    click(20, 0);
    click(20, 20);
    click(20, 20); // double-click on the last vertex
    expect(countForeground(session.mask.data)).toBe(W * H - 210);
    click(60, 60);
    click(70, 60);
    h.cancel();
    expect(cut.mode).toBe('idle');
    expect(countForeground(session.mask.data)).toBe(W * H - 210);
  });
});

describe('flood fill', () => {
  it('fills a closed outline and rolls back a fill that reaches the limit', () => {
    const lasso = createLasso({ id: 'l', label: 'L', value: 1, getSession });
    new PointerHarness(lasso, toolContext(W, H)).drag([[10, 10], [40, 10], [40, 40], [10, 40]]);
    // hollow it out with a cut, leaving a ring
    const cut = createLasso({ id: 'c', label: 'C', value: 0, getSession });
    new PointerHarness(cut, toolContext(W, H)).drag([[15, 15], [35, 15], [35, 35], [15, 35]]);
    const ring = countForeground(session.mask.data);
    const fill = createFloodFill({ getSession, getLimit: () => 1000 });
    new PointerHarness(fill, toolContext(W, H)).down(25, 25).up(25, 25);
    expect(countForeground(session.mask.data)).toBe(ring + 400);
    let tooLarge = 0;
    const bounded = createFloodFill({ getSession, getLimit: () => 1000, onTooLarge: () => tooLarge++ });
    new PointerHarness(bounded, toolContext(W, H)).down(80, 70).up(80, 70);
    expect(tooLarge).toBe(1);
    expect(countForeground(session.mask.data)).toBe(ring + 400);
    expect(session.history.undoDepth).toBe(3);
  });
});

describe('pan', () => {
  it('moves the view by the screen drag', () => {
    let t = { x: 5, y: 5, scale: 2 };
    const pan = createPan({ get: () => t, set: (n) => (t = n) });
    new PointerHarness(pan, toolContext(W, H)).drag([[10, 10], [30, 25]]);
    expect(t).toEqual({ x: 25, y: 20, scale: 2 });
    expect(countForeground(session.mask.data)).toBe(0);
  });
});
