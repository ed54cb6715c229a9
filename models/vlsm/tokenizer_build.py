"""Build the CLIP BPE `tokenizer.json` (Hugging Face tokenizers format) from `bpe_simple_vocab_16e6.txt.gz`.

The vocabulary is not on any model hub reachable here; it ships inside the open-clip-torch wheel on PyPI.
Usage: python -m vlsm.tokenizer_build --bpe path/to/bpe_simple_vocab_16e6.txt.gz --out tokenizer/
   or: python -m vlsm.tokenizer_build --from-wheel   (runs `pip download --no-deps open-clip-torch`)
"""
from __future__ import annotations

import argparse
import glob
import gzip
import json
import os
import subprocess
import sys
import tempfile
import zipfile


def bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def vocab_and_merges(bpe_gz: str) -> tuple[dict[str, int], list[str]]:
    lines = gzip.open(bpe_gz).read().decode("utf-8").split("\n")
    merges = lines[1 : 49152 - 256 - 2 + 1]
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    for m in merges:
        vocab.append("".join(m.split()))
    vocab.extend(["<|startoftext|>", "<|endoftext|>"])
    return {v: i for i, v in enumerate(vocab)}, merges


def bpe_from_wheel(workdir: str) -> str:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "open-clip-torch", "-d", workdir], check=True
    )
    wheel = glob.glob(os.path.join(workdir, "open_clip_torch-*.whl"))[0]
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith("bpe_simple_vocab_16e6.txt.gz"))
        out = os.path.join(workdir, "bpe_simple_vocab_16e6.txt.gz")
        with open(out, "wb") as f:
            f.write(z.read(name))
    return out


def build(bpe_gz: str, out_dir: str) -> str:
    """Assemble the tokenizer the way transformers' CLIPConverter does, with the `tokenizers` library."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab, merges = vocab_and_merges(bpe_gz)
    bos, eos = "<|startoftext|>", "<|endoftext|>"
    tok = Tokenizer(
        models.BPE(
            vocab=vocab,
            merges=[tuple(m.split()) for m in merges],
            continuing_subword_prefix="",
            end_of_word_suffix="</w>",
            fuse_unk=False,
            unk_token=eos,
        )
    )
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(
                Regex(r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""),
                behavior="removed",
                invert=True,
            ),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.RobertaProcessing(
        (eos, vocab[eos]), (bos, vocab[bos]), trim_offsets=False, add_prefix_space=False
    )
    tok.add_special_tokens([bos, eos])
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "tokenizer.json")
    tok.save(path)
    # Legacy merges form ("a b" strings) and no indentation: transformers.js 2.x reads only string merges,
    # and the minified file is half the size. The tokenizers library reads this form too.
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    data["model"]["merges"] = [m if isinstance(m, str) else " ".join(m) for m in data["model"]["merges"]]
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bpe", help="path to bpe_simple_vocab_16e6.txt.gz")
    ap.add_argument("--from-wheel", action="store_true")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tokenizer"))
    a = ap.parse_args()
    if a.bpe:
        path = build(a.bpe, a.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = build(bpe_from_wheel(tmp), a.out)
    print(path)


if __name__ == "__main__":
    main()
