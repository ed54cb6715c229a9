import { describe, expect, it } from 'vitest';
import { createMask } from './types';
import { paintDisc } from './paint';
import { scoreRun } from './scores';

describe('scoreRun', () => {
  it('scores against a reference with mm spacing and influence vs the empty prompt', () => {
    const m = createMask(50, 50);
    paintDisc(m, 25, 25, 8, 1);
    const ref = createMask(50, 50);
    paintDisc(ref, 27, 25, 8, 1);
    const empty = createMask(50, 50);
    const probs = new Float32Array(2500).fill(0.75);
    const s = scoreRun({ mask: m, probs, reference: ref, emptyPromptMask: empty, spacing: [0.5, 0.5], spacingKnown: true });
    expect(s.dice).toBeGreaterThan(0.8);
    expect(s.dice).toBeLessThan(1);
    expect(s.hd95Mm).toBeGreaterThan(0);
    expect(s.hd95Mm).toBeLessThanOrEqual(1.01);
    expect(s.meanConfidence).toBeCloseTo(0.75);
    expect(s.areaMm2).toBeCloseTo((s.areaPx as number) * 0.25);
    expect(s.influence).toBe(0);
  });

  it('without reference or spacing: no agreement scores, area in pixels only', () => {
    const m = createMask(10, 10);
    const s = scoreRun({ mask: m, probs: new Float32Array(100), spacing: [1, 1], spacingKnown: false });
    expect(s).toEqual({ areaPx: 0, areaFraction: 0, areaMm2: null, meanConfidence: null });
  });
});
