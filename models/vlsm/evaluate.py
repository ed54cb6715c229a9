"""Evaluate a compact bundle (the shipped ONNX graphs, not the PyTorch model) on one split.

python -m vlsm.evaluate --bundle compact-vlsm --split val --out build/eval-val.json
(the test split is scored once, at release, by vlsm.release)

Preprocessing matches the browser engine: PIL bilinear resize of the RGB image to the input size, CLIP
mean/std; probabilities are resized back to the original image size (bilinear) and thresholded, and Dice is
computed at the original resolution against the expert mask (chest X-ray "ignore" pixels excluded).

Reported per dataset and structure: Dice of the class prompt, of the empty prompt ("words matter" = class
minus empty), of every prompt type (published medvlsm prompts p0..p9, or g0..g7 built from the mask), the
foreground an absent class paints, left/right lung against both sides, and for ACDC the Dice of each
structure's prompt to the other structures of the same slice. Every headline figure carries n and a bootstrap
95 % interval (2,000 resamples of images; of patients for ACDC, whose slices are not independent).

Image-only bundles (kind "image-only", e.g. the U-Net baseline of vlsm.unet) are scored by the same code: their
vision graph gives every class channel at once, and each prompt is answered by the channel it names (the engine's
rule, vlsm.unet.pick_channel); the empty prompt by the maximum over all channels (every structure at once, as
the VLSM's empty prompt was trained to show). So "words matter" there is class channel minus all channels.
"""
from __future__ import annotations

import argparse
import json
import os
import random

import numpy as np
from PIL import Image

from .bundle import load_bundle
from .data import DATA_ROOT, _pairs, read_pair
from .prompts import attributes, build_prompt
from .sampling import DESCRIPTIONS, GROUP
from .textenc import Tokenizer

CLASS = {"kvasir": "polyp", "busi": "breast tumor", "fuseg": "foot ulcer", "ph2": "skin lesion", "cxr": "lungs"}
ABSENT = {"cxr": "polyp", "kvasir": "left lung", "ph2": "foot ulcer", "fuseg": "polyp", "busi": "skin lesion", "acdc": "polyp"}
HEART = ("left ventricle", "right ventricle", "myocardium")
BOOT = 2000


class Runner:
    def __init__(self, bundle: str, variant: str = "wasm", threads: int = 2):
        import onnxruntime as ort

        self.m = load_bundle(bundle)
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        self.size = tuple(self.m["input"]["size"])
        self.channels = self.m["output"].get("channels")
        if self.m["kind"] == "image-only":
            v = next((x for x in self.m["variants"] if x["name"] == variant), self.m["variants"][0])
            self.s = {"vision": ort.InferenceSession(os.path.join(bundle, v["graphs"]["vision"]["file"]), so,
                                                     providers=["CPUExecutionProvider"])}
            self.feat_names = ["logits"]
            return
        v = next(x for x in self.m["variants"] if x["name"] == variant)
        self.s = {g: ort.InferenceSession(os.path.join(bundle, v["graphs"][g]["file"]), so, providers=["CPUExecutionProvider"])
                  for g in ("vision", "text", "decoder")}
        self.feat_names = [o["name"] for o in v["graphs"]["vision"]["outputs"]]
        self.tok = Tokenizer(os.path.join(bundle, self.m["text"]["tokenizer"]))
        self.size = tuple(self.m["input"]["size"])
        self._emb: dict[str, np.ndarray] = {}

    def encode(self, img: Image.Image) -> dict:
        h, w = self.size
        x = np.asarray(img.resize((w, h), Image.BILINEAR), dtype=np.float32) * self.m["input"].get("scale", 1 / 255)
        x = (x - np.array(self.m["input"]["mean"], np.float32)) / np.array(self.m["input"]["std"], np.float32)
        feats = self.s["vision"].run(None, {"pixel_values": x.transpose(2, 0, 1)[None].astype(np.float32)})
        return dict(zip(self.feat_names, feats))

    def prob(self, feats: dict, prompt: str, out_hw: tuple[int, int]) -> np.ndarray:
        if self.channels is not None:
            return self._channel_prob(feats, prompt, out_hw)
        if prompt not in self._emb:
            ids = np.array([self.tok.ids(prompt)], dtype=np.int64)
            self._emb[prompt] = self.s["text"].run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
        logits = self.s["decoder"].run(None, {**feats, "text_embeds": self._emb[prompt]})[0][0, 0]
        p = 1 / (1 + np.exp(-logits))
        return np.asarray(Image.fromarray(p.astype(np.float32), mode="F").resize((out_hw[1], out_hw[0]), Image.BILINEAR))


    def _channel_prob(self, feats: dict, prompt: str, out_hw: tuple[int, int]) -> np.ndarray:
        from .unet import pick_channel

        logits = feats["logits"][0]
        if prompt.strip() == "":
            i = "all"
        else:
            i = pick_channel(prompt, {c["name"]: c["words"] for c in self.channels})
            if i is None:
                raise ValueError(f"image-only bundle: '{prompt}' names none of its classes")
        done = feats.setdefault("_resized", {})  # prompts naming the same class share one resized plane
        if (i, out_hw) not in done:
            lg = logits.max(0) if i == "all" else logits[i]
            p = 1 / (1 + np.exp(-lg))
            done[(i, out_hw)] = np.asarray(Image.fromarray(p.astype(np.float32), mode="F").resize((out_hw[1], out_hw[0]), Image.BILINEAR))
        return done[(i, out_hw)]


