import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkVocabulary, modelKnowing, unknownMessage } from './vocabulary';

const vocabOf = (id: string) => (JSON.parse(readFileSync(`models/${id}/manifest.json`, 'utf8')) as { modelCard: { vocabulary: string[] } }).modelCard.vocabulary;

describe('prompt vocabulary', () => {
  it('marks the words a model never saw, keeping joined and possessive forms known', () => {
    const c = checkVocabulary("Tumour in the sigmoid colon, patient's x-ray", ['tumour', 'in', 'the', 'colon', 'patient', 'x', 'ray']);
    expect(c).toEqual({ unknown: ['sigmoid'], allUnknown: false });
    expect(checkVocabulary('sigmoid', ['polyp'])).toEqual({ unknown: ['sigmoid'], allUnknown: true });
    expect(checkVocabulary('polyp', [])).toBeNull();
    expect(unknownMessage(['sigmoid', 'flexure'])).toBe("'sigmoid' and 'flexure' are not in this model's vocabulary: the model ignores them.");
  });

  it('names the shipped model that knows the words the loaded one does not (the real shipped cards)', () => {
    const models = ['compact-vlsm', 'compact-vlsm-v2'].map((id) => ({ id, name: id, vocabulary: vocabOf(id) }));
    const v1 = checkVocabulary('right ventricle', models[0].vocabulary)!;
    expect(v1.unknown).toContain('ventricle');
    expect(modelKnowing(v1.unknown, models, 'compact-vlsm')?.id).toBe('compact-vlsm-v2');
    // the loaded model itself is never offered, nor a model that lacks one of the words
    expect(modelKnowing(v1.unknown, models, 'compact-vlsm-v2')).toBeNull();
    expect(modelKnowing(['ventricle', 'zzzq'], models, 'compact-vlsm')).toBeNull();
    expect(modelKnowing([], models, 'compact-vlsm')).toBeNull();
  });
});
