// Tokeniser parity with Python `tokenizers` on the shipped CLIP tokenizer.json (and the Python fixture when present).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { ClipTokenizer } from './tokenizer';

const tok = ClipTokenizer.fromJson(readFileSync('models/tokenizer/tokenizer.json', 'utf8'));
const FIXTURE = 'models/tests/fixtures/token_ids.json';

describe('ClipTokenizer', () => {
  it('matches Python on known prompts', () => {
    expect(tok.encode('a photo of a cat', { maxLength: 77 }).ids).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
    expect(tok.encode("Hello, World!!  it's 2024 cafés naïve <|endoftext|> x", { maxLength: 77 }).ids).toEqual([
      49406, 3306, 267, 1002, 748, 585, 568, 273, 271, 273, 275, 3471, 20507, 1097, 35689, 563, 49407, 343, 49407,
    ]);
    expect(tok.encode('one small pink round polyp, located in right of the image', { maxLength: 77 }).ids).toEqual([
      49406, 637, 2442, 3360, 2522, 6833, 335, 267, 5677, 530, 1155, 539, 518, 2867, 49407,
    ]);
  });

  it('handles the empty prompt, truncation keeping EOS, and padding', () => {
    expect(tok.encode('', { maxLength: 77 }).ids).toEqual([49406, 49407]);
    const t = tok.encode('a photo of a cat', { maxLength: 4 });
    expect(t.ids).toEqual([49406, 320, 1125, 49407]);
    expect(Array.from(t.attentionMask)).toEqual([1n, 1n, 1n, 1n]);
    const p = tok.encode('cat', { maxLength: 6, padding: 'max_length', padTokenId: 0 });
    expect(p.ids).toEqual([49406, 2368, 49407, 0, 0, 0]);
    expect(Array.from(p.attentionMask)).toEqual([1n, 1n, 1n, 0n, 0n, 0n]);
  });

  it.runIf(existsSync(FIXTURE))('matches the Python fixture models/tests/fixtures/token_ids.json', () => {
    const raw = JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown;
    const cases = normaliseFixture(raw);
    expect(cases.length).toBeGreaterThan(0);
    // The fixture is untruncated ids; truncation to maxLength is tested above.
    for (const c of cases) expect(tok.encode(c.prompt, { maxLength: c.maxLength ?? 100_000 }).ids, c.prompt).toEqual(c.ids);
  });
});

interface Case {
  prompt: string;
  ids: number[];
  maxLength?: number;
}

/** The fixture's exact layout is the Python side's choice: accept a list, {cases: [...]}, or {prompt: ids}. */
function normaliseFixture(raw: unknown): Case[] {
  const list = Array.isArray(raw) ? raw : ((raw as { cases?: unknown[] }).cases ?? null);
  if (list) {
    return list.map((c) => {
      const o = c as Record<string, unknown>;
      return {
        prompt: String(o.prompt ?? o.text),
        ids: (o.ids ?? o.input_ids ?? o.token_ids) as number[],
        maxLength: (o.maxLength ?? o.max_length) as number | undefined,
      };
    });
  }
  return Object.entries(raw as Record<string, number[]>).map(([prompt, ids]) => ({ prompt, ids }));
}
