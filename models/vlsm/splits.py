"""Honest three-way splits (train / val / test), one committed file per dataset in models/splits/.

python -m vlsm.splits            # rewrites models/splits/<dataset>.json (fixed seed; deterministic)

The unit of a split is the patient where the data names one (ACDC `patient_id`, both frames and every slice
together; chest X-ray `patientid` of pairs.csv), else the image, and in every dataset images whose content is
the same or nearly the same are grouped first (union-find over an exact pixel hash and over small grey
thumbnails: mean absolute difference below GROUP_MAD grey levels), so a duplicate, a near-copy or the next
video frame never straddles two splits. Groups are shuffled with a fixed seed within each stratum (BUSI
subtype, ACDC pathology group) and dealt out to test and val first until their quota is reached.

val is for every choice made while training (epochs, schedule, thresholds, checkpoint); test is scored once,
at release, by vlsm.release. tests/test_splits.py proves the splits disjoint by content.
"""
from __future__ import annotations

import csv
import glob
import hashlib
import json
import os
import random

import numpy as np
from PIL import Image

from .data import DATA_ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
SPLIT_DIR = os.path.join(HERE, "..", "splits")
THUMB_CACHE = os.path.join(HERE, "..", "build", "thumbs")
THUMB = 32
GROUP_MAD = 8.0  # grey levels at 32x32: far looser than the test's near-duplicate bound (1.0), so near neighbours group
SEED = 0
FRACTIONS = {"kvasir": (0.10, 0.10), "busi": (0.15, 0.20), "fuseg": (0.15, 0.20), "cxr": (0.15, 0.20),
             "ph2": (0.15, 0.20), "acdc": (0.20, 0.20)}  # (val, test) share of items (ACDC: of patients)
DATASETS = tuple(FRACTIONS)


def _grey_u8(img: Image.Image) -> Image.Image:
    if img.mode in ("I;16", "I;16B", "I", "F"):
        arr = np.asarray(img, dtype=np.float32)
        arr = (arr - arr.min()) / max(1e-6, float(arr.max() - arr.min())) * 255
        img = Image.fromarray(arr.astype(np.uint8))
    return img.convert("RGB")


def items(root: str = DATA_ROOT) -> dict[str, list[dict]]:
    """Every scorable item per dataset: {name, image (path), group hint (patient), stratum}. ACDC items are
    slices ('patient001_frame01.nii.gz#5'); the file is read by vlsm.data."""
    out: dict[str, list[dict]] = {}
    kv = os.path.join(root, "kvasir-seg", "images")
    out["kvasir"] = [{"name": n, "path": os.path.join(kv, n)} for n in sorted(os.listdir(kv))]
    bu = os.path.join(root, "busi", "images")
    out["busi"] = [{"name": n, "path": os.path.join(bu, n), "stratum": n.split(" ")[0]} for n in sorted(os.listdir(bu))]
    fu = os.path.join(root, "fuseg2021", "images")
    out["fuseg"] = [{"name": n, "path": os.path.join(fu, n)} for n in sorted(os.listdir(fu))]
    ph = os.path.join(root, "ph2", "images")
    out["ph2"] = [{"name": n, "path": os.path.join(ph, n)} for n in sorted(glob.glob1(ph, "*.png"))]
    cx = os.path.join(root, "covid-cxr-lungs")
    rows = [r for r in csv.DictReader(open(os.path.join(cx, "pairs.csv")))
            if os.path.exists(os.path.join(cx, "images", r["image"])) and os.path.exists(os.path.join(cx, "masks", r["mask"]))]
    out["cxr"] = [{"name": r["image"], "path": os.path.join(cx, "images", r["image"]),
                   "patient": ("cxr-patient-" + r["patientid"].strip()) if r["patientid"].strip() else None}
                  for r in sorted(rows, key=lambda r: r["image"])]
    ac = os.path.join(root, "acdc-cardiac-mr")
    acdc = []
    for r in csv.DictReader(open(os.path.join(ac, "manifest.csv"))):
        nz = int(r["shape_xyz"].split("x")[2])
        for k in range(nz):
            acdc.append({"name": f"{os.path.basename(r['file'])}#{k}", "path": os.path.join(ac, r["file"]), "slice": k,
                         "patient": r["patient_id"], "stratum": r["acdc_group"]})
    out["acdc"] = sorted(acdc, key=lambda x: (x["name"].split("#")[0], x["slice"]))
    return out


