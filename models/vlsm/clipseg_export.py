"""Export a Hugging Face CLIPSeg checkpoint into a VLSM bundle (split: vision/text/decoder; or single).

    python -m vlsm.clipseg_export --checkpoint DIR --out DIR [--precisions fp32,fp16,int8] [--single]

The fp32 graphs are exported with torch.onnx (opset 17, TorchScript exporter); int8 (dynamic, QUInt8)
and fp16 (fp32 I/O) graphs are derived from them. Variants: `wasm-int8` (per-graph precision,
by default the mix chosen in a committed browser bench result, --bench-result, whose figures become the
manifest's modelCard.precisionChoice), `webgpu-fp16` (needs shader-f16) and `fp32`. `--single` also writes the single-graph baseline
bundle (same weights) to `<out>-single` (or --single-out).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import warnings
from pathlib import Path

import torch

from .bundle import finalize_bundle
from .clipseg_graphs import DecoderGraph, SingleGraph, TextGraph, VisionGraph, activation_names, prepare
from .quantize import convert_fp16, graph_io, quantize_int8

OPSET = 17
PRECISIONS = ("fp32", "fp16", "int8")
TOKENIZER = Path(__file__).resolve().parent.parent / "tokenizer" / "tokenizer.json"
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
# "a photo of a cat": only a tracing example, the sequence axis is dynamic.
EXAMPLE_IDS = [49406, 320, 1125, 539, 320, 2368, 49407]
# Per-graph precision of `wasm-int8` and the speed note in the manifest's modelCard.precisionChoice come from
# a committed `npm run bench` result (every WASM variant of the full-size CLIPSeg-rd64 bundle under each
# thread layout, in onnxruntime-web, same run): its `clipsegRd64.choice`. --bench-result names another file.
REPO = Path(__file__).resolve().parent.parent.parent
BENCH_RESULT = REPO / "bench" / "results" / "2026-12-04-engine.json"
GRAPHS = ("vision", "text", "decoder")
# The base of --wasm overrides and the single graph's precision.
DEFAULT_WASM = {"vision": "int8", "text": "int8", "decoder": "int8"}
LAYOUT_WORDS = {
    "sharedAllThreads": "every graph in one runtime on {threads} threads",
    "visionWorkerHalfPrompt": "vision on {threads} threads in its own worker, prompt graphs on {prompt}",
}


def _mix(precisions: dict[str, str]) -> str:
    if len(set(precisions[g] for g in GRAPHS)) == 1:
        return f"every graph {precisions['vision']}"
    return ", ".join(f"{g} {precisions[g]}" for g in GRAPHS)


def _cell_words(cell: dict, threads: int) -> str:
    layout = LAYOUT_WORDS[cell["layout"]].format(threads=threads, prompt=cell["promptThreads"])
    return (f"{_mix(cell['precisions'])}, {layout}: new prompt {cell['newPromptMs']} ms (best {cell['newPromptMinMs']}), "
            f"repeated prompt {cell['repeatPromptMs']} ms (best {cell['repeatPromptMinMs']}), {cell['speedup']}x faster "
            f"than the single graph (best {cell['speedupMin']}x)")


def bench_choice(path: str | Path = BENCH_RESULT) -> tuple[dict[str, str], str]:
    """The wasm-int8 per-graph precision chosen in a bench result file, and the note that says so with the
    file's figures (its name, date, load, command)."""
    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"bench result {path} not found: run `npm run bench` and commit bench/results/<date>-engine.json, "
                         "or pass --bench-result / --wasm")
    r = json.loads(path.read_text())
    c = r["clipsegRd64"]
    choice = c["choice"]
    cells = c["matrix"]
    best = next(x for x in cells if x["variant"] == choice["variant"] and x["layout"] == choice["layout"])
    others = sorted((x for x in cells if x is not best), key=lambda x: x["newPromptMs"] + x["repeatPromptMs"])
    load = f"load {r['loadAverageAtStart'][0]} at start, {r['loadAverageAtEnd'][0]} at end"
    note = (f"wasm-int8: {_mix(choice['precisions'])}, chosen by measurement in onnxruntime-web {r['onnxruntimeWeb']} WASM "
            f"({path.name}, {r['date']}, `{r['command']}`, full-size CLIPSeg-rd64, {r['nproc']} cores, {load}; "
            f"single graph {c['singleGraph']['promptMs']} ms, best {c['singleGraph']['promptMinMs']}; medians, best of "
            f"{r['runs']} interleaved runs in brackets): {_cell_words(best, r['threads'])}")
    if others:
        note += "; same run: " + "; ".join(_cell_words(x, r["threads"]) for x in others)
    return {g: choice["precisions"][g] for g in GRAPHS}, note + "."


