"""Train the compact default VLSM (v2, "fpn-film") from scratch on every expert-labelled set, CPU-friendly.

python -m vlsm.train --out /work/ckpt/compact-v2 [--epochs 100] [--hires-epochs 30] [--threads 1] [--seed 0]

- Data: the train split of models/splits/ (Kvasir, BUSI, FUSeg, chest X-ray lungs, PH2, ACDC cardiac MR slices)
  plus the project's own synthetic scans; val is scored every --eval-every epochs and picks the checkpoint
  (best.pt); test is never read here (vlsm.release scores it once).
- Each training canvas is one scan or a composite of 2-4 scans of different kinds (--composite), augmented
  for robustness (zoom out/in, rotation, flips except chest X-rays, colour gain, contrast, gamma, grey, blur,
  noise, down-up sampling) and asked --prompts-per-image questions (vlsm.tasks): the vision graph runs once
  per canvas, the small prompt decoder once per question.
- Sampling is balanced over datasets (--weights); ACDC slices and composites are where the words decide.
- Schedule: linear warm-up + cosine over --epochs at --size px from a --cache px data cache, then a second
  cosine cycle of --hires-epochs at --hires-size (the exported input size). Learning rate is a pure function of
  the epoch and step, so a resumed run continues the same schedule.
- Resumable: last.pt every epoch (model, optimiser, log, RNG-free: each epoch reseeds from --seed and its
  index); train_log.jsonl (one line per epoch: loss, seconds, val figures) and wall.jsonl (one line per
  session: epochs, wall seconds, threads) beside it. Rerun the same command after an interruption.
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

from .compact import CompactVLSM, v2_config
from .data import load_all
from .synth import KINDS, make
from .tasks import GROUP_OF_DATASET, STRUCTURE_CLASSES, choose_tasks, structure_key
from .textenc import Tokenizer

MEAN = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(1, 3, 1, 1)
STD = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(1, 3, 1, 1)
WEIGHTS = "acdc=0.26,kvasir=0.18,fuseg=0.14,busi=0.12,cxr=0.12,ph2=0.08,synth=0.10"
# Demo scans of the app's gallery (src/ui/demo/DemoGallery.tsx DEMO_SEED = 1) are never trained on: the
# exported demo generators used as extra training scans start at this seed (tests/test_demo_seeds.py).
DEMO_TRAIN_SEED = 1001
DEMO_TRAIN_COUNT = 60  # per kind: seeds DEMO_TRAIN_SEED .. DEMO_TRAIN_SEED + DEMO_TRAIN_COUNT - 1
DEMO_DIR = os.path.join(os.path.dirname(__file__), "..", "build", "demos-train")
VAL_PROMPTS = {"kvasir": "polyp", "busi": "breast tumor", "fuseg": "foot ulcer", "ph2": "skin lesion", "cxr": "lungs"}


def demo_records(n_per_kind: int, size: int) -> list[dict]:
    """The app's own demo generators (src/demo) at seeds DEMO_TRAIN_SEED.., exported with node."""
    import subprocess

    from PIL import Image

    from .data import lung_halves

    repo = os.path.join(os.path.dirname(__file__), "..", "..")
    if not os.path.exists(os.path.join(DEMO_DIR, "dermoscopy", "prompts.json")):
        subprocess.run(["node", "scripts/export-demos-cli.mjs", os.path.abspath(DEMO_DIR), "--count", str(n_per_kind),
                        "--size", "352", "--seed", str(DEMO_TRAIN_SEED)], cwd=repo, check=True)
    recs = []
    for kind in ("endoscopy", "ultrasound", "xray", "dermoscopy"):
        prompts = json.load(open(os.path.join(DEMO_DIR, kind, "prompts.json")))
        for name, info in sorted(prompts.items())[:n_per_kind]:
            img = np.asarray(Image.open(os.path.join(DEMO_DIR, kind, name)).convert("RGB").resize((size, size), Image.BILINEAR))
            m = np.asarray(Image.open(os.path.join(DEMO_DIR, kind, info["mask"])).convert("L").resize((size, size), Image.NEAREST)) > 127
            r = {"dataset": kind, "split": "train", "name": name, "image_arr": img, "ignore": np.zeros_like(m), "prompts": None}
            if kind == "xray":
                img_left, img_right = lung_halves(m)
                r["mask_names"], r["masks"] = ["lungs", "left lung", "right lung"], np.stack([m, img_right, img_left], -1)
            else:
                r["mask_names"], r["masks"] = ["target"], m[..., None]
            recs.append(r)
    return recs


