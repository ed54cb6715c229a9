"""The WordPiece tokenizer.json that vlsm.wordpiece builds from a vocab.txt gives the ids of two independent
Python implementations (`tokenizers`, Rust, and transformers' slow BertTokenizer, pure Python) and of a few
cases worked by hand; tests/fixtures/wordpiece/ (tokenizer.json + ids.json, read by the TypeScript tokenizer's
tests, src/engine/wordpiece.test.ts) holds those files and ids.

The vocabulary is made here from a word list (nothing downloaded). Regenerate the fixture after changing WORDS
or PROMPTS:  cd models && python -m tests.test_wordpiece_ids
"""

import json
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from tests.helpers import CLINICAL_PROMPTS
from vlsm.wordpiece import read_vocab, write_tokenizer_json

FIXTURE = Path(__file__).parent / "fixtures" / "wordpiece"
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PUNCT = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + ["¿", "«", "»", "—", "…"]
LETTERS = [chr(c) for c in range(ord("a"), ord("z") + 1)] + [str(d) for d in range(10)]
WORDS = (SPECIALS + PUNCT + LETTERS + ["##" + c for c in LETTERS] + [
    "the", "of", "an", "in", "and", "on", "with", "left", "right", "lung", "lungs", "polyp", "##es", "small",
    "pink", "round", "located", "image", "tumor", "tumour", "##ous", "cardi", "##ac", "ventricle", "lesion", "skin",
    "melanoma", "breast", "malignant", "irregular", "shape", "center", "centre", "cafe", "naive", "foot", "ulcer",
    "diabetic", "mm", "cm", "it", "we", "ll", "see", "sided", "kidney", "##ey", "edema", "oedema", "istanbul",
    "myocardium", "myo", "##card", "##ium", "liver", "##ing", "##ed", "##ly", "very", "long", "prompt", "日", "本",
    "σας", "σασ", "ø", "##ø", "fi", "##fi", "°", "##°",
])
PROMPTS = [
    "polyp",
    "",
    "   ",
    "Polyps",
    "POLYPS!!",
    *CLINICAL_PROMPTS,
    "ŒDÈME of the myocardium",
    "İstanbul kidney",
    "ΣΑΣ",
    "tumour ≥ 5 mm, 37°C",
    "ulcer 🙂 emoji",
    "tabs\tand\nnewlines\u00a0and\u2003spaces",
    "zero\u200bwidth and \u0000null and \ufffdreplacement",
    "日本語のテキスト",
    "¿qué? «lesion» — see…",
    "[MASK] and [mask] and [CLS]",
    "ﬁbrosis, x², ø",
    "superlongword" * 10,
    "polyp" * 21,
    "a very long prompt " * 80,
]
# Worked by hand from WORDS (ids: specials 0-4, then PUNCT, LETTERS, ##LETTERS, the words in order).
HAND = {
    "polyp": ["[CLS]", "polyp", "[SEP]"],
    "Polyps": ["[CLS]", "polyp", "##s", "[SEP]"],
    "": ["[CLS]", "[SEP]"],
    "naïve café": ["[CLS]", "naive", "cafe", "[SEP]"],
    "it's": ["[CLS]", "it", "'", "s", "[SEP]"],
    "cardiac": ["[CLS]", "cardi", "##ac", "[SEP]"],
    "kidneys": ["[CLS]", "kidney", "##s", "[SEP]"],
    "xyz!": ["[CLS]", "x", "##y", "##z", "!", "[SEP]"],
    "qué": ["[CLS]", "q", "##u", "##e", "[SEP]"],
    "🙂": ["[CLS]", "[UNK]", "[SEP]"],
    "polyp🙂": ["[CLS]", "[UNK]", "[SEP]"],  # one unknown piece makes the whole word [UNK]
    "İstanbul": ["[CLS]", "istanbul", "[SEP]"],  # accents are stripped before lowercasing
}
TRUNCATE = 8  # ids.json also holds each prompt's ids cut to this length, as BERT truncates ([SEP] kept last)


def _vocab(tmp: Path) -> Path:
    assert len(set(WORDS)) == len(WORDS), "duplicate words"
    p = tmp / "vocab.txt"
    p.write_text("\n".join(WORDS) + "\n", encoding="utf-8")
    return p


def build(tmp: Path) -> tuple[Path, dict]:
    tok_path = write_tokenizer_json(_vocab(tmp), tmp / "tokenizer.json")
    tok = Tokenizer.from_file(str(tok_path))
    cases = []
    for text in PROMPTS:
        ids = tok.encode(text).ids
        short = ids if len(ids) <= TRUNCATE else ids[: TRUNCATE - 1] + [ids[-1]]
        cases.append({"text": text, "ids": ids, f"ids{TRUNCATE}": short})
    return tok_path, {"maxLengthShort": TRUNCATE, "cases": cases}


def test_vocab_checks(tmp_path):
    (tmp_path / "bad.txt").write_text("a\nb\n")
    with pytest.raises(ValueError, match="lacks"):
        read_vocab(tmp_path / "bad.txt")


def test_hand_worked_cases(tmp_path):
    tok = Tokenizer.from_file(str(write_tokenizer_json(_vocab(tmp_path), tmp_path / "tokenizer.json")))
    for text, pieces in HAND.items():
        assert tok.encode(text).ids == [WORDS.index(p) for p in pieces], text


def test_tokenizers_and_slow_bert_tokenizer_agree(tmp_path):
    from transformers import BertTokenizer

    _, data = build(tmp_path)
    slow = BertTokenizer(str(tmp_path / "vocab.txt"), do_lower_case=True)
    for case in data["cases"]:
        assert slow(case["text"])["input_ids"] == case["ids"], case["text"]
        cut = slow(case["text"], truncation=True, max_length=TRUNCATE)["input_ids"]
        assert cut == case[f"ids{TRUNCATE}"], case["text"]


def test_fixture_is_current(tmp_path):
    tok_path, data = build(tmp_path)
    assert (FIXTURE / "tokenizer.json").read_bytes() == tok_path.read_bytes(), \
        "tokenizer.json fixture is stale: python -m tests.test_wordpiece_ids"
    assert json.loads((FIXTURE / "ids.json").read_text(encoding="utf-8")) == data, \
        "ids.json fixture is stale: python -m tests.test_wordpiece_ids"
    long = [c for c in data["cases"] if len(c["ids"]) > 256]
    assert long, "the prompts include one longer than the models' 256 tokens"


if __name__ == "__main__":
    import shutil
    import tempfile

    FIXTURE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        tok_path, data = build(Path(d))
        shutil.copyfile(tok_path, FIXTURE / "tokenizer.json")
    (FIXTURE / "ids.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}/tokenizer.json and ids.json ({len(data['cases'])} prompts)")
