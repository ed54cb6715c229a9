"""Turn a record (image, mask, dataset) into a training example: augment, then pick a prompt and its target.

Prompts follow the medvlsm attribute scheme; attributes (size, number, location, shape) are computed from the
augmented mask so they stay true after flips and crops. Negatives ("polyp" on a chest X-ray) target an empty
mask so the model learns to listen to the class; chest X-rays also teach laterality (patient's left/right).
"""
from __future__ import annotations

import random

import numpy as np

from .prompts import attributes, build_prompt

CLASS_NAMES = {
    "kvasir": ["polyp", "colon polyp", "polyp in the colonoscopy image"],
    "busi": ["tumor", "breast tumor", "tumour", "breast lesion", "mass in the breast ultrasound image"],
    "fuseg": ["foot ulcer", "diabetic foot ulcer", "wound", "ulcer", "foot wound"],
    "ph2": ["skin lesion", "mole", "pigmented skin lesion", "melanocytic lesion", "skin mole"],
    "cxr": ["lungs", "both lungs", "lung fields", "lungs in the chest x-ray"],
    "endoscopy": ["polyp", "colon polyp"],
    "ultrasound": ["tumor", "breast tumor", "lesion in the ultrasound image"],
    "xray": ["lungs", "both lungs"],
    "dermoscopy": ["skin lesion", "mole", "pigmented skin lesion"],
}
# Class words used as negatives on other datasets: specific, never the generic "lesion".
NEGATIVE_NAMES = {
    "polyp": ["polyp", "colon polyp"],
    "tumor": ["breast tumor", "tumor in the breast"],
    "ulcer": ["foot ulcer", "diabetic foot ulcer", "wound"],
    "skin": ["skin lesion", "mole"],
    "lung": ["lungs", "left lung", "right lung", "both lungs"],
}
GROUP = {"kvasir": "polyp", "endoscopy": "polyp", "busi": "tumor", "ultrasound": "tumor", "fuseg": "ulcer",
         "ph2": "skin", "cxr": "lung", "xray": "lung", "dermoscopy": "skin"}
DESCRIPTIONS = {
    "polyp": ["a projecting growth of tissue", "a small lump in the lining of colon"],
    "tumor": ["a dark mass in the breast", "an abnormal growth of breast tissue"],
    "ulcer": ["an open sore on the foot", "a wound on the skin of a diabetic foot"],
    "skin": ["a pigmented spot on the skin", "a dark patch on the skin"],
    "lung": ["the air filled organs of the chest", "the dark regions on both sides of the chest"],
}
LEFT = ["left lung", "the left lung", "patient's left lung", "left lung in the chest x-ray", "left lung field"]
RIGHT = ["right lung", "the right lung", "patient's right lung", "right lung in the chest x-ray", "right lung field"]


def published_prompt(prompts: dict, rng: random.Random) -> tuple[str, str]:
    key = rng.choice(sorted(prompts))
    p = prompts[key]
    if isinstance(p, list):
        p = rng.choice(p)
    return key, p


def choose(rec: dict, target: np.ndarray, flipped: bool, rng: random.Random, p_neg: float = 0.2):
    """Returns (prompt, target mask bool, kind) for an augmented record. kind names the prompt type."""
    ds = rec["dataset"]
    group = GROUP[ds]
    if rng.random() < p_neg:
        other = rng.choice([g for g in NEGATIVE_NAMES if g != group])
        return rng.choice(NEGATIVE_NAMES[other]), np.zeros_like(target), "negative"
    if group == "lung":
        r = rng.random()
        if r < 0.3:
            return rng.choice(LEFT), rec["aug_left"], "left"
        if r < 0.6:
            return rng.choice(RIGHT), rec["aug_right"], "right"
    if rec.get("prompts") and not flipped and rng.random() < 0.5:
        key, p = published_prompt(rec["prompts"], rng)
        return p, target, key
    attrs = attributes(target)
    level = rng.randrange(0, 8)
    colour = None
    if ds == "kvasir" and rec.get("prompts"):
        p3 = rec["prompts"].get("p3")
        p3 = p3[0] if isinstance(p3, list) else p3
        colour = p3.split()[0] if p3 else None
    cls = rng.choice(CLASS_NAMES[ds])
    if ds == "busi" and rec.get("subtype") in ("benign", "malignant") and rng.random() < 0.3:
        cls = f"{rec['subtype']} tumor"
    desc = rng.choice(DESCRIPTIONS[group])
    return build_prompt(cls, attrs, level, rng, colour=colour, description=desc), target, f"g{level}"


