"""Scans used in training are never shown as demos: the gallery's seed (src/ui/demo/DemoGallery.tsx DEMO_SEED)
lies outside the seeds of the app demo generators that vlsm.train exports for training, and the exported
gallery scans share no pixels (exact or near, as in test_splits) with the training ones."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vlsm.splits import fingerprint, mad_matrix
from vlsm.train import DEMO_TRAIN_COUNT, DEMO_TRAIN_SEED

REPO = Path(__file__).resolve().parents[2]


def gallery_seed() -> int:
    src = (REPO / "src" / "ui" / "demo" / "DemoGallery.tsx").read_text()
    m = re.search(r"export const DEMO_SEED = (\d+);", src)
    assert m, "DEMO_SEED not found in DemoGallery.tsx"
    return int(m.group(1))


def test_gallery_seed_is_outside_the_training_seeds():
    seed = gallery_seed()
    assert not DEMO_TRAIN_SEED <= seed < DEMO_TRAIN_SEED + DEMO_TRAIN_COUNT


@pytest.mark.skipif(shutil.which("node") is None, reason="node not on PATH")
def test_gallery_scans_share_no_pixels_with_training_demos(tmp_path):
    def export(out: Path, seed: int, count: int) -> list[np.ndarray]:
        subprocess.run(["node", "scripts/export-demos-cli.mjs", str(out), "--count", str(count), "--size", "352", "--seed", str(seed)],
                       cwd=REPO, check=True, capture_output=True)
        return [np.asarray(Image.open(p).convert("RGB")) for p in sorted(out.glob("*/*.png")) if not p.name.endswith("_mask.png")]

    gallery = export(tmp_path / "gallery", gallery_seed(), 1)
    train = export(tmp_path / "train", DEMO_TRAIN_SEED, 3)
    assert len(gallery) == 4 and len(train) == 12
    g = [fingerprint(x) for x in gallery]
    t = [fingerprint(x) for x in train]
    assert not {h for h, _ in g} & {h for h, _ in t}
    d = mad_matrix(np.stack([x for _, x in g]), np.stack([x for _, x in t]))
    assert d.min() >= 1.0, d.min()
    # the check can fail: the same seed exported twice is caught
    again = export(tmp_path / "again", gallery_seed(), 1)
    assert {fingerprint(x)[0] for x in again} == {h for h, _ in g}
