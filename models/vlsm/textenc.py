"""CLIP BPE tokenisation for training and evaluation, from the bundle's tokenizer.json (no network).
Unpadded ids per prompt (BOS ... EOS), truncated to max_len keeping EOS; batches padded with 0 + mask."""
from __future__ import annotations

import os

import torch

TOKENIZER = os.path.join(os.path.dirname(__file__), "..", "tokenizer", "tokenizer.json")


class Tokenizer:
    def __init__(self, path: str = TOKENIZER, max_len: int = 77):
        from tokenizers import Tokenizer as HFTokenizer

        self.tok = HFTokenizer.from_file(path)
        self.max_len = max_len

    def ids(self, text: str) -> list[int]:
        ids = self.tok.encode(text).ids
        if len(ids) > self.max_len:
            ids = ids[: self.max_len - 1] + [ids[-1]]
        return ids

    def batch(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        seqs = [self.ids(t) for t in texts]
        n = max(len(s) for s in seqs)
        ids = torch.zeros(len(seqs), n, dtype=torch.long)
        mask = torch.zeros(len(seqs), n, dtype=torch.long)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = torch.tensor(s)
            mask[i, : len(s)] = 1
        return ids, mask