def synth_records(n: int, seed: int, size: int) -> list[dict]:
    recs = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        s = make(kind, seed * 100000 + i, size)
        r = {"dataset": kind, "split": "train", "name": f"synth-{kind}-{i}", "image_arr": s["image"],
             "ignore": np.zeros_like(s["mask"]), "prompts": None}
        if kind == "xray":
            r["mask_names"], r["masks"] = ["lungs", "left lung", "right lung"], np.stack([s["mask"], s["patient_left"], s["patient_right"]], -1)
        else:
            r["mask_names"], r["masks"] = ["target"], s["mask"][..., None]
        recs.append(r)
    return recs


def _tensor(rec: dict) -> torch.Tensor:
    """[3 + 1 + K, S, S]: rgb 0..1, ignore, K structure masks."""
    img = torch.from_numpy(rec["image_arr"]).permute(2, 0, 1).float() / 255
    m = np.concatenate([rec["ignore"][..., None], rec["masks"]], -1).astype(np.float32)
    return torch.cat([img, torch.from_numpy(m).permute(2, 0, 1)])


def warp(x: torch.Tensor, size: int, rng: random.Random, flip: bool, train: bool, strong: bool = False) -> torch.Tensor:
    """Affine resample of one [C, H, W] record to size x size: zoom out (0.8..1.45 of the field) or in, rotation,
    translation, flip; masks thresholded back to 0/1."""
    if train:
        s = rng.uniform(0.55, 1.0) if rng.random() < 0.6 else rng.uniform(1.0, 1.45)
        a = math.radians(rng.uniform(-180, 180) if strong else rng.uniform(-15, 15))
        lim = abs(1 - s) + 0.05
        tx, ty = rng.uniform(-lim, lim), rng.uniform(-lim, lim)
        asp = rng.uniform(0.85, 1.18)
    else:
        s, a, tx, ty, asp = 1.0, 0.0, 0.0, 0.0, 1.0
    f = -1.0 if flip else 1.0
    theta = torch.tensor([[[s * asp * math.cos(a) * f, -s * math.sin(a), tx],
                           [s * asp * math.sin(a) * f, s / asp * math.cos(a), ty]]], dtype=torch.float32)
    grid = F.affine_grid(theta, (1, x.shape[0], size, size), align_corners=False)
    y = F.grid_sample(x[None], grid, mode="bilinear", padding_mode="zeros", align_corners=False)[0]
    y[3:] = (y[3:] > 0.5).float()
    return y


def photometric(img: torch.Tensor, rng: random.Random) -> torch.Tensor:
    """Colour gain per channel, brightness, contrast, gamma, grey; on one [3, H, W] image in 0..1."""
    if rng.random() < 0.15:
        img = img.mean(0, keepdim=True).expand(3, -1, -1)
    gain = torch.tensor([rng.uniform(0.85, 1.15) for _ in range(3)]).view(3, 1, 1)
    img = img * gain
    c = rng.uniform(0.65, 1.4)
    img = (img - img.mean()) * c + img.mean() + rng.uniform(-0.1, 0.1)
    img = img.clamp(0, 1) ** rng.uniform(0.65, 1.5)
    return img


def degrade(img: torch.Tensor, rng: random.Random) -> torch.Tensor:
    """Blur, down-up sampling and noise on one [3, H, W] canvas."""
    if rng.random() < 0.25:
        sigma = rng.uniform(0.4, 1.6)
        r = int(math.ceil(2 * sigma))
        k = torch.exp(-torch.arange(-r, r + 1, dtype=torch.float32) ** 2 / (2 * sigma ** 2))
        k = k / k.sum()
        x = F.conv2d(F.pad(img[:, None], (r, r, 0, 0), mode="replicate"), k.view(1, 1, 1, -1))
        img = F.conv2d(F.pad(x, (0, 0, r, r), mode="replicate"), k.view(1, 1, -1, 1))[:, 0]
    if rng.random() < 0.15:
        h = img.shape[-1]
        small = F.interpolate(img[None], scale_factor=rng.uniform(0.35, 0.7), mode="bilinear", align_corners=False)
        img = F.interpolate(small, size=(h, h), mode="bilinear", align_corners=False)[0]
    if rng.random() < 0.3:
        img = img + torch.randn(img.shape, generator=torch.Generator().manual_seed(rng.randrange(1 << 30))) * rng.uniform(0.01, 0.06)
    return img.clamp(0, 1)


