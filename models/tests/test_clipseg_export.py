"""CLIPSeg export on a tiny random model: split and single graphs vs PyTorch, text lengths, precisions,
manifest contents and the command line. (Full-size parity: test_clipseg_parity_full.py.)"""

import json

import numpy as np
import onnx
import pytest
import torch

from tests.helpers import TOKENIZER
from vlsm.bundle import load_bundle
from vlsm.clipseg_export import BENCH_RESULT, bench_choice, main, write_bundle
from vlsm.clipseg_graphs import TextGraph, random_model, tiny_config
from vlsm.parity import BundleRunner, dice, tokenize

PROMPTS = ["", "polyp", "one small pink round polyp, located in right of the image",
           " ".join(["a very long prompt"] * 30)]  # > 77 tokens: truncated, EOS kept


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    torch.set_num_threads(1)
    model = random_model(tiny_config(), seed=0, init_scale=0.5)
    root = tmp_path_factory.mktemp("tiny")
    split = write_bundle(model, root / "split", "split", bundle_id="tiny")
    single = write_bundle(model, root / "single", "single", bundle_id="tiny-single", precisions=("fp32", "int8"))
    return model, root, split, single


def _images(n=2, size=64):
    g = np.random.default_rng(3)
    return [g.standard_normal((1, 3, size, size)).astype(np.float32) for _ in range(n)]


def _torch_logits(model, px, ids, am):
    with torch.no_grad():
        return model(pixel_values=torch.from_numpy(px), input_ids=torch.from_numpy(ids),
                     attention_mask=torch.from_numpy(am)).logits.numpy()


def test_split_and_single_fp32_match_pytorch(tiny):
    model, root, _, _ = tiny
    split, single = BundleRunner(root / "split", "fp32", 1), BundleRunner(root / "single", "fp32", 1)
    for px in _images():
        for prompt in PROMPTS:
            ids, am = tokenize(prompt, TOKENIZER)
            ref = _torch_logits(model, px, ids, am)
            assert ref.shape == (1, 64, 64) and np.abs(ref).max() > 1
            assert np.abs(split.segment(px, ids, am) - ref).max() < 1e-3
            assert np.abs(single.segment(px, ids, am) - ref).max() < 1e-3


def test_text_graph_lengths_and_padding(tiny):
    _, root, _, _ = tiny
    r = BundleRunner(root / "split", "fp32", 1)
    ids, am = tokenize(PROMPTS[2], TOKENIZER)
    assert ids.shape[1] == 15 and ids[0, 0] == 49406 and ids[0, -1] == 49407
    long_ids, _ = tokenize(PROMPTS[3], TOKENIZER)
    assert long_ids.shape[1] == 77 and long_ids[0, -1] == 49407
    plain = r.encode_text(ids, am)["text_embeds"]
    # padded to 77 with EOS (the CLIP pad) and a zero mask gives the same embedding: pooling stays at the first EOS
    pad = 77 - ids.shape[1]
    padded_ids = np.concatenate([ids, np.full((1, pad), 49407)], 1)
    padded_am = np.concatenate([am, np.zeros((1, pad), np.int64)], 1)
    assert np.abs(r.encode_text(padded_ids, padded_am)["text_embeds"] - plain).max() < 1e-4
    assert r.encode_text(long_ids, np.ones_like(long_ids))["text_embeds"].shape == (1, 16)


def test_text_pooling_of_old_configs():
    """Checkpoints saved before transformers#24773 have eos_token_id 2 and pool at argmax(input_ids)."""
    torch.manual_seed(0)
    cfg = tiny_config()
    cfg.text_config.eos_token_id = 2
    model = random_model(cfg, seed=1)
    ids = torch.tensor([[49406, 320, 2368, 49407, 49407, 49407]])
    am = torch.tensor([[1, 1, 1, 1, 0, 0]])
    with torch.no_grad():
        ref = model.clip.get_text_features(ids, attention_mask=am).pooler_output
        ours = TextGraph(model)(ids, am)
    assert torch.allclose(ref, ours, atol=1e-5)


