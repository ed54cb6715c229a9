"""Image-only baseline (issue 17, item 3): a small U-Net with one sigmoid output channel per structure the default
model knows, trained on the same data and the same committed splits (models/splits/), no text at all.

python -m vlsm.unet train --out /work/ckpt-unet/run [--epochs 40] [--threads 1]
python -m vlsm.unet export --ckpt /work/ckpt-unet/run/best.pt --out unet-baseline
python -m vlsm.unet train --arch deeplabv3plus --out /work/ckpt-deeplab/run [--init-from compact-vlsm-v2]
python -m vlsm.unet export --ckpt /work/ckpt-deeplab/run/best.pt --out deeplabv3plus-baseline --id deeplabv3plus-baseline

- Architectures (--arch): "unet" (this file) and "deeplabv3plus" (vlsm.deeplab: the compact VLSM's image encoder,
  initialised from the compact-vlsm-v2 bundle, + ASPP + the stride-4 decoder). Everything below serves both:
  the channel head, channel_words/pick_channel, make_batch, loss_fn, val_eval, the training loop and the export.

- Data: vlsm.data.load_all (train split to learn, val split to pick the epoch; test is never read here), plus the
  same synthetic scans and exported app demos as vlsm.train; canvases, augmentations and the balanced sampling
  are vlsm.train's (canvas, photometric, degrade, WEIGHTS), so the two models see the same kind of images.
  Chest X-rays and ACDC slices are never mirrored (their channels name sides), as in the v2 phase 4 run.
- Targets: every canvas gives all CHANNELS at once (a structure absent from the canvas is an empty target).
  Loss: BCE over all channels + soft Dice over the (image, channel) pairs whose target is not empty.
- Resumable like vlsm.train: last.pt every epoch, train_log.jsonl, wall.jsonl; best.pt = best val score
  (vlsm.train.val_score over the same keys as the VLSM's validation).
- Export: one ONNX graph "vision" (pixel_values [1,3,S,S] -> logits [1,C,S,S]); the bundle has kind "image-only",
  no text graph and no tokenizer; manifest.classes lists the channels with the words that pick each one.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .tasks import HEART_NAMES, names_for, structure_key

# One output channel per structure; the names are the default model's class names (vlsm.card, vlsm.evaluate).
CHANNELS = ["polyp", "breast tumor", "foot ulcer", "skin lesion", "lungs", "left lung", "right lung",
            "right ventricle", "myocardium", "left ventricle"]
STRUCTURE_CHANNEL = {"polyp": "polyp", "tumor": "breast tumor", "ulcer": "foot ulcer", "skin": "skin lesion",
                     "lungs": "lungs", "left lung": "left lung", "right lung": "right lung",
                     "right ventricle": "right ventricle", "myocardium": "myocardium", "left ventricle": "left ventricle"}


def channel_words() -> dict[str, list[str]]:
    """channel -> the words that pick it (its name and the training vocabulary's names for it, vlsm.tasks, with their
    plurals)."""
    out: dict[str, list[str]] = {}
    for s, c in STRUCTURE_CHANNEL.items():
        words = {c, *names_for(s)}
        if s in HEART_NAMES:
            words |= set(HEART_NAMES[s])
        # names_for's phrases with a setting ("lungs in the chest x-ray") are covered by their head words
        words = {w.lower() for w in words if " in the " not in w and not w.startswith("the ")}
        words |= {w + "s" for w in words if not w.endswith(("s", "y", "um"))}  # plurals ("two small tumors")
        if c == "lungs":
            words.add("lung")
        out[c] = sorted(words, key=lambda w: (-len(w), w))
    return out


def pick_channel(prompt: str, words: dict[str, list[str]]) -> int | None:
    """Index of the channel a prompt names: the longest of every channel's words found in it as whole words
    (so 'left lung' beats 'lung', 'left ventricular myocardium' beats 'left ventricle'); ties go to the earliest
    in the prompt. None when it names none (the caller decides: the empty prompt means every structure)."""
    text = " " + re.sub(r"[^a-z0-9']+", " ", prompt.lower()) + " "
    best: tuple[int, int, int] | None = None  # (-len, position, channel)
    for i, (_, ws) in enumerate(words.items()):
        for w in ws:
            pos = text.find(" " + w + " ")
            if pos >= 0:
                cand = (-len(w), pos, i)
                if best is None or cand < best:
                    best = cand
    return None if best is None else best[2]


class Block(nn.Sequential):
    def __init__(self, cin: int, cout: int):
        super().__init__(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    """Plain U-Net (Ronneberger 2015) at reduced width: 5 levels, max-pool down, bilinear up + concat."""

    arch = "unet"

    def __init__(self, n_out: int = len(CHANNELS), widths: tuple[int, ...] = (16, 32, 64, 128, 192)):
        super().__init__()
        self.widths = widths
        self.down = nn.ModuleList()
        cin = 3
        for w in widths:
            self.down.append(Block(cin, w))
            cin = w
        self.up = nn.ModuleList(Block(widths[i + 1] + widths[i], widths[i]) for i in reversed(range(len(widths) - 1)))
        self.head = nn.Conv2d(widths[0], n_out, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, blk in enumerate(self.down):
            x = blk(x if i == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        x = skips.pop()
        for blk in self.up:
            s = skips.pop()
            x = F.interpolate(x, size=s.shape[-2:], mode="bilinear", align_corners=False)
            x = blk(torch.cat([x, s], 1))
        return self.head(x)

    def config(self) -> dict:
        return {"arch": self.arch, "widths": list(self.widths)}

    def describe(self) -> str:
        return f"a plain U-Net ({len(self.widths)} levels, {self.widths[0]}-{self.widths[-1]} channels)"


def build_model(cfg: dict) -> nn.Module:
    """The image-only model a checkpoint's config names (configs written before --arch are U-Nets)."""
    arch = cfg.get("arch", "unet")
    if arch == "unet":
        return UNet(len(CHANNELS), tuple(cfg["widths"]))
    if arch == "deeplabv3plus":
        from .deeplab import DeepLabV3Plus

        return DeepLabV3Plus(len(CHANNELS), tuple(cfg["backbone_channels"]), tuple(cfg["rates"]), cfg["aspp"], cfg["low"],
                             cfg["decoder"], cfg.get("frozen_backbone_bn", False))
    raise ValueError(f"unknown image-only architecture {arch!r} (unet, deeplabv3plus)")


