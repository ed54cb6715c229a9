"""vlsm.train --finetune on a tiny randomly initialised v1 (film-unet) bundle exported by vlsm.export_compact:
bundle -> PyTorch weights -> bundle gives the same logits (no step taken), a few steps lower the loss on the
finetune set, the new bundle's card says where it came from, and bad datasets get clear errors."""
import json
import subprocess
import sys
import zipfile

import numpy as np
import onnxruntime as ort
import pytest
import torch

from vlsm import finetune
from vlsm.bundle import load_bundle
from vlsm.synth import make
from vlsm.textenc import Tokenizer

SIZE = 64


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny")
    subprocess.run([sys.executable, "-W", "ignore", "-m", "vlsm.export_compact", "--random-init", "--random-arch", "film-unet",
                    "--size", str(SIZE), "--out", str(d / "bundle"), "--work", str(d / "work"), "--threads", "1",
                    "--force-wasm", "vision=fp32,text=int8,decoder=fp32"], check=True, capture_output=True)
    return d / "bundle"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """Six synthetic scans (the project's own generator) with their masks and a prompt each, in the layout the
    workbench exports."""
    d = tmp_path_factory.mktemp("ds") / "dataset"
    cases = []
    for i in range(6):
        s = make("endoscopy" if i % 2 == 0 else "ultrasound", 500 + i, 80)
        cases.append({"id": f"case-{i:04d}", "image": s["image"],
                      "targets": [("polyp" if i % 2 == 0 else "breast tumor", s["mask"])]})
    finetune.write_dataset(str(d), cases)
    return d


def logits(bundle, prompt: str, x: np.ndarray) -> np.ndarray:
    m = load_bundle(str(bundle))
    g = m["variants"][0]["graphs"]
    s = {k: ort.InferenceSession(str(bundle / g[k]["file"]), providers=["CPUExecutionProvider"]) for k in g}
    feats = s["vision"].run(None, {"pixel_values": x})
    names = [o.name for o in s["vision"].get_outputs()]
    ids = np.array([Tokenizer().ids(prompt)], dtype=np.int64)
    emb = s["text"].run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
    return s["decoder"].run(None, {**dict(zip(names, feats)), "text_embeds": emb})[0]


def test_bundle_to_torch_matches_the_graphs(tiny):
    model, keep = finetune.load_bundle_model(str(tiny))  # raises when logits differ by more than 1e-3
    assert model.cfg.arch == "film-unet" and model.cfg.image_size == SIZE and len(keep) > 50
    # BatchNorms were folded: each became the identity after its conv
    bn = model.vision.stages[0][0][1]
    assert torch.allclose(bn.weight, torch.ones_like(bn.weight)) and float(bn.running_mean.abs().max()) == 0.0


def test_round_trip_without_steps_gives_the_same_logits(tiny, dataset, tmp_path):
    out = tmp_path / "again"
    rec = finetune.run(str(dataset), str(tiny), str(out), epochs=0, size=SIZE, batch=4, work=str(tmp_path / "w"))
    x = np.random.default_rng(3).standard_normal((1, 3, SIZE, SIZE)).astype(np.float32)
    for prompt in ("polyp", "one small pink round polyp, located in right of the image", "left lung"):
        a, b = logits(tiny, prompt, x), logits(out, prompt, x)
        assert np.abs(a - b).max() < 1e-3, (prompt, np.abs(a - b).max())
    assert rec["cases"] == 6 and rec["from_manifest_sha256_16"] == finetune.manifest_hash(str(tiny))


def test_finetune_lowers_the_loss_and_the_card_records_it(tiny, dataset, tmp_path):
    z = tmp_path / "ds.zip"  # the workbench exports a zip: the command takes it as it is
    with zipfile.ZipFile(z, "w") as f:
        for p in dataset.rglob("*"):
            if p.is_file():
                f.write(p, p.relative_to(dataset).as_posix())
    out = tmp_path / "ft"
    r = subprocess.run([sys.executable, "-W", "ignore", "-m", "vlsm.train", "--finetune", str(z), "--from", str(tiny),
                        "--out", str(out), "--epochs", "6", "--lr", "3e-4", "--head-lr", "3e-3", "--batch", "3", "--threads", "1",
                        "--work", str(tmp_path / "w")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    card = load_bundle(str(out))["modelCard"]
    ft = card["finetune"]
    assert ft["cases"] == 6 and ft["targets"] == 6 and ft["from_manifest_sha256_16"] == finetune.manifest_hash(str(tiny))
    assert ft["log"][-1]["loss_plain"] < ft["log"][0]["loss_plain"] - 0.1, ft["log"]
    assert ft["head_lr"] == 3e-3 and ft["lr"] == 3e-4
    assert "Finetuned from" in card["summary"] and "breast" in card.get("vocabulary", ["breast"])


def test_head_lr_moves_the_output_layer_at_its_own_rate(tiny, dataset):
    """--head-lr: decoder.head (weight and bias) in its own AdamW group; with a rate 300x the rest's, one epoch
    moves the output bias far more than the same epoch without it, from the same weights and seed."""
    cases, tok = finetune.read_dataset(str(dataset)), Tokenizer()
    moved = {}
    for head_lr in (None, 3e-2):
        model, _ = finetune.load_bundle_model(str(tiny))
        groups = finetune.param_groups(model, 1e-4, head_lr)
        n_all = sum(1 for p in model.parameters() if p.requires_grad)
        assert sum(len(g["params"]) for g in groups) == n_all
        if head_lr is not None:
            assert len(groups) == 2 and groups[1]["lr"] == head_lr and groups[0]["lr"] == 1e-4
            assert {id(p) for p in groups[1]["params"]} == {id(model.decoder.head.weight), id(model.decoder.head.bias)}
        b0 = model.decoder.head.bias.detach().clone()
        finetune.finetune(model, cases, 1, 1e-4, SIZE, 3, 0, tok, log=lambda s: None, plain_cases=3, head_lr=head_lr)
        moved[head_lr] = float((model.decoder.head.bias.detach() - b0).abs().max())
    assert moved[3e-2] > 10 * moved[None], moved


def test_bad_datasets_say_what_is_wrong(tmp_path, dataset):
    with pytest.raises(ValueError, match="not a folder or a zip"):
        finetune.read_dataset(str(tmp_path / "nothing.txt"))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "prompts.json").write_text(json.dumps({"format": "something-else", "cases": []}))
    with pytest.raises(ValueError, match="expected 'vlsm-finetune-dataset'"):
        finetune.read_dataset(str(bad))
    import shutil

    gone = tmp_path / "gone"
    shutil.copytree(dataset, gone)
    idx = json.loads((gone / "prompts.json").read_text())
    idx["cases"][0]["targets"][0]["mask"] = "masks/missing.png"
    (gone / "prompts.json").write_text(json.dumps(idx))
    with pytest.raises(ValueError, match="masks/missing.png, which is not in the dataset"):
        finetune.read_dataset(str(gone))