def test_fp16_and_int8_close_to_fp32(tiny):
    _, root, _, _ = tiny
    runners = {v: BundleRunner(root / "split", v, 1) for v in ("fp32", "webgpu-fp16", "wasm-int8")}
    single8 = BundleRunner(root / "single", "wasm-int8", 1)
    for px in _images(1):
        ids, am = tokenize(PROMPTS[2], TOKENIZER)
        ref = runners["fp32"].segment(px, ids, am)
        scale = np.abs(ref).max()
        assert 0.05 < (ref > 0).mean() < 0.95
        f16 = runners["webgpu-fp16"].segment(px, ids, am)
        assert np.abs(f16 - ref).max() < 1e-2 * scale and dice(f16 > 0, ref > 0) > 0.99
        for out in (runners["wasm-int8"].segment(px, ids, am), single8.segment(px, ids, am)):
            assert dice(out > 0, ref > 0) > 0.9


def test_manifest(tiny):
    _, root, split, single = tiny
    assert load_bundle(root / "split") == split
    assert split["kind"] == "split" and single["kind"] == "single"
    variants = {v["name"]: v for v in split["variants"]}
    assert list(variants) == ["wasm-int8", "webgpu-fp16", "fp32"]  # no comparison mixes by default
    wasm = variants["wasm-int8"]["graphs"]
    chosen = json.loads(BENCH_RESULT.read_text())["clipsegRd64"]["choice"]["precisions"]
    assert {g: wasm[g]["precision"] for g in wasm} == chosen
    assert "chosen by measurement" in split["modelCard"]["precisionChoice"]
    assert variants["webgpu-fp16"]["requires"] == ["shader-f16"]
    assert [t["name"] for t in wasm["vision"]["outputs"]] == ["activations_0", "activations_1", "activations_2"]
    assert wasm["vision"]["inputs"] == [{"name": "pixel_values", "dtype": "float32", "shape": [1, 3, 64, 64]}]
    assert wasm["text"]["inputs"][0] == {"name": "input_ids", "dtype": "int64", "shape": [1, "sequence"]}
    assert wasm["text"]["outputs"] == [{"name": "text_embeds", "dtype": "float32", "shape": [1, 16]}]
    assert wasm["decoder"]["outputs"] == [{"name": "logits", "dtype": "float32", "shape": [1, 64, 64]}]
    for v in variants.values():  # every precision keeps fp32 I/O
        assert all(t["dtype"] in ("float32", "int64") for g in v["graphs"].values() for t in g["inputs"] + g["outputs"])
    assert split["input"] == {"size": [64, 64], "mean": [0.48145466, 0.4578275, 0.40821073],
                              "std": [0.26862954, 0.26130258, 0.27577711], "resize": "stretch", "colour": "rgb",
                              "scale": 1 / 255}
    assert split["text"]["padding"] == "none" and split["text"]["maxLength"] == 77
    assert (root / "split" / "tokenizer.json").read_bytes() == TOKENIZER.read_bytes()
    on_disk = sorted(p.name for p in (root / "split").iterdir())
    assert on_disk == sorted(["manifest.json"] + [f["path"] for f in split["files"]])  # nothing unused left
    model = single["variants"][0]["graphs"]["model"]
    assert [t["name"] for t in model["inputs"]] == ["pixel_values", "input_ids", "attention_mask"]
    for f in split["files"]:
        if f["path"].endswith(".onnx"):
            opsets = {o.domain: o.version for o in onnx.load(str(root / "split" / f["path"]), load_external_data=False).opset_import}
            assert opsets.get("", opsets.get("ai.onnx")) == 17