def targets_of(parts: list[dict], size: int) -> torch.Tensor:
    """[C, S, S] channel targets of one canvas from vlsm.train.canvas's parts."""
    t = torch.zeros(len(CHANNELS), size, size)
    for p in parts:
        for s, m in p["structures"].items():
            t[CHANNELS.index(STRUCTURE_CHANNEL[s])] += torch.from_numpy(np.asarray(m, np.float32))
    return t.clamp(max=1)


def loss_fn(logits: torch.Tensor, target: torch.Tensor, ignore: torch.Tensor) -> torch.Tensor:
    """BCE over every channel (ignore pixels left out) + soft Dice over the non-empty (image, channel) pairs."""
    w = (1.0 - ignore)[:, None]
    bce = (F.binary_cross_entropy_with_logits(logits, target, reduction="none") * w).sum() / (w.sum() * logits.shape[1]).clamp(min=1)
    p = torch.sigmoid(logits) * w
    t = target * w
    inter = (p * t).sum((2, 3))
    den = p.sum((2, 3)) + t.sum((2, 3))
    present = t.sum((2, 3)) > 0
    dice = 1 - (2 * inter + 1) / (den + 1)
    return bce + (dice[present].mean() if present.any() else 0.0 * dice.sum())


def make_batch(by: dict[str, list[dict]], names: list[str], weights: list[float], n: int, size: int, rng: random.Random,
               p_composite: float, strong: tuple, no_flip: tuple):
    from .train import canvas, canvas_records, normalise

    imgs, tgts, igns = [], [], []
    for _ in range(n):
        img, ign, parts = canvas(canvas_records(by, names, weights, rng, p_composite), size, rng, True, strong, no_flip)
        imgs.append(img)
        tgts.append(targets_of(parts, size))
        igns.append(ign)
    return normalise(torch.stack(imgs)), torch.stack(tgts), torch.stack(igns)