def _part(rec: dict, y: torch.Tensor, flipped: bool, composite: bool) -> dict:
    structs = {structure_key(rec["dataset"], n): y[4 + i].numpy() > 0.5 for i, n in enumerate(rec["mask_names"])}
    return {"dataset": rec["dataset"], "structures": structs, "subtype": rec.get("subtype"),
            "prompts": rec.get("prompts") if not (flipped or composite) else None}


def canvas(recs: list[dict], size: int, rng: random.Random, train: bool = True, strong: tuple = (),
           no_flip: tuple = ()) -> tuple[torch.Tensor, torch.Tensor, list[dict]]:
    """One training canvas from 1 record (plain) or 2-4 (2x2 composite, empty cells black).
    Returns (rgb [3,S,S], ignore [S,S], parts with canvas-sized structure masks). Chest X-rays and the
    datasets in `no_flip` are never mirrored: their words name sides ("left lung"; "right ventricle" lies on
    the image left of a short-axis slice in radiological display), which a mirror would swap."""
    flip_ok = lambda r: GROUP_OF_DATASET[r["dataset"]] != "lung" and r["dataset"] not in no_flip
    if len(recs) == 1:
        r = recs[0]
        fl = train and flip_ok(r) and rng.random() < 0.5
        y = warp(_tensor(r), size, rng, fl, train, r["dataset"] in strong)
        img = photometric(y[:3], rng) if train else y[:3]
        return (degrade(img, rng) if train else img), y[3], [_part(r, y, fl, False)]
    half = size // 2
    img = torch.zeros(3, size, size)
    ign = torch.zeros(size, size)
    cells = rng.sample(range(4), len(recs))
    parts = []
    for r, c in zip(recs, cells):
        fl = flip_ok(r) and rng.random() < 0.5
        y = warp(_tensor(r), half, rng, fl, True, r["dataset"] in strong)
        oy, ox = (c // 2) * half, (c % 2) * half
        img[:, oy:oy + half, ox:ox + half] = photometric(y[:3], rng)
        ign[oy:oy + half, ox:ox + half] = y[3]
        full = torch.zeros(y.shape[0], size, size)
        full[:, oy:oy + half, ox:ox + half] = y
        parts.append(_part(r, full, fl, True))
    return degrade(img, rng), ign, parts


def loss_fn(logits: torch.Tensor, target: torch.Tensor, ignore: torch.Tensor, mil: float = 0.0,
            balance: bool = False) -> torch.Tensor:
    """BCE + soft Dice per prompt, averaged. Two optional terms against a prompt going dead (phase 2 of the
    v2 run: 'right ventricle' and 'foot ulcer' gave sigmoid 0.0 on every pixel, where the Dice gradient
    vanishes and BCE's pull is diluted by the background):
    - balance: positive pixels of a prompt weighted by sqrt(negatives / positives), capped at 8;
    - mil: softplus(-mean of the top 10 % of logits inside a non-empty target), which pulls a dead prompt's
      best pixels up with full strength whatever the size of the target."""
    w = 1.0 - ignore
    pix = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    if balance:
        pos = (target * w).sum((1, 2, 3), keepdim=True)
        neg = ((1 - target) * w).sum((1, 2, 3), keepdim=True)
        pw = torch.sqrt(neg / pos.clamp(min=1)).clamp(1.0, 8.0)
        pix = pix * (1 + (pw - 1) * target)
    bce = (pix * w).sum((1, 2, 3)) / w.sum((1, 2, 3)).clamp(min=1)
    p = torch.sigmoid(logits) * w
    inter = (p * target).sum((1, 2, 3))
    dice = 1 - (2 * inter + 1) / (p.sum((1, 2, 3)) + (target * w).sum((1, 2, 3)) + 1)
    total = bce + dice
    if mil > 0:
        flat_t, flat_l = (target * w).flatten(1), logits.flatten(1)
        n = flat_t.sum(1)
        masked = flat_l.masked_fill(flat_t < 0.5, float("-inf"))
        k = int(max(1, (0.1 * n).max().item()))
        top = masked.topk(k, dim=1).values  # -inf beyond a target's own pixels
        kk = (0.1 * n).clamp(min=1).floor()
        keep = torch.arange(k)[None] < kk[:, None]
        mean_top = torch.where(keep, top, torch.zeros_like(top)).sum(1) / kk
        total = total + mil * torch.where(n > 0, F.softplus(-mean_top), torch.zeros_like(mean_top))
    return total.mean()


def normalise(rgb: torch.Tensor) -> torch.Tensor:
    return (rgb - MEAN) / STD


def canvas_records(by: dict[str, list[dict]], names: list[str], weights: list[float], rng: random.Random,
                   p_composite: float) -> list[dict]:
    """The scans of one training canvas: with probability p_composite 2-4 scans of different kinds (a composite,
    where only the words tell the structures apart), else one; datasets drawn by `weights`. Shared by the VLSM's
    and the image-only baselines' batches (vlsm.unet), so both see the same canvases for a seed."""
    if rng.random() >= p_composite:
        return [rng.choice(by[rng.choices(names, weights)[0]])]
    n = rng.choice([2, 3, 3, 4])
    recs, groups = [], set()
    for _ in range(12):
        r = rng.choice(by[rng.choices(names, weights)[0]])
        g = GROUP_OF_DATASET[r["dataset"]]
        if g not in groups:
            groups.add(g)
            recs.append(r)
        if len(recs) == n:
            break
    return recs


def make_batch(by: dict[str, list[dict]], names: list[str], weights: list[float], n_images: int, k: int, size: int,
               rng: random.Random, tok: Tokenizer, p_composite: float, strong: tuple = (), no_flip: tuple = ()):
    """n_images canvases x k prompts: pixel_values [B,3,S,S], ids/mask [B*k, L], targets and ignore [B*k,1,S,S]."""
    imgs, tgts, igns, prompts, named = [], [], [], [], []
    for _ in range(n_images):
        img, ign, parts = canvas(canvas_records(by, names, weights, rng, p_composite), size, rng, True, strong, no_flip)
        imgs.append(img)
        for text, target, _kind, structure in choose_tasks(parts, k, rng):
            prompts.append(text)
            named.append(STRUCTURE_CLASSES.index(structure))
            tgts.append(torch.from_numpy(np.asarray(target, np.float32)))
            igns.append(ign)
    ids, mask = tok.batch(prompts)
    return (normalise(torch.stack(imgs)), ids, mask, torch.stack(tgts)[:, None], torch.stack(igns)[:, None], prompts,
            torch.tensor(named))


class TextProbe(torch.nn.Module):
    """Training-only head (never exported): a cosine classifier that must tell from the text embedding alone
    which structure a prompt names (vlsm.tasks.STRUCTURE_CLASSES). Without it the from-scratch text encoder of
    the first v2 run collapsed: after 39 epochs every prompt's embedding had cosine >= 0.99 to one of two
    directions ("show the salient thing" / "show nothing"), 'left lung' and 'right lung' were 0.9999 apart and
    the cardiac words fell in with the negatives (val Dice 0 on every ACDC structure). Being a cosine
    classifier it cannot be satisfied by scaling up a tiny difference: the embeddings must point apart."""

    def __init__(self, dim: int, n: int = len(STRUCTURE_CLASSES), scale: float = 10.0):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(n, dim) * 0.02)
        self.scale = scale

    def forward(self, t: torch.Tensor, named: torch.Tensor) -> torch.Tensor:
        logits = self.scale * F.normalize(t, dim=-1) @ F.normalize(self.w, dim=-1).T
        return F.cross_entropy(logits, named)


