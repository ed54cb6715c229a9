"""The compact default model: split export parity, pruned vocabulary, prompt attributes, data splits."""
from __future__ import annotations

import os
import random

import numpy as np
import pytest
import torch

from vlsm.compact import CompactConfig, CompactVLSM
from vlsm.data import DATA_ROOT, _pairs, lung_halves, split_of
from vlsm.export_compact import PrunedText, export_fp32, run_split
from vlsm.prompts import attributes, build_prompt, location_word, size_word
from vlsm.textenc import Tokenizer
from vlsm.vocab import kept_token_ids

TINY = CompactConfig(image_size=64, channels=(8, 12, 16, 20, 24), decoder_channels=(16, 12, 10, 8, 8), text_dim=32, embed_dim=32)
HAVE_DATA = os.path.isdir(DATA_ROOT)


def _model(seed: int = 0) -> CompactVLSM:
    torch.manual_seed(seed)
    m = CompactVLSM(TINY)
    # FiLM starts at identity; give it random weights so the text actually changes the output under test.
    for mod in m.modules():
        if isinstance(mod, torch.nn.Linear):
            torch.nn.init.normal_(mod.weight, std=0.2)
    return m.eval()


def test_split_onnx_matches_pytorch(tmp_path):
    model = _model()
    tok = Tokenizer()
    keep = kept_token_ids(tok) if HAVE_DATA else sorted(set(tok.ids("left lung polyp")))
    paths = export_fp32(model, keep, str(tmp_path))
    x = torch.randn(1, 3, 64, 64)
    for prompt in ["left lung", "one small pink round polyp, located in right of the image", ""]:
        ids = tok.ids(prompt)
        t = torch.tensor([ids])
        with torch.no_grad():
            emb = PrunedText(model, keep)(t, torch.ones_like(t))
            ref = model.decoder(*model.vision(x), emb).numpy()
        got = run_split(paths, x.numpy(), ids)
        assert got.shape == ref.shape == (1, 1, 64, 64)
        assert np.abs(got - ref).max() < 1e-3, prompt


def test_pruned_text_equals_full_text_on_known_tokens():
    model = _model(1)
    tok = Tokenizer()
    ids = tok.ids("right lung")
    keep = sorted(set(ids) | {320, 1125})
    t = torch.tensor([ids])
    with torch.no_grad():
        a = model.text(t, torch.ones_like(t))
        b = PrunedText(model, keep)(t, torch.ones_like(t))
    assert torch.allclose(a, b, atol=1e-5)
    # an id outside the kept vocabulary maps to the shared zero row, so the output changes
    t2 = torch.tensor([[49406, 2368, 49407]])
    with torch.no_grad():
        assert not torch.allclose(model.text(t2, torch.ones_like(t2)), PrunedText(model, keep)(t2, torch.ones_like(t2)))


def test_text_changes_the_mask():
    model = _model(2)
    tok = Tokenizer()
    x = torch.randn(1, 3, 64, 64)
    outs = []
    for p in ["left lung", "right lung"]:
        ids = torch.tensor([tok.ids(p)])
        with torch.no_grad():
            outs.append(model(x, ids, torch.ones_like(ids)))
    assert (outs[0] - outs[1]).abs().max() > 1e-3


def test_prompt_attributes():
    m = np.zeros((100, 100), bool)
    m[5:15, 80:95] = True  # top right, small
    a = attributes(m)
    assert a["number"] == 1 and a["size"] == "small" and a["locations"] == ["top right"]
    assert size_word(0.5) == "large" and size_word(0.1) == "medium" and size_word(0.0005) == "tiny"
    m2 = m.copy()
    m2[60:90, 5:30] = True
    a2 = attributes(m2)
    assert a2["number"] == 2 and set(a2["locations"]) == {"top right", "bottom left"}
    p = build_prompt("polyp", a, 6, random.Random(0), colour="pink")
    assert p == "one small pink round polyp, located in top right of the image" or p.startswith("one small pink")
    assert location_word(np.pad(np.ones((10, 10), bool), 45)) == "center"


def test_lung_halves_follow_radiological_convention():
    m = np.zeros((50, 100), bool)
    m[10:40, 10:40] = True  # image left = patient's right lung
    m[10:40, 60:90] = True
    img_left, img_right = lung_halves(m)
    assert img_left[:, :50].sum() == img_left.sum() == 900
    assert img_right[:, 50:].sum() == img_right.sum() == 900


def test_splits_are_fixed_by_seed():
    names = [f"x{i}" for i in range(50)]
    a, b = split_of(names, seed=0), split_of(list(reversed(names)), seed=0)
    assert a == b and sum(v == "test" for v in a.values()) == 10


@pytest.mark.skipif(not HAVE_DATA, reason="../shared/data not present")
def test_dataset_pairs_follow_the_committed_splits():
    from vlsm.splits import load_splits

    pairs = _pairs(DATA_ROOT)
    splits = load_splits()
    kv = [p for p in pairs if p["dataset"] == "kvasir"]
    assert len(kv) == 900 and sum(p["split"] == "test" for p in kv) == 90
    for ds in ("busi", "fuseg", "cxr", "ph2", "acdc"):
        sub = [p for p in pairs if p["dataset"] == ds]
        assert sub and all(p["split"] == splits[ds][p["name"]] for p in sub), ds
        assert all(os.path.exists(p["image"]) and os.path.exists(p["mask"]) for p in sub)
    acdc = [p for p in pairs if p["dataset"] == "acdc"]
    assert len(acdc) == 396 and len({p["patient"] for p in acdc}) == 20