@torch.no_grad()
def val_eval(model: nn.Module, recs: list[dict], size: int) -> dict:
    """The VLSM's validation figures (vlsm.train.val_eval keys) with each prompt answered by its channel."""
    from .train import _tensor, dice_np, normalise, val_score, warp

    model.eval()
    acc: dict[str, list[float]] = {}
    cls = {"kvasir": "polyp", "busi": "breast tumor", "fuseg": "foot ulcer", "ph2": "skin lesion", "cxr": "lungs"}
    for r in recs:
        y = warp(_tensor(r), size, random.Random(0), False, False)
        out = model(normalise(y[None, :3]))[0] > 0
        pred = {c: out[i].numpy() for i, c in enumerate(CHANNELS)}
        ms = {structure_key(r["dataset"], n): y[4 + i].numpy() > 0.5 for i, n in enumerate(r["mask_names"])}
        ds = r["dataset"]
        if ds == "acdc":
            for s in ("left ventricle", "right ventricle", "myocardium"):
                if ms[s].any():
                    acc.setdefault(f"acdc/{s}", []).append(dice_np(pred[s], ms[s]))
                for o in ms:
                    if o != s and ms[o].any():
                        acc.setdefault(f"acdc/{s} to other", []).append(dice_np(pred[s], ms[o]))
            continue
        t = ms.get(structure_key(ds, "target")) if ds != "cxr" else ms["lungs"]
        if ds == "busi" and not t.any():
            acc.setdefault("busi/normal empty-agreement", []).append(dice_np(pred[cls[ds]], t))
            continue
        acc.setdefault(ds, []).append(dice_np(pred[cls[ds]], t))
        if ds == "cxr":
            acc.setdefault("cxr/left lung", []).append(dice_np(pred["left lung"], ms["left lung"]))
            acc.setdefault("cxr/right lung", []).append(dice_np(pred["right lung"], ms["right lung"]))
            acc.setdefault("cxr/left lung to right", []).append(dice_np(pred["left lung"], ms["right lung"]))
            acc.setdefault("cxr/right lung to left", []).append(dice_np(pred["right lung"], ms["left lung"]))
        acc.setdefault(f"{ds} absent-prompt fg", []).append(float(pred["left ventricle"].mean()))
    model.train()
    res = {k: round(float(np.mean(v)), 4) for k, v in sorted(acc.items())}
    res["score"] = val_score(res)
    return res


