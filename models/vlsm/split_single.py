"""Split a single-graph CLIPSeg ONNX model (the transformers.js layout) into a split VLSM bundle.

    python -m vlsm.split_single --src DIR --out BUNDLE [--id ID] [--name NAME] [--license L] [--no-int8]

DIR is a transformers.js model folder (config.json, preprocessor_config.json, tokenizer.json,
onnx/model.onnx; see vlsm.hf_layout). The single graph is cut where Hugging Face's CLIPSegDecoder
takes its inputs, found by the module scopes torch.onnx writes into node names:

- vision: pixel_values -> the tensors read by `decoder/reduces.k` (k = 0..n-1; the decoder reads the
  extracted hidden states last layer first, so reduces.k reads activations_{n-1-k}), renamed
  activations_0..n-1 in extract-layer order;
- text: input_ids, attention_mask -> the tensor read by `decoder/film_mul` and `decoder/film_add`
  (the conditional embedding), renamed text_embeds;
- decoder: activations_0..n-1, text_embeds -> logits.

Each part is extracted from the same graph (same weights, same ops), so the split bundle computes what
the single graph computes; --check (on by default) runs both in onnxruntime on a random image and
several prompts and fails when max |Δlogit| exceeds 1e-3. Needs the fp32 graph (onnx/model.onnx): the
int8 variant is quantised from the split fp32 graphs (dynamic QUInt8, as the repo's other bundles).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

import numpy as np
import onnx
from onnx import utils as onnx_utils

from .bundle import finalize_bundle
from .quantize import graph_io, quantize_int8

TOLERANCE = 1e-3
CHECK_PROMPTS = ("polyp", "a photo of a cat", "one small pink round polyp, located in right of the image", "")


class SplitError(ValueError):
    pass


def _scoped(nodes, pattern: str):
    rx = re.compile(rf"(^|/){pattern}/")
    return [n for n in nodes if rx.search(n.name)]


def _outside_inputs(nodes, graph: onnx.GraphProto) -> list[str]:
    """Tensors the given nodes read that are neither produced among them nor initializers/constants."""
    produced = {o for n in nodes for o in n.output}
    consts = _constant_tensors(graph)
    seen: dict[str, None] = {}
    for n in nodes:
        for i in n.input:
            if i and i not in produced and i not in consts:
                seen[i] = None
    return list(seen)


def _constant_tensors(graph: onnx.GraphProto) -> set[str]:
    """Initializers and every tensor computed from them alone (Constant, Identity of a shared weight, ...)."""
    consts = {i.name for i in graph.initializer}
    for n in graph.node:  # nodes are topologically sorted
        if all((not i) or i in consts for i in n.input):
            consts.update(n.output)
    return consts


def find_cut(model: onnx.ModelProto) -> tuple[list[str], str, str]:
    """(activation tensors in extract-layer order, conditional embedding tensor, logits output)."""
    g = model.graph
    reduces: dict[int, list] = {}
    for n in g.node:
        m = re.search(r"(^|/)decoder/reduces\.(\d+)/", n.name)
        if m:
            reduces.setdefault(int(m.group(2)), []).append(n)
    if not reduces or sorted(reduces) != list(range(len(reduces))):
        raise SplitError("no CLIPSeg decoder found: the graph has no nodes named '.../decoder/reduces.N/...' "
                         "(a torch.onnx export of transformers' CLIPSegForImageSegmentation has them)")
    acts_by_k = {}
    for k, nodes in reduces.items():
        ins = _outside_inputs(nodes, g)
        if len(ins) != 1:
            raise SplitError(f"decoder/reduces.{k} reads {len(ins)} outside tensors ({ins[:4]}), expected one activation")
        acts_by_k[k] = ins[0]
    n = len(acts_by_k)
    acts = [acts_by_k[n - 1 - i] for i in range(n)]  # reduces.k reads the (n-1-k)-th extracted layer
    conds = set()
    for scope in ("film_mul", "film_add"):
        nodes = _scoped(g.node, rf"decoder/{scope}")
        if not nodes:
            raise SplitError(f"no decoder/{scope} nodes: not a CLIPSeg decoder")
        ins = _outside_inputs(nodes, g)
        if len(ins) != 1:
            raise SplitError(f"decoder/{scope} reads {ins[:4]}, expected the conditional embedding only")
        conds.add(ins[0])
    if len(conds) != 1:
        raise SplitError(f"film_mul and film_add read different tensors {sorted(conds)}")
    outs = [o.name for o in g.output]
    if "logits" not in outs:
        raise SplitError(f"the graph has no 'logits' output (outputs: {outs})")
    return acts, conds.pop(), "logits"


def _rename(model: onnx.ModelProto, names: dict[str, str]) -> onnx.ModelProto:
    g = model.graph
    for n in g.node:
        n.input[:] = [names.get(x, x) for x in n.input]
        n.output[:] = [names.get(x, x) for x in n.output]
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        vi.name = names.get(vi.name, vi.name)
    return model


def _extract(src: Path, dst: Path, inputs: list[str], outputs: list[str], names: dict[str, str]) -> Path:
    model = onnx.shape_inference.infer_shapes(onnx.load(str(src)), data_prop=True)  # types of the cut tensors
    try:
        sub = onnx_utils.Extractor(model).extract_model(inputs, outputs)
    except Exception as e:  # noqa: BLE001 - onnx raises plain exceptions for unreachable tensors
        raise SplitError(f"could not cut {outputs} from {inputs}: {e}") from e
    graph_inputs = {i.name for i in sub.graph.input}
    if set(inputs) != graph_inputs:
        raise SplitError(f"the part {outputs} needs inputs {sorted(graph_inputs)}, not just {inputs}")
    sub = _rename(sub, names)
    sub.graph.name = dst.stem
    onnx.checker.check_model(sub)
    onnx.save(sub, str(dst))
    return dst


def _input_block(pp: dict, size_default: int) -> dict:
    size = pp.get("size", size_default)
    if isinstance(size, dict):
        h, w = int(size.get("height", size.get("shortest_edge", size_default))), int(size.get("width", size.get("shortest_edge", size_default)))
    else:
        h = w = int(size)
    scale = float(pp.get("rescale_factor", 1 / 255)) if pp.get("do_rescale", True) else 1.0
    mean = pp.get("image_mean", [0.485, 0.456, 0.406]) if pp.get("do_normalize", True) else [0.0, 0.0, 0.0]
    std = pp.get("image_std", [0.229, 0.224, 0.225]) if pp.get("do_normalize", True) else [1.0, 1.0, 1.0]
    return {"size": [h, w], "mean": [float(x) for x in mean], "std": [float(x) for x in std], "resize": "stretch",
            "colour": "rgb", "scale": scale}


def split_folder(src: Path, out: Path, bundle_id: str | None = None, name: str | None = None, license: str = "unknown",
                 int8: bool = True) -> dict:
    src, out = Path(src), Path(out)
    single = src / "onnx" / "model.onnx"
    if not single.is_file():
        raise SplitError(f"{single} not found: the split needs the fp32 graph (onnx/model.onnx)")
    for f in ("config.json", "preprocessor_config.json", "tokenizer.json"):
        if not (src / f).is_file():
            raise SplitError(f"{src / f} not found (a transformers.js CLIPSeg folder has config.json, preprocessor_config.json, tokenizer.json)")
    config = json.loads((src / "config.json").read_text())
    if config.get("model_type") != "clipseg":
        raise SplitError(f"config.json says model_type '{config.get('model_type')}', not 'clipseg'")
    if out.exists() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise SplitError(f"{out} is not empty and holds no bundle: choose an empty or new folder")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    acts, cond, logits = find_cut(onnx.load(str(single), load_external_data=False))
    act_names = [f"activations_{i}" for i in range(len(acts))]
    names = {**dict(zip(acts, act_names)), cond: "text_embeds"}
    text_inputs = [i.name for i in onnx.load(str(single), load_external_data=False).graph.input if i.name in ("input_ids", "attention_mask")]
    fp32 = {
        "vision": _extract(single, out / "vision.fp32.onnx", ["pixel_values"], acts, names),
        "text": _extract(single, out / "text.fp32.onnx", text_inputs, [cond], names),
        "decoder": _extract(single, out / "decoder.fp32.onnx", [*acts, cond], [logits], names),
    }
    files = {"fp32": fp32}
    if int8:
        files["int8"] = {g: quantize_int8(p, p.with_name(p.name.replace(".fp32.", ".int8."))) for g, p in fp32.items()}
    shutil.copyfile(src / "tokenizer.json", out / "tokenizer.json")

    def entries(prec: str) -> dict:
        return {g: {"file": p.name, "precision": prec, "inputs": graph_io(p)[0], "outputs": graph_io(p)[1]}
                for g, p in files[prec].items()}

    variants = []
    if int8:
        variants.append({"name": "wasm-int8", "backends": ["wasm"], "graphs": entries("int8")})
    variants.append({"name": "fp32", "backends": ["wasm", "webgpu"], "graphs": entries("fp32")})
    vision_size = int(config.get("vision_config", {}).get("image_size", 352))
    inp = _input_block(json.loads((src / "preprocessor_config.json").read_text()), vision_size)
    logit_shape = next(t for t in variants[-1]["graphs"]["decoder"]["outputs"] if t["name"] == "logits")["shape"]
    size = [int(d) if isinstance(d, int) else inp["size"][i] for i, d in enumerate(logit_shape[-2:])]
    max_len = int(config.get("text_config", {}).get("max_position_embeddings", 77))
    bid = bundle_id or re.sub(r"[^a-z0-9._-]+", "-", out.name.lower()).strip("-._")[:64] or "clipseg-split"
    manifest = {
        "format": "vlsm-bundle", "formatVersion": 1, "id": bid, "name": name or f"{src.name} (split)",
        "architecture": "clipseg", "license": license,
        "modelCard": {"summary": f"CLIPSeg split by vlsm.split_single from the single graph of {src.name} "
                                  "(vision/text/decoder cut at the decoder's inputs; same weights)."},
        "input": inp,
        "text": {"tokenizer": "tokenizer.json", "maxLength": max_len, "padding": "none", "lowercase": True},
        "kind": "split", "variants": variants,
        "output": {"activation": "sigmoid", "threshold": 0.5, "size": size},
    }
    return finalize_bundle(out, manifest)


def check_parity(src: Path, bundle: Path, prompts=CHECK_PROMPTS, seed: int = 0) -> dict:
    """Runs the single graph and the split fp32 graphs on one random image and `prompts`; max |Δlogit|."""
    from .parity import session, tokenize

    src, bundle = Path(src), Path(bundle)
    m = json.loads((bundle / "manifest.json").read_text())
    h, w = m["input"]["size"]
    pixels = np.random.default_rng(seed).standard_normal((1, 3, h, w)).astype(np.float32)
    single = session(src / "onnx" / "model.onnx")
    g = next(v for v in m["variants"] if v["name"] == "fp32")["graphs"]
    vision, text, decoder = (session(bundle / g[r]["file"]) for r in ("vision", "text", "decoder"))
    acts = dict(zip([o.name for o in vision.get_outputs()], vision.run(None, {"pixel_values": pixels})))
    worst, per_prompt = 0.0, {}
    for prompt in prompts:
        ids, mask = tokenize(prompt, bundle / "tokenizer.json", m["text"]["maxLength"])
        feeds = {"input_ids": ids, "attention_mask": mask}
        ref = single.run(["logits"], {"pixel_values": pixels, **{k: v for k, v in feeds.items() if k in {i.name for i in single.get_inputs()}}})[0]
        emb = text.run(None, {k: v for k, v in feeds.items() if k in {i.name for i in text.get_inputs()}})[0]
        dfeeds = {i.name: (emb if i.name == "text_embeds" else acts[i.name]) for i in decoder.get_inputs()}
        got = decoder.run(["logits"], dfeeds)[0]
        if got.shape != ref.shape:
            raise SplitError(f"split logits {got.shape} vs single {ref.shape} for {prompt!r}")
        d = float(np.abs(got - ref).max())
        per_prompt[prompt] = {"maxAbsDiff": d, "logitRange": [float(ref.min()), float(ref.max())]}
        worst = max(worst, d)
    return {"maxAbsDiff": worst, "tolerance": TOLERANCE, "prompts": per_prompt}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", required=True, help="transformers.js CLIPSeg folder (onnx/model.onnx, config.json, ...)")
    ap.add_argument("--out", required=True, help="split bundle folder to write")
    ap.add_argument("--id")
    ap.add_argument("--name")
    ap.add_argument("--license", default="unknown")
    ap.add_argument("--no-int8", action="store_true", help="only the fp32 variant")
    ap.add_argument("--no-check", action="store_true", help="skip the parity check against the single graph")
    args = ap.parse_args(argv)
    try:
        m = split_folder(Path(args.src), Path(args.out), args.id, args.name, args.license, int8=not args.no_int8)
    except SplitError as e:
        raise SystemExit(f"split_single: {e}") from None
    report = {"bundle": args.out, "bytes": {f["path"]: f["bytes"] for f in m["files"]},
              "variants": [v["name"] for v in m["variants"]]}
    if not args.no_check:
        report["parity"] = check_parity(Path(args.src), Path(args.out))
    print(json.dumps(report, indent=1))
    if not args.no_check and report["parity"]["maxAbsDiff"] > TOLERANCE:
        raise SystemExit(f"split_single: split logits differ from the single graph by {report['parity']['maxAbsDiff']:.3g} > {TOLERANCE}")


if __name__ == "__main__":
    main()
