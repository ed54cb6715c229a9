"""Load the pooled training data from ../shared/data into a resized in-memory cache with fixed splits.

Each record: image uint8 [S,S,3], masks bool [S,S,K] named by mask_names (one "target", the three lung
masks, or the three ACDC structures), ignore bool [S,S] (excluded from the loss), dataset, split, name, and
extra fields (published prompts, BUSI subtype, patient). Splits are the committed files in models/splits/
(vlsm.splits: by patient or content group, train / val / test). `split_of` is the old file-name split, kept
so tests can show that it leaks.
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
DATASETS = ("kvasir", "busi", "fuseg", "cxr", "ph2", "acdc")


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


ACDC_LABELS = {1: "right ventricle", 2: "myocardium", 3: "left ventricle"}


def _pairs(root: str, split_dir: str | None = None) -> list[dict]:
    """Every expert-labelled pair with its committed split (models/splits/<dataset>.json: train/val/test).
    ACDC yields one pair per slice (`slice` index; image and label are volumes)."""
    from .splits import SPLIT_DIR, items, load_splits

    sp = load_splits(split_dir or SPLIT_DIR)
    its = items(root)
    out: list[dict] = []
    kv = os.path.join(root, "kvasir-seg")
    kvp = {}
    for fname in ("train.json", "val.json"):
        for e in json.load(open(os.path.join(kv, "prompts", fname))):
            kvp[e["img_name"]] = e
    for it in its["kvasir"]:
        e = kvp.get(it["name"])
        out.append({"dataset": "kvasir", "split": sp["kvasir"][it["name"]], "name": it["name"], "image": it["path"],
                    "mask": os.path.join(kv, "masks", e["mask_name"] if e else it["name"]), "prompts": e["prompts"] if e else None})
    busi = os.path.join(root, "busi")
    bp = {e["img_name"]: e["prompts"] for e in json.load(open(os.path.join(busi, "prompts", "prompts.json")))}
    for it in its["busi"]:
        n = it["name"]
        out.append({"dataset": "busi", "split": sp["busi"][n], "name": n, "image": it["path"],
                    "mask": os.path.join(busi, "masks", n[:-4] + "_mask.png"), "prompts": bp.get(n), "subtype": n.split(" ")[0]})
    fu = os.path.join(root, "fuseg2021")
    out += [{"dataset": "fuseg", "split": sp["fuseg"][it["name"]], "name": it["name"], "image": it["path"],
             "mask": os.path.join(fu, "masks", it["name"])} for it in its["fuseg"]]
    cx = os.path.join(root, "covid-cxr-lungs")
    masks = {r["image"]: r["mask"] for r in csv.DictReader(open(os.path.join(cx, "pairs.csv")))}
    out += [{"dataset": "cxr", "split": sp["cxr"][it["name"]], "name": it["name"], "image": it["path"],
             "mask": os.path.join(cx, "masks", masks[it["name"]]), "patient": it.get("patient")} for it in its["cxr"]]
    ph = os.path.join(root, "ph2")
    out += [{"dataset": "ph2", "split": sp["ph2"][it["name"]], "name": it["name"], "image": it["path"],
             "mask": os.path.join(ph, "masks", it["name"])} for it in its["ph2"]]
    ac = os.path.join(root, "acdc-cardiac-mr")
    out += [{"dataset": "acdc", "split": sp["acdc"][it["name"]], "name": it["name"], "image": it["path"],
             "mask": os.path.join(ac, "labels", os.path.basename(it["path"])), "slice": it["slice"],
             "patient": it["patient"], "subtype": it.get("stratum")} for it in its["acdc"]]
    return out


def read_pair(p: dict) -> tuple[Image.Image, dict[str, np.ndarray], np.ndarray]:
    """Original-resolution (RGB image, {structure: bool mask}, ignore bool mask) of a pair. Structures:
    "target" (single-target sets), "lungs" / "left lung" / "right lung" (patient's sides; chest X-ray),
    "right ventricle" / "myocardium" / "left ventricle" (ACDC)."""
    if p["dataset"] == "acdc":
        from .nifti import read_nifti

        v = read_nifti(p["image"])[:, :, p["slice"]].T
        lab = read_nifti(p["mask"])[:, :, p["slice"]].T
        g = (np.clip(v, 0, 1) * 255).round().astype(np.uint8)
        img = Image.fromarray(np.repeat(g[..., None], 3, -1))
        return img, {name: lab == k for k, name in ACDC_LABELS.items()}, np.zeros(lab.shape, bool)
    img = _rgb(p["image"])
    raw = _mask(p["mask"])
    if raw.shape != (img.height, img.width):
        raw = np.asarray(Image.fromarray(raw).resize((img.width, img.height), Image.NEAREST))
    if p["dataset"] == "cxr":
        fg = raw > 191
        img_left, img_right = lung_halves(fg)
        # radiological convention: the patient's left lung is on the image right
        return img, {"lungs": fg, "left lung": img_right, "right lung": img_left}, raw == 127
    return img, {"target": raw > 127}, np.zeros(raw.shape, bool)


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


def _small(m: np.ndarray, size: int) -> np.ndarray:
    return np.asarray(Image.fromarray(m.astype(np.uint8) * 255).resize((size, size), Image.BILINEAR)) > 127


def load_record(p: dict, size: int) -> dict:
    """A pair resized (stretched) to size x size: image_arr uint8 [S,S,3], masks bool [S,S,K] with mask_names,
    ignore bool [S,S]."""
    img, masks, ignore = read_pair(p)
    rec = dict(p)
    rec["orig_size"] = (img.height, img.width)
    rec["image_arr"] = np.asarray(img.resize((size, size), Image.BILINEAR), dtype=np.uint8)
    rec["mask_names"] = list(masks)
    rec["masks"] = np.stack([_small(m, size) for m in masks.values()], -1)
    rec["ignore"] = np.asarray(Image.fromarray(ignore.astype(np.uint8) * 255).resize((size, size), Image.NEAREST)) > 127
    return rec


def load_all(size: int = 224, cache_dir: str | None = None, root: str = DATA_ROOT, limit: int | None = None,
             splits: tuple[str, ...] = ("train", "val", "test")) -> list[dict]:
    """Every pair of the given splits resized to size x size; cached as a pickle in cache_dir (git-ignored)
    when given (the cache key includes the committed split files, so a new split never reuses an old cache)."""
    import hashlib
    import pickle

    from .splits import DATASETS, SPLIT_DIR

    h = hashlib.sha1()
    for ds in DATASETS:
        h.update(open(os.path.join(SPLIT_DIR, f"{ds}.json"), "rb").read())
    tag = h.hexdigest()[:10]
    cache = os.path.join(cache_dir, f"data2_{size}_{tag}_{'-'.join(splits)}.pkl") if cache_dir else None
    if cache and os.path.exists(cache) and limit is None:
        with open(cache, "rb") as f:
            return pickle.load(f)
    pairs = [p for p in _pairs(root) if p["split"] in splits]
    if limit is not None:
        by: dict[tuple, list] = {}
        for p in pairs:
            by.setdefault((p["dataset"], p["split"]), []).append(p)
        pairs = [p for v in by.values() for p in v[:limit]]
    recs = [load_record(p, size) for p in pairs]
    if cache and limit is None:
        os.makedirs(cache_dir, exist_ok=True)
        with open(cache + ".tmp", "wb") as f:
            pickle.dump(recs, f)
        os.replace(cache + ".tmp", cache)
    return recs
