"""Throughput of vlsm.study on Ray with 1, 2, ... workers (local Ray instance, one CPU per actor).

    python -m vlsm.study_bench --workers 1,2 --images 24 --out ../bench/results/DATE-study.json

Each run scores the same real test images (round-robin over Kvasir, BUSI, FUSeg and PH2) with the class
prompt and the empty prompt, into a fresh output folder, and records the wall time (Ray start included),
the steady rate after the first result, and where the time goes inside the workers (per-stage sums of the
per-image rows). The machine's load (`uptime`) before and after each run is part of the result.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from . import study


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", default="compact-vlsm")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--images", type=int, default=24)
    ap.add_argument("--batch-size", type=int, default=1)
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    import pandas as pd

    pools = {ds: [i for i in study.shared_items([ds], "test")] for ds in ("kvasir", "busi", "fuseg", "ph2")}
    items = []
    while len(items) < a.images:
        for ds in pools:
            if pools[ds] and len(items) < a.images:
                items.append(pools[ds].pop(0))
    runs = []
    for w in (int(x) for x in a.workers.split(",")):
        out = tempfile.mkdtemp(prefix=f"study-bench-{w}-")
        before = _load()
        info = study.run(items, [a.bundle], out, ["class"], workers=w, batch_size=a.batch_size, progress=False)
        after = _load()
        rows = pd.read_parquet(os.path.join(out, "rows.parquet"))
        stages = {c: round(float(rows[c].sum()) / 1000, 2) for c in ("load_ms", "pre_ms", "vision_ms", "text_ms", "decode_ms", "post_ms", "cpu_ms")}
        runs.append({"workers": w, "images": len(items), "prompts_per_image": 2, "wall_s": info["wall_s"],
                     "ray_init_s": info.get("ray_init_s"), "first_result_s": info.get("first_result_s"),
                     "images_per_s": info["images_per_s"], "images_per_s_steady": info.get("images_per_s_steady"),
                     "worker_stage_seconds": stages, "cpu_ms_per_image": round(float(rows["cpu_ms"].sum()) / len(items), 1), "actors": sorted(set(rows["worker"])), "uptime_before": before,
                     "uptime_after": after})
        print(json.dumps(runs[-1]), flush=True)
        shutil.rmtree(out, ignore_errors=True)
    res = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "command": "cd models && python -m vlsm.study_bench " + " ".join(argv if argv is not None else sys.argv[1:]),
           "machine": f"{os.cpu_count()} CPUs (shared: other engineers' tests and a model training process ran at the same time)",
           "bundle": a.bundle, "runs": runs}
    if len(runs) >= 2 and runs[0].get("images_per_s_steady") and runs[-1].get("images_per_s_steady"):
        res["speedup_steady"] = round(runs[-1]["images_per_s_steady"] / runs[0]["images_per_s_steady"], 2)
    print(json.dumps(res, indent=1))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
