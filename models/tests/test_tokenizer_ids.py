"""tokenizer.json gives the ids of OpenAI's reference CLIP tokeniser, and tests/fixtures/token_ids.json
(read by the TypeScript tokeniser's tests) holds those ids.

Regenerate the fixture after changing PROMPTS:  cd models && python -m tests.test_tokenizer_ids
"""

import json
import unicodedata
from functools import lru_cache
from pathlib import Path

import regex
from tokenizers import Tokenizer

from tests.helpers import CLINICAL_PROMPTS, TOKENIZER

FIXTURE = Path(__file__).parent / "fixtures" / "token_ids.json"
BOS, EOS = 49406, 49407
KNOWN = {
    "a photo of a cat": [49406, 320, 1125, 539, 320, 2368, 49407],
    "": [49406, 49407],
}
PROMPTS = [
    "a photo of a cat",
    "",
    "   ",
    "polyp",
    "Polyp",
    "POLYP!!",
    *CLINICAL_PROMPTS,
    "tumour ≥ 5 mm",
    "ulcer 🙂 emoji",
    "tabs\tand\nnewlines   and  spaces",
    "日本語のテキスト",
    "a very long prompt " * 20,
]


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


@lru_cache(maxsize=1)
def _tables():
    data = json.loads(TOKENIZER.read_text(encoding="utf-8"))
    merges = [tuple(m.split()) if isinstance(m, str) else tuple(m) for m in data["model"]["merges"]]
    return data["model"]["vocab"], {m: i for i, m in enumerate(merges)}


def reference_encode(text: str) -> list[int]:
    """OpenAI CLIP's SimpleTokenizer (ftfy's NFC fix included, no ftfy dependency), written independently
    of the tokenizers library so a wrong tokenizer.json cannot also be its own reference."""
    vocab, ranks = _tables()
    b2u = bytes_to_unicode()
    text = unicodedata.normalize("NFC", text)
    text = regex.sub(r"\s+", " ", text).strip().lower()
    pat = regex.compile(r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""", regex.IGNORECASE)
    ids = [BOS]
    for token in regex.findall(pat, text):
        word = [b2u[b] for b in token.encode("utf-8")]
        word[-1] += "</w>"
        while len(word) > 1:
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
            best = min(pairs, key=lambda p: ranks.get(p, float("inf")))
            if best not in ranks:
                break
            merged, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                    merged.append(word[i] + word[i + 1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        ids.extend(vocab[w] for w in word)
    return ids + [EOS]


@lru_cache(maxsize=1)
def _tokenizer() -> Tokenizer:
    return Tokenizer.from_file(str(TOKENIZER))


def encode(text: str) -> list[int]:
    return _tokenizer().encode(text).ids


def fixture_data() -> dict:
    return {
        "description": "CLIP BPE ids (with BOS 49406 and EOS 49407, no padding, no truncation) of "
                       "models/tokenizer/tokenizer.json, checked against OpenAI's reference tokeniser by "
                       "models/tests/test_tokenizer_ids.py. The browser tokeniser must give the same ids.",
        "bos": BOS,
        "eos": EOS,
        "cases": [{"text": p, "ids": encode(p)} for p in PROMPTS],
    }


def test_known_ids():
    for text, ids in KNOWN.items():
        assert encode(text) == ids


def test_tokenizer_json_matches_reference_implementation():
    for p in PROMPTS:
        assert encode(p) == reference_encode(p), p


def test_fixture_is_current():
    assert json.loads(FIXTURE.read_text(encoding="utf-8")) == fixture_data(), \
        "run: cd models && python -m tests.test_tokenizer_ids"


def test_long_prompt_exceeds_context():
    assert len(encode(PROMPTS[-1])) > 77  # the engine must truncate (keeping EOS) to maxLength


if __name__ == "__main__":
    FIXTURE.parent.mkdir(exist_ok=True)
    FIXTURE.write_text(json.dumps(fixture_data(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(FIXTURE)
