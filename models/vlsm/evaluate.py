"""Evaluate a compact bundle (the shipped ONNX graphs, not the PyTorch model) on the held-apart splits.

python -m vlsm.evaluate --bundle compact-vlsm --out build/eval.json
Preprocessing matches the browser engine: PIL bilinear resize of the RGB image to the input size, CLIP
mean/std; probabilities are resized back to the original image size (bilinear) and thresholded, and Dice is
computed at the original resolution against the expert mask (chest X-ray "ignore" pixels excluded).
"""
from __future__ import annotations

import argparse
import json
import os
import random

import numpy as np
from PIL import Image

from .bundle import load_bundle
from .data import DATA_ROOT, _mask, _pairs, _rgb, lung_halves
from .prompts import attributes, build_prompt
from .sampling import DESCRIPTIONS, GROUP
from .textenc import Tokenizer

CLASS = {"kvasir": "polyp", "busi": "breast tumor", "fuseg": "foot ulcer", "ph2": "skin lesion", "cxr": "lungs"}
ABSENT = {"cxr": "polyp", "kvasir": "left lung", "ph2": "foot ulcer", "fuseg": "polyp", "busi": "skin lesion"}


class Runner:
    def __init__(self, bundle: str, variant: str = "wasm", threads: int = 2):
        import onnxruntime as ort

        self.m = load_bundle(bundle)
        v = next(x for x in self.m["variants"] if x["name"] == variant)
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        self.s = {g: ort.InferenceSession(os.path.join(bundle, v["graphs"][g]["file"]), so, providers=["CPUExecutionProvider"])
                  for g in ("vision", "text", "decoder")}
        self.feat_names = [o["name"] for o in v["graphs"]["vision"]["outputs"]]
        self.tok = Tokenizer(os.path.join(bundle, self.m["text"]["tokenizer"]))
        self.size = tuple(self.m["input"]["size"])

    def encode(self, img: Image.Image) -> dict:
        h, w = self.size
        x = np.asarray(img.resize((w, h), Image.BILINEAR), dtype=np.float32) * self.m["input"].get("scale", 1 / 255)
        x = (x - np.array(self.m["input"]["mean"], np.float32)) / np.array(self.m["input"]["std"], np.float32)
        feats = self.s["vision"].run(None, {"pixel_values": x.transpose(2, 0, 1)[None].astype(np.float32)})
        return dict(zip(self.feat_names, feats))

    def prob(self, feats: dict, prompt: str, out_hw: tuple[int, int]) -> np.ndarray:
        ids = np.array([self.tok.ids(prompt)], dtype=np.int64)
        emb = self.s["text"].run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
        logits = self.s["decoder"].run(None, {**feats, "text_embeds": emb})[0][0, 0]
        p = 1 / (1 + np.exp(-logits))
        return np.asarray(Image.fromarray(p.astype(np.float32), mode="F").resize((out_hw[1], out_hw[0]), Image.BILINEAR))


def dice(pred: np.ndarray, gt: np.ndarray, valid: np.ndarray | None = None) -> float:
    if valid is not None:
        pred, gt = pred & valid, gt & valid
    s = pred.sum() + gt.sum()
    return 1.0 if s == 0 else float(2 * (pred & gt).sum() / s)


def prompts_for(p: dict, gt: np.ndarray, rng: random.Random) -> dict[str, str]:
    if p.get("prompts"):
        return {k: (v[0] if isinstance(v, list) else v) for k, v in p["prompts"].items()}
    attrs = attributes(gt)
    cls = CLASS[p["dataset"]]
    return {f"g{lvl}": build_prompt(cls, attrs, lvl, rng, description=DESCRIPTIONS[GROUP[p["dataset"]]][0]) for lvl in range(8)}


def evaluate(bundle: str, limit: int | None = None, threshold: float = 0.5) -> dict:
    r = Runner(bundle)
    rng = random.Random(0)
    per: dict[str, dict[str, list[float]]] = {}
    lungs: dict[str, list[float]] = {}
    absent: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    for p in _pairs(DATA_ROOT):
        if p["split"] != "test":
            continue
        ds = p["dataset"]
        if limit and counts.get(ds, 0) >= limit:
            continue
        counts[ds] = counts.get(ds, 0) + 1
        img = _rgb(p["image"])
        raw = _mask(p["mask"])
        if raw.shape != (img.height, img.width):
            raw = np.asarray(Image.fromarray(raw).resize((img.width, img.height), Image.NEAREST))
        valid = raw != 127 if ds == "cxr" else None
        gt = raw > (191 if ds == "cxr" else 127)
        feats = r.encode(img)
        hw = gt.shape
        asks = {"class": CLASS[ds], **prompts_for(p, gt, rng)}
        for kind, prompt in asks.items():
            if ds == "busi" and gt.sum() == 0:
                kind = "normal-" + kind
            pred = r.prob(feats, prompt, hw) > threshold
            per.setdefault(ds, {}).setdefault(kind, []).append(dice(pred, gt, valid))
        pred_abs = r.prob(feats, ABSENT[ds], hw) > threshold
        absent.setdefault(f"{ABSENT[ds]} on {ds}", []).append(float(pred_abs.mean()))
        if ds == "cxr":
            img_left, img_right = lung_halves(gt)
            pl, pr = img_right, img_left  # patient's left lung is on the image right (radiological convention)
            L = r.prob(feats, "left lung", hw) > threshold
            R = r.prob(feats, "right lung", hw) > threshold
            lungs.setdefault("left lung vs patient-left", []).append(dice(L, pl, valid))
            lungs.setdefault("left lung vs patient-right", []).append(dice(L, pr, valid))
            lungs.setdefault("right lung vs patient-right", []).append(dice(R, pr, valid))
            lungs.setdefault("right lung vs patient-left", []).append(dice(R, pl, valid))
    mean = lambda v: round(float(np.mean(v)), 4)
    out = {
        "dice_class_prompt": {ds: mean(v["class"]) for ds, v in per.items()},
        "dice_mean_over_prompt_types": {ds: mean([x for k, vals in v.items() if not k.startswith("normal-") for x in vals]) for ds, v in per.items()},
        "dice_per_prompt_type": {ds: {k: mean(vals) for k, vals in sorted(v.items())} for ds, v in per.items()},
        "laterality": {k: mean(v) for k, v in lungs.items()},
        "absent_target_foreground_fraction": {k: mean(v) for k, v in absent.items()},
        "test_images": counts,
        "threshold": threshold,
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bundle", default="compact-vlsm")
    ap.add_argument("--out", default="build/eval.json")
    ap.add_argument("--limit", type=int, default=None)
    a = ap.parse_args()
    res = evaluate(a.bundle, a.limit)
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    json.dump(res, open(a.out, "w"), indent=1)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