def load_pixels(item: dict) -> np.ndarray:
    """Decoded pixels (uint8 RGB [H,W,3]) of an item; ACDC slices scaled from [0,1]."""
    if "slice" in item:
        from .nifti import read_nifti

        v = read_nifti(item["path"])[:, :, item["slice"]].T
        g = (np.clip(v, 0, 1) * 255).round().astype(np.uint8)
        return np.repeat(g[..., None], 3, -1)
    return np.asarray(_grey_u8(Image.open(item["path"])), dtype=np.uint8)


def fingerprint(pixels: np.ndarray) -> tuple[str, np.ndarray]:
    """(sha1 of shape + decoded RGB pixels, THUMB x THUMB grey thumbnail as float32 grey levels)."""
    h = hashlib.sha1(str(pixels.shape).encode() + pixels.tobytes()).hexdigest()
    g = Image.fromarray(pixels).convert("L").resize((THUMB, THUMB), Image.BOX)
    return h, np.asarray(g, dtype=np.float32)


def fingerprints(ds: str, its: list[dict]) -> tuple[list[str], np.ndarray]:
    """Fingerprints of a dataset's items, cached in models/build/thumbs (keyed by names, sizes and mtimes)."""
    key = hashlib.sha1(json.dumps([(i["name"], os.path.getsize(i["path"]), int(os.path.getmtime(i["path"])))
                                   for i in its]).encode()).hexdigest()[:16]
    cache = os.path.join(THUMB_CACHE, f"{ds}-{THUMB}-{key}.npz")
    if os.path.exists(cache):
        z = np.load(cache)
        return list(z["hashes"]), z["thumbs"]
    hashes, thumbs = [], []
    vol_cache: dict[str, np.ndarray] = {}
    for it in its:
        if "slice" in it:
            if it["path"] not in vol_cache:
                from .nifti import read_nifti

                vol_cache = {it["path"]: read_nifti(it["path"])}
            g = (np.clip(vol_cache[it["path"]][:, :, it["slice"]].T, 0, 1) * 255).round().astype(np.uint8)
            px = np.repeat(g[..., None], 3, -1)
        else:
            px = load_pixels(it)
        h, t = fingerprint(px)
        hashes.append(h)
        thumbs.append(t)
    os.makedirs(THUMB_CACHE, exist_ok=True)
    np.savez(cache, hashes=np.array(hashes), thumbs=np.stack(thumbs))
    return hashes, np.stack(thumbs)


def mad_matrix(a: np.ndarray, b: np.ndarray, chunk: int = 16) -> np.ndarray:
    """Mean absolute difference (grey levels) between every thumbnail of a [N,T,T] and of b [M,T,T]."""
    a2, b2 = a.reshape(len(a), -1), b.reshape(len(b), -1)
    out = np.empty((len(a), len(b)), np.float32)
    for i in range(0, len(a), chunk):
        out[i:i + chunk] = np.abs(a2[i:i + chunk, None, :] - b2[None]).mean(-1)
    return out


