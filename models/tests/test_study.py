"""vlsm.study on real data: the engine's resize in numpy, every input format, several bundles (the shipped
compact model and a CLIPSeg single-graph bundle), resumption, the summary files, and a real two-node Ray
cluster on loopback (started and stopped here) giving the same rows as the in-process run."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.helpers import DATA_DIR, REPO_ROOT
from vlsm import engine_ops, study

COMPACT = REPO_ROOT / "models" / "compact-vlsm"
needs_data = pytest.mark.skipif(not (DATA_DIR / "ph2").is_dir() or not (COMPACT / "manifest.json").exists(),
                                reason="needs ../shared/data and models/compact-vlsm")


def test_resize_u8_is_pillow_bilinear_on_landscape_and_within_one_level_otherwise():
    rng = np.random.default_rng(0)
    for w, h, exact in ((640, 480, True), (1920, 1072, True), (97, 61, True), (300, 500, False)):
        a = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        ours = engine_ops.resize_u8(a, 256, 256)
        pil = np.asarray(Image.fromarray(a).resize((256, 256), Image.BILINEAR))
        d = np.abs(ours.astype(int) - pil).max()
        assert d == 0 if exact else d <= 1, (w, h, d)


def test_resize_float_is_torch_bilinear():
    import torch
    import torch.nn.functional as F

    f = np.random.default_rng(1).standard_normal((64, 48)).astype(np.float32)
    for oh, ow in ((500, 333), (17, 90), (64, 48)):
        ref = F.interpolate(torch.from_numpy(f)[None, None], size=(oh, ow), mode="bilinear", align_corners=False)[0, 0].numpy()
        assert np.abs(engine_ops.resize_float(f, ow, oh) - ref).max() < 1e-5


def test_bootstrap_interval_brackets_the_mean_and_clusters_widen_it():
    v = np.r_[np.full(20, 0.9), np.full(20, 0.5)]
    m, lo, hi = study.boot_ci(v, None)
    assert lo < m < hi and m == pytest.approx(0.7)
    mc, loc, hic = study.boot_ci(v, np.r_[np.zeros(20), np.ones(20)].astype(int))  # two patients
    assert mc == pytest.approx(0.7) and hic - loc > hi - lo


def test_hd95_of_shifted_square():
    a = np.zeros((50, 50), bool)
    a[10:20, 10:20] = True
    assert study.hd95(a, np.roll(a, 3, axis=1)) == pytest.approx(3.0)
    assert np.isnan(study.hd95(a, np.zeros_like(a)))


def _medvlsm_folder(root: Path, n: int) -> Path:
    """A medvlsm-layout folder (anns/test.json, images/, masks/) over real Kvasir pairs and their published prompts."""
    kv = DATA_DIR / "kvasir-seg"
    entries = json.load(open(kv / "prompts" / "val.json"))[:n]
    d = root / "kvasir_polyp"
    for sub in ("anns", "images", "masks"):
        (d / sub).mkdir(parents=True)
    for e in entries:
        os.symlink(kv / "images" / e["img_name"], d / "images" / e["img_name"])
        os.symlink(kv / "masks" / e["mask_name"], d / "masks" / e["mask_name"])
    (d / "anns" / "test.json").write_text(json.dumps(entries))
    return d


@pytest.fixture(scope="module")
def clipseg_bundle(tmp_path_factory):
    from vlsm.clipseg_export import write_bundle
    from vlsm.clipseg_graphs import random_model, tiny_config

    out = tmp_path_factory.mktemp("clipseg") / "single"
    write_bundle(random_model(tiny_config(), seed=0, init_scale=0.5), out, "single", bundle_id="tiny-clipseg-single",
                 precisions=("fp32",))
    return out


@needs_data
def test_study_every_input_two_bundles_resumes(tmp_path, clipseg_bundle):
    md = _medvlsm_folder(tmp_path, 2)
    ph = tmp_path / "ph2"
    (ph / "images").mkdir(parents=True)
    (ph / "masks").mkdir()
    for n in sorted(os.listdir(DATA_DIR / "ph2" / "images"))[:2]:
        os.symlink(DATA_DIR / "ph2" / "images" / n, ph / "images" / n)
        os.symlink(DATA_DIR / "ph2" / "masks" / n, ph / "masks" / n)
    ni = tmp_path / "acdc"
    (ni / "volumes").mkdir(parents=True)
    (ni / "labels").mkdir()
    vol = sorted(os.listdir(DATA_DIR / "acdc-cardiac-mr" / "volumes"))[0]
    os.symlink(DATA_DIR / "acdc-cardiac-mr" / "volumes" / vol, ni / "volumes" / vol)
    os.symlink(DATA_DIR / "acdc-cardiac-mr" / "labels" / vol, ni / "labels" / vol)
    pfile = tmp_path / "prompts.json"
    pfile.write_text(json.dumps({"plain": "{class}", "photo": "a photo of a {class}"}))
    out = tmp_path / "out"
    argv = ["--bundle", str(COMPACT), "--bundle", str(clipseg_bundle), "--out", str(out), "--medvlsm", str(md),
            "--split", "test", "--folder", str(ph), "--class", "skin lesion", "--nifti", str(ni), "--limit", "2",
            "--prompts", f"auto,{pfile}", "--no-ray", "--no-progress"]
    assert study.main(argv) == 0
    info = json.loads((out / "study.json").read_text())
    assert info["items"] == 6 and info["scored_now"] == 6
    import pandas as pd

    rows = pd.read_parquet(out / "rows.parquet")
    assert set(rows["model_id"]) == {"compact-vlsm", "tiny-clipseg-single"}
    kv = rows[(rows.dataset == "kvasir_polyp") & (rows.model_id == "compact-vlsm")]
    assert set(kv["prompt_type"]) == {f"p{i}" for i in range(10)} | {"plain", "photo"}
    assert (kv.loc[kv.prompt_type == "p1", "prompt"] == "polyp").all()
    ph_rows = rows[rows.dataset == "ph2"]
    assert {"g0", "g1", "g6", "plain"} <= set(ph_rows["prompt_type"])
    assert (ph_rows.loc[ph_rows.prompt_type == "plain", "prompt"] == "skin lesion").all()
    ac = rows[rows.dataset == "acdc"]
    assert set(ac["structure"]) == {"right ventricle", "myocardium", "left ventricle"}
    assert rows["dice"].between(0, 1).all() and rows["iou"].between(0, 1).all() and (rows["iou"] <= rows["dice"] + 1e-12).all()
    assert (rows["vision_ms"] > 0).any() and rows["model_hash"].str.len().eq(16).all()
    # the shipped model finds the polyps with the class prompt; the random CLIPSeg does not
    assert kv.loc[kv.prompt_type == "p1", "dice"].mean() > 0.5
    table = pd.read_csv(out / "table.csv")
    assert {"dice", "dice_lo", "dice_hi", "n"} <= set(table.columns) and (table.dice_lo <= table.dice + 1e-9).all()
    md_text = (out / "table.md").read_text()
    assert "### kvasir_polyp" in md_text and "| p0 | p1 |" in md_text
    for ext in ("png", "svg"):
        assert (out / "plots" / f"dice-by-prompt.{ext}").stat().st_size > 1000
        assert (out / "plots" / f"dice-by-prompt-ph2.{ext}").exists()
    assert len(pd.read_csv(out / "rows.csv")) == len(rows)
    # a re-run skips every finished (model, item); a new bundle only runs the new model
    parts = sorted(os.listdir(out / "rows"))
    assert study.main(argv) == 0
    again = json.loads((out / "study.json").read_text())
    assert again["scored_now"] == 0 and again["skipped_done"] == 6 and sorted(os.listdir(out / "rows")) == parts
    assert again["earlier_runs"][0]["scored_now"] == 6
    assert len(pd.read_parquet(out / "rows.parquet")) == len(rows)


@needs_data
def test_bad_inputs_are_sentences(tmp_path):
    with pytest.raises(SystemExit, match="expected .*images and .*masks"):
        study.main(["--bundle", str(COMPACT), "--out", str(tmp_path), "--folder", str(tmp_path), "--class", "x"])
    with pytest.raises(SystemExit, match="neither"):
        study.main(["--bundle", str(COMPACT), "--out", str(tmp_path), "--shared", "ph2", "--prompts", "nonsense"])
    with pytest.raises(SystemExit, match="not a bundle"):
        study.main(["--bundle", str(tmp_path), "--out", str(tmp_path), "--shared", "ph2"])


# ---------------------------------------------------------------- a real two-node Ray cluster on loopback

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pids_of(tag: str) -> list[int]:
    """Processes whose command line names this cluster's own temp dir, and their descendants (Ray's agents
    rename themselves): only the processes this test started."""
    parent, tagged = {}, set()
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                parent[int(d)] = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
                if tag in Path(f"/proc/{d}/cmdline").read_bytes().decode(errors="ignore"):
                    tagged.add(int(d))
            except (OSError, IndexError, ValueError):
                pass
    found, grew = set(tagged), True
    while grew:
        more = {p for p, pp in parent.items() if pp in found and p not in found}
        found |= more
        grew = bool(more)
    return sorted(found - {os.getpid()})


def _stop(tmp: str) -> None:
    pids = _pids_of(tmp)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids + _pids_of(tmp):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        time.sleep(2)
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def ray_cluster():
    ray_bin = str(Path(sys.executable).parent / "ray")
    if not os.path.exists(ray_bin):
        pytest.skip("ray is not installed (models/requirements.txt)")
    # Ray 2.60's `ray start` clusters authenticate with a token: one for this cluster, given to its nodes and
    # to this process (the driver), restored afterwards.
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": uuid.uuid4().hex + uuid.uuid4().hex}
    saved = {k: os.environ.get(k) for k in auth}
    os.environ.update(auth)
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    common = ["--node-ip-address=127.0.0.1", "--num-cpus=1", "--object-store-memory=100000000", "--disable-usage-stats"]
    tmp = ""
    try:
        # `ray start` gives a node 30 s to register (hard-coded in Ray); on a loaded machine that can pass,
        # so a failed start tears down what it started and tries again (3 times at most).
        for attempt in range(3):
            tmp = f"/tmp/rt-{uuid.uuid4().hex[:8]}"  # short: Ray's socket paths must stay under 107 characters
            port = _free_port()
            try:
                subprocess.run([ray_bin, "start", "--head", f"--port={port}", f"--temp-dir={tmp}", "--include-dashboard=false",
                                *common], check=True, env=env, capture_output=True, timeout=240)
                subprocess.run([ray_bin, "start", f"--address=127.0.0.1:{port}", *common], check=True, env=env,
                               capture_output=True, timeout=240)
                break
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
                _stop(tmp)
                if attempt == 2:
                    raise RuntimeError(f"ray start failed 3 times: {(e.stderr or b'')[-1500:].decode(errors='ignore')}") from e
        yield f"127.0.0.1:{port}"
    finally:
        if tmp:
            _stop(tmp)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@needs_data
def test_two_node_ray_cluster_matches_in_process(tmp_path, ray_cluster):
    """The command line against the cluster (a subprocess: the driver's Ray state stays out of pytest), one
    actor per node, and the same rows as the in-process run of the same worker class."""
    ray_out, local_out = tmp_path / "ray", tmp_path / "local"
    args = ["--bundle", str(COMPACT), "--shared", "ph2,busi", "--split", "test", "--limit", "3", "--prompts", "class",
            "--batch-size", "1", "--no-progress"]
    run = subprocess.run([sys.executable, "-m", "vlsm.study", *args, "--workers", "2", "--address", ray_cluster,
                          "--out", str(ray_out)], cwd=REPO_ROOT / "models", capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    info = json.loads((ray_out / "study.json").read_text())
    assert info["cluster"]["nodes"] == 2 and info["cluster"]["cpus"] == 2 and info["scored_now"] == 6
    import pandas as pd

    rows = pd.read_parquet(ray_out / "rows.parquet")
    nodes = {w.rsplit(":", 1)[1] for w in rows["worker"]}
    assert len(nodes) == 2, f"one actor per node expected, rows came from {nodes}"
    assert study.main([*args, "--no-ray", "--out", str(local_out)]) == 0
    local = pd.read_parquet(local_out / "rows.parquet")
    key = ["key", "structure", "prompt_type"]
    a = rows.sort_values(key).reset_index(drop=True)
    b = local.sort_values(key).reset_index(drop=True)
    assert list(a["key"]) == list(b["key"]) and len(a) == 12
    assert np.array_equal(a["pred_area"].to_numpy(), b["pred_area"].to_numpy())
    assert np.allclose(a["dice"], b["dice"], atol=1e-12)