def reinit(model: CompactVLSM, parts: list[str], seed: int) -> None:
    """Fresh initialisation (as in a new model of the same config) for 'text' (the text encoder) and 'prompt-io'
    (the decoder's text projections: t_in, FiLM and query layers); every other weight is kept."""
    torch.manual_seed(seed)
    fresh = CompactVLSM(model.cfg)
    if "text" in parts:
        model.text.load_state_dict(fresh.text.state_dict())
    if "prompt-io" in parts:
        names = [n for n in ("t_in", "film8", "q8", "mid_film", "film4", "q4") if hasattr(model.decoder, n)]
        for n in names:
            getattr(model.decoder, n).load_state_dict(getattr(fresh.decoder, n).state_dict())


CONTEXT_PREFIXES = ("vision.ctx5.", "vision.ctx4.")


def load_init(model: CompactVLSM, state: dict) -> None:
    """--init-from: the checkpoint's weights into `model`. Only the image context module (CONTEXT_PREFIXES) may be
    missing from the checkpoint (it then keeps its zero-initialised projection); any other missing key or any key
    the model does not have is an error."""
    res = model.load_state_dict(state, strict=False)
    # BatchNorm tolerates a missing num_batches_tracked (old state dicts) and does not report it
    own_ctx = {k for k in model.state_dict() if k.startswith(CONTEXT_PREFIXES) and not k.endswith("num_batches_tracked")}
    missing = set(res.missing_keys)
    if res.unexpected_keys:
        raise SystemExit(f"--init-from: keys the model does not have (train with the checkpoint's --context?): "
                         f"{sorted(res.unexpected_keys)[:8]}")
    if missing and missing != own_ctx:
        raise SystemExit(f"--init-from: the checkpoint lacks {sorted(missing - own_ctx)[:8]}")


