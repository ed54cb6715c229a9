import { beforeEach, describe, expect, it } from 'vitest';
import { paintDisc } from '../../mask/paint';
import { dice } from '../../mask/metrics';
import { referencePixels, runPixels, useRuns, type RunView } from '../../state/runs';
import { useScans } from '../../state/scans';
import type { Scan } from '../../scan/types';
import { rescore, splitScores } from './scoring';
import { suggestPrompts } from '../prompts/suggestions';

const W = 60;
const H = 40;
const scan = { name: 's', format: 'png', width: W, height: H, frames: 1, shape: [W, H], channels: 1, dtype: 'uint8', data: new Uint8Array(W * H), spacing: [0.5, 0.5, 1], spacingKnown: true, photometric: 'MONOCHROME2', window: { center: 0, width: 1 }, range: [0, 1], metadata: {} } as Scan;

function run(id: string, prompt: string, cx: number): RunView {
  const mask = new Uint8Array(W * H);
  paintDisc({ width: W, height: H, data: mask }, cx, 20, 8, 1);
  runPixels.set(id, { width: W, height: H, probs: Float32Array.from(mask, (v) => (v ? 0.9 : 0.1)), mask });
  return { id, prompt, colour: '#f00', visible: true, opacity: 1, mode: 'binary', threshold: 0.5, modelId: 'm', variant: 'v', backend: 'b', timings: {}, scores: {}, createdAt: 0 };
}

beforeEach(() => {
  runPixels.clear();
  useScans.setState({ scan, activeId: 'scan1' });
  useRuns.getState().reset('scan1', 0);
  const ref = new Uint8Array(W * H);
  paintDisc({ width: W, height: H, data: ref }, 32, 20, 8, 1);
  referencePixels.current = { width: W, height: H, data: ref };
});

describe('rescore', () => {
  it('scores every run against the reference and the empty prompt, in mm', async () => {
    useRuns.getState().setRuns([run('e', '', 10), run('a', 'polyp', 30)]);
    await rescore(undefined, false);
    const [e, a] = useRuns.getState().runs;
    const expected = dice({ width: W, height: H, data: runPixels.get('a')!.mask }, referencePixels.current!);
    expect(a.scores.dice).toBeCloseTo(expected, 12);
    expect(a.scores.hd95Mm).toBeGreaterThan(0);
    expect(a.scores.influence).toBe(0); // no overlap with the empty prompt's mask
    expect(e.scores.influence).toBeUndefined();
    expect(a.scores.meanConfidence).toBeCloseTo(0.9, 5);
    expect(splitScores({ x: 1, y: null })).toEqual({ scores: { x: 1 }, nullScores: ['y'] });
  });
});

describe('suggestions', () => {
  it('offers model classes, attribute prompts from the current mask and history', () => {
    useRuns.getState().setRuns([run('a', 'polyp', 50)]);
    const s = suggestPrompts('', ['polyp', 'skin lesion'], ['my old prompt']);
    const texts = s.map((x) => x.text);
    expect(texts).toContain('skin lesion');
    expect(texts).toContain('one medium round polyp, located in right of the image');
    expect(texts).toContain('my old prompt');
    expect(suggestPrompts('skin', ['polyp', 'skin lesion'], []).map((x) => x.text)).toContain('one medium round skin lesion');
  });
  it('the automatic no-words run is not described unless the user selects it; the latest run with words is', () => {
    const attributes = () => suggestPrompts('', ['polyp'], []).filter((x) => x.kind === 'attributes');
    referencePixels.current = null; // no reference to describe either
    useRuns.getState().setRuns([run('e', '', 50)]);
    expect(attributes()).toEqual([]);
    useRuns.getState().select('e');
    expect(attributes().length).toBeGreaterThan(0);
    useRuns.getState().select(null);
    // a run with words at the centre, then the no-words run at the right: the suggestions describe the first
    useRuns.getState().setRuns([run('a', 'polyp', 30)]);
    const ofA = attributes();
    expect(ofA.length).toBeGreaterThan(0);
    useRuns.getState().setRuns([run('a', 'polyp', 30), run('e', '', 50)]);
    expect(attributes()).toEqual(ofA);
  });
});
