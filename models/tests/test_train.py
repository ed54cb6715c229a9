"""The training command's staged schedule on a few real records per dataset (../shared/data): every cycle runs,
the last cycle switches the input resolution (and the checkpoint's config follows, so the export takes that
size), and an interrupted run resumes where it stopped."""
import subprocess
import sys

import torch

from vlsm.compact import CompactConfig, CompactVLSM

TINY = ["--limit", "2", "--samples", "8", "--batch", "4", "--size", "48", "--stage4-size", "64", "--stage4-cache", "80",
        "--eval-every", "100", "--threads", "1"]


def train(out, *extra: str) -> str:
    r = subprocess.run([sys.executable, "-W", "ignore", "-m", "vlsm.train", "--out", str(out), *TINY, *extra],
                       capture_output=True, text=True, check=True)
    return r.stdout


def test_four_cycles_switch_resolution_and_resume(tmp_path):
    stages = ["--epochs", "1", "--stage2-epochs", "1", "--stage3-epochs", "1"]
    train(tmp_path, *stages, "--stage4-epochs", "1")
    st = torch.load(tmp_path / "final.pt", weights_only=False)
    assert [e["epoch"] for e in st["log"]] == [1, 2, 3, 4]
    assert st["config"]["image_size"] == 64
    assert all("eval" in e for e in st["log"])  # each cycle's last epoch is evaluated
    out = train(tmp_path, *stages, "--stage4-epochs", "2")  # a longer last cycle: resumes, does not restart
    assert "resumed at epoch 4" in out
    st = torch.load(tmp_path / "final.pt", weights_only=False)
    assert [e["epoch"] for e in st["log"]] == [1, 2, 3, 4, 5]
    model = CompactVLSM(CompactConfig.from_dict(st["config"]))
    model.load_state_dict(st["model"])
    model.eval()
    with torch.no_grad():
        y = model(torch.zeros(1, 3, 64, 64), torch.tensor([[49406, 49407]]), torch.ones(1, 2, dtype=torch.long))
    assert y.shape == (1, 1, 64, 64)