def dice_np(a: np.ndarray, b: np.ndarray) -> float:
    s = a.sum() + b.sum()
    return 1.0 if s == 0 else float(2 * (a & b).sum() / s)


@torch.no_grad()
def val_eval(model: CompactVLSM, recs: list[dict], size: int, tok: Tokenizer) -> dict:
    """Validation figures at the training resolution (class prompts; ACDC per structure, Dice to the other
    structures, empty prompt; left/right lung). The release evaluation (vlsm.evaluate) works at original
    resolution on the exported graphs."""
    model.eval()
    acc: dict[str, list[float]] = {}
    emb_cache: dict[str, torch.Tensor] = {}

    def emb(p: str) -> torch.Tensor:
        if p not in emb_cache:
            ids, m = tok.batch([p])
            emb_cache[p] = model.text(ids, m)
        return emb_cache[p]

    for r in recs:
        y = warp(_tensor(r), size, random.Random(0), False, False)
        feats = model.vision(normalise(y[None, :3]))
        ms = {n: y[4 + i].numpy() > 0.5 for i, n in enumerate(r["mask_names"])}
        ds = r["dataset"]

        def pred(p: str) -> np.ndarray:
            return (model.decoder(*feats, emb(p))[0, 0] > 0).numpy()

        if ds == "acdc":
            union = ms["left ventricle"] | ms["right ventricle"] | ms["myocardium"]
            e = pred("")
            for s in ("left ventricle", "right ventricle", "myocardium"):
                pr = pred(s)
                if ms[s].any():
                    acc.setdefault(f"acdc/{s}", []).append(dice_np(pr, ms[s]))
                    acc.setdefault(f"acdc/{s} empty-prompt", []).append(dice_np(e, ms[s]))
                others = [o for o in ms if o != s and ms[o].any()]
                for o in others:
                    acc.setdefault(f"acdc/{s} to other", []).append(dice_np(pr, ms[o]))
            if union.any():
                acc.setdefault("acdc/empty vs heart", []).append(dice_np(e, union))
            continue
        t = ms.get("target", ms.get("lungs"))
        if ds == "busi" and not t.any():
            acc.setdefault("busi/normal empty-agreement", []).append(dice_np(pred(VAL_PROMPTS[ds]), t))
            continue
        acc.setdefault(ds, []).append(dice_np(pred(VAL_PROMPTS[ds]), t))
        acc.setdefault(f"{ds} empty-prompt", []).append(dice_np(pred(""), t))
        if ds == "cxr":
            L, R = pred("left lung"), pred("right lung")
            acc.setdefault("cxr/left lung", []).append(dice_np(L, ms["left lung"]))
            acc.setdefault("cxr/right lung", []).append(dice_np(R, ms["right lung"]))
            acc.setdefault("cxr/left lung to right", []).append(dice_np(L, ms["right lung"]))
            acc.setdefault("cxr/right lung to left", []).append(dice_np(R, ms["left lung"]))
        acc.setdefault(f"{ds} absent-prompt fg", []).append(float(pred("left ventricle" if ds != "acdc" else "polyp").mean()))
    model.train()
    out = {k: round(float(np.mean(v)), 4) for k, v in sorted(acc.items())}
    out["score"] = val_score(out)
    return out


