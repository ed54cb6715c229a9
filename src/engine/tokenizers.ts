// Picks the prompt tokeniser a bundle declares (manifest text.tokenizerType): CLIP byte-level BPE (the default)
// or BERT WordPiece, both read from the bundle's own Hugging Face tokenizer.json.
import type { TextSpec } from './manifest';
import { ClipTokenizer } from './tokenizer';
import type { Tokens, TokenizerOptions } from './tokenizer';
import { WordPieceTokenizer } from './wordpiece';

export interface PromptTokenizer {
  encode(text: string, options: TokenizerOptions): Tokens;
}

export type TokenizerType = NonNullable<TextSpec['tokenizerType']>;

/** The tokenizer of `type` over tokenizer.json `text`; a file of the other kind is a clear error. */
export function createTokenizer(text: string, type: TokenizerType = 'clip-bpe'): PromptTokenizer {
  let json: { model?: { type?: unknown } };
  try {
    json = JSON.parse(text) as { model?: { type?: unknown } };
  } catch (e) {
    throw new Error(`tokenizer.json is not valid JSON (${(e as Error).message})`);
  }
  const want = type === 'wordpiece' ? 'WordPiece' : 'BPE';
  const got = json.model?.type;
  if (got !== want) {
    throw new Error(`the manifest's text.tokenizerType is '${type}', but tokenizer.json holds a ${String(got)} model (expected ${want})`);
  }
  return type === 'wordpiece' ? new WordPieceTokenizer(json as ConstructorParameters<typeof WordPieceTokenizer>[0]) : new ClipTokenizer(json as ConstructorParameters<typeof ClipTokenizer>[0]);
}
