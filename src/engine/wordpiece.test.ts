// WordPiece parity with Python (`tokenizers` and transformers' slow BertTokenizer agree on every case; checked by
// models/tests/test_wordpiece_ids.py, which also keeps this fixture current): a vocabulary built from a word list,
// medical prompts with punctuation, accents, unknown words, CJK, controls and prompts longer than 256 tokens.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { WordPieceTokenizer } from './wordpiece';
import { createTokenizer } from './tokenizers';

const DIR = 'models/tests/fixtures/wordpiece';
const json = readFileSync(`${DIR}/tokenizer.json`, 'utf8');
const fixture = JSON.parse(readFileSync(`${DIR}/ids.json`, 'utf8')) as { maxLengthShort: number; cases: Record<string, unknown>[] };
const tok = WordPieceTokenizer.fromJson(json);
const vocab = (JSON.parse(json) as { model: { vocab: Record<string, number> } }).model.vocab;

describe('WordPieceTokenizer', () => {
  it('gives the Python ids on every fixture prompt, whole and cut to the short length', () => {
    expect(fixture.cases.length).toBeGreaterThan(20);
    const short = fixture.maxLengthShort;
    for (const c of fixture.cases) {
      const text = c.text as string;
      expect(tok.encode(text, { maxLength: 100_000 }).ids, JSON.stringify(text)).toEqual(c.ids);
      expect(tok.encode(text, { maxLength: short }).ids, `${JSON.stringify(text)} cut to ${short}`).toEqual(c[`ids${short}`]);
    }
  });

  it('cuts a prompt longer than 256 tokens to 256, [SEP] last, as BERT truncates', () => {
    const long = fixture.cases.find((c) => (c.ids as number[]).length > 256) as { text: string; ids: number[] };
    const t = tok.encode(long.text, { maxLength: 256 });
    expect(t.ids).toHaveLength(256);
    expect(t.ids).toEqual([...long.ids.slice(0, 255), vocab['[SEP]']]);
    expect(Array.from(t.attentionMask).every((v) => v === 1n)).toBe(true);
  });

  it('splits words into ## pieces, marks unknown words whole, and pads on request', () => {
    const ids = (s: string) => tok.encode(s, { maxLength: 64 }).ids;
    expect(ids('Cardiac kidneys')).toEqual([vocab['[CLS]'], vocab.cardi, vocab['##ac'], vocab.kidney, vocab['##s'], vocab['[SEP]']]);
    expect(ids('polyp🙂 polyp')).toEqual([vocab['[CLS]'], vocab['[UNK]'], vocab.polyp, vocab['[SEP]']]);
    const p = tok.encode('polyp', { maxLength: 5, padding: 'max_length' });
    expect(p.ids).toEqual([vocab['[CLS]'], vocab.polyp, vocab['[SEP]'], vocab['[PAD]'], vocab['[PAD]']]);
    expect(Array.from(p.attentionMask)).toEqual([1n, 1n, 1n, 0n, 0n]);
  });

  it('is chosen by the manifest type, and a file of the other kind is a clear error', () => {
    expect(createTokenizer(json, 'wordpiece').encode('polyp', { maxLength: 8 }).ids).toEqual([vocab['[CLS]'], vocab.polyp, vocab['[SEP]']]);
    expect(() => createTokenizer(json)).toThrow(/tokenizerType is 'clip-bpe', but tokenizer.json holds a WordPiece model/);
    const clip = readFileSync('models/tokenizer/tokenizer.json', 'utf8');
    expect(createTokenizer(clip, 'clip-bpe').encode('a photo of a cat', { maxLength: 77 }).ids).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
    expect(() => createTokenizer(clip, 'wordpiece')).toThrow(/holds a BPE model \(expected WordPiece\)/);
    expect(() => createTokenizer('{nope', 'wordpiece')).toThrow(/not valid JSON/);
  });
});
