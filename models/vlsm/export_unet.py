"""Export an image-only baseline (vlsm.unet's U-Net or vlsm.deeplab's DeepLabv3+) as a bundle of kind "image-only":
one vision graph, no tokenizer.

python -m vlsm.unet export --ckpt /work/ckpt-unet/run/best.pt --out unet-baseline [--eval EVAL.json]
python -m vlsm.unet export --ckpt /work/ckpt-deeplab/run/best.pt --out deeplabv3plus-baseline --id deeplabv3plus-baseline
python -m vlsm.unet export --random-init --size 64 --widths 4,8 --out build/tiny/image-only   (tests)

The graph is opset 17 from the TorchScript exporter (as every graph of the project), fp32 only (the model is
convolutions; the project's int8 path quantises MatMul/Gather, which this graph has none of). The manifest's
output.channels lists vlsm.unet.CHANNELS with the words that pick each one (vlsm.unet.channel_words).
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np
import torch

from .bundle import finalize_bundle
from .card import INTENDED_USE, MODALITIES_V2, SPLIT_NOTE, TRAINING_DATA_V2
from .unet import CHANNELS, UNet, build_model, channel_words

MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]
IMAGE_ONLY_NOTE = "image only: prompt words do not steer this model"


def export_onnx(model: torch.nn.Module, path: str, size: int) -> None:
    model.eval()
    x = torch.zeros(1, 3, size, size)
    torch.onnx.export(model, (x,), path, input_names=["pixel_values"], output_names=["logits"], opset_version=17,
                      do_constant_folding=True, dynamo=False)


DEEPLAB_BACKBONE_NOTE = ("backbone initialised from the compact VLSM v2 image encoder, the vision graph of "
                         "models/compact-vlsm-v2, same train split (models/splits/), so nothing of val or test leaks in; "
                         "ImageNet weights are not reachable here")


def card(model: torch.nn.Module, params: int, ev: dict | None, training: dict | None) -> dict:
    from .evaluate import test_metrics

    deeplab = getattr(model, "arch", "unet") == "deeplabv3plus"
    origin = (f"fine-tuned on the same data and splits as the default model; {DEEPLAB_BACKBONE_NOTE}"
              if getattr(model, "frozen_backbone_bn", False) else
              "trained from scratch on the same data and splits as the default model")
    c = {
        "summary": f"Image-only baseline: {model.describe()}, {params / 1e6:.2f} M parameters, with one sigmoid output "
                   f"per structure, {origin}. It has no text graph ({IMAGE_ONLY_NOTE}): a prompt only picks which structure to show "
                   "(the class it names; the empty prompt shows all of them). Kept beside the VLSM to show what the words add.",
        "classes": list(CHANNELS),
        "promptExamples": list(CHANNELS) + [""],
        "trainingData": TRAINING_DATA_V2,
        "modalities": MODALITIES_V2,
        "intendedUse": INTENDED_USE,
        "leftRightConvention": "patient's left/right (radiological convention: the patient's left lung is on the image right; "
                               "the right ventricle on the image left of a short-axis slice)",
        "limits": [
            "Research tool, not a medical device: masks must be reviewed by a clinician.",
            f"{IMAGE_ONLY_NOTE}: it answers only its {len(CHANNELS)} class names (and their synonyms); size, shape, "
            "location or colour words change nothing, and a prompt naming no class is refused.",
            ("Trained on one thread of a shared 2-core CPU for under an hour: a baseline, not a tuned model." if deeplab else
             "Trained from scratch on a shared 2-core CPU for under an hour: a baseline, not a tuned model."),
            SPLIT_NOTE,
        ],
    }
    if ev is not None:
        d = ev.get("dice_class_prompt", {})
        c["limits"].insert(1, ("Test Dice" if deeplab else "Weak: test Dice")
                           + " of the class channel " + ", ".join(f"{k} {v:.2f}" for k, v in d.items()) +
                           ", ACDC " + ", ".join(f"{k} {(v or 0):.2f}" for k, v in ev.get("acdc", {}).items()) +
                           (". On its shared image encoder it is on par with the compact VLSM v2 on these class prompts "
                            "(see the table); it cannot follow any prompt beyond a class name." if deeplab else
                            ". It had a few CPU minutes of training (see the training section): a floor to compare "
                            "against, not a model to rely on."))
        c["testMetrics"] = test_metrics(ev)
        c["metrics"] = {k: v for k, v in ev.items() if k != "metrics"}
    if training:
        c["metrics"] = {**c.get("metrics", {}), "training": training}
    return c


def write_bundle(model: torch.nn.Module, out: str, size: int, bundle_id: str, name: str, ev: dict | None = None,
                 training: dict | None = None) -> dict:
    os.makedirs(out, exist_ok=True)
    export_onnx(model, os.path.join(out, "vision.fp32.onnx"), size)
    words = channel_words()
    params = sum(p.numel() for p in model.parameters())
    manifest = {
        "format": "vlsm-bundle", "formatVersion": 1, "id": bundle_id, "name": name,
        "architecture": f"{getattr(model, 'arch', 'unet')}-image-only",
        "license": "Weights: non-commercial research use (inherits the training data terms); code: MIT",
        "modelCard": card(model, params, ev, training),
        "input": {"size": [size, size], "mean": MEAN, "std": STD, "resize": "stretch", "colour": "rgb", "scale": 1 / 255},
        "kind": "image-only",
        "variants": [{"name": "fp32", "backends": ["wasm", "webgpu"], "graphs": {"vision": {
            "file": "vision.fp32.onnx", "precision": "fp32",
            "inputs": [{"name": "pixel_values", "dtype": "float32", "shape": [1, 3, size, size]}],
            "outputs": [{"name": "logits", "dtype": "float32", "shape": [1, len(CHANNELS), size, size]}]}}}],
        "output": {"activation": "sigmoid", "threshold": 0.5, "size": [size, size],
                   "channels": [{"name": c, "words": words[c]} for c in CHANNELS]},
        "files": [],
    }
    return finalize_bundle(out, manifest)


ROWS = [("kvasir", "class", "Kvasir polyp"), ("busi", "class", "BUSI breast tumour"), ("fuseg", "class", "FUSeg foot ulcer"),
        ("ph2", "class", "PH2 skin lesion"), ("cxr", "class", "chest X-ray lungs"), ("cxr", "left lung", "left lung"),
        ("cxr", "right lung", "right lung"), ("cxr", "left lung to the right lung", "left lung prompt to the right lung (lower is better)"),
        ("acdc", "left ventricle", "ACDC left ventricle"), ("acdc", "myocardium", "ACDC myocardium"),
        ("acdc", "right ventricle", "ACDC right ventricle"),
        ("acdc", "right ventricle to other structures (max)", "ACDC 'right ventricle' to other structures (lower is better)"),
        ("busi", "normal: class prompt empty-agreement", "BUSI normal images: empty-mask agreement")]


def cell(m: dict | None) -> str:
    return "–" if not m else f"{m['dice']:.3f} [{m['ci95'][0]:.3f}, {m['ci95'][1]:.3f}] ({m['n']})"


def comparison(ev: dict, vlsm_ev: dict | None, name: str = "U-Net baseline (image only)",
               others: list[tuple[str, dict]] | None = None) -> list[str]:
    """Markdown table: this model's class-prompt Dice on the test split beside the VLSM's (same code, same split),
    and beside other image-only baselines' (others: [(column title, their EVAL.json)])."""
    cols = [(name, ev)] + list(others or []) + [("compact VLSM v2 (words)", vlsm_ev or {})]
    out = ["| set / structure | " + " | ".join(c for c, _ in cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for ds, key, label in ROWS:
        cells = [e.get("metrics", {}).get(ds, {}).get(key) for _, e in cols]
        if any(cells):
            out.append(f"| {label} | " + " | ".join(cell(x) for x in cells) + " |")
    return out


def markdown(m: dict, ev: dict | None, vlsm_ev: dict | None, training: dict | None,
             others: list[tuple[str, dict]] | None = None,
             vlsm_path: str = "models/results/2026-12-04-compact-v2/EVAL.json") -> str:
    c = m["modelCard"]
    total = sum(f["bytes"] for f in m["files"])
    lines = [f"# Model card: {m['name']} (`{m['id']}`)", "", c["summary"], "",
             f"- Architecture: `{m['architecture']}`; input {m['input']['size'][0]}x{m['input']['size'][1]} RGB (stretched), CLIP "
             f"mean/std; output {len(m['output']['channels'])} sigmoid channels, threshold {m['output']['threshold']}.",
             f"- Classes (a prompt picks one by naming it; no words = all): {', '.join(ch['name'] for ch in m['output']['channels'])}.",
             f"- Bundle: {total / 1e6:.2f} MB, one fp32 vision graph, no text graph, no tokenizer.",
             f"- Licence: {m['license']}", f"- Left/right: {c['leftRightConvention']}", ""]
    if ev:
        lines += ["## Test split (scored once), beside the VLSM", "",
                  "Dice of the class prompt at original resolution from the exported ONNX graph, mean [bootstrap 95 % "
                  "interval] (n images; ACDC: slices, resampled by patient), `python -m vlsm.evaluate --split test` — the "
                  "code and test split the default model's release used. The VLSM column is the compact v2 release "
                  f"(`{vlsm_path}`), trained on the same splits. The shipped v1 default "
                  "was trained on the older file-name split, so its figures on this test split are mostly training-set "
                  "figures (`docs/study/compact-vlsm-test/`).", ""]
        lines += comparison(ev, vlsm_ev, m["name"], others) + [""]
    if training:
        lines += ["## Training", ""] + [f"- {k}: {v}" for k, v in training.items()] + [""]
    lines += ["## Training data", ""] + [f"- {d['name']}: {d.get('citation', '')}. Terms: {d.get('terms', '')}." for d in c["trainingData"]]
    lines += ["", "## Known limits", ""] + [f"- {x}" for x in c["limits"]]
    return "\n".join(lines) + "\n"


def onnx_vs_torch(model: torch.nn.Module, bundle: str, size: int, seed: int = 0) -> float:
    """Largest |logit| difference between the exported graph (onnxruntime) and PyTorch on a random input."""
    import onnxruntime as ort

    x = torch.from_numpy(np.random.default_rng(seed).normal(0, 1, (1, 3, size, size)).astype(np.float32))
    model.eval()
    with torch.no_grad():
        ref = model(x).numpy()
    s = ort.InferenceSession(os.path.join(bundle, "vision.fp32.onnx"), providers=["CPUExecutionProvider"])
    got = s.run(None, {"pixel_values": x.numpy()})[0]
    return float(np.abs(got - ref).max())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="vlsm.unet export")
    ap.add_argument("--ckpt", default=None)
    ap.add_argument("--random-init", action="store_true")
    ap.add_argument("--size", type=int, default=None)
    ap.add_argument("--arch", choices=("unet", "deeplabv3plus"), default="unet", help="with --random-init")
    ap.add_argument("--widths", default="8,16,32,64,128")
    ap.add_argument("--out", required=True)
    ap.add_argument("--id", default="unet-baseline")
    ap.add_argument("--name", default="U-Net baseline (image only)")
    ap.add_argument("--eval", default=None, help="evaluation JSON (vlsm.evaluate) whose figures go on the card")
    ap.add_argument("--training", default=None, help="JSON with the training's command, wall time, epochs")
    ap.add_argument("--vlsm-eval", default=None, help="the VLSM's test evaluation, shown beside this model's on the card")
    ap.add_argument("--beside", action="append", default=[], metavar="TITLE=EVAL.json",
                    help="another image-only baseline's test evaluation, a column of the card's table (repeatable)")
    a = ap.parse_args(argv)
    torch.manual_seed(0)
    if a.ckpt:
        st = torch.load(a.ckpt, weights_only=False, map_location="cpu")
        model = build_model(st["config"])
        model.load_state_dict(st["model"])
        size = a.size or st["config"]["size"]
    elif a.random_init:
        model = (UNet(len(CHANNELS), tuple(int(x) for x in a.widths.split(","))) if a.arch == "unet"
                 else build_model({"arch": a.arch, "backbone_channels": [24, 48, 96, 160, 256], "rates": [3, 6, 9], "aspp": 128,
                                   "low": 48, "decoder": 128}))
        size = a.size or 64
    else:
        raise SystemExit("give --ckpt or --random-init")
    ev = json.load(open(a.eval)) if a.eval else None
    training = json.load(open(a.training)) if a.training else None
    m = write_bundle(model, a.out, size, a.id, a.name, ev, training)
    if ev is not None:
        vlsm_ev = json.load(open(a.vlsm_eval)) if a.vlsm_eval else None
        with open(os.path.join(a.out, "MODEL_CARD.md"), "w") as f:
            others = [(t, json.load(open(p))) for t, p in (b.split("=", 1) for b in a.beside)]
            f.write(markdown(m, ev, vlsm_ev, training, others,
                             "models/" + os.path.relpath(a.vlsm_eval) if a.vlsm_eval else "(none given)"))
        with open(os.path.join(a.out, "EVAL.json"), "w") as f:
            json.dump(ev, f, indent=1)
    diff = onnx_vs_torch(model, a.out, size)
    total = sum(f["bytes"] for f in m["files"])
    print(json.dumps({"out": a.out, "bytes": total, "max_abs_diff_onnx_vs_torch": diff}))


if __name__ == "__main__":
    main()