def test_comparison_variants_follow_the_chosen_one(tmp_path):
    """bench_models keeps the fp32-decoder mix as a second WASM variant; the engine picks the first."""
    from vlsm.clipseg_export import FP32_DECODER

    model = random_model(tiny_config(), seed=0, init_scale=0.5)
    all_int8 = {"vision": "int8", "text": "int8", "decoder": "int8"}
    m = write_bundle(model, tmp_path / "b", "split", precisions=("fp32", "int8"), wasm_choice=all_int8, compare=FP32_DECODER)
    names = [v["name"] for v in m["variants"]]
    assert names == ["wasm-int8", "wasm-int8-fp32-decoder", "fp32"]
    alt = m["variants"][1]["graphs"]
    assert {g: alt[g]["precision"] for g in alt} == {"vision": "int8", "text": "int8", "decoder": "fp32"}
    assert alt["vision"]["file"] == m["variants"][0]["graphs"]["vision"]["file"]  # shared, stored once
    assert m["variants"][0]["graphs"]["decoder"]["file"] == "decoder.int8.onnx"
    same = write_bundle(model, tmp_path / "c", "split", precisions=("fp32", "int8"), wasm_choice=FP32_DECODER["wasm-int8-fp32-decoder"],
                        compare=FP32_DECODER)
    assert [v["name"] for v in same["variants"]] == ["wasm-int8", "fp32"]  # no duplicate of the chosen mix


def test_int8_graphs_use_browser_ops(tiny):
    _, root, _, _ = tiny
    allowed_extra = {"DynamicQuantizeLinear", "MatMulInteger", "DequantizeLinear"}
    for name in ("vision", "text"):
        ops = {n.op_type for n in onnx.load(str(root / "split" / f"{name}.int8.onnx")).graph.node}
        fp32 = {n.op_type for n in onnx.load(str(root / "split" / f"{name}.fp32.onnx")).graph.node}
        assert "MatMulInteger" in ops and ops - fp32 <= allowed_extra, ops - fp32
        assert "If" not in ops and "Loop" not in ops


def test_cli_exports_a_saved_checkpoint(tmp_path, capsys):
    """Like CIDAS/clipseg-rd64-refined: trained at a smaller size (here 32 px) than it runs at (64 px, from
    preprocessor_config.json), so the position embeddings are interpolated as transformers does."""
    torch.set_num_threads(1)
    cfg = tiny_config()
    cfg.vision_config.image_size = 32
    model = random_model(cfg, seed=2, init_scale=0.5)
    ckpt = tmp_path / "my-clipseg"
    model.save_pretrained(ckpt)
    (ckpt / "preprocessor_config.json").write_text(json.dumps(
        {"image_mean": [0.5, 0.5, 0.5], "image_std": [0.25, 0.25, 0.25], "size": {"height": 64, "width": 64},
         "rescale_factor": 0.00392156862745098}))
    out = tmp_path / "bundle"
    main(["--checkpoint", str(ckpt), "--out", str(out), "--precisions", "fp32,int8", "--single",
          "--license", "apache-2.0", "--wasm", "decoder=fp32", "--threads", "1", "--check"])
    printed = capsys.readouterr().out
    check = json.loads(printed[printed.index("{"):printed.rindex("}") + 1])
    assert check["fp32"]["maxAbsDiff"] < 1e-3 and check["wasm-int8"]["minDice"] > 0.8
    m = load_bundle(out)
    assert m["id"] == "bundle" and m["license"] == "apache-2.0"
    assert m["input"]["mean"] == [0.5, 0.5, 0.5] and m["input"]["std"] == [0.25, 0.25, 0.25]
    assert m["input"]["size"] == [64, 64] and m["output"]["size"] == [64, 64]
    assert [v["name"] for v in m["variants"]] == ["wasm-int8", "fp32"]
    assert m["variants"][0]["graphs"]["decoder"]["precision"] == "fp32"
    assert m["variants"][0]["graphs"]["decoder"]["file"] == m["variants"][1]["graphs"]["decoder"]["file"]  # stored once
    assert "set by hand" in m["modelCard"]["precisionChoice"]
    s = load_bundle(tmp_path / "bundle-single")
    assert s["kind"] == "single" and s["id"] == "bundle-single"
    px = _images(1)[0]
    ids, am = tokenize("polyp", TOKENIZER)
    ref = _torch_logits(model, px, ids, am)
    assert np.abs(BundleRunner(out, "fp32", 1).segment(px, ids, am) - ref).max() < 1e-3
    write_bundle(model, out, "split", precisions=("fp32",))  # re-export over a previous bundle
    assert sorted(p.name for p in out.iterdir()) == ["decoder.fp32.onnx", "manifest.json", "text.fp32.onnx",
                                                      "tokenizer.json", "vision.fp32.onnx"]


