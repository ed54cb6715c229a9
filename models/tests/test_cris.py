"""CRIS: the PyTorch definition against its exported bundle (tiny random weights, 64 px), the checkpoint
converter (strict load, DDP prefix, CLIP fill-in, clear errors) and the manifest it writes."""

import json

import numpy as np
import pytest
import torch

from tests.helpers import TOKENIZER
from vlsm.bundle import load_bundle
from vlsm.cris import CRIS, random_cris, tiny_config
from vlsm.cris_export import main, torch_logits, write_bundle
from vlsm.parity import BundleRunner, dice, tokenize

PROMPTS = ["", "polyp", "one small pink round polyp, located in right of the image",  # 15 tokens: 2 pads
           "a large red ulcer on the left, near the centre of the image, with irregular borders",  # cut to 17
           "polyp!"]
CUT = float(np.log(0.35 / 0.65))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    torch.set_num_threads(1)
    model = random_cris(tiny_config(), seed=0)
    out = tmp_path_factory.mktemp("cris") / "bundle"
    manifest = write_bundle(model, out, ("fp32", "int8"), bundle_id="cris-tiny")
    return model, out, manifest


def _images(n=2, size=64):
    g = np.random.default_rng(3)
    return [g.standard_normal((1, 3, size, size)).astype(np.float32) for _ in range(n)]


def _ids(prompt):
    return tokenize(prompt, TOKENIZER, 17, "max_length", 0)[0]


def test_tokens_are_padded_and_cut_as_cris_tokenize():
    ids = _ids(PROMPTS[2])
    assert ids.shape == (1, 17) and ids[0, 0] == 49406 and ids[0, 14] == 49407 and (ids[0, 15:] == 0).all()
    long = _ids(PROMPTS[3])
    assert long.shape == (1, 17) and long[0, -1] == 49407 and (long[0] != 0).all()


def test_fp32_graphs_match_pytorch(tiny):
    model, out, _ = tiny
    runner = BundleRunner(out, "fp32", 1)
    worst = 0.0
    for px in _images():
        for prompt in PROMPTS:
            ids, am = runner.tokenize(prompt)
            assert ids.shape == (1, 17)
            ref = torch_logits(model, px, ids)
            assert ref.shape == (1, 1, 16, 16) and np.abs(ref).max() > 0.5
            worst = max(worst, float(np.abs(runner.segment(px, ids, am) - ref).max()))
    assert worst <= 1e-3, worst


def test_words_matter_and_padding_is_masked(tiny):
    """The decoder reads the word features: prompts change the logits; the pad mask is what the text graph says."""
    model, out, _ = tiny
    runner = BundleRunner(out, "fp32", 1)
    px = _images(1)[0]
    feats = runner.encode_image(px)
    a = runner.decode({**feats, **runner.encode_text(*runner.tokenize("polyp"))})
    b = runner.decode({**feats, **runner.encode_text(*runner.tokenize("one small pink round polyp"))})
    assert np.abs(a - b).max() > 1e-2
    text = runner.encode_text(*runner.tokenize(PROMPTS[2]))
    assert text["word_pad_mask"].tolist() == [[0] * 15 + [1] * 2]
    assert text["word_embeds"].shape == (1, 17, 32) and text["text_embeds"].shape == (1, 48)
    # Padding really is masked: changing the word features at padded positions changes nothing.
    text2 = dict(text, word_embeds=text["word_embeds"].copy())
    text2["word_embeds"][0, 15:] += 100.0
    assert np.abs(runner.decode({**feats, **text}) - runner.decode({**feats, **text2})).max() < 1e-5


def test_int8_variant_close_to_fp32(tiny):
    model, out, manifest = tiny
    assert [v["name"] for v in manifest["variants"]] == ["wasm-int8", "fp32"]
    runner = BundleRunner(out, "wasm-int8", 1)
    for px in _images():
        for prompt in PROMPTS[1:3]:
            ids, am = runner.tokenize(prompt)
            ref = torch_logits(model, px, ids)
            got = runner.segment(px, ids, am)
            assert dice(got > CUT, ref > CUT) >= 0.95
            assert np.abs(got - ref).max() < 0.1 * np.abs(ref).max()


def test_manifest(tiny):
    _, out, m = tiny
    assert load_bundle(out)["id"] == "cris-tiny"
    assert m["architecture"] == "cris"
    assert m["text"] == {"tokenizer": "tokenizer.json", "maxLength": 17, "padding": "max_length", "padTokenId": 0,
                         "lowercase": True}
    assert m["input"]["resize"] == "letterbox" and m["input"]["size"] == [64, 64]
    assert m["output"] == {"activation": "sigmoid", "threshold": 0.35, "size": [16, 16]}
    g = m["variants"][1]["graphs"]
    assert [t["name"] for t in g["vision"]["outputs"]] == ["c3", "c4", "c5"]
    assert [(t["name"], t["dtype"], t["shape"]) for t in g["text"]["outputs"]] == [
        ("word_embeds", "float32", [1, 17, 32]), ("text_embeds", "float32", [1, 48]), ("word_pad_mask", "int64", [1, 17])]
    assert [t["name"] for t in g["decoder"]["inputs"]] == ["c3", "c4", "c5", "word_embeds", "text_embeds", "word_pad_mask"]
    assert g["text"]["inputs"] == [{"name": "input_ids", "dtype": "int64", "shape": [1, 17]}]


