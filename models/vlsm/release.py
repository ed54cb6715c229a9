"""One command that reproduces the shipped default model from the data in ../shared/data:
train (resumable, fixed seed) -> export the bundle -> evaluate the shipped graphs -> write the model card.

python -m vlsm.release [--epochs 75] [--seed 0] [--threads 1]   (+ the stage 2-4 cycles: vlsm.train defaults)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


EPOCHS = 75  # the first cycle's length (the later cycles are vlsm.train defaults)


def last_epoch(ck: str) -> int:
    path = os.path.join(ck, "last.pt")
    if not os.path.exists(path):
        return 0
    import torch

    return int(torch.load(path, map_location="cpu", weights_only=False)["epoch"])


def run(*args: str) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run([sys.executable, "-W", "ignore", "-m", *args], check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="1 thread is fastest on a busy 2-core machine, 2 on a quiet one (the schedule is the same)")
    ap.add_argument("--out", default="compact-vlsm")
    a = ap.parse_args()
    ck = f"checkpoints/compact-seed{a.seed}"
    t0 = time.time()
    first = last_epoch(ck)
    run("vlsm.train", "--out", ck, "--epochs", str(a.epochs), "--seed", str(a.seed), "--threads", str(a.threads))
    wall = time.time() - t0
    print(f"training wall time {wall:.0f} s", flush=True)
    last = last_epoch(ck)
    if last > first:  # wall time per (resumed) training session, summed by vlsm.card
        with open(os.path.join(ck, "wall.jsonl"), "a") as f:
            f.write(json.dumps({"from_epoch": first, "to_epoch": last, "seconds": round(wall), "threads": a.threads}) + "\n")
    run("vlsm.export_compact", "--checkpoint", f"{ck}/final.pt", "--out", a.out)
    run("vlsm.evaluate", "--bundle", a.out, "--out", "build/eval.json")
    run("vlsm.card", "--bundle", a.out, "--eval", "build/eval.json", "--checkpoint-dir", ck,
        "--command", "python -m vlsm.release" + (f" --epochs {a.epochs}" if a.epochs != EPOCHS else "") + f" --seed {a.seed}")


if __name__ == "__main__":
    main()