# The mixes the benchmark keeps comparing (bench_models): each becomes a variant unless it is the chosen one.
FP32_DECODER = {"wasm-int8-fp32-decoder": {"vision": "int8", "text": "int8", "decoder": "fp32"}}
ALL_INT8 = {"wasm-int8-all": {"vision": "int8", "text": "int8", "decoder": "int8"}}


def example_inputs(size: int) -> dict[str, torch.Tensor]:
    ids = torch.tensor([EXAMPLE_IDS], dtype=torch.int64)
    return {
        "pixel_values": torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(0)),
        "input_ids": ids,
        "attention_mask": torch.ones_like(ids),
    }


def _export(module, args, path: Path, input_names, output_names, dynamic_axes=None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about constant shapes are expected (fixed size)
        torch.onnx.export(
            module, tuple(args), str(path),
            input_names=list(input_names), output_names=list(output_names),
            dynamic_axes=dynamic_axes or {}, opset_version=OPSET, do_constant_folding=True, dynamo=False,
        )
        outs = module(*args)
    outs = outs if isinstance(outs, (tuple, list)) else (outs,)
    _pin_output_shapes(path, {n: tuple(o.shape) for n, o in zip(output_names, outs)})
    return path


def _pin_output_shapes(path: Path, shapes: dict[str, tuple[int, ...]]) -> None:
    """The tracer leaves some output dims symbolic (e.g. a gathered batch dim) although the graph fixes
    them; write the concrete sizes so the manifest states the real shapes."""
    import onnx

    model = onnx.load(str(path))
    for out in model.graph.output:
        dims = out.type.tensor_type.shape.dim
        for d, size in zip(dims, shapes.get(out.name, ())):
            if not d.HasField("dim_value"):
                d.dim_value = int(size)
    onnx.save(model, str(path))


TEXT_AXES = {"input_ids": {1: "sequence"}, "attention_mask": {1: "sequence"}}


def export_fp32_split(model, out_dir: Path, image_size: int) -> dict[str, Path]:
    """vision.fp32.onnx, text.fp32.onnx, decoder.fp32.onnx; returns {graph: path}."""
    ex = example_inputs(image_size)
    acts = activation_names(model.config)
    vision, text, decoder = VisionGraph(model, image_size), TextGraph(model), DecoderGraph(model)
    with torch.no_grad():
        act_values = vision(ex["pixel_values"])
        emb = text(ex["input_ids"], ex["attention_mask"])
    return {
        "vision": _export(vision, [ex["pixel_values"]], out_dir / "vision.fp32.onnx", ["pixel_values"], acts),
        "text": _export(text, [ex["input_ids"], ex["attention_mask"]], out_dir / "text.fp32.onnx",
                        ["input_ids", "attention_mask"], ["text_embeds"], TEXT_AXES),
        "decoder": _export(decoder, [*act_values, emb], out_dir / "decoder.fp32.onnx",
                           [*acts, "text_embeds"], ["logits"]),
    }


def export_fp32_single(model, out_dir: Path, image_size: int) -> dict[str, Path]:
    ex = example_inputs(image_size)
    names = ["pixel_values", "input_ids", "attention_mask"]
    path = _export(SingleGraph(model, image_size), [ex[n] for n in names], out_dir / "model.fp32.onnx", names, ["logits"], TEXT_AXES)
    return {"model": path}


def derive_precisions(fp32: dict[str, Path], precisions) -> dict[str, dict[str, Path]]:
    """{precision: {graph: path}} with int8/fp16 files converted from the fp32 ones."""
    out: dict[str, dict[str, Path]] = {"fp32": dict(fp32)}
    for prec in precisions:
        if prec == "int8":
            out["int8"] = {g: quantize_int8(p, p.with_name(p.name.replace(".fp32.", ".int8."))) for g, p in fp32.items()}
        elif prec == "fp16":
            out["fp16"] = {g: convert_fp16(p, p.with_name(p.name.replace(".fp32.", ".fp16."))) for g, p in fp32.items()}
        elif prec != "fp32":
            raise ValueError(f"unknown precision '{prec}' (use {PRECISIONS})")
    return out


def choose_by_measurement(files: dict[str, dict[str, Path]], threads: int = 2, runs: int = 5,
                          seq_len: int = 10) -> tuple[dict[str, str], dict[str, dict[str, float]]]:
    """Per graph, the faster of fp32 and int8 in onnxruntime (CPU, `threads` threads, prompt of seq_len
    tokens): a proxy for onnxruntime-web WASM, where dynamic quantisation slows small graphs."""
    from .parity import time_graph

    choice, timings = {}, {}
    for g in files["fp32"]:
        timings[g] = {p: time_graph(files[p][g], threads, runs, seq_len) for p in ("fp32", "int8") if p in files}
        choice[g] = min(timings[g], key=timings[g].get)
    return choice, timings


def _graph_entry(path: Path, precision: str, bundle_dir: Path) -> dict:
    inputs, outputs = graph_io(path)
    return {"file": path.relative_to(bundle_dir).as_posix(), "precision": precision, "inputs": inputs, "outputs": outputs}


def build_variants(files: dict[str, dict[str, Path]], precisions, bundle_dir: Path,
                   wasm_choice: dict[str, str] | None = None,
                   compare: dict[str, dict[str, str]] | None = None) -> list[dict]:
    """wasm-int8 (per-graph choice), webgpu-fp16, fp32. `compare` adds further WASM variants right after
    wasm-int8 ({name: per-graph precision}, each only if it differs from wasm-int8), so the browser
    benchmark can compare per-graph precisions; the engine picks the first listed variant, wasm-int8."""
    graphs = list(files["fp32"])

    def entries(mix: dict[str, str]) -> dict:
        return {g: _graph_entry(files[mix[g]][g], mix[g], bundle_dir) for g in graphs}
    variants = []
    if "int8" in precisions:
        choice = {g: (wasm_choice or DEFAULT_WASM).get(g, "int8") for g in graphs}  # single: "model" -> int8
        variants.append({"name": "wasm-int8", "backends": ["wasm"], "graphs": entries(choice)})
        for name, mix in (compare or {}).items():
            alt = {g: mix.get(g, "int8") for g in graphs}
            if alt != choice and all(p in files for p in alt.values()):
                variants.append({"name": name, "backends": ["wasm"], "graphs": entries(alt)})
    if "fp16" in precisions:
        variants.append({"name": "webgpu-fp16", "backends": ["webgpu"], "requires": ["shader-f16"],
                         "graphs": entries(dict.fromkeys(graphs, "fp16"))})
    if "fp32" in precisions or not variants:
        variants.append({"name": "fp32", "backends": ["wasm", "webgpu"], "graphs": entries(dict.fromkeys(graphs, "fp32"))})
    return variants


def read_preprocessing(checkpoint: Path | None, config, image_size: int | None = None) -> dict:
    """Input block of the manifest. Size, mean, std and rescale factor come from the checkpoint's
    preprocessor_config.json when it has one (CLIPSeg's uses ImageNet mean/std at 352 px), else CLIP's
    mean/std at the config's image size; image_size overrides the size."""
    size, mean, std, scale = config.vision_config.image_size, CLIP_MEAN, CLIP_STD, 1 / 255
    pp = checkpoint / "preprocessor_config.json" if checkpoint else None
    if pp and pp.is_file():
        cfg = json.loads(pp.read_text())
        mean = cfg.get("image_mean", mean)
        std = cfg.get("image_std", std)
        if cfg.get("do_rescale", True):
            scale = float(cfg.get("rescale_factor", scale))
        s = cfg.get("size")
        if isinstance(s, int):
            size = s
        elif isinstance(s, dict) and s.get("height") and s.get("height") == s.get("width"):
            size = int(s["height"])
        elif isinstance(s, dict) and "shortest_edge" in s:
            size = int(s["shortest_edge"])
    size = int(image_size or size)
    return {"size": [size, size], "mean": list(mean), "std": list(std), "resize": "stretch", "colour": "rgb",
            "scale": scale}


def base_manifest(config, bundle_id: str, name: str, kind: str, license: str, summary: str,
                  checkpoint: Path | None = None, threshold: float = 0.5, image_size: int | None = None) -> dict:
    inp = read_preprocessing(checkpoint, config, image_size)
    return {
        "format": "vlsm-bundle", "formatVersion": 1, "id": bundle_id, "name": name,
        "architecture": "clipseg", "license": license,
        "modelCard": {"summary": summary},
        "input": inp,
        "text": {"tokenizer": "tokenizer.json", "maxLength": int(config.text_config.max_position_embeddings),
                 "padding": "none", "lowercase": True},
        "kind": kind,
        "variants": [],
        "output": {"activation": "sigmoid", "threshold": threshold, "size": list(inp["size"])},
    }


def _clear_previous_bundle(out_dir: Path) -> None:
    """Remove an earlier export in out_dir; refuse to write into any other non-empty folder (e.g. the
    checkpoint itself, whose config.json would be lost)."""
    if not out_dir.exists() or not any(out_dir.iterdir()):
        return
    manifest = out_dir / "manifest.json"
    ours = {"tokenizer.json", "manifest.json", "manifest.json.tmp"}
    foreign = [p.name for p in out_dir.iterdir() if not (p.name in ours or p.suffix == ".onnx")]
    if not manifest.is_file() and foreign:
        raise ValueError(f"{out_dir} is not empty and holds no bundle ({foreign[:3]}...): "
                         "choose an empty or new folder")
    if not manifest.is_file():  # an interrupted export: only our own files
        for name in [p.name for p in out_dir.iterdir()]:
            (out_dir / name).unlink()
        return
    try:
        old = [f["path"] for f in json.loads(manifest.read_text()).get("files", [])]
    except (ValueError, AttributeError, TypeError, KeyError):
        old = []
    for rel in old + [p.name for p in out_dir.glob("*.onnx")]:
        p = out_dir / rel
        if p.is_file() and p.resolve().parent == out_dir.resolve():
            p.unlink()
    manifest.unlink()


def _drop_unused(bundle_dir: Path, manifest: dict) -> None:
    used = {g["file"] for v in manifest["variants"] for g in v["graphs"].values()}
    for p in bundle_dir.glob("*.onnx"):
        if p.name not in used:
            p.unlink()


def write_bundle(model, out_dir, kind: str = "split", precisions=PRECISIONS, bundle_id: str | None = None,
                 name: str | None = None, license: str = "unknown", summary: str | None = None,
                 checkpoint: Path | None = None, wasm_choice: dict[str, str] | str | None = None,
                 report: dict | None = None, compare: dict[str, dict[str, str]] | None = None,
                 image_size: int | None = None, bench_result: str | Path = BENCH_RESULT) -> dict:
    """Export `model` (a CLIPSegForImageSegmentation) as a finalised bundle in out_dir; returns the manifest.
    wasm_choice: per-graph precision of the wasm-int8 variant; default: the choice in the browser bench
    result file `bench_result` (bench_choice); "measure" picks the faster of fp32 and int8 per graph in
    Python onnxruntime (timings are put in `report` if given). compare: extra WASM variants
    (build_variants). How the wasm-int8 mix was chosen is written to modelCard.precisionChoice."""
    out_dir = Path(out_dir)
    _clear_previous_bundle(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    prepare(model)
    bundle_id = bundle_id or slug(out_dir.name)
    m = base_manifest(model.config, bundle_id, name or bundle_id, kind, license,
                      summary or f"CLIPSeg ({kind} graph export)", checkpoint, image_size=image_size)
    size = m["input"]["size"][0]
    fp32 = export_fp32_split(model, out_dir, size) if kind == "split" else export_fp32_single(model, out_dir, size)
    files = derive_precisions(fp32, precisions)
    note = "wasm-int8: the single graph, int8 throughout (the baseline)."
    if kind == "split" and wasm_choice is None and "int8" in files:
        wasm_choice, note = bench_choice(bench_result)
    elif wasm_choice == "measure":
        wasm_choice = None
        if "int8" in files and kind == "split":
            wasm_choice, timings = choose_by_measurement(files)
            print(f"wasm-int8 per-graph precision by measurement: {wasm_choice} (ms: {timings})")
            note = (f"wasm-int8: {wasm_choice}, the faster of fp32 and int8 per graph in onnxruntime (Python, CPU, "
                    f"2 threads; a proxy for WASM), ms: {json.dumps(timings)}")
            if report is not None:
                report.update(choice=wasm_choice, timings_ms=timings)
    elif wasm_choice and kind == "split":
        note = f"wasm-int8: {wasm_choice}, set by hand (--wasm), not by measurement."
    m["variants"] = build_variants(files, precisions, out_dir, wasm_choice if kind == "split" else None,
                                   compare if kind == "split" else None)
    if any(v["name"] == "wasm-int8" for v in m["variants"]):
        m["modelCard"]["precisionChoice"] = note
    graphs = m["variants"][0]["graphs"]
    logits = next(t for t in graphs["decoder" if kind == "split" else "model"]["outputs"] if t["name"] == "logits")
    m["output"]["size"] = [int(d) for d in logits["shape"][-2:]]  # = input size for patch 16
    shutil.copyfile(TOKENIZER, out_dir / "tokenizer.json")
    _drop_unused(out_dir, m)
    return finalize_bundle(out_dir, m)


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return (s or "model")[:64]


def load_checkpoint(checkpoint: str | Path):
    from transformers import CLIPSegForImageSegmentation

    return prepare(CLIPSegForImageSegmentation.from_pretrained(str(checkpoint), attn_implementation="eager"))


def parse_wasm(spec: str | None) -> dict[str, str] | str | None:
    if not spec or spec == "measure":
        return spec or None
    out = dict(DEFAULT_WASM)
    for part in spec.split(","):
        g, _, p = part.partition("=")
        if g not in DEFAULT_WASM or p not in ("int8", "fp32"):
            raise SystemExit(f"--wasm: expected e.g. vision=int8,text=int8,decoder=fp32, got '{part}'")
        out[g] = p
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", required=True, help="local Hugging Face CLIPSeg checkpoint directory")
    ap.add_argument("--out", required=True, help="bundle directory to write (split graphs)")
    ap.add_argument("--precisions", default="fp32,fp16,int8")
    ap.add_argument("--single", action="store_true", help="also write the single-graph bundle")
    ap.add_argument("--single-out", help="single-graph bundle directory (default: <out>-single)")
    ap.add_argument("--id", help="bundle id (default: from --out)")
    ap.add_argument("--name")
    ap.add_argument("--license", default="unknown", help="licence of the weights, e.g. apache-2.0")
    ap.add_argument("--summary")
    ap.add_argument("--wasm", help="per-graph precision of the wasm-int8 variant, e.g. decoder=fp32, or "
                                   "'measure' (faster of fp32/int8 per graph in onnxruntime, 2 threads)")
    ap.add_argument("--bench-result", default=str(BENCH_RESULT),
                    help="committed `npm run bench` result whose choice sets wasm-int8 and the manifest's speed note "
                         "(default: %(default)s)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    ap.add_argument("--image-size", type=int, help="input size (default: preprocessor_config.json, else config)")
    ap.add_argument("--check", nargs="?", const="", metavar="IMAGE",
                    help="after export, compare every variant with PyTorch (on IMAGE, or noise)")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    precisions = [p.strip() for p in args.precisions.split(",") if p.strip()]
    ckpt = Path(args.checkpoint)
    model = load_checkpoint(ckpt)
    common = dict(precisions=precisions, name=args.name, license=args.license, checkpoint=ckpt, image_size=args.image_size,
                  summary=args.summary or f"CLIPSeg exported from {ckpt.name}")
    m = write_bundle(model, args.out, "split", bundle_id=args.id, wasm_choice=parse_wasm(args.wasm),
                     bench_result=args.bench_result, **common)
    print(f"split bundle: {args.out} ({sum(f['bytes'] for f in m['files']) / 1e6:.1f} MB, "
          f"variants {[v['name'] for v in m['variants']]})")
    if args.check is not None:
        from .parity import check_against_pytorch

        print(json.dumps(check_against_pytorch(model, args.out, args.check or None), indent=1))
    if args.single:
        single_out = Path(args.single_out or f"{str(args.out).rstrip('/')}-single")
        sid = f"{args.id}-single" if args.id else None
        m = write_bundle(model, single_out, "single", bundle_id=sid, **common)
        print(f"single bundle: {single_out} ({sum(f['bytes'] for f in m['files']) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