def train(argv: list[str] | None = None) -> None:
    from .data import load_all
    from .train import DEMO_TRAIN_COUNT, WEIGHTS, cosine_lr, demo_records, parse_weights, synth_records

    ap = argparse.ArgumentParser(prog="vlsm.unet train")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--samples", type=int, default=256, help="canvases per epoch")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--size", type=int, default=192)
    ap.add_argument("--cache", type=int, default=224)
    ap.add_argument("--composite", type=float, default=0.3)
    ap.add_argument("--weights", default=WEIGHTS)
    ap.add_argument("--strong", default="fuseg,ph2")
    ap.add_argument("--no-flip", default="acdc")
    ap.add_argument("--arch", choices=("unet", "deeplabv3plus"), default="unet")
    ap.add_argument("--widths", default="16,32,64,128,192", help="unet: channels per level")
    ap.add_argument("--init-from", default=None, help="deeplabv3plus: compact bundle whose image encoder starts the "
                    "backbone (default models/compact-vlsm-v2; 'none' = random)")
    ap.add_argument("--rates", default="3,6,9", help="deeplabv3plus: ASPP atrous rates at output stride 16")
    ap.add_argument("--aspp", type=int, default=128, help="deeplabv3plus: ASPP and decoder channels")
    ap.add_argument("--backbone-lr", type=float, default=0.2, help="deeplabv3plus: backbone learning rate as a fraction of --lr")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None, help="records per dataset and split (smoke tests)")
    ap.add_argument("--eval-every", type=int, default=2)
    ap.add_argument("--cache-dir", default="build/cache")
    ap.add_argument("--no-demos", action="store_true")
    ap.add_argument("--stop-after", type=int, default=None, help="stop after this many epochs (rerun resumes)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    t_session = time.time()
    recs = load_all(a.cache, cache_dir=None if a.limit else a.cache_dir, limit=a.limit, splits=("train", "val"))
    tr = [r for r in recs if r["split"] == "train"] + synth_records(12 if a.limit else 150, a.seed, a.cache)
    if not (a.limit or a.no_demos):
        tr += demo_records(DEMO_TRAIN_COUNT, a.cache)
    val = [r for r in recs if r["split"] == "val"]
    by: dict[str, list[dict]] = {}
    for r in tr:
        by.setdefault(r["dataset"] if r["dataset"] in ("kvasir", "busi", "fuseg", "cxr", "ph2", "acdc") else "synth", []).append(r)
    names = sorted(by)
    w = parse_weights(a.weights)
    weights = [w.get(n, 0.0) for n in names]
    widths = tuple(int(x) for x in a.widths.split(","))
    ck = os.path.join(a.out, "last.pt")
    backbone_init = None
    if a.arch == "unet":
        model = UNet(len(CHANNELS), widths)
        groups = [{"params": list(model.parameters()), "lr_mult": 1.0}]
    else:
        from .deeplab import DEFAULT_BACKBONE_BUNDLE, DeepLabV3Plus, load_backbone

        model = DeepLabV3Plus(len(CHANNELS), rates=tuple(int(x) for x in a.rates.split(",")), aspp=a.aspp, decoder=a.aspp)
        if not os.path.exists(ck) and (a.init_from or "").lower() != "none":  # a resumed run has it in last.pt
            backbone_init = load_backbone(model, a.init_from or DEFAULT_BACKBONE_BUNDLE)
            print(json.dumps({"backbone_from": backbone_init}), flush=True)
        bb = list(model.backbone.parameters())
        ids = {id(p) for p in bb}
        groups = [{"params": bb, "lr_mult": a.backbone_lr}, {"params": [p for p in model.parameters() if id(p) not in ids], "lr_mult": 1.0}]
    model.train()
    opt = torch.optim.AdamW(groups, lr=a.lr, weight_decay=1e-4)
    steps = max(1, a.samples // a.batch)
    start, log, best = 0, [], -1e9
    if os.path.exists(ck):
        st = torch.load(ck, weights_only=False, map_location="cpu")
        if st["config"].get("arch", "unet") != a.arch:
            raise SystemExit(f"{ck} is a {st['config'].get('arch', 'unet')} run, not --arch {a.arch}")
        if a.arch != "unet":
            model.frozen_backbone_bn = st["config"].get("frozen_backbone_bn", False)
            model.train()
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        start, log, best = st["epoch"], st["log"], st["best"]
        backbone_init = st.get("backbone_init")
        print(f"resumed at epoch {start}", flush=True)
    end = a.epochs if a.stop_after is None else min(a.epochs, a.stop_after)
    strong = tuple(x for x in a.strong.split(",") if x)
    no_flip = tuple(x for x in a.no_flip.split(",") if x)
    for epoch in range(start, end):
        rng = random.Random(a.seed * 100003 + epoch)
        t0, losses = time.time(), []
        for it in range(steps):
            lr = cosine_lr(epoch * steps + it, a.epochs * steps, max(1, int(0.03 * a.epochs * steps)), a.lr)
            for g in opt.param_groups:
                g["lr"] = lr * g.get("lr_mult", 1.0)
            x, t, ign = make_batch(by, names, weights, a.batch, a.size, rng, a.composite, strong, no_flip)
            loss = loss_fn(model(x), t, ign)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            losses.append(loss.item())
            if (it + 1) % 4 == 0:
                print(f"  epoch {epoch + 1} step {it + 1}/{steps} loss {np.mean(losses[-4:]):.4f} "
                      f"{(time.time() - t0) / (it + 1):.1f}s/step", flush=True)
        entry = {"epoch": epoch + 1, "size": a.size, "loss": round(float(np.mean(losses)), 4), "seconds": round(time.time() - t0, 1)}
        if (epoch + 1) % a.eval_every == 0 or epoch + 1 == a.epochs:
            te = time.time()
            entry["val"] = val_eval(model, val, a.size)
            entry["val_seconds"] = round(time.time() - te, 1)
        log.append(entry)
        print(json.dumps(entry), flush=True)
        with open(os.path.join(a.out, "train_log.jsonl"), "a") as f:
            f.write(json.dumps(entry) + "\n")
        cfg = {**model.config(), "channels": CHANNELS, "size": a.size}
        if "val" in entry and entry["val"]["score"] > best:
            best = entry["val"]["score"]
            torch.save({"model": model.state_dict(), "config": cfg, "epoch": epoch + 1, "val": entry["val"], "args": vars(a),
                        "backbone_init": backbone_init},
                       os.path.join(a.out, "best.pt"))
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": epoch + 1, "log": log, "best": best,
                    "config": cfg, "args": vars(a), "backbone_init": backbone_init}, ck + ".tmp")
        os.replace(ck + ".tmp", ck)
        with open(os.path.join(a.out, "wall.jsonl"), "a") as f:
            f.write(json.dumps({"epoch": epoch + 1, "session_start": round(t_session),
                                "wall_seconds_in_session": round(time.time() - t_session), "threads": a.threads}) + "\n")


def main() -> None:
    import sys

    cmd, rest = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if cmd == "train":
        train(rest)
    elif cmd == "export":
        from .export_unet import main as export_main

        export_main(rest)
    else:
        raise SystemExit("usage: python -m vlsm.unet train|export ...")


if __name__ == "__main__":
    main()
