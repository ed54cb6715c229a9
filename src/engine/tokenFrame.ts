// What the bundle tokenisers (CLIP BPE in tokenizer.ts, BERT WordPiece in wordpiece.ts) share: the added tokens
// of a Hugging Face `tokenizer.json`, matched on the raw text before any normalisation, and the framing of the
// body ids as <start> ids <end>, cut to the model's length (the end token kept last) and optionally padded.
import type { Tokens, TokenizerOptions } from './tokenizer';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class AddedTokens {
  private readonly ids: Map<string, number>;
  private readonly split: RegExp | null;

  constructor(list: { id: number; content: string }[] | undefined) {
    this.ids = new Map((list ?? []).map((t) => [t.content, t.id]));
    this.split = this.ids.size ? new RegExp(`(${[...this.ids.keys()].map(escapeRegExp).join('|')})`) : null;
  }

  /** Ids of `text`: each added token as its own id, every other stretch through `plain`. */
  encode(text: string, plain: (part: string) => number[]): number[] {
    const out: number[] = [];
    for (const part of this.split ? text.split(this.split) : [text]) {
      const id = this.ids.get(part);
      if (id !== undefined) out.push(id);
      else out.push(...plain(part));
    }
    return out;
  }
}

/** `start` body `end`, the body cut so the whole fits options.maxLength, padded with `pad` when asked. */
export function frameTokens(body: number[], start: number, end: number, options: TokenizerOptions, pad: number): Tokens {
  const room = Math.max(0, options.maxLength - 2);
  const ids = [start, ...(body.length > room ? body.slice(0, room) : body), end];
  const mask = ids.map(() => 1);
  if (options.padding === 'max_length') {
    const p = options.padTokenId ?? pad;
    while (ids.length < options.maxLength) {
      ids.push(p);
      mask.push(0);
    }
  }
  return {
    ids,
    inputIds: BigInt64Array.from(ids, (v) => BigInt(v)),
    attentionMask: BigInt64Array.from(mask, (v) => BigInt(v)),
  };
}
