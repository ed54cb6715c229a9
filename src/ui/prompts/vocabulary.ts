// Words of a prompt the loaded model never saw in training (modelCard.vocabulary): the compact model maps
// every other CLIP token to one neutral embedding row (models/vlsm/export_compact.py), so such words carry
// no meaning and are ignored. Marked in the prompt box before the prompt runs.

/** Lowercase words as the model card lists them ("x-ray", "patient's" stay one word; models/vlsm/vocab.py). */
const WORD = /[a-z0-9]+(?:['-][a-z0-9]+)*/g;

export function wordsOf(text: string): string[] {
  return text.toLowerCase().replace(/[’‘]/g, "'").match(WORD) ?? [];
}

export interface VocabularyCheck {
  /** Distinct words not in the vocabulary, in prompt order. */
  unknown: string[];
  /** The prompt has words and none of them is known: the model will see only the neutral token. */
  allUnknown: boolean;
}

/** Null when the model lists no vocabulary (nothing can be said before it runs). */
export function checkVocabulary(prompt: string, vocabulary: readonly string[] | undefined | null): VocabularyCheck | null {
  if (!vocabulary || vocabulary.length === 0) return null;
  const known = new Set(vocabulary.map((w) => w.toLowerCase()));
  const words = wordsOf(prompt);
  // a word the card lists only as a part ("x" and "ray") or only joined ("x-ray") still counts as known
  const isKnown = (w: string) => known.has(w) || (w.includes('-') && w.split('-').every((p) => known.has(p))) || (w.endsWith("'s") && known.has(w.slice(0, -2)));
  const unknown = [...new Set(words.filter((w) => !isKnown(w)))];
  return { unknown, allUnknown: words.length > 0 && unknown.length === new Set(words).size };
}

/** "'sigmoid' is not in this model's vocabulary" / "'sigmoid' and 'colon' are not …". */
export function unknownMessage(unknown: readonly string[]): string {
  if (unknown.length === 0) return '';
  const q = unknown.map((w) => `'${w}'`);
  const list = q.length === 1 ? q[0] : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
  return `${list} ${q.length === 1 ? 'is' : 'are'} not in this model's vocabulary: the model ignores ${q.length === 1 ? 'it' : 'them'}.`;
}

export interface ModelVocabulary {
  id: string;
  name: string;
  vocabulary: readonly string[];
}

/** The first other model whose vocabulary knows every word the loaded one does not (null when none does):
 *  the prompt box offers to switch to it ("'ventricle' is known to Compact VLSM v2"). */
export function modelKnowing(unknown: readonly string[], models: readonly ModelVocabulary[], currentId: string | null | undefined): ModelVocabulary | null {
  if (unknown.length === 0) return null;
  for (const m of models) {
    if (m.id === currentId || m.vocabulary.length === 0) continue;
    const check = checkVocabulary(unknown.join(' '), m.vocabulary);
    if (check && check.unknown.length === 0) return m;
  }
  return null;
}
