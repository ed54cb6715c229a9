"""Export the trained compact VLSM into a workbench bundle (three graphs, precision chosen per graph).

python -m vlsm.export_compact --checkpoint checkpoints/compact/final.pt --out compact-vlsm [--card card.json]

Writes vision/text/decoder graphs in fp32 (kept in --work, for parity), int8 (dynamic, QUInt8) and fp16;
picks for the WASM variant, per graph, the faster of fp32/int8 measured with onnxruntime (2 threads) as long
as int8 masks agree with fp32 (Dice >= 0.99); the WebGPU variant is fp16 throughout.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import time

import numpy as np
import torch
from torch import nn

from .bundle import finalize_bundle
from .compact import CompactConfig, CompactVLSM, DecoderGraph, VisionGraph, v2_config
from .quantize import convert_fp16, graph_io, quantize_int8
from .textenc import TOKENIZER, Tokenizer
from .vocab import kept_token_ids

MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]
CLASSES_V1 = ["polyp", "breast tumor", "foot ulcer", "skin lesion", "lungs", "left lung", "right lung"]
CLASSES_V2 = CLASSES_V1 + ["left ventricle", "right ventricle", "myocardium"]


def randomise_film(model: CompactVLSM, std: float = 0.2) -> None:
    """FiLM layers start at identity (zero init); random weights there make the text change the output, so a
    random-init bundle exercises the whole prompt path in parity checks."""
    for mod in model.decoder.modules():
        if isinstance(mod, nn.Linear):
            nn.init.normal_(mod.weight, std=std)


class PrunedText(nn.Module):
    """Text encoder over a pruned embedding table: CLIP id -> row via a remap table.

    drop_unknown (v2 exports): tokens outside the training vocabulary are removed from the sequence before the
    transformer (the graph takes [1, sequence] ids; batch 1), so "tumour in the sigmoid colon" is encoded exactly
    as "tumour in the colon", as the model card says. Without it (v1 bundles) they map to one shared zero row."""

    def __init__(self, model: CompactVLSM, keep: list[int], drop_unknown: bool = False):
        super().__init__()
        t = model.text
        self.t = t
        self.unknown = len(keep)
        self.drop_unknown = drop_unknown
        vocab = t.tok.weight.shape[0]
        remap = torch.full((vocab,), len(keep), dtype=torch.int32)
        remap[torch.tensor(keep)] = torch.arange(len(keep), dtype=torch.int32)
        self.register_buffer("remap", remap)
        rows = torch.cat([t.tok.weight.detach()[keep], torch.zeros(1, t.tok.weight.shape[1])])
        self.emb = nn.Embedding.from_pretrained(rows, freeze=True)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        rows = self.remap[input_ids]
        if self.drop_unknown:
            idx = torch.nonzero(rows[0] != self.unknown).squeeze(1)
            rows, attention_mask = rows[:, idx], attention_mask[:, idx]
        return self.t.encode(self.emb(rows), attention_mask)


def load_model(checkpoint: str) -> CompactVLSM:
    st = torch.load(checkpoint, map_location="cpu", weights_only=False)
    model = CompactVLSM(CompactConfig.from_dict(st["config"]))
    model.load_state_dict(st["model"])
    return model.eval()


def export_fp32(model: CompactVLSM, keep: list[int], work: str) -> dict[str, str]:
    s = model.cfg.image_size
    feats_names = model.feature_names
    os.makedirs(work, exist_ok=True)
    paths = {g: os.path.join(work, f"{g}.fp32.onnx") for g in ("vision", "text", "decoder")}
    x = torch.randn(1, 3, s, s)
    kw = {"opset_version": 17, "dynamo": False, "do_constant_folding": True}
    # Wrappers are fresh modules in training mode; the exporter restores that mode afterwards, which would
    # flip the wrapped BatchNorms to training (batch statistics): keep everything in eval explicitly.
    model.eval()
    vision, decoder = VisionGraph(model).eval(), DecoderGraph(model).eval()
    text = PrunedText(model, keep, drop_unknown=model.cfg.arch == "fpn-film").eval()
    with torch.no_grad():
        torch.onnx.export(vision, (x,), paths["vision"], input_names=["pixel_values"], output_names=feats_names, **kw)
        ids = torch.tensor([[49406, 320, 49407]])
        am = torch.ones_like(ids)
        torch.onnx.export(text, (ids, am), paths["text"], input_names=["input_ids", "attention_mask"],
                          output_names=["text_embeds"], dynamic_axes={"input_ids": {1: "sequence"}, "attention_mask": {1: "sequence"}}, **kw)
        feats = vision(x)
        emb = text(ids, am)
        torch.onnx.export(decoder, (*feats, emb), paths["decoder"], input_names=feats_names + ["text_embeds"],
                          output_names=["logits"], **kw)
    model.eval()
    return paths


def _session(path: str, threads: int = 2):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def run_split(paths: dict[str, str], pixel_values: np.ndarray, ids: list[int]) -> np.ndarray:
    v, t, d = (_session(paths[g]) for g in ("vision", "text", "decoder"))
    feats = v.run(None, {"pixel_values": pixel_values})
    names = [o.name for o in v.get_outputs()]
    arr = np.array([ids], dtype=np.int64)
    emb = t.run(None, {"input_ids": arr, "attention_mask": np.ones_like(arr)})[0]
    return d.run(None, {**dict(zip(names, feats)), "text_embeds": emb})[0]


def median_ms(sess, feeds: dict, n: int = 15) -> float:
    sess.run(None, feeds)
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        sess.run(None, feeds)
        ts.append((time.perf_counter() - t0) * 1000)
    return float(np.median(ts))


QUANTISED_OPS = {"MatMulInteger", "ConvInteger", "DynamicQuantizeLinear", "DequantizeLinear", "QuantizeLinear", "QLinearMatMul",
                 "QLinearConv", "DynamicQuantizeMatMul", "MatMulIntegerToFloat"}


def quantized_ops(path: str) -> int:
    """How many operators of the graph at `path` work on quantised values."""
    import onnx

    return sum(n.op_type in QUANTISED_OPS for n in onnx.load(path, load_external_data=False).graph.node)


def choose_wasm_precisions(fp32: dict[str, str], int8: dict[str, str], size: int) -> tuple[dict, dict]:
    """Per graph: int8 if >=10% faster than fp32 (onnxruntime CPU, 2 threads, median of 15), else fp32.
    int8 quantises MatMul and Gather only (embedding table, attention, FiLM projections); convolutions stay
    fp32, because dynamic ConvInteger was slower here and is not on every onnxruntime-web execution provider."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 3, size, size)).astype(np.float32)
    ids = np.array([[49406, 637, 2442, 3360, 7117, 6833, 49407]], dtype=np.int64)
    vs = _session(fp32["vision"])
    feats = dict(zip([o.name for o in vs.get_outputs()], vs.run(None, {"pixel_values": x})))
    emb = _session(fp32["text"]).run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
    feeds = {"vision": {"pixel_values": x}, "text": {"input_ids": ids, "attention_mask": np.ones_like(ids)},
             "decoder": {**feats, "text_embeds": emb}}
    timing, choice = {}, {}
    for g in ("vision", "text", "decoder"):
        if not quantized_ops(int8[g]):  # nothing to quantise (the v2 vision graph is all convolutions): the
            choice[g] = "fp32"          # "int8" file would be the fp32 graph under another name; a timing
            timing[g] = {"int8": "no quantised operators"}  # difference between the two is noise
            continue
        a = median_ms(_session(fp32[g]), feeds[g])
        b = median_ms(_session(int8[g]), feeds[g])
        timing[g] = {"fp32_ms": round(a, 2), "int8_ms": round(b, 2)}
        choice[g] = "int8" if b < 0.9 * a else "fp32"  # int8 only where it clearly pays (noisy shared CPU)
    return choice, timing


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--checkpoint", default="checkpoints/compact/final.pt")
    ap.add_argument("--out", default="compact-vlsm")
    ap.add_argument("--work", default="build/compact-export")
    ap.add_argument("--card", default=None, help="JSON file merged into modelCard (metrics etc.)")
    ap.add_argument("--budget-mb", type=float, default=25.0, help="drop the fp16 variant if the bundle would exceed this")
    ap.add_argument("--force-wasm", default=None, help="e.g. vision=fp32,text=int8,decoder=fp32")
    ap.add_argument("--id", default="compact-vlsm")
    ap.add_argument("--name", default="Compact VLSM v1 (the 2-D default: endoscopy, ultrasound, skin, X-ray)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--random-init", action="store_true",
                    help="export a randomly initialised v2 (fpn-film) model instead of a checkpoint: for the speed "
                         "benchmark and the engine parity tests (nothing trained, nothing downloaded)")
    ap.add_argument("--size", type=int, default=256, help="input size of a --random-init model")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fp32-variant", action="store_true", help="also list an all-fp32 variant named fp32 (parity reference)")
    ap.add_argument("--random-arch", default="fpn-film", choices=("fpn-film", "film-unet"),
                    help="architecture of a --random-init model (film-unet: the v1 layout at default widths)")
    ap.add_argument("--keep-file", default=None,
                    help="JSON list of CLIP token ids the text graph keeps (default: the training vocabulary; "
                         "vlsm.finetune passes the source bundle's plus its prompts' tokens)")
    ap.add_argument("--license", default=None, help="manifest licence (default: the card's or the training-data note)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    if a.random_init:
        torch.manual_seed(a.seed)
        model = CompactVLSM(v2_config(a.size) if a.random_arch == "fpn-film"
                            else CompactConfig(image_size=a.size, arch="film-unet")).eval()
        randomise_film(model)
    else:
        model = load_model(a.checkpoint)
    tok = Tokenizer()
    keep = json.load(open(a.keep_file)) if a.keep_file else kept_token_ids(tok, arch=model.cfg.arch)
    fp32 = export_fp32(model, keep, a.work)
    int8 = {g: str(quantize_int8(p, p.replace(".fp32.", ".int8."))) for g, p in fp32.items()}
    fp16 = {g: str(convert_fp16(p, p.replace(".fp32.", ".fp16."))) for g, p in fp32.items()}
    if a.force_wasm and len(a.force_wasm.split(",")) == 3:  # every graph set by hand: nothing to measure
        choice, timing = dict(kv.split("=") for kv in a.force_wasm.split(",")), None
    else:
        choice, timing = choose_wasm_precisions(fp32, int8, model.cfg.image_size)
        if a.force_wasm:
            choice.update(dict(kv.split("=") for kv in a.force_wasm.split(",")))
    print(json.dumps({"wasm_choice": choice, "timing_ms": timing}), flush=True)
    os.makedirs(a.out, exist_ok=True)
    for f in os.listdir(a.out):
        if f.endswith(".onnx"):
            os.remove(os.path.join(a.out, f))
    shutil.copy(TOKENIZER, os.path.join(a.out, "tokenizer.json"))

    def graph(src: str, precision: str) -> dict:
        name = os.path.basename(src)
        shutil.copy(src, os.path.join(a.out, name))
        ins, outs = graph_io(src)
        return {"file": name, "precision": precision, "inputs": ins, "outputs": outs}

    srcs = {"fp32": fp32, "int8": int8, "fp16": fp16}
    wasm = {g: graph(srcs[choice[g]][g], "int8" if choice[g] == "int8" else "fp32") for g in ("vision", "text", "decoder")}
    variants = [{"name": "wasm", "backends": ["wasm", "webgpu"], "graphs": wasm}]
    if a.fp32_variant:  # the reference, for parity tests
        variants.append({"name": "fp32", "backends": ["wasm", "webgpu"],
                         "graphs": {g: graph(fp32[g], "fp32") for g in ("vision", "text", "decoder")}})
    base = sum(os.path.getsize(os.path.join(a.out, f)) for f in os.listdir(a.out))
    extra = sum(os.path.getsize(fp16[g]) for g in fp16)
    if base + extra <= a.budget_mb * 1e6:
        gpu = {g: graph(fp16[g], "fp16") for g in ("vision", "text", "decoder")}
        variants.append({"name": "webgpu-fp16", "backends": ["webgpu"], "requires": ["shader-f16"], "graphs": gpu})
    else:
        print(f"fp16 variant left out: {(base + extra) / 1e6:.1f} MB would exceed the {a.budget_mb} MB budget")
    v2 = model.cfg.arch == "fpn-film"
    card = {
        "summary": ("RANDOM WEIGHTS (benchmark and parity bundle; its masks mean nothing). " if a.random_init else "")
        + "Compact vision-language segmentation model trained from scratch for VLSM Workbench.",
        "classes": CLASSES_V2 if v2 else CLASSES_V1,
    }
    if a.card:
        card.update(json.load(open(a.card)))
    s = model.cfg.image_size
    manifest = {
        "format": "vlsm-bundle", "formatVersion": 1, "id": a.id, "name": a.name,
        "architecture": "compact-fpn-film" if v2 else "compact-film-unet", "license": a.license or card.get("license", "Weights: non-commercial research use (training data terms); code: see repository"),
        "modelCard": card,
        "input": {"size": [s, s], "mean": MEAN, "std": STD, "resize": "stretch", "colour": "rgb", "scale": 1 / 255},
        "text": {"tokenizer": "tokenizer.json", "maxLength": 77, "padding": "none", "lowercase": True},
        "kind": "split",
        "variants": variants,
        "output": {"activation": "sigmoid", "threshold": 0.5, "size": [s, s]},
        "files": [],
    }
    card.pop("license", None)
    m = finalize_bundle(a.out, manifest)
    total = sum(f["bytes"] for f in m["files"])
    print(json.dumps({"bundle": a.out, "bytes": total, "files": {f["path"]: f["bytes"] for f in m["files"]}}, indent=1))


if __name__ == "__main__":
    main()