def _checkpoint(model: CRIS, path, drop=(), extra=None):
    sd = {f"module.{k}": v for k, v in model.state_dict().items() if not any(k.startswith(d) for d in drop)}
    sd.update(extra or {})
    torch.save({"epoch": 50, "best_iou": 0.7, "state_dict": sd}, path)
    return path


def test_converter_one_command_strict_load(tiny, tmp_path, capsys):
    model, _, _ = tiny
    ckpt = _checkpoint(model, tmp_path / "cris_best.pth")
    out = tmp_path / "converted"
    main(["--checkpoint", str(ckpt), "--out", str(out), "--image-size", "64", "--num-head", "4", "--text-heads", "2",
          "--precisions", "fp32"])
    runner = BundleRunner(out, "fp32", 1)
    px = _images(1)[0]
    ids, am = runner.tokenize("polyp")
    assert np.abs(runner.segment(px, ids, am) - torch_logits(model, px, ids)).max() <= 1e-3
    assert "CRIS bundle" in capsys.readouterr().out


def test_converter_names_missing_and_unexpected_keys(tiny, tmp_path):
    model, _, _ = tiny
    ckpt = _checkpoint(model, tmp_path / "bad.pth", drop=("proj.txt.bias", "decoder.layers.1.norm3"),
                       extra={"module.neck.extra.weight": torch.zeros(1)})
    with pytest.raises(SystemExit) as e:
        main(["--checkpoint", str(ckpt), "--out", str(tmp_path / "x"), "--image-size", "64", "--num-head", "4",
              "--text-heads", "2"])
    msg = str(e.value)
    assert "missing keys (3): decoder.layers.1.norm3.weight, decoder.layers.1.norm3.bias, proj.txt.bias" in msg
    assert "unexpected keys (1): neck.extra.weight" in msg
    assert not (tmp_path / "x" / "manifest.json").exists()


def test_converter_refuses_plain_clip(tmp_path):
    torch.save({"visual.conv1.weight": torch.zeros(1), "token_embedding.weight": torch.zeros(1)}, tmp_path / "clip.pth")
    with pytest.raises(SystemExit, match="plain CLIP state dict, not a CRIS checkpoint"):
        main(["--checkpoint", str(tmp_path / "clip.pth"), "--out", str(tmp_path / "x")])


class _ClipArchive(torch.nn.Module):
    """The parameter layout of OpenAI's JIT CLIP archive (top-level visual., transformer., ...)."""

    def __init__(self, backbone):
        super().__init__()
        for k in ("visual", "transformer", "token_embedding", "ln_final"):
            setattr(self, k, getattr(backbone, k))
        self.positional_embedding = backbone.positional_embedding
        self.text_projection = backbone.text_projection
        self.logit_scale = backbone.logit_scale

    def forward(self, x):
        return x


def test_converter_takes_backbone_from_clip_archive(tiny, tmp_path):
    """A checkpoint without the CLIP weights (only CRIS's own attnpool shortcut) plus --clip RN50.pt."""
    model, _, _ = tiny
    connect = {f"module.backbone.{k}": v for k, v in model.backbone.state_dict().items() if ".connect." in k}
    ckpt = _checkpoint(model, tmp_path / "no_backbone.pth", drop=("backbone.",), extra=connect)
    with pytest.raises(SystemExit, match=r"missing backbone\.visual\.layer1\.0\.conv1\.weight(.|\n)*pass --clip RN50\.pt"):
        main(["--checkpoint", str(ckpt), "--out", str(tmp_path / "x"), "--image-size", "64", "--num-head", "4",
              "--text-heads", "2"])
    archive = torch.jit.trace(_ClipArchive(model.backbone), torch.zeros(1))
    archive.save(str(tmp_path / "RN50.pt"))
    out = tmp_path / "with_clip"
    main(["--checkpoint", str(ckpt), "--clip", str(tmp_path / "RN50.pt"), "--out", str(out), "--image-size", "64",
          "--num-head", "4", "--text-heads", "2", "--precisions", "fp32"])
    runner = BundleRunner(out, "fp32", 1)
    px = _images(1)[0]
    ids, am = runner.tokenize(PROMPTS[2])
    assert np.abs(runner.segment(px, ids, am) - torch_logits(model, px, ids)).max() <= 1e-3
    assert json.loads((out / "manifest.json").read_text())["architecture"] == "cris"


def test_converter_explains_checkpoints_that_need_full_unpickling(tiny, tmp_path):
    """CRIS's training may store numpy scalars beside the weights: refused by the safe loader with a hint,
    converted with --unsafe-load."""
    model, _, _ = tiny
    sd = {f"module.{k}": v for k, v in model.state_dict().items()}
    torch.save({"cur_iou": np.float64(0.61), "state_dict": sd}, tmp_path / "np.pth")
    args = ["--checkpoint", str(tmp_path / "np.pth"), "--out", str(tmp_path / "out"), "--image-size", "64",
            "--num-head", "4", "--text-heads", "2"]
    with pytest.raises(SystemExit, match="rerun with --unsafe-load"):
        main(args)
    main(args + ["--unsafe-load"])
    assert [v["name"] for v in load_bundle(tmp_path / "out")["variants"]] == ["fp32"]
