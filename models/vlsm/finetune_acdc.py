"""Does finetuning on corrected cases help? Measured on ACDC cine MR (issue 16, part 4).

python -m vlsm.finetune_acdc --from compact-vlsm --out-dir ../docs/study/finetune-acdc [--epochs 3] [--size 224]

1. The "corrected cases": every slice of the ACDC train-split patients (models/splits/acdc.json) with its expert
   masks, written in the workbench's finetune-dataset layout (vlsm.finetune.write_dataset), one target per
   structure and slice (prompts "left ventricle", "myocardium", "right ventricle"; an absent structure is an
   empty mask), as if each case had been corrected in the review queue.
2. `python -m vlsm.train --finetune DATASET --from BUNDLE --out NEWBUNDLE` on it.
3. Both bundles scored on the val-split patients (held apart; the test split is never read): Dice per structure
   with the structure's name as the prompt, through the ONNX graphs with the browser's pre/post-processing
   (vlsm.evaluate.Runner), slices where the structure is present; n slices, bootstrap 95 % intervals resampling
   patients (vlsm.evaluate.bootstrap), and the paired difference after - before with its own interval.
Writes result.json (date, `uptime` before and after, command, figures) to --out-dir.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

from .data import DATA_ROOT, _pairs, read_pair
from .evaluate import HEART, Runner, bootstrap, dice


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def acdc_cases(split: str) -> list[dict]:
    out = []
    for p in _pairs(DATA_ROOT):
        if p["dataset"] != "acdc" or p["split"] != split:
            continue
        img, masks, _ = read_pair(p)
        out.append({"id": f"{p['patient']}-{os.path.basename(p['image']).split('.')[0]}-s{p['slice']:02d}",
                    "patient": p["patient"], "image": np.asarray(img), "targets": [(s, masks[s]) for s in HEART]})
    return out


def score(bundle: str, cases: list[dict], threads: int) -> dict:
    r = Runner(bundle, threads=threads)
    rows: dict[str, list[tuple[float, str]]] = {s: [] for s in HEART}
    from PIL import Image

    for c in cases:
        img = Image.fromarray(c["image"])
        feats = r.encode(img)
        for s, gt in c["targets"]:
            if gt.any():
                rows[s].append((dice(r.prob(feats, s, gt.shape) > 0.5, gt), c["patient"]))
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--from", dest="src", default="compact-vlsm", help="the bundle scored as 'before'")
    ap.add_argument("--start", default=None, help="the bundle the finetune starts from (default --from; a second "
                    "stage passes an earlier finetune's bundle: 'before' stays --from)")
    ap.add_argument("--out-dir", default="../docs/study/finetune-acdc")
    ap.add_argument("--work", default="build/finetune-acdc")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--head-lr", type=float, default=None, help="learning rate of the output layer (default --lr)")
    ap.add_argument("--size", type=int, default=192)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    t0 = time.time()
    load_before = uptime()
    from .finetune import manifest_hash, write_dataset

    ds = os.path.join(a.work, "dataset")
    train = acdc_cases("train")
    if not os.path.exists(os.path.join(ds, "prompts.json")):
        write_dataset(ds, train, source="ACDC train-split patients, expert masks (vlsm.finetune_acdc)")
    val = acdc_cases("val")
    assert not {c["patient"] for c in train} & {c["patient"] for c in val}, "train and val share a patient"
    new = os.path.join(a.work, "bundle" if not a.start else "bundle-stage2")
    cmd = [sys.executable, "-m", "vlsm.train", "--finetune", ds, "--from", a.start or a.src, "--out", new, "--epochs", str(a.epochs),
           "--lr", str(a.lr), "--size", str(a.size), "--batch", str(a.batch), "--threads", str(a.threads),
           "--seed", str(a.seed)] + (["--head-lr", str(a.head_lr)] if a.head_lr is not None else []) + ["--work", os.path.join(a.work, "ft" if not a.start else "ft-stage2")]
    t1 = time.time()
    subprocess.run(cmd, check=True)
    ft_seconds = time.time() - t1
    before, after = score(a.src, val, a.threads), score(new, val, a.threads)
    res = {}
    for s in HEART:
        b, f = before[s], after[s]
        assert [c for _, c in b] == [c for _, c in f]
        clusters = [c for _, c in b]
        res[s] = {"before": bootstrap([x for x, _ in b], clusters), "after": bootstrap([x for x, _ in f], clusters),
                  "after_minus_before": bootstrap([y - x for (x, _), (y, _) in zip(b, f)], clusters)}
    card = json.load(open(os.path.join(new, "manifest.json")))["modelCard"]["finetune"]
    out = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "command": "cd models && nice -n 10 python -m vlsm.finetune_acdc " + " ".join(argv if argv is not None else sys.argv[1:]),
        "finetune_command": " ".join(["python"] + cmd[1:]),
        "load_before": load_before, "load_after": uptime(), "nproc": os.cpu_count(),
        "source_bundle": {"dir": a.src, "manifest_sha256_16": manifest_hash(a.src)},
        "finetune_started_from": {"dir": a.start or a.src, "manifest_sha256_16": manifest_hash(a.start or a.src)},
        "finetuned_bundle_manifest_sha256_16": manifest_hash(new),
        "corrected_cases": {"split": "train", "slices": len(train), "patients": len({c["patient"] for c in train}),
                            "targets": sum(len(c["targets"]) for c in train)},
        "held_apart": {"split": "val", "slices": len(val), "patients": len({c["patient"] for c in val})},
        "prompt": "the structure's name ('left ventricle', 'myocardium', 'right ventricle')",
        "threshold": 0.5,
        "finetune": {k: v for k, v in card.items() if k != "log"}, "finetune_log": card["log"],
        "finetune_wall_seconds": round(ft_seconds, 1), "total_wall_seconds": round(time.time() - t0, 1),
        "dice": res,
        "notes": "Dice over val-split slices where the structure is present; 95 % intervals: 2,000 bootstrap "
                 "resamples of patients (vlsm.evaluate.bootstrap); after_minus_before is the paired per-slice difference.",
    }
    os.makedirs(a.out_dir, exist_ok=True)
    with open(os.path.join(a.out_dir, "result.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
