"""Same numbers as the browser: 20 real images through vlsm.study (numpy port of the engine's pre/post-processing,
onnxruntime Python) and through the TypeScript engine itself (src/worker/cli.ts --batch: readScan, preprocess,
VlsmEngine.segment on onnxruntime-node), two prompts each; the probabilities at the scan's size must agree
within 1e-4 and the thresholded masks must be identical (Dice 1.0).

PNG images only: PNG decoding is lossless, so both sides start from the same pixels. (JPEG decoders may differ
by a grey level between libjpeg-turbo and the workbench's decoder; that is decoding, not the study.)"""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import numpy as np
import pytest

from tests.helpers import DATA_DIR, REPO_ROOT
from vlsm import study

COMPACT = REPO_ROOT / "models" / "compact-vlsm"
NODE = shutil.which("node")


def _items() -> list[dict]:
    """20 real PNG pairs: 7 BUSI, 7 FUSeg, 6 PH2 (test split first, then val)."""
    its = study.shared_items(["busi", "fuseg", "ph2"], None)
    its.sort(key=lambda i: ({"test": 0, "val": 1, "train": 2}[i["split"]], i["name"]))
    want = {"busi": 7, "fuseg": 7, "ph2": 6}
    out = []
    for it in its:
        if want[it["dataset"]] > 0 and it["image"].lower().endswith(".png"):
            want[it["dataset"]] -= 1
            out.append(it)
    return out


@pytest.mark.skipif(NODE is None or not (REPO_ROOT / "node_modules" / "onnxruntime-node").is_dir()
                    or not (DATA_DIR / "busi").is_dir() or not (COMPACT / "manifest.json").exists(),
                    reason="needs node with node_modules (npm ci), ../shared/data and models/compact-vlsm")
def test_study_masks_equal_the_typescript_engine(tmp_path):
    items = _items()
    assert len(items) == 20
    sets = {"p": {"class": "{class}", "long": "one small round {class}, located in top left of the image"}}
    worker = study.StudyWorker([study.pack_bundle(str(COMPACT))], ["p"], sets, threads=1)
    py: list[list[tuple[str, np.ndarray]]] = []
    spec = {"bundle": str(COMPACT), "threads": 1, "outDir": str(tmp_path / "ts"), "images": []}
    for it in items:
        got = [(row["prompt"], prob, row["threshold"]) for row, prob in worker.segment_item(it, keep_probs=True)]
        assert len(got) == 2
        py.append(got)
        spec["images"].append({"path": it["image"], "prompts": [p for p, _, _ in got]})
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    run = subprocess.run([NODE, "scripts/bench-node.mjs", "--batch", str(tmp_path / "spec.json")], cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=900, env={**os.environ, "NODE_NO_WARNINGS": "1"})
    assert run.returncode == 0, run.stderr[-2000:]
    ts = json.loads(run.stdout)
    worst_dp, worst_dice, report = 0.0, 1.0, []
    for i, (it, got) in enumerate(zip(items, py)):
        meta = ts["images"][i]
        for j, (prompt, prob, thr) in enumerate(got):
            assert prob.shape == (meta["height"], meta["width"])
            ref = np.fromfile(tmp_path / "ts" / f"{i}_{j}.f32", dtype=np.float32).reshape(prob.shape)
            dp = float(np.abs(prob - ref).max())
            a, b = prob >= thr, ref >= ts["threshold"]
            s = a.sum() + b.sum()
            d = 1.0 if s == 0 else float(2 * (a & b).sum() / s)
            worst_dp, worst_dice = max(worst_dp, dp), min(worst_dice, d)
            report.append(f"{it['dataset']}/{it['name']} '{prompt[:30]}': max|dp|={dp:.2e} dice={d:.6f} fg={a.mean():.3f}")
    print("\n".join(report))
    print(f"study vs TypeScript engine, 20 images x 2 prompts: max |dp| = {worst_dp:.3e}, min Dice = {worst_dice}")
    assert worst_dp <= 1e-4
    assert worst_dice == 1.0
