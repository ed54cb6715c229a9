"""The image-only U-Net baseline (vlsm.unet, vlsm.export_unet): random init, the exported graph against PyTorch, the
image-only bundle (no tokenizer, no text graph, channels listed), prompt -> channel, a tiny real training run
(../shared/data) that resumes, and the evaluation code scoring the exported bundle."""
import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from vlsm.unet import CHANNELS, UNet, channel_words, loss_fn, pick_channel


def test_random_init_gives_one_logit_plane_per_structure():
    torch.manual_seed(0)
    m = UNet(len(CHANNELS), (4, 8, 16)).eval()
    with torch.no_grad():
        y = m(torch.randn(2, 3, 64, 48))
    assert y.shape == (2, 10, 64, 48)
    assert torch.isfinite(y).all() and y.std() > 0
    # channels differ (not one plane copied): the head has its own weights per structure
    assert (y[:, 0] - y[:, 1]).abs().max() > 1e-4


def test_loss_ignores_pixels_and_scores_only_present_structures():
    logits = torch.zeros(1, 10, 8, 8, requires_grad=True)
    t = torch.zeros(1, 10, 8, 8)
    t[0, 4, :4] = 1
    ign = torch.zeros(1, 8, 8)
    base = loss_fn(logits, t, ign)
    ign[:, :4] = 1  # every positive pixel ignored: no structure left present, only BCE over the rest
    assert loss_fn(logits, t, ign).item() < base.item()
    base.backward()
    assert logits.grad[0, 4, :4].mean() < 0 < logits.grad[0, 0].mean()


def test_prompt_picks_the_channel_it_names():
    w = channel_words()
    pick = lambda p: None if pick_channel(p, w) is None else CHANNELS[pick_channel(p, w)]  # noqa: E731
    assert pick("left lung") == "left lung"
    assert pick("the lung fields") == "lungs"
    assert pick("Left ventricular myocardium") == "myocardium"
    assert pick("RV") == "right ventricle"
    assert pick("Two small malignant tumors at the top right in the breast ultrasound image.") == "breast tumor"
    assert pick("one small pink round polyp, located in right of the image") == "polyp"
    assert pick("a photo of a cat") is None and pick("solve") is None
    assert all(c in w[c] for c in CHANNELS)


def test_export_matches_pytorch_and_is_an_image_only_bundle(tmp_path):
    from vlsm.bundle import load_bundle, validate_manifest
    from vlsm.export_unet import onnx_vs_torch, write_bundle

    torch.manual_seed(1)
    model = UNet(len(CHANNELS), (8, 16, 32, 64, 128))
    for p in model.modules():  # non-trivial batch-norm statistics, so the export must carry them
        if isinstance(p, torch.nn.BatchNorm2d):
            p.running_mean.uniform_(-0.5, 0.5)
            p.running_var.uniform_(0.5, 2.0)
    m = write_bundle(model, str(tmp_path / "b"), 96, "unet-test", "U-Net test")
    assert onnx_vs_torch(model, str(tmp_path / "b"), 96) <= 1e-3
    loaded = load_bundle(str(tmp_path / "b"))
    assert loaded["kind"] == "image-only" and "text" not in loaded
    assert [f["path"] for f in loaded["files"]] == ["vision.fp32.onnx"]
    assert [c["name"] for c in loaded["output"]["channels"]] == CHANNELS
    assert loaded["variants"][0]["graphs"]["vision"]["outputs"][0]["shape"] == [1, 10, 96, 96]
    assert "prompt words do not steer this model" in loaded["modelCard"]["summary"]
    bad = json.loads(json.dumps(m))
    bad["output"]["channels"].pop()
    with pytest.raises(ValueError, match="lists 9 channels"):
        validate_manifest(bad)
    bad = json.loads(json.dumps(m))
    bad["text"] = {"tokenizer": "tokenizer.json", "maxLength": 77, "padding": "none"}
    with pytest.raises(ValueError, match="no text block"):
        validate_manifest(bad)


def test_tiny_training_resumes_and_the_evaluation_scores_its_export(tmp_path):
    """Two epochs on 1 real record per dataset and split, in two sessions (--stop-after 1, then resume); the
    exported best.pt is then scored by vlsm.evaluate on 1 test image per set (class channel, n, interval)."""
    from vlsm.evaluate import evaluate

    out = tmp_path / "ckpt"
    cmd = [sys.executable, "-W", "ignore", "-m", "vlsm.unet", "train", "--out", str(out), "--epochs", "2", "--samples", "4",
           "--batch", "2", "--size", "64", "--cache", "72", "--limit", "1", "--widths", "4,8", "--eval-every", "1",
           "--threads", "1", "--no-demos"]
    subprocess.run(cmd + ["--stop-after", "1"], check=True, capture_output=True, text=True)
    assert len((out / "train_log.jsonl").read_text().splitlines()) == 1
    r = subprocess.run(cmd, check=True, capture_output=True, text=True)
    assert "resumed at epoch 1" in r.stdout
    log = [json.loads(x) for x in (out / "train_log.jsonl").read_text().splitlines()]
    assert [e["epoch"] for e in log] == [1, 2] and all("val" in e and np.isfinite(e["loss"]) for e in log)
    assert "kvasir" in log[-1]["val"] and "cxr/left lung" in log[-1]["val"] and "score" in log[-1]["val"]
    best = torch.load(out / "best.pt", weights_only=False)
    assert best["config"]["channels"] == CHANNELS and best["epoch"] in (1, 2)
    bundle = tmp_path / "bundle"
    subprocess.run([sys.executable, "-W", "ignore", "-m", "vlsm.unet", "export", "--ckpt", str(out / "best.pt"), "--out",
                    str(bundle)], check=True, capture_output=True, text=True)
    ev = evaluate(str(bundle), "test", limit=1)
    assert ev["split"] == "test" and set(ev["images"]) >= {"kvasir", "cxr", "acdc"}
    k = ev["metrics"]["kvasir"]["class"]
    assert k["n"] == 1 and 0 <= k["dice"] <= 1
    assert "left lung" in ev["metrics"]["cxr"] and "words matter (class - empty)" in ev["metrics"]["kvasir"]
