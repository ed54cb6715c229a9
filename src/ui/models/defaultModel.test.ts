import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHIPPED_BUNDLES } from '../../../scripts/vite-models-plugin';
import { defaultModelFor, scanKindOf, shippedCardOf, volumeDefaultNote, type ShippedCard } from './defaultModel';

/** The real shipped manifests, in shipping order (what /models/index.json lists). */
const shipped: ShippedCard[] = SHIPPED_BUNDLES.map((id) => shippedCardOf(JSON.parse(readFileSync(`models/${id}/manifest.json`, 'utf8')))!);

describe('default model by the kind of scan (real shipped cards)', () => {
  it('reads every shipped manifest', () => {
    expect(shipped.map((c) => c.id)).toEqual([...SHIPPED_BUNDLES]);
  });

  it('a 2-D picture gets v1, a volume gets v2 (the one trained on cardiac MR slices)', () => {
    expect(defaultModelFor('image', shipped, null)).toEqual({ ref: { kind: 'shipped', id: 'compact-vlsm' }, by: 'scan-kind', kind: 'image' });
    expect(defaultModelFor('volume', shipped, null)).toEqual({ ref: { kind: 'shipped', id: 'compact-vlsm-v2' }, by: 'scan-kind', kind: 'volume' });
    const v2 = shipped.find((c) => c.id === 'compact-vlsm-v2')!;
    expect(v2.modalities?.some((m) => /\bMR\b/.test(m))).toBe(true);
    expect(shipped.find((c) => c.id === 'compact-vlsm')!.modalities?.some((m) => /\b(MR|CT)\b/.test(m))).toBe(false);
  });

  it('an explicit choice always wins, for either kind', () => {
    for (const ref of [{ kind: 'shipped', id: 'compact-vlsm' }, { kind: 'stored', id: 'my-model' }] as const) {
      expect(defaultModelFor('volume', shipped, ref)).toEqual({ ref, by: 'user', kind: 'volume' });
      expect(defaultModelFor('image', shipped, ref)).toEqual({ ref, by: 'user', kind: 'image' });
    }
  });

  it('falls back to the 2-D default, then to the first shipped bundle, when no card names the kind', () => {
    const noVolume = shipped.map((c) => (c.id === 'compact-vlsm-v2' ? { ...c, defaultFor: undefined } : c));
    expect(defaultModelFor('volume', noVolume, null)?.ref).toEqual({ kind: 'shipped', id: 'compact-vlsm' });
    const none = shipped.map((c) => ({ ...c, defaultFor: undefined })).reverse();
    expect(defaultModelFor('image', none, null)).toEqual({ ref: { kind: 'shipped', id: 'deeplabv3plus-baseline' }, by: 'first-shipped', kind: 'image' });
    expect(defaultModelFor('volume', [], null)).toBeNull();
  });

  it('a volume is anything with more than one slice', () => {
    expect(scanKindOf({ frames: 1 })).toBe('image');
    expect(scanKindOf({ frames: 2 })).toBe('volume');
    expect(scanKindOf(null)).toBe('image');
  });

  it('says in one line why a volume got v2, and nothing when the user chose or on 2-D', () => {
    expect(volumeDefaultNote(defaultModelFor('volume', shipped, null), shipped)).toBe(
      'Volume: using Compact VLSM v2 — trained on cardiac MR (short-axis cine) slices; Compact VLSM v1 (the 2-D default) has never seen CT/MR.',
    );
    expect(volumeDefaultNote(defaultModelFor('image', shipped, null), shipped)).toBeNull();
    expect(volumeDefaultNote(defaultModelFor('volume', shipped, { kind: 'shipped', id: 'compact-vlsm-v2' }), shipped)).toBeNull();
  });

  it('ignores a manifest that is not one', () => {
    expect(shippedCardOf(null)).toBeNull();
    expect(shippedCardOf({ id: 3, name: 'x' })).toBeNull();
    expect(shippedCardOf({ id: 'a', name: 'A', modelCard: { defaultFor: [1] } })).toEqual({ id: 'a', name: 'A', defaultFor: undefined, modalities: undefined });
  });
});
