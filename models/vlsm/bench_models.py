"""Full-size random-weight CLIPSeg-rd64 bundles for the engine's benchmarks (nothing downloaded).

    python -m vlsm.bench_models --out models/bench [--seed 0] [--init-scale 0.5] [--measure]

Writes <out>/clipseg-rd64-random (split: vision/text/decoder) and <out>/clipseg-rd64-random-single
(the single-graph baseline, same weights), each in fp32, fp16 and int8 variants, and prints their
paths. The weights are random (scaled by --init-scale so logits stay near ±300 rather than ±3000): the
masks mean nothing, the graphs have the real size and cost. The split bundle's wasm-int8 variant (the
one the engine picks for WASM) has the per-graph precision chosen in the committed browser bench result
(clipseg_export.BENCH_RESULT; its figures are the manifest's modelCard.precisionChoice); the other mixes
(wasm-int8-fp32-decoder: int8 vision + text, fp32 decoder; wasm-int8-all: every graph int8), where they
differ from it, stay for the browser benchmark (npm run bench) to compare. --measure also times every
graph in onnxruntime (Python, CPU, --threads threads) into <out>/bench-report.json; --wasm measure
would choose the wasm-int8 mix by that (a weak proxy for WASM: it favours int8 for small graphs).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from .clipseg_export import ALL_INT8, FP32_DECODER, PRECISIONS, parse_wasm, write_bundle
from .clipseg_graphs import random_model, rd64_config
from .parity import time_graph as _time_graph

SPLIT_ID = "clipseg-rd64-random"
SINGLE_ID = "clipseg-rd64-random-single"
SUMMARY = ("CLIPSeg-rd64 architecture with RANDOM weights (seed {seed}, init scale {scale}): for speed "
           "benchmarks only, its masks are meaningless.")


def measure(split_dir: Path, single_dir: Path, threads: int, runs: int, stat: str = "median") -> dict:
    split = json.loads((split_dir / "manifest.json").read_text())
    single = json.loads((single_dir / "manifest.json").read_text())
    out: dict = {"threads": threads, "runs": runs, "stat": stat, "split": {}, "single": {}}

    def time_graph(path, threads, runs, seq_len):
        return _time_graph(path, threads, runs, seq_len, stat)

    for v in split["variants"]:
        g = v["graphs"]
        row = {name: time_graph(split_dir / spec["file"], threads, runs, 10) for name, spec in g.items()}
        row["text@77"] = time_graph(split_dir / g["text"]["file"], threads, runs, 77)
        if threads != 1:  # small graphs may run better on one thread (DESIGN.md)
            row["text@1thread"] = time_graph(split_dir / g["text"]["file"], 1, runs, 10)
            row["decoder@1thread"] = time_graph(split_dir / g["decoder"]["file"], 1, runs, 10)
        row["newPrompt"] = row["text"] + row["decoder"]
        row["repeatPrompt"] = row["decoder"]
        out["split"][v["name"]] = row
    for v in single["variants"]:
        out["single"][v["name"]] = {"model": time_graph(single_dir / v["graphs"]["model"]["file"], threads, runs, 10)}
    for name, row in out["split"].items():
        base = out["single"].get(name if name in out["single"] else "wasm-int8", {}).get("model")
        if base:
            row["speedupNewPrompt"] = base / row["newPrompt"]
            row["speedupRepeatPrompt"] = base / row["repeatPrompt"]
    return out


def sizes(bundle_dir: Path) -> dict[str, int]:
    m = json.loads((bundle_dir / "manifest.json").read_text())
    return {f["path"]: f["bytes"] for f in m["files"]}


def measure_only(out: Path, threads: int, runs: int, stat: str) -> dict:
    report = measure(out / SPLIT_ID, out / SINGLE_ID, threads, runs, stat)
    print(json.dumps(report, indent=1))
    return report


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "bench"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init-scale", type=float, default=0.5)
    ap.add_argument("--precisions", default=",".join(PRECISIONS))
    ap.add_argument("--measure", action="store_true", help="time graphs in onnxruntime, choose wasm precisions")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--stat", choices=["median", "min", "cpu"], default="median",
                    help="min is steadier on a busy machine; cpu (process CPU time, use --threads 1) is steadier still")
    ap.add_argument("--wasm", help="wasm-int8 per-graph precision, as for clipseg_export (default: all int8)")
    ap.add_argument("--measure-only", action="store_true", help="time the existing bundles, export nothing")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    if args.measure_only:
        measure_only(out, args.threads, args.runs, args.stat)
        return
    precisions = [p for p in args.precisions.split(",") if p]
    model = random_model(rd64_config(), seed=args.seed, init_scale=args.init_scale)
    common = dict(precisions=precisions, license="MIT", summary=SUMMARY.format(seed=args.seed, scale=args.init_scale))
    report: dict = {"seed": args.seed, "initScale": args.init_scale}
    write_bundle(model, out / SPLIT_ID, "split", bundle_id=SPLIT_ID, name="CLIPSeg-rd64 (random, split)",
                 wasm_choice=parse_wasm(args.wasm), report=report, compare={**FP32_DECODER, **ALL_INT8}, **common)
    write_bundle(model, out / SINGLE_ID, "single", bundle_id=SINGLE_ID, name="CLIPSeg-rd64 (random, single graph)",
                 **common)
    if args.measure:
        report["sizes"] = {SPLIT_ID: sizes(out / SPLIT_ID), SINGLE_ID: sizes(out / SINGLE_ID)}
        report["latency_ms"] = measure(out / SPLIT_ID, out / SINGLE_ID, args.threads, args.runs, args.stat)
        (out / "bench-report.json").write_text(json.dumps(report, indent=2) + "\n")
        print(json.dumps(report["latency_ms"], indent=1))
        print(out / "bench-report.json")
    print(out / SPLIT_ID)
    print(out / SINGLE_ID)


if __name__ == "__main__":
    main()