def contrast(rec: dict, target: np.ndarray, flipped: bool, rng: random.Random, first_kind: str):
    """A second prompt for the same augmented image whose target differs from the first one's: the other
    lung, a negative for a positive, a positive for a negative. Paired in one batch, the two samples differ
    only by their text, which forces the model to read it."""
    group = GROUP[rec["dataset"]]
    if group == "lung":
        if first_kind == "left":
            return rng.choice(RIGHT), rec["aug_right"], "right"
        if first_kind == "right":
            return rng.choice(LEFT), rec["aug_left"], "left"
        if first_kind == "negative":
            return rng.choice(CLASS_NAMES["cxr"]), target, "g1"
        return (rng.choice(LEFT), rec["aug_left"], "left") if rng.random() < 0.5 else (rng.choice(RIGHT), rec["aug_right"], "right")
    if first_kind == "negative":
        return choose(rec, target, flipped, rng, p_neg=0.0)
    other = rng.choice([g for g in NEGATIVE_NAMES if g != group])
    return rng.choice(NEGATIVE_NAMES[other]), np.zeros_like(target), "negative"


# Balanced negatives (v2). Negatives used to be short class names while positives were mostly long attribute
# prompts, so the model learned "short name = nothing" instead of matching text to image. v2 draws class
# words for positives and negatives from the same per-group lists and builds both with the same templates,
# so only the class word tells them apart.
GROUP_NAMES = {
    "polyp": ["polyp", "colon polyp", "polyp in the colonoscopy image"],
    "tumor": ["tumor", "breast tumor", "tumour", "breast lesion", "tumor in the breast", "mass in the breast ultrasound image"],
    "ulcer": ["foot ulcer", "diabetic foot ulcer", "wound", "ulcer", "foot wound"],
    "skin": ["skin lesion", "mole", "pigmented skin lesion", "melanocytic lesion", "skin mole"],
    "lung": ["lungs", "both lungs", "lung fields", "lungs in the chest x-ray"],
}


def _templated(cls: str, group: str, target: np.ndarray, rng: random.Random) -> tuple[str, str]:
    level = rng.choice([1, 1, 1, 2, 4, 5, 6, 7])
    return build_prompt(cls, attributes(target), level, rng, description=rng.choice(DESCRIPTIONS[group])), f"g{level}"


def negative_v2(rec: dict, target: np.ndarray, rng: random.Random):
    group = GROUP[rec["dataset"]]
    other = rng.choice([g for g in GROUP_NAMES if g != group])
    if other == "lung" and rng.random() < 0.4:
        return rng.choice(LEFT + RIGHT), np.zeros_like(target), "negative"
    p, _ = _templated(rng.choice(GROUP_NAMES[other]), other, target, rng)
    return p, np.zeros_like(target), "negative"


def choose_v2(rec: dict, target: np.ndarray, flipped: bool, rng: random.Random, p_neg: float = 0.25):
    group = GROUP[rec["dataset"]]
    if rng.random() < p_neg:
        return negative_v2(rec, target, rng)
    if group == "lung" and rng.random() < 0.6:
        return (rng.choice(LEFT), rec["aug_left"], "left") if rng.random() < 0.5 else (rng.choice(RIGHT), rec["aug_right"], "right")
    if rec.get("prompts") and not flipped and rng.random() < 0.3:
        key, p = published_prompt(rec["prompts"], rng)
        return p, target, key
    if rng.random() < 0.08:
        return "", target, "g0"
    p, kind = _templated(rng.choice(GROUP_NAMES[group]), group, target, rng)
    return p, target, kind


def contrast_v2(rec: dict, target: np.ndarray, flipped: bool, rng: random.Random, first_kind: str):
    group = GROUP[rec["dataset"]]
    if group == "lung" and first_kind in ("left", "right"):
        return (rng.choice(RIGHT), rec["aug_right"], "right") if first_kind == "left" else (rng.choice(LEFT), rec["aug_left"], "left")
    if first_kind == "negative":
        return choose_v2(rec, target, flipped, rng, p_neg=0.0)
    return negative_v2(rec, target, rng)