def groups(its: list[dict], hashes: list[str], thumbs: np.ndarray, mad: float = GROUP_MAD) -> list[int]:
    """Union-find: same patient, same pixel hash, or thumbnails closer than `mad` -> one group."""
    parent = list(range(len(its)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    first: dict[str, int] = {}
    for i, it in enumerate(its):
        for key in (("p", it.get("patient")), ("h", hashes[i])):
            if key[1] is None:
                continue
            if key in first:
                union(first[key], i)
            else:
                first[key] = i
    d = mad_matrix(thumbs, thumbs)
    ii, jj = np.nonzero(np.triu(d < mad, 1))
    for i, j in zip(ii.tolist(), jj.tolist()):
        union(i, j)
    roots = [find(i) for i in range(len(its))]
    ids = {r: k for k, r in enumerate(sorted(set(roots)))}
    return [ids[r] for r in roots]


def assign(its: list[dict], gid: list[int], val_frac: float, test_frac: float, seed: int = SEED,
           by_patient: bool = False) -> dict[int, str]:
    """Deal groups to test, then val, then train, per stratum, with a seeded shuffle. Quotas count items
    (patients for by_patient)."""
    strata: dict[str, list[int]] = {}
    size: dict[int, int] = {}
    for it, g in zip(its, gid):
        if g not in size:
            strata.setdefault(it.get("stratum", ""), []).append(g)
            size[g] = 0
        size[g] += 1
    if by_patient:
        size = {g: 1 for g in size}
    out: dict[int, str] = {}
    rng = random.Random(seed)
    if by_patient:  # few patients: shuffle within each stratum, interleave the strata, deal test then val
        order = {k: rng.sample(sorted(v), len(v)) for k, v in sorted(strata.items())}
        dealt = [g for row in zip(*order.values()) for g in row]
        dealt += [g for v in order.values() for g in v if g not in dealt]
        n_test, n_val = round(test_frac * len(dealt)), round(val_frac * len(dealt))
        return {g: "test" if i < n_test else "val" if i < n_test + n_val else "train" for i, g in enumerate(dealt)}
    for stratum in sorted(strata):
        gs = sorted(strata[stratum])
        rng.shuffle(gs)
        total = sum(size[g] for g in gs)
        quota = {"test": test_frac * total, "val": val_frac * total}
        filled = {"test": 0, "val": 0}
        for g in gs:
            for s in ("test", "val"):
                if filled[s] + size[g] / 2 <= quota[s] and filled[s] < quota[s]:
                    out[g] = s
                    filled[s] += size[g]
                    break
            else:
                out[g] = "train"
    return out


def make_split(ds: str, its: list[dict], seed: int = SEED) -> dict:
    hashes, thumbs = fingerprints(ds, its)
    gid = groups(its, hashes, thumbs)
    val_f, test_f = FRACTIONS[ds]
    if ds == "acdc":  # one slot per patient; pathology groups stratified
        split = assign(its, gid, val_f, test_f, seed, by_patient=True)
    else:
        split = assign(its, gid, val_f, test_f, seed)
    entries = {it["name"]: {"split": split[g], "group": int(g)} for it, g in zip(its, gid)}
    counts = {s: sum(e["split"] == s for e in entries.values()) for s in ("train", "val", "test")}
    return {
        "dataset": ds, "seed": seed, "unit": "patient" if ds in ("acdc",) else "patient or content group" if ds == "cxr" else "content group",
        "method": f"vlsm.splits: union-find over {'patient id, ' if ds in ('acdc', 'cxr') else ''}exact pixel hash and "
                  f"{THUMB}x{THUMB} grey thumbnails (mean abs difference < {GROUP_MAD} grey levels); seeded shuffle of "
                  f"groups{' per stratum' if ds in ('busi', 'acdc') else ''}; val {val_f:.0%}, test {test_f:.0%}",
        "counts": counts, "groups": len(set(gid)),
        "items": {k: entries[k]["split"] for k in sorted(entries)},
        "itemGroups": {k: entries[k]["group"] for k in sorted(entries)},
    }


def load_splits(split_dir: str = SPLIT_DIR) -> dict[str, dict[str, str]]:
    """dataset -> {item name -> 'train' | 'val' | 'test'} from the committed files."""
    out = {}
    for ds in DATASETS:
        with open(os.path.join(split_dir, f"{ds}.json")) as f:
            out[ds] = json.load(f)["items"]
    return out


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=SPLIT_DIR)
    ap.add_argument("--seed", type=int, default=SEED)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for ds, its in items().items():
        s = make_split(ds, its, a.seed)
        with open(os.path.join(a.out, f"{ds}.json"), "w") as f:
            json.dump(s, f, indent=1)
            f.write("\n")
        print(ds, s["counts"], f"{s['groups']} groups")


if __name__ == "__main__":
    main()


def leaks(assignment: dict[str, dict[str, str]], near_mad: float = 1.0) -> list[str]:
    """Content shared across splits, over all datasets pooled: the same decoded pixels, or grey thumbnails
    whose mean absolute difference is below `near_mad` grey levels. `assignment`: dataset -> {item -> split}
    (items left out of the assignment are ignored). Returns one line per leaking pair."""
    names, splits, hashes, thumbs = [], [], [], []
    for ds, its in items().items():
        if ds not in assignment:
            continue
        h, t = fingerprints(ds, its)
        for k, it in enumerate(its):
            s = assignment[ds].get(it["name"])
            if s is None:
                continue
            names.append(f"{ds}/{it['name']}")
            splits.append(s)
            hashes.append(h[k])
            thumbs.append(t[k])
    out = []
    seen: dict[str, int] = {}
    for i, h in enumerate(hashes):
        if h in seen and splits[seen[h]] != splits[i]:
            out.append(f"identical pixels: {names[seen[h]]} ({splits[seen[h]]}) == {names[i]} ({splits[i]})")
        seen.setdefault(h, i)
    sp = np.array(splits)
    th = np.stack(thumbs)
    for s in ("train", "val"):
        a = np.nonzero(sp == s)[0]
        b = np.nonzero((sp != s) & (sp != "train"))[0] if s == "val" else np.nonzero(sp != "train")[0]
        if not len(a) or not len(b):
            continue
        d = mad_matrix(th[a], th[b])
        for i, j in zip(*np.nonzero(d < near_mad)):
            out.append(f"near-duplicate (MAD {d[i, j]:.2f}): {names[a[i]]} ({s}) ~ {names[b[j]]} ({splits[b[j]]})")
    return out