TARGETS = {"acdc/left ventricle": 0.85, "acdc/myocardium": 0.70, "acdc/right ventricle": 0.75, "cxr/left lung": 0.90,
           "cxr/right lung": 0.90, "kvasir": 0.80, "cxr": 0.93, "ph2": 0.85, "fuseg": 0.70, "busi": 0.70}


def val_score(v: dict) -> float:
    """One number to pick the checkpoint: the mean over targets of min(Dice / target, 1), minus the mean Dice to
    other structures (ACDC) and to the other lung."""
    parts = [min(v[k] / t, 1.0) for k, t in TARGETS.items() if k in v]
    leaks = [v[k] for k in v if k.endswith(" to other") or k.endswith(" to right") or k.endswith(" to left")]
    return round(float(np.mean(parts) - (np.mean(leaks) if leaks else 0.0)), 4) if parts else 0.0


def cosine_lr(step: int, n: int, warm: int, peak: float) -> float:
    if step < warm:
        return peak * (step + 1) / warm
    t = min(1.0, (step - warm) / max(1, n - warm))
    return peak * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * t)))


def parse_weights(spec: str) -> dict[str, float]:
    return {k: float(v) for k, v in (kv.split("=") for kv in spec.split(",") if kv)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.environ.get("VLSM_CKPT", "checkpoints/compact-v2"),
                    help="checkpoint directory (default $VLSM_CKPT or checkpoints/compact-v2)")
    ap.add_argument("--epochs", type=int, default=None, help="first cycle, at --size (default 100; 4 with --finetune)")
    ap.add_argument("--hires-epochs", type=int, default=30, help="second cycle, at --hires-size")
    ap.add_argument("--samples", type=int, default=512, help="canvases per epoch")
    ap.add_argument("--batch", type=int, default=12, help="canvases per step")
    ap.add_argument("--prompts-per-image", type=int, default=4)
    ap.add_argument("--composite", type=float, default=0.3, help="share of canvases that are 2-4 scan composites")
    ap.add_argument("--lr", type=float, default=None, help="peak learning rate (default 2e-3; 2e-4 with --finetune)")
    ap.add_argument("--hires-lr", type=float, default=6e-4)
    ap.add_argument("--size", type=int, default=None, help="training size (default 192; with --finetune the bundle's input size)")
    ap.add_argument("--cache", type=int, default=224)
    ap.add_argument("--hires-size", type=int, default=256)
    ap.add_argument("--hires-cache", type=int, default=288)
    ap.add_argument("--weights", default=WEIGHTS)
    ap.add_argument("--strong", default="fuseg,acdc,ph2", help="datasets given any rotation (no canonical orientation)")
    ap.add_argument("--no-flip", default="", help="datasets never mirrored (besides chest X-rays): their words name sides")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None, help="records per dataset and split (smoke tests)")
    ap.add_argument("--eval-every", type=int, default=5)
    ap.add_argument("--cache-dir", default="build/cache")
    ap.add_argument("--no-demos", action="store_true", help="leave out the exported app demo generators (no node)")
    ap.add_argument("--aux-text", type=float, default=0.0,
                    help="weight of the auxiliary text loss (TextProbe: which structure does the prompt name?)")
    ap.add_argument("--mil", type=float, default=0.0, help="weight of the top-10%%-logits term for non-empty targets (loss_fn)")
    ap.add_argument("--balance", action="store_true", help="weight positive pixels by sqrt(neg/pos), capped at 8 (loss_fn)")
    ap.add_argument("--init-from", default=None,
                    help="start a new run from this checkpoint's weights (not its optimiser or schedule)")
    ap.add_argument("--context", default="", choices=("", "aspp"),
                    help="image-side context module in the vision graph (vlsm.compact.ImageContext); with --init-from a "
                         "checkpoint without it, the module starts at zero (same outputs as the checkpoint)")
    ap.add_argument("--context-lr-mult", type=float, default=1.0,
                    help="learning rate of the --context module's weights as a multiple of the schedule's")
    ap.add_argument("--reinit", default="", help="with --init-from: comma list of parts to initialise afresh (text, prompt-io)")
    ap.add_argument("--stop-after", type=int, default=None,
                    help="stop after this many epochs of the schedule (a phase of a longer run; rerun resumes)")
    ap.add_argument("--finetune", default=None, metavar="DATASET",
                    help="finetune a bundle on a review-queue dataset (zip or folder; vlsm.finetune) and write a new "
                         "bundle to --out; needs --from")
    ap.add_argument("--from", dest="from_bundle", default=None, metavar="BUNDLE", help="with --finetune: the bundle to start from")
    ap.add_argument("--head-lr", type=float, default=None,
                    help="with --finetune: learning rate of the output layer (decoder.head), default --lr")
    ap.add_argument("--work", default=None, help="with --finetune: where the checkpoint and the export's fp32 graphs go")
    a = ap.parse_args(argv)
    if a.finetune:
        if not a.from_bundle:
            ap.error("--finetune needs --from BUNDLE")
        from .finetune import run

        run(a.finetune, a.from_bundle, a.out, epochs=a.epochs or 4, lr=a.lr or 2e-4, size=a.size, batch=a.batch,
            seed=a.seed, threads=a.threads, work=a.work, max_cases=a.limit, head_lr=a.head_lr)
        return
    a.epochs = 100 if a.epochs is None else a.epochs
    a.lr = 2e-3 if a.lr is None else a.lr
    a.size = 192 if a.size is None else a.size
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    session_t0 = time.time()

    def data_at(cache: int):
        recs = load_all(cache, cache_dir=None if a.limit else a.cache_dir, limit=a.limit, splits=("train", "val"))
        train = [r for r in recs if r["split"] == "train"]
        train += synth_records(12 if a.limit else 150, a.seed, cache)
        if not (a.limit or a.no_demos):
            train += demo_records(DEMO_TRAIN_COUNT, cache)
        by: dict[str, list[dict]] = {}
        for r in train:
            key = r["dataset"] if r["dataset"] in ("kvasir", "busi", "fuseg", "cxr", "ph2", "acdc") else "synth"
            by.setdefault(key, []).append(r)
        return by, [r for r in recs if r["split"] == "val"]

    cfg = v2_config(a.size)
    cfg.context = a.context
    model = CompactVLSM(cfg)
    tok = Tokenizer()
    steps = a.samples // a.batch
    probe = TextProbe(cfg.embed_dim) if a.aux_text > 0 else None
    ctx_params = [p for n, p in model.named_parameters() if n.startswith(CONTEXT_PREFIXES)]
    ctx_ids = {id(p) for p in ctx_params}
    params = [p for p in model.parameters() if id(p) not in ctx_ids] + (list(probe.parameters()) if probe else [])
    groups = [{"params": params, "lr_mult": 1.0}]
    if ctx_params:
        groups.append({"params": ctx_params, "lr_mult": a.context_lr_mult})
    opt = torch.optim.AdamW(groups, lr=a.lr, weight_decay=1e-4)
    start, log, best = 0, [], -1e9
    ck = os.path.join(a.out, "last.pt")
    if os.path.exists(ck):
        st = torch.load(ck, weights_only=False, map_location="cpu")
        model.load_state_dict(st["model"])
        if probe is not None and "probe" in st:
            probe.load_state_dict(st["probe"])
        opt.load_state_dict(st["opt"])
        start, log, best = st["epoch"], st["log"], st.get("best", -1e9)
        print(f"resumed at epoch {start}", flush=True)
    elif a.init_from:
        st = torch.load(a.init_from, weights_only=False, map_location="cpu")
        load_init(model, st["model"])
        if probe is not None and "probe" in st and "text" not in a.reinit:
            probe.load_state_dict(st["probe"])
        reinit(model, [x for x in a.reinit.split(",") if x], a.seed + 7)
        print(f"initialised from {a.init_from} (epoch {st.get('epoch')}), fresh: {a.reinit or 'nothing'}", flush=True)
    end = a.epochs + a.hires_epochs
    if a.stop_after is not None:
        end = min(end, a.stop_after)
    strong = tuple(x for x in a.strong.split(",") if x)
    no_flip = tuple(x for x in a.no_flip.split(",") if x)
    data: dict[int, tuple] = {}
    for epoch in range(start, end):
        hires = epoch >= a.epochs
        size, cache = (a.hires_size, a.hires_cache) if hires else (a.size, a.cache)
        if cache not in data:
            data.clear()
            data[cache] = data_at(cache)
        by, val = data[cache]
        names = sorted(by)
        w = parse_weights(a.weights)
        weights = [w.get(n, 0.0) for n in names]
        model.decoder.image_size = cfg.image_size = size
        rng = random.Random(a.seed * 100003 + epoch)
        t0, losses, aux_losses = time.time(), [], []
        for it in range(steps):
            if hires:
                lr = cosine_lr((epoch - a.epochs) * steps + it, a.hires_epochs * steps, steps, a.hires_lr)
            else:
                lr = cosine_lr(epoch * steps + it, a.epochs * steps, max(1, int(0.03 * a.epochs * steps)), a.lr)
            for g in opt.param_groups:
                g["lr"] = lr * g.get("lr_mult", 1.0)
            img, ids, m, tgt, ign, _, named = make_batch(by, names, weights, a.batch, a.prompts_per_image, size, rng,
                                                         tok, a.composite, strong, no_flip)
            feats = model.vision(img)
            feats = [f.repeat_interleave(a.prompts_per_image, 0) for f in feats]
            t = model.text(ids, m)
            logits = model.decoder(*feats, t)
            loss = loss_fn(logits, tgt, ign, a.mil, a.balance)
            if probe is not None:
                aux = probe(t, named)
                aux_losses.append(aux.item())
                loss = loss + a.aux_text * aux
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            losses.append(loss.item())
            if (it + 1) % 10 == 0:
                print(f"  epoch {epoch + 1} step {it + 1}/{steps} loss {np.mean(losses[-10:]):.4f} "
                      f"{(time.time() - t0) / (it + 1):.2f}s/step lr {lr:.2e}", flush=True)
        entry = {"epoch": epoch + 1, "size": size, "loss": round(float(np.mean(losses)), 4), "seconds": round(time.time() - t0, 1)}
        if aux_losses:
            entry["aux_text"] = round(float(np.mean(aux_losses)), 4)
        if (epoch + 1) % a.eval_every == 0 or epoch + 1 in (a.epochs, end):
            te = time.time()
            entry["val"] = val_eval(model, val, size, tok)
            entry["val_seconds"] = round(time.time() - te, 1)
        log.append(entry)
        print(json.dumps(entry), flush=True)
        with open(os.path.join(a.out, "train_log.jsonl"), "a") as f:
            f.write(json.dumps(entry) + "\n")
        st = {"model": model.state_dict(), "opt": opt.state_dict(), "epoch": epoch + 1, "log": log,
              "config": cfg.to_dict(), "args": vars(a), "best": best}
        if probe is not None:
            st["probe"] = probe.state_dict()
        # the checkpoint picked on val: the best score among the evaluated epochs at the final (export) size
        final_size = a.hires_size if a.hires_epochs else a.size
        if "val" in entry and size == final_size and entry["val"]["score"] > best:
            best = st["best"] = entry["val"]["score"]
            torch.save({"model": model.state_dict(), "config": cfg.to_dict(), "log": log, "args": vars(a),
                        "epoch": epoch + 1, "val": entry["val"]}, os.path.join(a.out, "best.pt"))
        torch.save(st, ck + ".tmp")
        os.replace(ck + ".tmp", ck)
        with open(os.path.join(a.out, "wall.jsonl"), "a") as f:
            f.write(json.dumps({"epoch": epoch + 1, "session_start": round(session_t0), "wall_seconds_in_session":
                                round(time.time() - session_t0), "threads": a.threads}) + "\n")
    if end == a.epochs + a.hires_epochs:
        torch.save({"model": model.state_dict(), "config": cfg.to_dict(), "log": log, "args": vars(a), "epoch": end},
                   os.path.join(a.out, "final.pt"))


if __name__ == "__main__":
    main()
