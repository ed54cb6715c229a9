"""Train the compact default VLSM from scratch on the pooled real data (+ synthetic scans), CPU-friendly.

python -m vlsm.train --out checkpoints/compact [--epochs 75] [--stage2-epochs 30] [--stage3-epochs 25]
                    [--stage4-epochs 36 --stage4-size 256] [--seed 0]
Checkpoints every epoch (last.pt) and resumes from it, so an interrupted run continues where it stopped.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

from .compact import CompactConfig, CompactVLSM
from .data import load_all
from .sampling import choose, choose_v2, contrast, contrast_v2
from .synth import KINDS, make
from .textenc import Tokenizer

MEAN = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(1, 3, 1, 1)
STD = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(1, 3, 1, 1)
WEIGHTS = {"kvasir": 0.36, "fuseg": 0.15, "busi": 0.14, "cxr": 0.15, "ph2": 0.10, "synth": 0.10}  # synth = own + app demos
CACHE = 224
REWEIGHT_EPOCH = 55


DEMO_DIR = os.path.join(os.path.dirname(__file__), "..", "build", "demos")


def demo_records(n_per_kind: int, seed: int, size: int = CACHE) -> list[dict]:
    """The app's own demo generators (src/demo), exported by `node scripts/export-demos-cli.mjs`."""
    import subprocess

    from PIL import Image

    from .data import lung_halves

    repo = os.path.join(os.path.dirname(__file__), "..", "..")
    if not os.path.isdir(os.path.join(DEMO_DIR, "xray")):
        subprocess.run(["node", "scripts/export-demos-cli.mjs", os.path.abspath(DEMO_DIR), "--count", str(n_per_kind),
                        "--size", str(CACHE), "--seed", str(seed + 1)], cwd=repo, check=True)
    recs = []
    for kind in ("endoscopy", "ultrasound", "xray", "dermoscopy"):
        prompts = json.load(open(os.path.join(DEMO_DIR, kind, "prompts.json")))
        for name, info in sorted(prompts.items())[:n_per_kind]:
            img = np.asarray(Image.open(os.path.join(DEMO_DIR, kind, name)).convert("RGB").resize((size, size), Image.BILINEAR))
            m = np.asarray(Image.open(os.path.join(DEMO_DIR, kind, info["mask"])).convert("L").resize((size, size), Image.NEAREST)) > 127
            r = {"dataset": kind, "split": "train", "name": name, "image_arr": img, "target": m,
                 "ignore": np.zeros_like(m), "prompts": None}
            if kind == "xray":
                img_left, img_right = lung_halves(m)
                r["patient_right"], r["patient_left"] = img_left, img_right
            recs.append(r)
    return recs


def synth_records(n: int, seed: int, size: int = CACHE) -> list[dict]:
    recs = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        s = make(kind, seed * 100000 + i, size)
        r = {"dataset": kind, "split": "train", "name": f"synth-{kind}-{i}", "image_arr": s["image"],
             "target": s["mask"], "ignore": np.zeros_like(s["mask"]), "prompts": None}
        if kind == "xray":
            r["patient_left"], r["patient_right"] = s["patient_left"], s["patient_right"]
        recs.append(r)
    return recs


def to_tensor(recs: list[dict]) -> torch.Tensor:
    """[B, 7, S, S]: rgb (0..1), target, ignore, patient-left lung, patient-right lung."""
    out = []
    for r in recs:
        img = torch.from_numpy(r["image_arr"]).permute(2, 0, 1).float() / 255
        z = np.zeros(r["target"].shape, bool)
        ch = [r["target"], r["ignore"], r.get("patient_left", z), r.get("patient_right", z)]
        m = torch.from_numpy(np.stack(ch).astype(np.float32))
        out.append(torch.cat([img, m]))
    return torch.stack(out)