def test_export_refuses_a_folder_that_is_not_a_bundle(tmp_path):
    model = random_model(tiny_config(), seed=0)
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ValueError, match="holds no bundle"):
        write_bundle(model, tmp_path, "split", precisions=("fp32",))
    assert (tmp_path / "config.json").exists()
    partial = tmp_path / "interrupted"
    partial.mkdir()
    (partial / "vision.fp32.onnx").write_bytes(b"half")
    write_bundle(model, partial, "split", precisions=("fp32",))
    assert load_bundle(partial)["kind"] == "split"


def test_speed_note_is_the_committed_bench_result(tiny):
    """modelCard.precisionChoice carries the figures of the committed browser bench result (file name, date,
    command, load, every measured cell), not a fixed string."""
    _, _, split, _ = tiny
    note = split["modelCard"]["precisionChoice"]
    r = json.loads(BENCH_RESULT.read_text())
    c = r["clipsegRd64"]
    assert BENCH_RESULT.name in note and r["date"] in note and f"`{r['command']}`" in note
    assert f"onnxruntime-web {r['onnxruntimeWeb']}" in note and f"{r['nproc']} cores" in note
    assert f"load {r['loadAverageAtStart'][0]} at start, {r['loadAverageAtEnd'][0]} at end" in note
    assert f"single graph {c['singleGraph']['promptMs']} ms, best {c['singleGraph']['promptMinMs']}" in note
    best = next(x for x in c["matrix"] if (x["variant"], x["layout"]) == (c["choice"]["variant"], c["choice"]["layout"]))
    head = note.split("; same run: ")[0]
    assert (f"new prompt {best['newPromptMs']} ms (best {best['newPromptMinMs']}), repeated prompt {best['repeatPromptMs']} ms "
            f"(best {best['repeatPromptMinMs']}), {best['speedup']}x faster than the single graph (best {best['speedupMin']}x)") in head
    for cell in c["matrix"]:
        assert f"new prompt {cell['newPromptMs']} ms (best {cell['newPromptMinMs']})" in note


def test_another_bench_result_changes_choice_and_note(tmp_path):
    """The exporter follows the file it is given: a result whose fastest cell has an fp32 decoder."""
    r = json.loads(BENCH_RESULT.read_text())
    c = r["clipsegRd64"]
    fp32_dec = {"vision": "int8", "text": "int8", "decoder": "fp32"}
    cell = {"variant": "wasm-int8-other", "layout": "sharedAllThreads", "promptThreads": r["threads"],
            "precisions": fp32_dec, "newPromptMs": 1.5, "repeatPromptMs": 0.5, "speedup": 999.9, "imageEncodeMs": 1,
            "newPromptMinMs": 1.25, "repeatPromptMinMs": 0.25, "speedupMin": 1234.5}
    c["matrix"] = [*c["matrix"], cell]
    c["choice"] = {**cell, "rule": "test"}
    f = tmp_path / "2031-01-02-engine.json"
    f.write_text(json.dumps(r))
    precisions, note = bench_choice(f)
    assert precisions == fp32_dec
    assert "2031-01-02-engine.json" in note and "vision int8, text int8, decoder fp32" in note
    assert ("new prompt 1.5 ms (best 1.25), repeated prompt 0.5 ms (best 0.25), 999.9x faster than the single graph "
            "(best 1234.5x)") in note.split("; same run: ")[0]
    with pytest.raises(SystemExit, match="not found"):
        bench_choice(tmp_path / "missing.json")
