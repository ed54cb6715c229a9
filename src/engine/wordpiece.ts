// BERT WordPiece tokeniser over a Hugging Face `tokenizer.json` (the bundle's own file, no network), for text
// encoders such as BiomedCLIPSeg's PubMedBERT. Mirrors the tokenizers pipeline the Python toolchain writes
// (models/vlsm/wordpiece.py): added tokens matched on the raw text -> BertNormalizer (clean text, spaces around
// CJK ideographs, strip accents by NFD without non-spacing marks, per-character lowercase) -> BertPreTokenizer
// (split on whitespace, isolate punctuation) -> greedy longest-match WordPiece with '##' -> [CLS] ids [SEP].
// Same ids as `tokenizers` and transformers' BertTokenizer: src/engine/wordpiece.test.ts.
import type { Tokens, TokenizerOptions } from './tokenizer';
import { AddedTokens, frameTokens } from './tokenFrame';

interface WordPieceJson {
  added_tokens?: { id: number; content: string }[];
  normalizer?: { type?: string; clean_text?: boolean; handle_chinese_chars?: boolean; strip_accents?: boolean | null; lowercase?: boolean } | null;
  model: { type: string; vocab: Record<string, number>; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number };
  post_processor?: { type?: string; cls?: [string, number]; sep?: [string, number] } | null;
}

const CONTROL = /\p{C}/u; // Cc, Cf, Cs, Co, Cn: BERT's clean_text drops them (tab, newline, CR excepted)
const WHITESPACE = /[\t\n\r\p{White_Space}]/u;
const MARK_NONSPACING = /\p{Mn}/u;
// BERT punctuation: every ASCII punctuation character (incl. $+<=>^`|~) and Unicode P*.
const PUNCT = /[!-/:-@[-`{-~]|\p{P}/u;

function isChinese(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

export class WordPieceTokenizer {
  private readonly vocab: Map<string, number>;
  private readonly unkId: number;
  private readonly prefix: string;
  private readonly maxChars: number;
  private readonly clean: boolean;
  private readonly chinese: boolean;
  private readonly stripAccents: boolean;
  private readonly lowercase: boolean;
  private readonly added: AddedTokens;
  private readonly cache = new Map<string, number[]>();
  readonly clsId: number;
  readonly sepId: number;

  constructor(json: WordPieceJson) {
    if (json.model?.type !== 'WordPiece') throw new Error(`tokenizer.json: expected a WordPiece model, got ${String(json.model?.type)}`);
    this.vocab = new Map(Object.entries(json.model.vocab));
    const unk = json.model.unk_token ?? '[UNK]';
    const unkId = this.vocab.get(unk);
    if (unkId === undefined) throw new Error(`tokenizer.json: the unknown token '${unk}' is not in the vocabulary`);
    this.unkId = unkId;
    this.prefix = json.model.continuing_subword_prefix ?? '##';
    this.maxChars = json.model.max_input_chars_per_word ?? 100;
    const n = json.normalizer;
    if (n && n.type !== 'BertNormalizer') throw new Error(`tokenizer.json: unsupported normalizer ${String(n.type)} for WordPiece`);
    this.clean = n?.clean_text ?? false;
    this.chinese = n?.handle_chinese_chars ?? false;
    this.lowercase = n?.lowercase ?? false;
    this.stripAccents = n?.strip_accents ?? this.lowercase;
    this.added = new AddedTokens(json.added_tokens);
    const cls = json.post_processor?.cls ?? ['[CLS]', this.vocab.get('[CLS]')];
    const sep = json.post_processor?.sep ?? ['[SEP]', this.vocab.get('[SEP]')];
    if (cls[1] === undefined || sep[1] === undefined) throw new Error('tokenizer.json: no [CLS]/[SEP] tokens');
    this.clsId = cls[1];
    this.sepId = sep[1];
  }

  static fromJson(text: string): WordPieceTokenizer {
    return new WordPieceTokenizer(JSON.parse(text) as WordPieceJson);
  }

  /** Token ids without [CLS]/[SEP]. */
  encodeText(text: string): number[] {
    return this.added.encode(text, (part) => this.preTokenize(this.normalize(part)).flatMap((w) => this.wordPiece(w)));
  }

  encode(text: string, options: TokenizerOptions): Tokens {
    return frameTokens(this.encodeText(text), this.clsId, this.sepId, options, this.vocab.get('[PAD]') ?? 0);
  }

  private normalize(text: string): string {
    let s = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0) as number;
      if (this.clean) {
        if (cp === 0 || cp === 0xfffd || (CONTROL.test(ch) && ch !== '\t' && ch !== '\n' && ch !== '\r')) continue;
        if (WHITESPACE.test(ch)) {
          s += ' ';
          continue;
        }
      }
      s += this.chinese && isChinese(cp) ? ` ${ch} ` : ch;
    }
    if (this.stripAccents) {
      let t = '';
      for (const ch of s.normalize('NFD')) if (!MARK_NONSPACING.test(ch)) t += ch;
      s = t;
    }
    if (this.lowercase) {
      let t = '';
      for (const ch of s) t += ch.toLowerCase(); // per character, as tokenizers (no final-sigma context)
      s = t;
    }
    return s;
  }

  private preTokenize(text: string): string[] {
    const words: string[] = [];
    let cur = '';
    for (const ch of text) {
      if (WHITESPACE.test(ch)) {
        if (cur) words.push(cur);
        cur = '';
      } else if (PUNCT.test(ch)) {
        if (cur) words.push(cur);
        words.push(ch);
        cur = '';
      } else cur += ch;
    }
    if (cur) words.push(cur);
    return words;
  }

  private wordPiece(word: string): number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const chars = Array.from(word);
    let ids: number[] = [];
    if (chars.length > this.maxChars) ids = [this.unkId];
    else {
      let start = 0;
      while (start < chars.length) {
        let end = chars.length;
        let found: number | undefined;
        while (start < end) {
          const piece = (start > 0 ? this.prefix : '') + chars.slice(start, end).join('');
          found = this.vocab.get(piece);
          if (found !== undefined) break;
          end--;
        }
        if (found === undefined) {
          ids = [this.unkId];
          break;
        }
        ids.push(found);
        start = end;
      }
    }
    if (this.cache.size > 10000) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }
}
