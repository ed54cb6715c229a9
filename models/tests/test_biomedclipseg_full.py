"""Full-size BiomedCLIPSeg (ViT-B/16 at 224 px, PubMedBERT-base, rd64 decoder; random weights, init scaled by
0.5): the split fp32 graphs match PyTorch (text padded to 256 with a mask, as medvlsm feeds it) to 1e-3."""

import numpy as np
import pytest
import torch

from vlsm.biomedclipseg import random_model
from vlsm.biomedclipseg_export import write_bundle
from vlsm.parity import BundleRunner, tokenize

from tests.test_biomedclipseg import TOL, _torch_logits, _vocab

PROMPTS = ["polyp", "one small pink round polyp, located in right of the image", "a very long prompt " * 80]


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    torch.set_num_threads(1)
    model = random_model(seed=0, init_scale=0.5)
    root = tmp_path_factory.mktemp("biomed-full")
    m = write_bundle(model, root / "bundle", _vocab(root), "biomedclipseg", precisions=("fp32",), bundle_id="biomed-full")
    return model, root / "bundle", m


def test_full_size_fp32_matches_pytorch(full):
    model, out, m = full
    assert m["input"]["size"] == [224, 224] and m["output"]["size"] == [224, 224] and m["text"]["maxLength"] == 256
    shapes = {t["name"]: t["shape"] for t in m["variants"][0]["graphs"]["vision"]["outputs"]}
    assert shapes == {f"activations_{i}": [1, 197, 768] for i in range(3)}
    runner = BundleRunner(out, "fp32", threads=1)
    px = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    worst, scale = 0.0, 0.0
    for prompt in PROMPTS:
        ids, am = tokenize(prompt, out / "tokenizer.json", 256)
        got = runner.segment(px, ids, am)
        want = _torch_logits(model, px, ids[0].tolist())
        worst = max(worst, float(np.abs(got - want).max()))
        scale = max(scale, float(np.abs(want).max()))
    print(f"full-size BiomedCLIPSeg fp32: max |Δlogit| {worst:.2e} (logits up to {scale:.1f})")
    assert worst <= TOL
