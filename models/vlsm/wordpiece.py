"""WordPiece tokenizer.json (Hugging Face `tokenizers` format) from a BERT vocab.txt, for bundles whose text
encoder is BERT-like (BiomedCLIPSeg: PubMedBERT, uncased). The TypeScript engine's WordPieceTokenizer
(src/engine/wordpiece.ts) reads the same file.

The pipeline is BERT's: clean text (drop controls, whitespace -> ' '), spaces around CJK ideographs, strip
accents (NFD, drop non-spacing marks) and lowercase when uncased, split on whitespace and punctuation,
greedy longest-match WordPiece with '##' continuations ([UNK] for a word that does not split, or longer than
100 characters), then [CLS] ids [SEP].
"""

from __future__ import annotations

import json
from pathlib import Path

SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def read_vocab(path: str | Path) -> list[str]:
    words = Path(path).read_text(encoding="utf-8").split("\n")
    while words and words[-1] == "":
        words.pop()
    if not words:
        raise ValueError(f"{path}: empty vocabulary")
    missing = [t for t in ("[UNK]", "[CLS]", "[SEP]") if t not in words]
    if missing:
        raise ValueError(f"{path}: not a BERT vocab.txt, it lacks {missing} (one token a line, the line number is the id)")
    return words


def build_tokenizer(vocab: str | Path, lowercase: bool = True, strip_accents: bool | None = None):
    """A `tokenizers.Tokenizer` (BERT WordPiece) from vocab.txt. strip_accents None: follow lowercase (as BERT)."""
    from tokenizers import BertWordPieceTokenizer

    words = read_vocab(vocab)
    vocab_map = {w: i for i, w in enumerate(words)}
    if len(vocab_map) != len(words):
        dupes = sorted({w for w in words if words.count(w) > 1})[:5]
        raise ValueError(f"{vocab}: duplicate tokens {dupes}")
    tok = BertWordPieceTokenizer(vocab_map, unk_token="[UNK]", sep_token="[SEP]", cls_token="[CLS]",
                                 pad_token="[PAD]" if "[PAD]" in vocab_map else None,
                                 mask_token="[MASK]" if "[MASK]" in vocab_map else None,
                                 clean_text=True, handle_chinese_chars=True, strip_accents=strip_accents,
                                 lowercase=lowercase, wordpieces_prefix="##")
    return tok._tokenizer  # the plain tokenizers.Tokenizer (what Tokenizer.from_file gives back)


def write_tokenizer_json(vocab: str | Path, out: str | Path, lowercase: bool = True,
                         strip_accents: bool | None = None) -> Path:
    """Write tokenizer.json with sorted keys, so the same vocab gives the same bytes (and sha256)."""
    tok = build_tokenizer(vocab, lowercase, strip_accents)
    data = json.loads(tok.to_str())
    out = Path(out)
    out.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    return out