def augment(x: torch.Tensor, size: int, rng: random.Random, flips: list[bool], train: bool,
            strong: list[bool] | None = None) -> torch.Tensor:
    """strong[i]: wider zoom (0.5-1.0) and any rotation, for small datasets whose objects have no canonical
    orientation (FUSeg photos of feet); the random draws for other samples are unchanged."""
    b = x.shape[0]
    theta = torch.zeros(b, 2, 3)
    for i in range(b):
        st = bool(train and strong and strong[i])
        s = rng.uniform(0.5, 1.0) if st else rng.uniform(0.72, 1.0) if train else 1.0
        a = math.radians(rng.uniform(-180, 180) if st else rng.uniform(-12, 12)) if train else 0.0
        tx, ty = (rng.uniform(-(1 - s), 1 - s), rng.uniform(-(1 - s), 1 - s)) if train else (0.0, 0.0)
        f = -1.0 if flips[i] else 1.0
        theta[i] = torch.tensor([[s * math.cos(a) * f, -s * math.sin(a), tx], [s * math.sin(a) * f, s * math.cos(a), ty]])
    grid = F.affine_grid(theta, (b, x.shape[1], size, size), align_corners=False)
    y = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros" if train else "border", align_corners=False)
    y[:, 3:] = (y[:, 3:] > 0.5).float()
    if train:
        for i in range(b):
            img = y[i, :3]
            if rng.random() < 0.15:
                img = img.mean(0, keepdim=True).expand(3, -1, -1)
            img = img * rng.uniform(0.75, 1.25) + rng.uniform(-0.08, 0.08)
            img = img.clamp(0, 1) ** rng.uniform(0.8, 1.25)
            y[i, :3] = img
    return y


def loss_fn(logits: torch.Tensor, target: torch.Tensor, ignore: torch.Tensor) -> torch.Tensor:
    w = 1.0 - ignore
    bce = (F.binary_cross_entropy_with_logits(logits, target, reduction="none") * w).sum((1, 2, 3)) / w.sum((1, 2, 3)).clamp(min=1)
    p = torch.sigmoid(logits) * w
    inter = (p * target).sum((1, 2, 3))
    dice = 1 - (2 * inter + 1) / (p.sum((1, 2, 3)) + (target * w).sum((1, 2, 3)) + 1)
    return (bce + dice).mean()


def normalise(rgb: torch.Tensor) -> torch.Tensor:
    return (rgb - MEAN) / STD


def make_batch(recs, size, rng, tok, train=True, paired=False, v2=False, strong=()):
    """paired: the batch holds each augmented image twice, with two prompts whose targets differ.
    v2: balanced negatives (same class-word lists and templates for positives and negatives)."""
    pick, other = (choose_v2, contrast_v2) if v2 else (choose, contrast)
    x = to_tensor(recs)
    flips = [train and r["dataset"] not in ("cxr", "xray") and rng.random() < 0.5 for r in recs]
    y = augment(x, size, rng, flips, train, [r["dataset"] in strong for r in recs] if strong else None)
    prompts, targets, kinds, seconds = [], [], [], []
    for i, r in enumerate(recs):
        t = y[i, 3].numpy() > 0.5
        r2 = dict(r, aug_left=y[i, 5].numpy() > 0.5, aug_right=y[i, 6].numpy() > 0.5)
        p, tgt, kind = pick(r2, t, flips[i], rng)
        prompts.append(p)
        targets.append(torch.from_numpy(np.asarray(tgt, np.float32)))
        kinds.append(kind)
        if paired:
            seconds.append(other(r2, t, flips[i], rng, kind))
    if paired:
        y = torch.cat([y, y])
        prompts += [s[0] for s in seconds]
        targets += [torch.from_numpy(np.asarray(s[1], np.float32)) for s in seconds]
        kinds += [s[2] for s in seconds]
    ids, mask = tok.batch(prompts)
    return normalise(y[:, :3]), ids, mask, torch.stack(targets)[:, None], y[:, 4:5], prompts, kinds


def dice_np(a: np.ndarray, b: np.ndarray) -> float:
    s = a.sum() + b.sum()
    return 1.0 if s == 0 else float(2 * (a & b).sum() / s)


@torch.no_grad()
def quick_eval(model, recs, size, tok) -> dict:
    model.eval()
    prompts = {"kvasir": "polyp", "busi": "tumor", "fuseg": "foot ulcer", "ph2": "skin lesion", "cxr": "lungs"}
    res: dict[str, list[float]] = {}
    for r in recs:
        x = to_tensor([r])
        y = augment(x, size, random.Random(0), [False], False)
        img = normalise(y[:, :3])
        asks = [(r["dataset"], prompts[r["dataset"]], y[0, 3].numpy() > 0.5)]
        if r["dataset"] == "cxr":
            asks += [("cxr-left", "left lung", y[0, 5].numpy() > 0.5), ("cxr-right", "right lung", y[0, 6].numpy() > 0.5),
                     ("cxr-left-vs-right", "left lung", y[0, 6].numpy() > 0.5), ("cxr-neg-polyp", "polyp", None)]
        for key, p, tgt in asks:
            ids, m = tok.batch([p])
            pred = torch.sigmoid(model(img, ids, m))[0, 0].numpy() > 0.5
            if tgt is None:
                res.setdefault(key, []).append(float(pred.mean()))
            elif not (r["dataset"] == "busi" and tgt.sum() == 0):
                res.setdefault(key, []).append(dice_np(pred, tgt))
    model.train()
    return {k: round(float(np.mean(v)), 4) for k, v in res.items()}


