"""Load the pooled training data from ../shared/data into a resized in-memory cache with fixed splits.

Each record: image uint8 [S,S,3], target uint8 [S,S] (0/1), ignore uint8 [S,S] (1 = excluded from the loss),
dataset, split, name, and extra fields (published prompts, lung halves). Splits are fixed before training:
Kvasir uses the study's 100 `val` images; every other dataset holds apart 20% chosen by a seeded shuffle.
"""
from __future__ import annotations

import csv
import glob
import json
import os
import random

import numpy as np
from PIL import Image

from .prompts import components

DATA_ROOT = os.environ.get(
    "VLSM_DATA", os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data"))
)
DATASETS = ("kvasir", "busi", "fuseg", "cxr", "ph2")


def _rgb(path: str) -> Image.Image:
    im = Image.open(path)
    if im.mode in ("I;16", "I;16B", "I"):
        arr = np.asarray(im, dtype=np.float32)
        arr = (arr - arr.min()) / max(1.0, arr.max() - arr.min()) * 255
        im = Image.fromarray(arr.astype(np.uint8))
    return im.convert("RGB")


def _mask(path: str) -> np.ndarray:
    im = Image.open(path)
    arr = np.asarray(im.convert("L"), dtype=np.uint8)
    return arr


def split_of(names: list[str], seed: int = 0, frac: float = 0.2) -> dict[str, str]:
    order = sorted(names)
    random.Random(seed).shuffle(order)
    n_test = max(1, int(round(len(order) * frac)))
    return {n: ("test" if i < n_test else "train") for i, n in enumerate(order)}


def _pairs(root: str) -> list[dict]:
    out: list[dict] = []
    # Kvasir-SEG: the study's prompts define the split (800 train, 100 val).
    kv = os.path.join(root, "kvasir-seg")
    for split, fname in (("train", "train.json"), ("test", "val.json")):
        for e in json.load(open(os.path.join(kv, "prompts", fname))):
            out.append({
                "dataset": "kvasir", "split": split, "name": e["img_name"],
                "image": os.path.join(kv, "images", e["img_name"]), "mask": os.path.join(kv, "masks", e["mask_name"]),
                "prompts": e["prompts"],
            })
    busi = os.path.join(root, "busi")
    bp = {e["img_name"]: e["prompts"] for e in json.load(open(os.path.join(busi, "prompts", "prompts.json")))}
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(busi, "images", "*.png")))
    sp = split_of(names)
    for n in names:
        out.append({
            "dataset": "busi", "split": sp[n], "name": n, "image": os.path.join(busi, "images", n),
            "mask": os.path.join(busi, "masks", n[:-4] + "_mask.png"), "prompts": bp.get(n),
            "subtype": n.split(" ")[0],
        })
    fu = os.path.join(root, "fuseg2021")
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(fu, "images", "*.png")))
    sp = split_of(names)
    out += [{"dataset": "fuseg", "split": sp[n], "name": n, "image": os.path.join(fu, "images", n),
             "mask": os.path.join(fu, "masks", n)} for n in names]
    cx = os.path.join(root, "covid-cxr-lungs")
    rows = [r for r in csv.DictReader(open(os.path.join(cx, "pairs.csv")))
            if os.path.exists(os.path.join(cx, "images", r["image"])) and os.path.exists(os.path.join(cx, "masks", r["mask"]))]
    sp = split_of([r["image"] for r in rows])
    out += [{"dataset": "cxr", "split": sp[r["image"]], "name": r["image"], "image": os.path.join(cx, "images", r["image"]),
             "mask": os.path.join(cx, "masks", r["mask"])} for r in rows]
    ph = os.path.join(root, "ph2")
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ph, "images", "*.png")))
    sp = split_of(names)
    out += [{"dataset": "ph2", "split": sp[n], "name": n, "image": os.path.join(ph, "images", n),
             "mask": os.path.join(ph, "masks", n)} for n in names]
    return out


def lung_halves(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split a both-lungs mask into (image-left, image-right) halves at the midline between the two largest
    components. On a PA/AP chest film shown in radiological convention the image-left lung is the
    patient's RIGHT lung and the image-right lung is the patient's LEFT lung."""
    m = mask > 0
    comps = components(m, min_frac=0.005)
    if len(comps) >= 2:
        xa = np.nonzero(comps[0])[1].mean()
        xb = np.nonzero(comps[1])[1].mean()
        mid = (xa + xb) / 2
    else:
        xs = np.nonzero(m)[1]
        mid = (xs.min() + xs.max()) / 2 if xs.size else m.shape[1] / 2
    cols = np.arange(m.shape[1])[None, :]
    return m & (cols < mid), m & (cols >= mid)


def load_record(p: dict, size: int) -> dict:
    img = _rgb(p["image"])
    raw = _mask(p["mask"])
    rec = dict(p)
    rec["orig_size"] = (img.height, img.width)
    if p["dataset"] == "cxr":
        ignore = raw == 127
        fg = raw > 191
        left_img, right_img = lung_halves(fg)
        rec["patient_right"] = np.asarray(Image.fromarray(left_img.astype(np.uint8) * 255).resize((size, size), Image.NEAREST)) > 127
        rec["patient_left"] = np.asarray(Image.fromarray(right_img.astype(np.uint8) * 255).resize((size, size), Image.NEAREST)) > 127
    else:
        ignore = np.zeros_like(raw, dtype=bool)
        fg = raw > 127
    if fg.shape != (img.height, img.width):
        fg = np.asarray(Image.fromarray(fg.astype(np.uint8) * 255).resize((img.width, img.height), Image.NEAREST)) > 127
        ignore = np.asarray(Image.fromarray(ignore.astype(np.uint8) * 255).resize((img.width, img.height), Image.NEAREST)) > 127
    rec["image_arr"] = np.asarray(img.resize((size, size), Image.BILINEAR), dtype=np.uint8)
    rec["target"] = (np.asarray(Image.fromarray(fg.astype(np.uint8) * 255).resize((size, size), Image.BILINEAR)) > 127)
    rec["ignore"] = np.asarray(Image.fromarray(ignore.astype(np.uint8) * 255).resize((size, size), Image.NEAREST)) > 127
    return rec


def load_all(size: int = 192, cache_dir: str | None = None, root: str = DATA_ROOT, limit: int | None = None) -> list[dict]:
    """Load every pair resized to size x size; cached as a pickle in cache_dir (git-ignored) when given."""
    import pickle

    cache = os.path.join(cache_dir, f"data_{size}.pkl") if cache_dir else None
    if cache and os.path.exists(cache) and limit is None:
        with open(cache, "rb") as f:
            return pickle.load(f)
    pairs = _pairs(root)
    if limit is not None:
        by: dict[str, list] = {}
        for p in pairs:
            by.setdefault(p["dataset"], []).append(p)
        pairs = [p for v in by.values() for p in v[:limit]]
    recs = [load_record(p, size) for p in pairs]
    if cache and limit is None:
        os.makedirs(cache_dir, exist_ok=True)
        with open(cache, "wb") as f:
            pickle.dump(recs, f)
    return recs
