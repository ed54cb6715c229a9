"""The transformers.js CLIPSeg folder (vlsm.hf_layout) and its split into a bundle (vlsm.split_single), on a
tiny random model: the published file names and graph I/O, the single graph against transformers' PyTorch
forward, the split graphs against the single graph (max |Δlogit| <= 1e-3), and refusals."""

import json
import shutil

import numpy as np
import onnx
import pytest
import torch

from vlsm.bundle import load_bundle
from vlsm.clipseg_graphs import random_model, tiny_config
from vlsm.hf_layout import write_layout
from vlsm.parity import session, tokenize
from vlsm.split_single import TOLERANCE, SplitError, check_parity, find_cut, split_folder

PROMPTS = ["", "polyp", "one small pink round polyp, located in right of the image", "left lung"]


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    torch.set_num_threads(1)
    model = random_model(tiny_config(), seed=1, init_scale=0.5)
    root = tmp_path_factory.mktemp("hf")
    files = write_layout(model, root / "clipseg-tiny", note="random test weights")
    return model, root / "clipseg-tiny", files


def _io(path):
    m = onnx.load(str(path), load_external_data=False)
    dims = lambda vi: [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]  # noqa: E731
    return {i.name: dims(i) for i in m.graph.input}, {o.name: dims(o) for o in m.graph.output}


def test_layout_files_and_graph_io(layout):
    _, folder, files = layout
    for name in ("config.json", "preprocessor_config.json", "tokenizer.json", "tokenizer_config.json",
                 "special_tokens_map.json", "onnx/model.onnx", "onnx/model_quantized.onnx"):
        assert name in files, name
    cfg = json.loads((folder / "config.json").read_text())
    assert cfg["model_type"] == "clipseg" and cfg["architectures"] == ["CLIPSegForImageSegmentation"]
    pp = json.loads((folder / "preprocessor_config.json").read_text())
    assert pp["size"] == {"height": 64, "width": 64} and pp["image_mean"] == [0.485, 0.456, 0.406]
    for graph in ("model.onnx", "model_quantized.onnx"):
        ins, outs = _io(folder / "onnx" / graph)
        assert list(ins) == ["input_ids", "pixel_values", "attention_mask"]
        assert ins["input_ids"] == ["batch_size", "sequence_length"] and ins["pixel_values"] == ["batch_size", 3, 64, 64]
        assert list(outs)[0] == "logits" and outs["logits"] == ["batch_size", 64, 64]
    assert files["onnx/model_quantized.onnx"] < files["onnx/model.onnx"] / 2


def test_single_graph_matches_pytorch(layout):
    model, folder, _ = layout
    px = np.random.default_rng(0).standard_normal((1, 3, 64, 64)).astype(np.float32)
    sess = session(folder / "onnx" / "model.onnx")
    for prompt in PROMPTS:
        ids, am = tokenize(prompt, folder / "tokenizer.json")
        got = sess.run(["logits"], {"input_ids": ids, "pixel_values": px, "attention_mask": am})[0]
        with torch.no_grad():
            ref = model(input_ids=torch.from_numpy(ids), pixel_values=torch.from_numpy(px),
                        attention_mask=torch.from_numpy(am)).logits.numpy()
        assert got.shape == ref.shape == (1, 64, 64)
        assert np.abs(got - ref).max() <= 1e-3, prompt


def test_split_has_parity_with_single(layout, tmp_path):
    _, folder, _ = layout
    m = split_folder(folder, tmp_path / "split", bundle_id="tiny-hf-split")
    load_bundle(tmp_path / "split")  # schema, cross-field checks, sizes and sha256
    assert [v["name"] for v in m["variants"]] == ["wasm-int8", "fp32"]
    g = m["variants"][1]["graphs"]
    assert [t["name"] for t in g["vision"]["outputs"]] == ["activations_0", "activations_1", "activations_2"]
    assert [t["name"] for t in g["text"]["outputs"]] == ["text_embeds"]
    assert [t["name"] for t in g["decoder"]["inputs"]] == ["activations_0", "activations_1", "activations_2", "text_embeds"]
    assert m["input"]["mean"] == [0.485, 0.456, 0.406] and m["input"]["size"] == [64, 64]
    report = check_parity(folder, tmp_path / "split", PROMPTS)
    print(json.dumps(report))
    assert report["maxAbsDiff"] <= TOLERANCE
    # The logits are not trivially equal: they vary over the image and between prompts.
    ranges = [p["logitRange"] for p in report["prompts"].values()]
    assert all(hi - lo > 1 for lo, hi in ranges)


def test_split_int8_close_to_fp32(layout, tmp_path):
    _, folder, _ = layout
    m = split_folder(folder, tmp_path / "split")
    px = np.random.default_rng(1).standard_normal((1, 3, 64, 64)).astype(np.float32)
    ids, am = tokenize("polyp", folder / "tokenizer.json")

    def run(variant):
        g = next(v for v in m["variants"] if v["name"] == variant)["graphs"]
        v, t, d = (session(tmp_path / "split" / g[r]["file"]) for r in ("vision", "text", "decoder"))
        acts = dict(zip([o.name for o in v.get_outputs()], v.run(None, {"pixel_values": px})))
        emb = t.run(None, {"input_ids": ids, "attention_mask": am})[0]
        return d.run(["logits"], {**acts, "text_embeds": emb})[0]

    a, b = run("fp32"), run("wasm-int8")
    assert (a > 0).mean() > 0.01 and ((a > 0) == (b > 0)).mean() > 0.9


def test_refuses_what_is_not_a_clipseg_single_graph(layout, tmp_path):
    _, folder, _ = layout
    split_folder(folder, tmp_path / "split")
    with pytest.raises(SplitError, match="no CLIPSeg decoder"):
        find_cut(onnx.load(str(tmp_path / "split" / "vision.fp32.onnx")))
    bad = tmp_path / "no-fp32"
    shutil.copytree(folder, bad)
    (bad / "onnx" / "model.onnx").unlink()
    with pytest.raises(SplitError, match="model.onnx"):
        split_folder(bad, tmp_path / "x")
    cfg = json.loads((folder / "config.json").read_text())
    other = tmp_path / "other"
    shutil.copytree(folder, other)
    (other / "config.json").write_text(json.dumps({**cfg, "model_type": "clip"}))
    with pytest.raises(SplitError, match="not 'clipseg'"):
        split_folder(other, tmp_path / "y")