def cosine_lr(step: int, n: int, warm: int, peak: float) -> float:
    """Linear warm-up over `warm` steps to `peak`, then cosine over the rest of the `n` steps down to 2% of it."""
    if step < warm:
        return peak * (step + 1) / warm
    t = min(1.0, (step - warm) / max(1, n - warm))
    return peak * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * t)))


def weights_for(names: list[str], spec: str) -> list[float]:
    """Sampling weights per dataset name: WEIGHTS with the overrides of `spec` ("fuseg=0.4,kvasir=0.22")."""
    w = dict(WEIGHTS, **{k: float(v) for k, v in (kv.split("=") for kv in spec.split(",") if kv)})
    return [w[n] for n in names]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="checkpoints/compact")
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--samples", type=int, default=1024, help="samples per epoch")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size", type=int, default=192)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None, help="records per dataset (smoke tests)")
    ap.add_argument("--eval-every", type=int, default=5)
    ap.add_argument("--reweight", default="fuseg=0.25,kvasir=0.30",
                    help="dataset sampling weights that replace the defaults from --reweight-from-epoch on")
    ap.add_argument("--reweight-from-epoch", type=int, default=REWEIGHT_EPOCH)
    ap.add_argument("--balanced-from-epoch", type=int, default=41,
                    help="from this epoch on, negatives and positives share class-word lists and templates (v2)")
    ap.add_argument("--pair-from-epoch", type=int, default=35,
                    help="from this epoch on, each image appears twice per batch with contrasting prompts")
    ap.add_argument("--stage2-epochs", type=int, default=30,
                    help="a second, shorter cosine cycle after --epochs (warm restart) with --stage2-weights")
    ap.add_argument("--stage2-lr", type=float, default=1e-3)
    ap.add_argument("--stage2-weights", default="fuseg=0.40,kvasir=0.22,busi=0.12,cxr=0.10,ph2=0.08,synth=0.08",
                    help="dataset sampling weights in stage 2 (FUSeg: 120 small-ulcer images, still rising at the end of stage 1)")
    ap.add_argument("--stage3-epochs", type=int, default=25,
                    help="a third cosine cycle after stage 2, lower peak lr, with strong augmentation for --stage3-strong")
    ap.add_argument("--stage3-lr", type=float, default=5e-4)
    ap.add_argument("--stage3-weights", default="fuseg=0.40,kvasir=0.26,busi=0.10,cxr=0.08,ph2=0.08,synth=0.08")
    ap.add_argument("--stage3-strong", default="fuseg", help="datasets (comma-separated) given strong augmentation in stage 3")
    ap.add_argument("--stage4-epochs", type=int, default=36,
                    help="a fourth cosine cycle after stage 3 at a higher input resolution (--stage4-size), fine-tuning "
                         "the same weights (the network is fully convolutional); the exported bundle takes that size")
    ap.add_argument("--stage4-size", type=int, default=256)
    ap.add_argument("--stage4-cache", type=int, default=320, help="resolution of the data cache the stage-4 crops are taken from")
    ap.add_argument("--stage4-lr", type=float, default=5e-4)
    ap.add_argument("--stage4-weights", default="fuseg=0.40,kvasir=0.26,busi=0.10,cxr=0.08,ph2=0.08,synth=0.08")
    ap.add_argument("--stage4-strong", default="fuseg")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    def data_at(cache: int) -> tuple[dict[str, list[dict]], list[dict]]:
        """Training records grouped by dataset (own synthetic scans and app demos pooled as "synth"), and the
        held-apart records, all resized to cache x cache."""
        recs = load_all(cache, cache_dir=None if a.limit else "build/cache", limit=a.limit)
        train = [r for r in recs if r["split"] == "train"]
        train += synth_records(30 if a.limit else 150, a.seed, cache)
        if not a.limit:
            train += demo_records(100, a.seed, cache)
        by: dict[str, list[dict]] = {}
        for r in train:
            by.setdefault("synth" if r["dataset"] in KINDS + ("dermoscopy",) else r["dataset"], []).append(r)
        return by, [r for r in recs if r["split"] == "test"]

    cfg = CompactConfig(image_size=a.size, channels=(32, 64, 128, 192, 256), decoder_channels=(160, 128, 96, 48, 32))
    model = CompactVLSM(cfg)
    tok = Tokenizer()
    steps_per_epoch = a.samples // a.batch
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    total = a.epochs * steps_per_epoch

    def lr_at(step: int) -> float:
        """Linear warm-up over 3% of the steps, then cosine to 2% of the peak; a pure function of the step and
        --epochs, so a resumed run may be given a different --epochs and the schedule follows."""
        return cosine_lr(step, total, max(1, int(0.03 * total)), a.lr)

    def restart_lr(step: int, epochs: int, peak: float) -> float:
        """A warm-restart cycle (step counted from its start): one epoch of linear warm-up to `peak`, then cosine to 2%."""
        n = epochs * steps_per_epoch
        return cosine_lr(step, n, min(steps_per_epoch, max(1, n // 10)), peak)
    start, log = 0, []
    ck = os.path.join(a.out, "last.pt")
    if os.path.exists(ck):
        st = torch.load(ck, weights_only=False)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        start, log = st["epoch"], st["log"]
        print(f"resumed at epoch {start}", flush=True)
    e2, e3 = a.epochs, a.epochs + a.stage2_epochs
    e4 = e3 + a.stage3_epochs
    end = e4 + a.stage4_epochs
    data: dict[int, tuple] = {}
    for epoch in range(start, end):
        rng = random.Random(a.seed * 1000 + epoch)
        stage = 4 if epoch >= e4 else 3 if epoch >= e3 else 2 if epoch >= e2 else 1
        size, cache = (a.stage4_size, a.stage4_cache) if stage == 4 else (a.size, CACHE)
        if cache not in data:
            data[cache] = data_at(cache)
        by, test = data[cache]
        names = sorted(by)
        # FUSeg ulcers are tiny: with default weights the model settled on "ulcer words = empty" (epoch 50).
        spec = {4: a.stage4_weights, 3: a.stage3_weights, 2: a.stage2_weights}.get(stage, a.reweight if epoch >= a.reweight_from_epoch else "")
        ew = weights_for(names, spec)
        strong_spec = {4: a.stage4_strong, 3: a.stage3_strong}.get(stage, "")
        strong = tuple(strong_spec.split(",")) if strong_spec else ()
        cfg.image_size = model.decoder.image_size = size  # the decoder's output size; saved in the checkpoint config
        cycle = {2: (e2, a.stage2_epochs, a.stage2_lr), 3: (e3, a.stage3_epochs, a.stage3_lr), 4: (e4, a.stage4_epochs, a.stage4_lr)}
        t0, losses = time.time(), []
        for it in range(steps_per_epoch):
            for g in opt.param_groups:
                if stage == 1:
                    g["lr"] = lr_at(epoch * steps_per_epoch + it)
                else:
                    first, epochs, peak = cycle[stage]
                    g["lr"] = restart_lr((epoch - first) * steps_per_epoch + it, epochs, peak)
            paired = epoch >= a.pair_from_epoch
            n = a.batch // 2 if paired else a.batch
            batch = [rng.choice(by[rng.choices(names, ew)[0]]) for _ in range(n)]
            img, ids, m, tgt, ign, _, _ = make_batch(batch, size, rng, tok, paired=paired, v2=epoch >= a.balanced_from_epoch,
                                                     strong=strong)
            loss = loss_fn(model(img, ids, m), tgt, ign)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            losses.append(loss.item())
            if (it + 1) % 16 == 0:
                print(f"  epoch {epoch + 1} step {it + 1}/{steps_per_epoch} loss {np.mean(losses[-16:]):.4f} "
                      f"{(time.time() - t0) / (it + 1):.2f}s/step", flush=True)
        entry = {"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 4), "seconds": round(time.time() - t0, 1)}
        if (epoch + 1) % a.eval_every == 0 or epoch + 1 in (e2, e3, e4, end):
            entry["eval"] = quick_eval(model, test, size, tok)
        log.append(entry)
        print(json.dumps(entry), flush=True)
        st = {"model": model.state_dict(), "opt": opt.state_dict(), "epoch": epoch + 1,
              "log": log, "config": cfg.to_dict(), "args": vars(a)}
        torch.save(st, ck + ".tmp")
        os.replace(ck + ".tmp", ck)
    torch.save({"model": model.state_dict(), "config": cfg.to_dict(), "log": log, "args": vars(a)},
               os.path.join(a.out, "final.pt"))


if __name__ == "__main__":
    main()