def dice(pred: np.ndarray, gt: np.ndarray, valid: np.ndarray | None = None) -> float:
    if valid is not None:
        pred, gt = pred & valid, gt & valid
    s = pred.sum() + gt.sum()
    return 1.0 if s == 0 else float(2 * (pred & gt).sum() / s)


def bootstrap(values: list[float], clusters: list[str] | None = None, n: int = BOOT, seed: int = 0) -> dict:
    """{dice: mean, ci95: [lo, hi], n}: percentile interval of the mean over resampled images (or clusters)."""
    v = np.asarray(values, dtype=np.float64)
    out = {"dice": round(float(v.mean()), 4) if len(v) else None, "n": int(len(v))}
    if len(v) < 2:
        out["ci95"] = [out["dice"], out["dice"]]
        return out
    rng = np.random.default_rng(seed)
    if clusters:
        keys = sorted(set(clusters))
        idx = {k: np.nonzero(np.asarray(clusters) == k)[0] for k in keys}
        means = []
        for _ in range(n):
            pick = rng.integers(0, len(keys), len(keys))
            sel = np.concatenate([idx[keys[i]] for i in pick])
            means.append(v[sel].mean())
        out["clusters"] = len(keys)
    else:
        means = v[rng.integers(0, len(v), (n, len(v)))].mean(1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    out["ci95"] = [round(float(lo), 4), round(float(hi), 4)]
    return out


def prompts_for(p: dict, gt: np.ndarray, rng: random.Random) -> dict[str, str]:
    if p.get("prompts"):
        return {k: (v[0] if isinstance(v, list) else v) for k, v in p["prompts"].items()}
    attrs = attributes(gt)
    cls = CLASS[p["dataset"]]
    return {f"g{lvl}": build_prompt(cls, attrs, lvl, rng, description=DESCRIPTIONS[GROUP[p["dataset"]]][0]) for lvl in range(8)}


def evaluate(bundle: str, split: str = "val", limit: int | None = None, threshold: float = 0.5,
             datasets: tuple[str, ...] | None = None) -> dict:
    r = Runner(bundle)
    rng = random.Random(0)
    rows: dict[str, dict[str, list]] = {}  # dataset -> key -> [(value, cluster)]
    counts: dict[str, int] = {}

    def add(ds: str, key: str, value: float, cluster: str) -> None:
        rows.setdefault(ds, {}).setdefault(key, []).append((value, cluster))

    for p in _pairs(DATA_ROOT):
        ds = p["dataset"]
        if p["split"] != split or (datasets and ds not in datasets):
            continue
        if limit and counts.get(ds, 0) >= limit:
            continue
        counts[ds] = counts.get(ds, 0) + 1
        img, masks, ignore = read_pair(p)
        valid = ~ignore if ignore.any() else None
        feats = r.encode(img)
        hw = (img.height, img.width)
        pred = lambda prompt: r.prob(feats, prompt, hw) > threshold  # noqa: E731
        cluster = p.get("patient") or p["name"]
        add(ds, f"absent '{ABSENT[ds]}' foreground fraction", float(pred(ABSENT[ds]).mean()), cluster)
        if ds == "acdc":
            empty = pred("")
            union = masks["left ventricle"] | masks["right ventricle"] | masks["myocardium"]
            if union.any():
                add(ds, "empty prompt vs whole heart", dice(empty, union), cluster)
            for s in HEART:
                pr = pred(s)
                if masks[s].any():
                    add(ds, s, dice(pr, masks[s]), cluster)
                    add(ds, f"{s} (empty prompt)", dice(empty, masks[s]), cluster)
                    add(ds, f"{s} words matter (class - empty)", dice(pr, masks[s]) - dice(empty, masks[s]), cluster)
                else:
                    add(ds, f"{s} absent: foreground fraction", float(pr.mean()), cluster)
                others = [dice(pr, masks[o]) for o in HEART if o != s and masks[o].any()]
                if others:
                    add(ds, f"{s} to other structures (max)", max(others), cluster)
            continue
        gt = masks.get("target", masks.get("lungs"))
        if ds == "busi" and not gt.any():
            add(ds, "normal: class prompt empty-agreement", dice(pred(CLASS[ds]), gt), cluster)
            continue
        cls = dice(pred(CLASS[ds]), gt, valid)
        emp = dice(pred(""), gt, valid)
        add(ds, "class", cls, cluster)
        add(ds, "empty prompt", emp, cluster)
        add(ds, "words matter (class - empty)", cls - emp, cluster)
        for kind, prompt in prompts_for(p, gt, rng).items():
            add(ds, f"prompt {kind}", dice(pred(prompt), gt, valid), cluster)
        if ds == "cxr":
            L, R = pred("left lung"), pred("right lung")
            add(ds, "left lung", dice(L, masks["left lung"], valid), cluster)
            add(ds, "right lung", dice(R, masks["right lung"], valid), cluster)
            add(ds, "left lung to the right lung", dice(L, masks["right lung"], valid), cluster)
            add(ds, "right lung to the left lung", dice(R, masks["left lung"], valid), cluster)
    metrics = {ds: {k: bootstrap([x for x, _ in v], [c for _, c in v] if ds == "acdc" else None) for k, v in sorted(keys.items())}
               for ds, keys in sorted(rows.items())}
    heart = [x for s in HEART for x in rows.get("acdc", {}).get(f"{s} words matter (class - empty)", [])]
    summary = {
        "dice_class_prompt": {ds: m["class"]["dice"] for ds, m in metrics.items() if "class" in m},
        "acdc": {s: metrics.get("acdc", {}).get(s, {}).get("dice") for s in HEART},
        "acdc_words_matter_mean": bootstrap([x for x, _ in heart], [c for _, c in heart]) if heart else None,
        "laterality": {k: metrics["cxr"][k]["dice"] for k in ("left lung", "right lung", "left lung to the right lung",
                                                             "right lung to the left lung")} if "cxr" in metrics else {},
        "dice_per_prompt_type": {"busi": {"normal-class": metrics["busi"]["normal: class prompt empty-agreement"]["dice"]}}
        if "normal: class prompt empty-agreement" in metrics.get("busi", {}) else {},
    }
    return {"bundle": bundle, "split": split, "threshold": threshold, "images": counts, **summary, "metrics": metrics}


def test_metrics(ev: dict) -> dict:
    """modelCard.testMetrics: dataset -> structure -> {dice, ci95, n} for the headline figures."""
    keep = {"class", "empty prompt", "words matter (class - empty)", "left lung", "right lung", "left lung to the right lung",
            "right lung to the left lung", "normal: class prompt empty-agreement", *HEART,
            *(f"{s} to other structures (max)" for s in HEART), *(f"{s} (empty prompt)" for s in HEART)}
    return {ds: {k: {kk: v[kk] for kk in ("dice", "ci95", "n")} for k, v in m.items() if k in keep and v["dice"] is not None}
            for ds, m in ev["metrics"].items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", default="compact-vlsm")
    ap.add_argument("--split", default="val", choices=("val", "test"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--threshold", type=float, default=0.5)
    a = ap.parse_args()
    res = evaluate(a.bundle, a.split, a.limit, a.threshold)
    out = a.out or f"build/eval-{a.split}.json"
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    json.dump(res, open(out, "w"), indent=1)
    print(json.dumps({k: v for k, v in res.items() if k != "metrics"}, indent=1))


if __name__ == "__main__":
    main()
