"""Split hygiene: the committed splits (models/splits/*.json) are three-way, by patient where one is named,
and disjoint by content across train / val / test over all datasets pooled (exact pixel hash; 32x32 grey
thumbnails closer than 1 grey level mean absolute difference). The same check finds the leaks of the old
file-name split, so it can fail. Thumbnails are cached in models/build/thumbs (first run ~30 s)."""
from __future__ import annotations

import csv
import json
import os

import pytest

from vlsm.data import DATA_ROOT, split_of
from vlsm.splits import DATASETS, SPLIT_DIR, items, leaks, load_splits, make_split

pytestmark = pytest.mark.skipif(not os.path.isdir(DATA_ROOT), reason="../shared/data not present")


@pytest.fixture(scope="module")
def committed():
    return load_splits()


@pytest.fixture(scope="module")
def all_items():
    return items()


def test_every_item_has_one_of_three_splits(committed, all_items):
    for ds in DATASETS:
        names = {it["name"] for it in all_items[ds]}
        assert set(committed[ds]) == names, ds
        counts = {s: sum(v == s for v in committed[ds].values()) for s in ("train", "val", "test")}
        assert set(committed[ds].values()) == {"train", "val", "test"}, ds
        assert counts["test"] >= 5 and counts["val"] >= 5 and counts["train"] > counts["test"], (ds, counts)


def test_patients_never_straddle_splits(committed, all_items):
    for ds in ("acdc", "cxr"):
        by: dict[str, set[str]] = {}
        for it in all_items[ds]:
            if it.get("patient"):
                by.setdefault(it["patient"], set()).add(committed[ds][it["name"]])
        assert by and all(len(s) == 1 for s in by.values()), ds
    acdc_patients = {it["patient"] for it in all_items["acdc"]}
    assert len(acdc_patients) == 20
    # ACDC frames of one patient (ED and ES) are in the same split, and every split has >= 4 patients
    per = {}
    for it in all_items["acdc"]:
        per.setdefault(committed["acdc"][it["name"]], set()).add(it["patient"])
    assert all(len(per[s]) >= 4 for s in ("train", "val", "test"))


def test_splits_are_disjoint_by_content(committed):
    problems = leaks(committed)
    assert problems == [], "\n".join(problems[:20])


def test_the_old_file_name_split_leaks():
    """Today's (pre-issue-11) split: Kvasir by the study's val.json, others a seeded 20 % by file name. The
    content check must catch FUSeg 0339.png == 0303.png and the near-copies in the chest X-rays."""
    old: dict[str, dict[str, str]] = {}
    val = {e["img_name"] for e in json.load(open(os.path.join(DATA_ROOT, "kvasir-seg", "prompts", "val.json")))}
    old["kvasir"] = {n: ("test" if n in val else "train") for n in os.listdir(os.path.join(DATA_ROOT, "kvasir-seg", "images"))}
    for ds, folder in (("busi", "busi"), ("fuseg", "fuseg2021"), ("ph2", "ph2")):
        names = sorted(n for n in os.listdir(os.path.join(DATA_ROOT, folder, "images")) if n.endswith(".png"))
        old[ds] = split_of(names)
    cx = os.path.join(DATA_ROOT, "covid-cxr-lungs")
    rows = [r["image"] for r in csv.DictReader(open(os.path.join(cx, "pairs.csv")))
            if os.path.exists(os.path.join(cx, "images", r["image"])) and os.path.exists(os.path.join(cx, "masks", r["mask"]))]
    old["cxr"] = split_of(rows)
    problems = leaks(old)
    assert any("identical pixels" in p and "0339.png" in p and "0303.png" in p for p in problems), problems
    assert any(p.startswith("near-duplicate") and "cxr/" in p for p in problems), problems


def test_split_files_are_what_the_script_writes(all_items):
    """The committed files are reproducible by `python -m vlsm.splits` (fixed seed)."""
    for ds in DATASETS:
        with open(os.path.join(SPLIT_DIR, f"{ds}.json")) as f:
            assert json.load(f) == make_split(ds, all_items[ds]), ds
