// CLIP byte-level BPE tokeniser over a Hugging Face `tokenizer.json` (the bundle's own file, no network).
// Written here rather than importing transformers.js, so the worker bundle does not pull a second ONNX runtime.
// Mirrors the tokenizers pipeline of the CLIP converter: added tokens -> NFC, \s+ -> ' ', lowercase ->
// CLIP split regex -> GPT-2 byte-level regex + byte->unicode map -> BPE with '</w>' suffix -> <sot> ids <eot>.

interface TokenizerJson {
  added_tokens?: { id: number; content: string; special?: boolean }[];
  model: {
    type: string;
    vocab: Record<string, number>;
    merges: (string | [string, string])[];
    unk_token?: string | null;
    end_of_word_suffix?: string | null;
  };
  post_processor?: { type?: string; cls?: [string, number]; sep?: [string, number] } | null;
}

export interface TokenizerOptions {
  /** Total length including <sot> and <eot>; longer prompts are cut, keeping <eot> last. */
  maxLength: number;
  padding?: 'none' | 'max_length';
  padTokenId?: number;
}

export interface Tokens {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  /** Ids as plain numbers, for tests and cache keys. */
  ids: number[];
}

import { AddedTokens, frameTokens } from './tokenFrame';

const CLIP_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/gu;
const BYTE_LEVEL_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const table = new Array<string>(256);
  for (const b of bs) table[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) table[b] = String.fromCodePoint(256 + n++);
  }
  return table;
}

export class ClipTokenizer {
  private readonly vocab: Map<string, number>;
  private readonly ranks = new Map<string, number>();
  private readonly byteMap = bytesToUnicode();
  private readonly encoder = new TextEncoder();
  private readonly cache = new Map<string, number[]>();
  private readonly suffix: string;
  private readonly unkId: number | undefined;
  private readonly added: AddedTokens;
  readonly bosId: number;
  readonly eosId: number;

  constructor(json: TokenizerJson) {
    if (json.model?.type !== 'BPE') throw new Error(`tokenizer.json: expected a BPE model, got ${String(json.model?.type)}`);
    this.vocab = new Map(Object.entries(json.model.vocab));
    json.model.merges.forEach((m, i) => this.ranks.set(Array.isArray(m) ? `${m[0]} ${m[1]}` : m, i));
    this.suffix = json.model.end_of_word_suffix ?? '';
    this.unkId = json.model.unk_token ? this.vocab.get(json.model.unk_token) : undefined;
    this.added = new AddedTokens(json.added_tokens);
    const cls = json.post_processor?.cls;
    const sep = json.post_processor?.sep;
    this.bosId = cls ? cls[1] : (this.vocab.get('<|startoftext|>') ?? 49406);
    this.eosId = sep ? sep[1] : (this.vocab.get('<|endoftext|>') ?? 49407);
  }

  static fromJson(text: string): ClipTokenizer {
    return new ClipTokenizer(JSON.parse(text) as TokenizerJson);
  }

  /** Token ids without <sot>/<eot>. */
  encodeText(text: string): number[] {
    return this.added.encode(text, (part) => {
      const out: number[] = [];
      const normal = part.normalize('NFC').replace(/\s+/gu, ' ').toLowerCase();
      for (const word of normal.match(CLIP_SPLIT) ?? []) {
        for (const piece of word.match(BYTE_LEVEL_SPLIT) ?? []) out.push(...this.bpe(piece));
      }
      return out;
    });
  }

  encode(text: string, options: TokenizerOptions): Tokens {
    return frameTokens(this.encodeText(text), this.bosId, this.eosId, options, this.eosId);
  }

  private bpe(piece: string): number[] {
    const cached = this.cache.get(piece);
    if (cached) return cached;
    let mapped = '';
    for (const b of this.encoder.encode(piece)) mapped += this.byteMap[b];
    const word = Array.from(mapped);
    if (word.length === 0) return [];
    word[word.length - 1] += this.suffix;
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const r = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const a = word[best];
      const b = word[best + 1];
      // Merge every occurrence of the best pair, left to right, as tokenizers does.
      const merged: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i < word.length - 1 && word[i] === a && word[i + 1] === b) {
          merged.push(a + b);
          i++;
        } else merged.push(word[i]);
      }
      word.splice(0, word.length, ...merged);
    }
    const ids: number[] = [];
    for (const tok of word) {
      const id = this.vocab.get(tok);
      if (id !== undefined) ids.push(id);
      else if (this.unkId !== undefined) ids.push(this.unkId);
    }
    if (this.cache.size > 10000) this.cache.clear();
    this.cache.set(piece, ids);
    return ids;
  }
}
