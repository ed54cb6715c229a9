"""Prompt attributes computed from a mask, and the medvlsm-style prompt builder (p0..p9 scheme).

Size by area fraction (> 0.30 large, > 0.08 medium, < 0.001 tiny, else small); number from connected
components; location on a 3x3 grid with the study's phrasing ("located in top left of the image").
The TypeScript side (src/mask) implements the same rules for suggestions.
"""
from __future__ import annotations

import random

import numpy as np

NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def components(mask: np.ndarray, min_frac: float = 0.002) -> list[np.ndarray]:
    """4-connected components (boolean masks) larger than min_frac of the image, largest first."""
    from scipy import ndimage  # scipy ships with the toolchain environment

    lab, n = ndimage.label(mask > 0)
    if n == 0:
        return []
    sizes = ndimage.sum(np.ones_like(lab), lab, index=np.arange(1, n + 1))
    keep = [i + 1 for i in np.argsort(-sizes) if sizes[i] >= max(1.0, min_frac * mask.size)]
    return [lab == k for k in keep]


def size_word(frac: float) -> str:
    if frac > 0.30:
        return "large"
    if frac > 0.08:
        return "medium"
    if frac < 0.001:
        return "tiny"
    return "small"


def location_word(comp: np.ndarray) -> str:
    h, w = comp.shape
    ys, xs = np.nonzero(comp)
    cy, cx = ys.mean() / h, xs.mean() / w
    row = "top" if cy < 1 / 3 else ("bottom" if cy > 2 / 3 else "")
    col = "left" if cx < 1 / 3 else ("right" if cx > 2 / 3 else "")
    word = (row + " " + col).strip()
    return word or "center"


def shape_word(comp: np.ndarray) -> str:
    ys, xs = np.nonzero(comp)
    bh, bw = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
    fill = comp.sum() / float(bh * bw)
    aspect = max(bh, bw) / max(1, min(bh, bw))
    if fill > 0.70 and aspect < 1.4:
        return "round"
    if fill > 0.65:
        return "oval"
    return "irregular"


def attributes(mask: np.ndarray) -> dict:
    comps = components(mask)
    frac = float((mask > 0).mean())
    if not comps:
        return {"number": 0, "size": "tiny" if frac > 0 else "none", "locations": [], "shape": "", "frac": frac}
    locs: list[str] = []
    for c in comps[:3]:
        loc = location_word(c)
        if loc not in locs:
            locs.append(loc)
    return {
        "number": len(comps),
        "size": size_word(frac / len(comps)),
        "locations": locs,
        "shape": shape_word(comps[0]),
        "frac": frac,
    }


def location_phrase(locs: list[str]) -> str:
    return "located in " + ", ".join(locs) + " of the image"


def build_prompt(cls: str, attrs: dict, level: int, rng: random.Random, colour: str | None = None,
                 description: str | None = None) -> str:
    """level: 0 empty, 1 class, 2 +shape, 3 +colour, 4 +size, 5 +number, 6 +location, 7 class+description."""
    if level == 0:
        return ""
    if level == 7 and description:
        return f"{cls} which is {description}"
    words = [cls]
    if level >= 2 and attrs.get("shape"):
        words.insert(0, attrs["shape"])
    if level >= 3 and colour:
        words.insert(0, colour)
    if level >= 4 and attrs.get("size") not in (None, "none"):
        words.insert(0, attrs["size"])
    if level >= 5 and attrs.get("number"):
        words.insert(0, NUMBER_WORDS.get(attrs["number"], "many"))
    text = " ".join(words)
    if level >= 6 and attrs.get("locations"):
        text += ", " + location_phrase(attrs["locations"])
    return text
