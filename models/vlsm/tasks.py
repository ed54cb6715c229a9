"""What the v2 model is asked during training: several prompts per image, each with its own target.

A training image is one scan or a composite (2-4 scans of different kinds tiled into a 2x2 canvas). Every
labelled structure in it can be asked for by its words (ACDC: right ventricle, myocardium, left ventricle;
chest X-ray: both lungs, left lung, right lung; the single-target sets: their class), so on most images the
words are the only way to pick the target. Negatives name a kind of structure that is absent (target empty);
the empty prompt asks for every labelled structure at once (the baseline of the app's influence score).
Attribute words (size, number, shape, location; medvlsm prompts where they were published) are computed from
the target mask on the final canvas, so they stay true after augmentation and tiling.
"""
from __future__ import annotations

import random

import numpy as np

from .prompts import attributes, build_prompt
from .sampling import DESCRIPTIONS, GROUP_NAMES, LEFT, RIGHT, published_prompt

HEART_NAMES = {
    "left ventricle": ["left ventricle", "left ventricular cavity", "lv cavity", "left ventricle blood pool",
                       "cavity of the left ventricle", "lv"],
    "right ventricle": ["right ventricle", "right ventricular cavity", "rv cavity", "right ventricle blood pool",
                        "cavity of the right ventricle", "rv"],
    "myocardium": ["myocardium", "left ventricular myocardium", "lv myocardium", "heart muscle",
                   "myocardium of the left ventricle", "left ventricular wall"],
}
HEART_DESCRIPTIONS = {
    "left ventricle": ["the bright round blood pool inside the myocardium", "the main pumping chamber of the heart"],
    "right ventricle": ["the crescent shaped chamber beside the left ventricle", "the chamber that pumps blood to the lungs"],
    "myocardium": ["the dark ring of muscle around the left ventricle", "the muscular wall of the left ventricle"],
}
SUFFIXES = {
    "heart": ["in the cardiac mr image", "on the short axis cardiac mri", "in the cine mr slice", "of the heart"],
    "lung": ["in the chest x-ray", "on the chest radiograph"],
    "polyp": ["in the colonoscopy image", "in the endoscopy image"],
    "tumor": ["in the breast ultrasound image", "in the ultrasound image"],
    "ulcer": ["in the foot photograph", "on the foot"],
    "skin": ["in the dermoscopy image", "on the skin"],
}
# structure -> (group, names)
STRUCTURES = {
    "polyp": "polyp", "tumor": "tumor", "ulcer": "ulcer", "skin": "skin", "lungs": "lung",
    "left lung": "lung", "right lung": "lung",
    "left ventricle": "heart", "right ventricle": "heart", "myocardium": "heart",
}
GROUP_OF_DATASET = {"kvasir": "polyp", "endoscopy": "polyp", "busi": "tumor", "ultrasound": "tumor", "fuseg": "ulcer",
                    "ph2": "skin", "dermoscopy": "skin", "cxr": "lung", "xray": "lung", "acdc": "heart"}
# A negative must really be absent: a chest film shows the heart, a cardiac MR slice shows lung.
NEVER_NEGATIVE = {"lung": {"heart"}, "heart": {"lung"}}


def structure_key(dataset: str, mask_name: str) -> str:
    if mask_name == "target":
        return {"polyp": "polyp", "tumor": "tumor", "ulcer": "ulcer", "skin": "skin", "lung": "lungs"}[GROUP_OF_DATASET[dataset]]
    return mask_name


def names_for(structure: str) -> list[str]:
    if structure in HEART_NAMES:
        return HEART_NAMES[structure]
    if structure == "left lung":
        return LEFT
    if structure == "right lung":
        return RIGHT
    return GROUP_NAMES[{"lungs": "lung"}.get(structure, structure)]


def phrase(structure: str, target: np.ndarray, rng: random.Random, subtype: str | None = None) -> tuple[str, str]:
    """A prompt naming `structure`, with attribute words true for `target` (the canvas mask)."""
    group = STRUCTURES[structure]
    name = rng.choice(names_for(structure))
    if structure == "tumor" and subtype in ("benign", "malignant") and rng.random() < 0.3:
        name = f"{subtype} tumor"
    r = rng.random()
    if r < 0.2 and " in " not in name:
        return f"{name} {rng.choice(SUFFIXES[group])}", "suffix"
    level = rng.choice([1, 1, 1, 2, 4, 5, 6, 6, 7])
    desc = rng.choice(HEART_DESCRIPTIONS[structure] if group == "heart" else DESCRIPTIONS[group])
    return build_prompt(name, attributes(target), level, rng, description=desc), f"g{level}"


# What a prompt names, for the trainer's auxiliary text loss (vlsm.train --aux-text): every structure, and
# "empty" for the empty prompt.
STRUCTURE_CLASSES = ["empty", *STRUCTURES]


def choose_tasks(parts: list[dict], k: int, rng: random.Random, p_empty: float = 0.35) -> list[tuple[str, np.ndarray, str, str]]:
    """k (prompt, target bool [S,S], kind, named structure) for one training canvas. parts: one per tile (or one for a plain
    scan): {dataset, structures: {structure: canvas mask}, prompts (published, only for an unflipped plain scan),
    subtype}."""
    shape = next(iter(parts[0]["structures"].values())).shape
    present_groups = {GROUP_OF_DATASET[p["dataset"]] for p in parts}
    positives = [(p, s, m) for p in parts for s, m in p["structures"].items()]
    rng.shuffle(positives)
    out: list[tuple[str, np.ndarray, str, str]] = []
    if rng.random() < p_empty:
        union = np.zeros(shape, bool)
        for _, s, m in positives:
            if s != "lungs":
                union |= m
        for p in parts:  # "lungs" = left | right; single-target sets have only their one mask
            if "lungs" in p["structures"]:
                union |= p["structures"]["lungs"]
        out.append(("", union, "empty", "empty"))
    # at least one negative on most canvases; a single-target scan gets two phrasings of its target
    n_pos = max(1, min(max(len(positives), 2), k - len(out) - (1 if rng.random() < 0.6 else 0)))
    for i in range(n_pos):
        p, s, m = positives[i % len(positives)]
        if p.get("prompts") and rng.random() < 0.35:
            _, text = published_prompt(p["prompts"], rng)
            out.append((text, m, "published", s))
        else:
            text, kind = phrase(s, m, rng, p.get("subtype"))
            out.append((text, m, kind, s))
    absent = sorted({g for g in SUFFIXES} - present_groups - set().union(*(NEVER_NEGATIVE.get(g, set()) for g in present_groups)))
    while len(out) < k:
        g = rng.choice(absent)
        s = rng.choice([x for x, gg in STRUCTURES.items() if gg == g])
        _, _, ref = rng.choice(positives)
        text, _ = phrase(s, ref, rng)
        out.append((text, np.zeros(shape, bool), "negative", s))
    rng.shuffle(out)
    return out[:k]
