"""The v2 training command on a few real records per dataset and split (../shared/data): both cycles run, the
second switches the input resolution (the checkpoint's config follows, so the export takes that size), val is
scored and picks best.pt at the final size, the per-epoch log and wall time are written, and an interrupted
run resumes where it stopped."""
import json
import subprocess
import sys

import pytest
import torch

from vlsm.compact import CompactConfig, CompactVLSM

TINY = ["--limit", "1", "--samples", "4", "--batch", "2", "--prompts-per-image", "2", "--size", "64", "--cache", "72",
        "--hires-size", "96", "--hires-cache", "112", "--eval-every", "1", "--threads", "1", "--no-demos"]


def train(out, *extra: str) -> str:
    r = subprocess.run([sys.executable, "-W", "ignore", "-m", "vlsm.train", "--out", str(out), *TINY, *extra],
                       capture_output=True, text=True, check=True)
    return r.stdout


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("ckpt")
    train(out, "--epochs", "1", "--hires-epochs", "1")
    return out


def test_release_exports_the_val_pick_scores_test_once_and_the_card_agrees(trained, tmp_path):
    """vlsm.release --no-train on the tiny run: bundle from best.pt, val and test evaluations (1 image per set),
    manifest modelCard.testMetrics == EVAL.json's figures with 95 % intervals and n, MODEL_CARD.md shows them; a
    second release of the same weights reuses the stored test figures instead of scoring the test split again."""
    from vlsm.bundle import load_bundle
    from vlsm.evaluate import test_metrics

    bundle = tmp_path / "bundle"
    cmd = [sys.executable, "-W", "ignore", "-m", "vlsm.release", "--ckpt", str(trained), "--no-train", "--out", str(bundle), "--limit", "1"]
    first = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    m = load_bundle(str(bundle))
    card = m["modelCard"]
    ev = json.loads((bundle / "EVAL.json").read_text())
    assert ev["split"] == "test" and card["testMetrics"] == test_metrics(ev)
    lv = card["testMetrics"]["acdc"]["left ventricle"]
    assert set(lv) == {"dice", "ci95", "n"} and lv["n"] >= 1 and lv["ci95"][0] <= lv["dice"] <= lv["ci95"][1]
    assert "left lung" in card["testMetrics"]["cxr"] and "words matter (class - empty)" in card["testMetrics"]["kvasir"]
    assert m["architecture"] == "compact-fpn-film" and "ventricle" in card["vocabulary"] and card["metrics"]["checkpoint"]["epoch"] == 2
    assert set(card["metrics"]["training"]["phases_seconds"]) == {"epochs at 64 px", "epochs at 96 px", "val evaluations"}
    md = (bundle / "MODEL_CARD.md").read_text()
    assert f"| acdc | left ventricle | {lv['dice']:.3f} [{lv['ci95'][0]:.3f}, {lv['ci95'][1]:.3f}] (n={lv['n']}) |" in md
    assert "vlsm.evaluate --bundle" in first and "--split test" in first
    second = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    assert "--split test" not in second and "not scored again" in second and "not exported again" in second
    assert json.loads((bundle / "EVAL.json").read_text()) == ev


def test_two_cycles_switch_resolution_pick_on_val_and_resume(trained):
    tmp_path = trained
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


def test_second_phase_starts_from_weights_reinitialises_text_and_learns_what_a_prompt_names(trained, tmp_path):
    """Phase 2 of the release (vlsm.release.PHASES): --init-from keeps the image side, --reinit gives the text
    encoder fresh weights, --aux-text adds the TextProbe loss (logged per epoch, its head kept in last.pt only,
    never in the exported weights); --stop-after ends a phase early and a rerun of a finished phase does nothing."""
    from vlsm.tasks import STRUCTURE_CLASSES
    from vlsm.train import TextProbe

    src = torch.load(trained / "final.pt", weights_only=False)
    out = train(tmp_path, "--init-from", str(trained / "final.pt"), "--reinit", "text,prompt-io", "--aux-text", "0.5",
                "--epochs", "1", "--hires-epochs", "1")
    assert "fresh: text,prompt-io" in out
    st = torch.load(tmp_path / "last.pt", weights_only=False)
    assert "probe" in st and not any(k.startswith("probe") for k in st["model"])
    assert all("aux_text" in e and e["aux_text"] > 0 for e in st["log"])
    # re-initialised text: not the source's weights (and trained on from a fresh draw)
    assert not torch.equal(st["model"]["text.tok.weight"], src["model"]["text.tok.weight"])
    # the probe is a cosine classifier over every named structure plus the empty prompt
    probe = TextProbe(src["config"]["embed_dim"])
    probe.load_state_dict(st["probe"])
    assert probe.w.shape[0] == len(STRUCTURE_CLASSES) and "empty" in STRUCTURE_CLASSES and "myocardium" in STRUCTURE_CLASSES
    t, named = torch.randn(3, src["config"]["embed_dim"]), torch.tensor([0, 1, 2])
    assert torch.allclose(probe(t * 1000, named), probe(t, named), atol=1e-4)  # scaling up cannot satisfy it
    # the image side was kept at initialisation: a vision weight moved only by training, not replaced
    k = "vision.enc.stages.0.0.0.weight"
    assert (st["model"][k] - src["model"][k]).abs().max() < 0.05 * src["model"][k].abs().max() + 1e-3
    stopped = tmp_path / "stopped"
    out = train(stopped, "--epochs", "2", "--hires-epochs", "1", "--stop-after", "1")
    assert [e["epoch"] for e in torch.load(stopped / "last.pt", weights_only=False)["log"]] == [1]
    assert not (stopped / "final.pt").exists()
    again = train(stopped, "--epochs", "2", "--hires-epochs", "1", "--stop-after", "1")
    assert "resumed at epoch 1" in again and '"epoch": 2' not in again


def test_loss_terms_against_a_dead_prompt_pull_harder_on_small_targets_and_leave_empty_targets_alone():
    """loss_fn --balance/--mil: a prompt whose logits are all -50 (sigmoid 0) on a 16-pixel target gets a much
    larger pull on its target pixels than with BCE + Dice alone; an empty target's loss is unchanged."""
    from vlsm.train import loss_fn

    target = torch.zeros(2, 1, 32, 32)
    target[0, 0, 4:8, 4:8] = 1
    ignore = torch.zeros_like(target)

    def pull(mil: float, balance: bool) -> tuple[float, float]:
        logits = torch.full((2, 1, 32, 32), -50.0, requires_grad=True)
        loss_fn(logits, target, ignore, mil, balance).backward()
        return -float(logits.grad[0][target[0] > 0].sum()), float(logits.grad[1].abs().sum())

    plain, plain_empty = pull(0.0, False)
    strong, strong_empty = pull(0.5, True)
    assert strong > 20 * plain and strong_empty == plain_empty
    empty = torch.full((1, 1, 8, 8), -3.0)
    z = torch.zeros(1, 1, 8, 8)
    assert torch.allclose(loss_fn(empty, z, z), loss_fn(empty, z, z, 0.5, True))