@pytest.mark.skipif(not HAVE_DATA, reason="../shared/data not present")
def test_acdc_slices_carry_three_structures_and_cxr_both_sides():
    from vlsm.data import read_pair

    pairs = _pairs(DATA_ROOT)
    p = next(x for x in pairs if x["dataset"] == "acdc" and x["name"] == "patient001_frame01.nii.gz#5")
    img, masks, ignore = read_pair(p)
    assert (img.height, img.width) == (256, 216) and list(masks) == ["right ventricle", "myocardium", "left ventricle"]
    assert all(m.sum() > 100 for m in masks.values()) and not ignore.any()
    assert not (masks["left ventricle"] & masks["myocardium"]).any()
    c = next(x for x in pairs if x["dataset"] == "cxr")
    img, masks, ignore = read_pair(c)
    cols = np.arange(img.width)
    # patient's left lung on the image right (radiological convention)
    assert cols[masks["left lung"].any(0)].mean() > cols[masks["right lung"].any(0)].mean()
    assert ((masks["left lung"] | masks["right lung"]) == masks["lungs"]).all()


TINY2 = CompactConfig(image_size=64, channels=(8, 12, 16, 20, 24), text_dim=32, embed_dim=32, arch="fpn-film",
                      fpn_channels=(16, 8), head_channels=(12, 8, 8))


def test_v2_split_onnx_matches_pytorch_and_the_decoder_reads_only_cached_features(tmp_path):
    """fpn-film: vision -> pix8 [1,16,8,8], pix4 [1,8,16,16]; decoder(pix8, pix4, text_embeds) -> logits [1,1,64,64]."""
    import onnx

    from vlsm.export_compact import randomise_film

    torch.manual_seed(0)
    model = CompactVLSM(TINY2).eval()
    randomise_film(model)
    tok = Tokenizer()
    keep = kept_token_ids(tok, arch="fpn-film") if HAVE_DATA else sorted(set(tok.ids("left ventricle polyp")))
    paths = export_fp32(model, keep, str(tmp_path))
    dec = onnx.load(paths["decoder"])
    assert [i.name for i in dec.graph.input] == ["pix8", "pix4", "text_embeds"]
    assert [o.name for o in onnx.load(paths["vision"]).graph.output] == ["pix8", "pix4"]
    x = torch.randn(1, 3, 64, 64)
    outs = []
    for prompt in ["left ventricle", "right ventricle", "one small pink round polyp, located in right of the image", ""]:
        ids = tok.ids(prompt)
        t = torch.tensor([ids])
        with torch.no_grad():
            emb = PrunedText(model, keep)(t, torch.ones_like(t))
            ref = model.decoder(*model.vision(x), emb).numpy()
        got = run_split(paths, x.numpy(), ids)
        assert got.shape == ref.shape == (1, 1, 64, 64)
        assert np.abs(got - ref).max() < 1e-4, prompt
        outs.append(got)
    assert np.abs(outs[0] - outs[1]).max() > 1e-3  # the words change the mask


def test_v2_text_graph_drops_words_outside_the_vocabulary(tmp_path):
    """v2 exports remove unknown tokens before the transformer: an unknown word changes nothing."""
    import onnxruntime as ort

    torch.manual_seed(2)
    model = CompactVLSM(TINY2).eval()
    tok = Tokenizer()
    keep = sorted(set(tok.ids("tumour in the colon left ventricle")))
    paths = export_fp32(model, keep, str(tmp_path))
    sess = ort.InferenceSession(paths["text"], providers=["CPUExecutionProvider"])

    def emb(prompt: str) -> np.ndarray:
        ids = np.array([tok.ids(prompt)], dtype=np.int64)
        return sess.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]

    assert np.abs(emb("tumour in the sigmoid colon") - emb("tumour in the colon")).max() < 1e-5
    assert np.abs(emb("left ventricle") - emb("tumour in the colon")).max() > 1e-3
    t = torch.tensor([tok.ids("tumour in the colon")])
    with torch.no_grad():
        ref = model.text(t, torch.ones_like(t)).numpy()
    assert np.abs(emb("tumour in the sigmoid colon") - ref).max() < 1e-4


def test_v2_decoder_broadcasts_one_image_over_several_prompts():
    torch.manual_seed(1)
    model = CompactVLSM(TINY2).eval()
    from vlsm.export_compact import randomise_film

    randomise_film(model)
    tok = Tokenizer()
    ids, m = tok.batch(["left ventricle", "myocardium", ""])
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        feats = model.vision(x)
        emb = model.text(ids, m)
        many = model.decoder(*feats, emb)
        one = torch.cat([model.decoder(*feats, emb[i:i + 1]) for i in range(3)])
    assert torch.allclose(many, one, atol=1e-5)
