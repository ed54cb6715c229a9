"""The v2 training command on a few real records per dataset and split (../shared/data): both cycles run, the
second switches the input resolution (the checkpoint's config follows, so the export takes that size), val is
scored and picks best.pt at the final size, the per-epoch log and wall time are written, and an interrupted
run resumes where it stopped."""
import json
import subprocess
import sys

import torch

from vlsm.compact import CompactConfig, CompactVLSM

TINY = ["--limit", "1", "--samples", "4", "--batch", "2", "--prompts-per-image", "2", "--size", "64", "--cache", "72",
        "--hires-size", "96", "--hires-cache", "112", "--eval-every", "1", "--threads", "1", "--no-demos"]


def train(out, *extra: str) -> str:
    r = subprocess.run([sys.executable, "-W", "ignore", "-m", "vlsm.train", "--out", str(out), *TINY, *extra],
                       capture_output=True, text=True, check=True)
    return r.stdout


def test_two_cycles_switch_resolution_pick_on_val_and_resume(tmp_path):
    train(tmp_path, "--epochs", "1", "--hires-epochs", "1")
    st = torch.load(tmp_path / "final.pt", weights_only=False)
    assert [e["epoch"] for e in st["log"]] == [1, 2] and [e["size"] for e in st["log"]] == [64, 96]
    assert st["config"]["image_size"] == 96 and st["config"]["arch"] == "fpn-film"
    assert all("val" in e and "acdc/left ventricle" in e["val"] and "cxr/left lung" in e["val"] for e in st["log"])
    best = torch.load(tmp_path / "best.pt", weights_only=False)
    assert best["epoch"] == 2 and best["config"]["image_size"] == 96  # picked among final-size epochs only
    lines = [json.loads(x) for x in (tmp_path / "train_log.jsonl").read_text().splitlines()]
    assert [x["epoch"] for x in lines] == [1, 2] and all(x["seconds"] > 0 for x in lines)
    assert (tmp_path / "wall.jsonl").read_text().count("\n") == 2
    out = train(tmp_path, "--epochs", "1", "--hires-epochs", "2")  # a longer last cycle: resumes, does not restart
    assert "resumed at epoch 2" in out
    st = torch.load(tmp_path / "final.pt", weights_only=False)
    assert [e["epoch"] for e in st["log"]] == [1, 2, 3]
    model = CompactVLSM(CompactConfig.from_dict(st["config"]))
    model.load_state_dict(st["model"])
    model.eval()
    with torch.no_grad():
        y = model(torch.zeros(1, 3, 96, 96), torch.tensor([[49406, 49407]]), torch.ones(1, 2, dtype=torch.long))
    assert y.shape == (1, 1, 96, 96)
