import { describe, expect, it } from 'vitest';
import type { MaskLayer } from '../state/layers';
import { groupMaskLayers } from './maskGroups';

const canvas = {} as HTMLCanvasElement;
const layer = (id: string, z: number, live?: boolean): MaskLayer => ({ id, canvas, visible: true, opacity: 1, version: 1, z, live });
const shape = (layers: MaskLayer[]) => groupMaskLayers(layers).map((g) => [g.key, g.layers.map((l) => l.id)]);

describe('groupMaskLayers', () => {
  it('puts static layers on one Konva layer, in z order', () => {
    expect(shape([layer('ref', 5), layer('run:a', 1), layer('run:b', 1)])).toEqual([['static:0', ['run:a', 'run:b', 'ref']]]);
    expect(groupMaskLayers([])).toEqual([]);
  });

  it('gives a live layer its own Konva layer at its place in the z order', () => {
    // runs, reference, correction (as the loop registers them), the correction being painted
    expect(shape([layer('run:a', 1), layer('correction', 10, true), layer('ref', 5)])).toEqual([
      ['static:0', ['run:a', 'ref']],
      ['live:correction', ['correction']],
    ]);
    // a static layer above a live one stays above it
    expect(shape([layer('run:a', 1), layer('correction', 10, true), layer('top', 20), layer('top2', 30)])).toEqual([
      ['static:0', ['run:a']],
      ['live:correction', ['correction']],
      ['static:1', ['top', 'top2']],
    ]);
    expect(shape([layer('x', 0, true), layer('y', 0, true)])).toEqual([
      ['live:x', ['x']],
      ['live:y', ['y']],
    ]);
  });

  it('keeps the static group key when a live layer joins on top', () => {
    const before = groupMaskLayers([layer('run:a', 1), layer('ref', 5), layer('correction', 10)]);
    const after = groupMaskLayers([layer('run:a', 1), layer('ref', 5), layer('correction', 10, true)]);
    expect(before.map((g) => g.key)).toEqual(['static:0']);
    expect(after.map((g) => g.key)).toEqual(['static:0', 'live:correction']);
  });
});
