import { describe, expect, it } from 'vitest';
import type { RunView } from '../../state/runs';
import { fmt, sortRuns } from './format';

const run = (id: string, prompt: string, dice: number | null): RunView => ({
  id, prompt, colour: '#fff', visible: true, opacity: 1, mode: 'binary', threshold: 0.5, modelId: 'm', variant: 'v', backend: 'b',
  timings: {}, scores: { dice }, createdAt: 0,
});

describe('results sorting', () => {
  it('sorts by a score column either way, undefined scores last', () => {
    const rs = [run('a', 'x', 0.2), run('b', 'y', null), run('c', 'z', 0.9)];
    expect(sortRuns(rs, 'dice', 1).map((r) => r.id)).toEqual(['a', 'c', 'b']);
    expect(sortRuns(rs, 'dice', -1).map((r) => r.id)).toEqual(['c', 'a', 'b']);
    expect(sortRuns(rs, 'prompt', -1).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(fmt(null)).toBe('–');
    expect(fmt(0.12345, 2)).toBe('0.12');
  });
});
