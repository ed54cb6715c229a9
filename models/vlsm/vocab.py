"""The prompt vocabulary the compact model was trained on: every string the sampler can produce.

Exporting keeps only the embedding rows of these tokens (CLIP ids outside it map to one shared row that
carries no meaning), which shrinks the text graph from 6.3 M to well under 1 M parameters."""
from __future__ import annotations

import json
import os
import re

from .data import DATA_ROOT
from .prompts import NUMBER_WORDS
from .sampling import CLASS_NAMES, DESCRIPTIONS, LEFT, NEGATIVE_NAMES, RIGHT

SIZES = ["tiny", "small", "medium", "large"]
SHAPES = ["round", "oval", "irregular", "circle", "triangular"]
LOCATIONS = ["top left", "top", "top right", "left", "center", "right", "bottom left", "bottom", "bottom right"]


def published_prompts(root: str = DATA_ROOT) -> list[str]:
    out: list[str] = []
    files = [os.path.join(root, "kvasir-seg", "prompts", f) for f in ("train.json", "val.json")]
    files.append(os.path.join(root, "busi", "prompts", "prompts.json"))
    for path in files:
        if not os.path.exists(path):
            continue
        for e in json.load(open(path)):
            for p in e["prompts"].values():
                out.extend(p if isinstance(p, list) else [p])
    return out


def training_strings(root: str = DATA_ROOT, arch: str = "film-unet") -> list[str]:
    """Every phrase the sampler of `arch` can put into a prompt (v1 "film-unet": vlsm.sampling; v2 "fpn-film":
    vlsm.tasks adds the cardiac structures, their descriptions and the modality suffixes)."""
    words = []
    for v in list(CLASS_NAMES.values()) + list(NEGATIVE_NAMES.values()) + list(DESCRIPTIONS.values()):
        words.extend(v)
    words += LEFT + RIGHT + SIZES + SHAPES + list(NUMBER_WORDS.values()) + ["many"]
    words += [f"located in {loc} of the image" for loc in LOCATIONS] + ["benign tumor", "malignant tumor", "which is", ","]
    if arch == "fpn-film":
        from .sampling import GROUP_NAMES
        from .tasks import HEART_DESCRIPTIONS, HEART_NAMES, SUFFIXES

        for v in list(GROUP_NAMES.values()) + list(HEART_NAMES.values()) + list(HEART_DESCRIPTIONS.values()) + list(SUFFIXES.values()):
            words.extend(v)
    return sorted(set(words + published_prompts(root)))


def kept_token_ids(tokenizer, root: str = DATA_ROOT, arch: str = "film-unet") -> list[int]:
    ids: set[int] = set()
    for s in training_strings(root, arch):
        ids.update(tokenizer.ids(s))
    return sorted(ids)


WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


def words_of(text: str) -> list[str]:
    """Lowercase words of a prompt as the model card lists them ("x-ray", "patient's" stay one word)."""
    return WORD.findall(text.lower())


def vocabulary_words(root: str = DATA_ROOT, arch: str = "film-unet") -> list[str]:
    """Every lowercase word that occurs in a training prompt of `arch` (modelCard.vocabulary): the UI marks
    other words as unknown to the model before it runs."""
    return sorted({w for s in training_strings(root, arch) for w in words_of(s)})
