"""Convert a BiomedCLIPSeg or BiomedCLIPSeg-D checkpoint (medvlsm) into a VLSM bundle (vision / text / decoder).

    python -m vlsm.biomedclipseg_export --checkpoint X --variant biomedclipseg|biomedclipseg-d --vocab vocab.txt --out DIR

X is the published Lightning checkpoint (.ckpt: `state_dict` with keys under `net.`), or a plain state_dict
(.pt, .pth, .bin, .safetensors). The sizes (widths, depths, vocabulary, positions, input size, decoder head)
are read from the tensors' shapes; what shapes cannot tell (attention heads: width / 64; the decoder's extract
layers: 3, 6, 9 as CLIPSeg rd64) has a flag. The weights are loaded strictly: a missing or unexpected key stops
the conversion with the list. vocab.txt (PubMedBERT's, from the BiomedCLIP folder) becomes the bundle's
tokenizer.json (WordPiece, uncased; `--cased` keeps case and accents).

Lightning checkpoints also pickle the training setup (the monai loss, the optimiser factory); those objects
are never imported or run here: only tensors and plain containers are rebuilt, anything else becomes an inert
placeholder.
"""

from __future__ import annotations

import argparse
import builtins
import json
import pickle
import re
import types
from pathlib import Path

import torch

from .biomedclipseg import CLIP_MEAN, CLIP_STD, VARIANTS, BiomedCLIPSeg, BiomedCLIPSegConfig, TextGraph, VisionGraph, activation_names
from .bundle import finalize_bundle
from .clipseg_export import (DEFAULT_WASM, TEXT_AXES, _clear_previous_bundle, _drop_unused, _export, build_variants,
                             derive_precisions, slug)
from .clipseg_graphs import DecoderGraph
from .wordpiece import write_tokenizer_json

NAMES = {"biomedclipseg": "BiomedCLIPSeg", "biomedclipseg-d": "BiomedCLIPSeg-D"}
SUMMARIES = {
    "biomedclipseg": "BiomedCLIP encoders (ViT-B/16 224 px, PubMedBERT) with a CLIPSeg decoder trained from random "
                     "initialisation (medvlsm, arXiv 2308.07706).",
    "biomedclipseg-d": "BiomedCLIP encoders (ViT-B/16 224 px, PubMedBERT) with a CLIPSeg decoder fine-tuned from "
                       "CLIPSeg's pretrained rd64-refined decoder (medvlsm, arXiv 2308.07706).",
}
# BertEmbeddings buffers that older transformers saved with the weights (position_ids) or newer ones may
# (token_type_ids): constants, not weights, so a checkpoint may or may not hold them.
IGNORED_BUFFERS = re.compile(r"(^|\.)embeddings\.(position_ids|token_type_ids)$")
PREFIXES = ("net.", "module.", "model.")


# --- reading checkpoints -------------------------------------------------------------------------------------

class _Inert:
    """Stands in for a pickled object of a class this toolchain does not import (a monai loss, a Lightning
    AttributeDict): takes any arguments and state, does nothing."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass

    def __call__(self, *args, **kwargs):
        return _Inert()


def _allowed(module: str, name: str):
    """The globals a state_dict needs; None for anything else (which becomes _Inert)."""
    import collections

    if module == "collections" and name in ("OrderedDict", "defaultdict"):
        return getattr(collections, name)
    if module == "torch._utils" and name.startswith("_rebuild"):
        return getattr(torch._utils, name)
    if module == "torch._tensor" and name == "_rebuild_from_type_v2":
        return torch._tensor._rebuild_from_type_v2
    if module == "torch" and name in ("Size", "device"):
        return getattr(torch, name)
    if module == "torch" and isinstance(getattr(torch, name, None), torch.dtype):
        return getattr(torch, name)
    if module == "torch.nn.parameter" and name == "Parameter":
        return torch.nn.Parameter
    if module == "builtins" and name in ("set", "frozenset", "slice", "complex", "bytearray"):
        return getattr(builtins, name)
    return None


class _InertUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        found = _allowed(module, name)
        return found if found is not None else type(name, (_Inert,), {"__module__": module})


_inert_pickle = types.SimpleNamespace(Unpickler=_InertUnpickler, load=pickle.load, __name__="inert_pickle")


def read_checkpoint(path: str | Path) -> dict[str, torch.Tensor]:
    """The tensors of a checkpoint file, as {key: tensor} (the Lightning `state_dict` when there is one)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"checkpoint {path} not found")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return dict(load_file(str(path)))
    try:
        try:
            obj = torch.load(str(path), map_location="cpu", weights_only=True)
        except pickle.UnpicklingError:  # pickled objects beside the tensors (Lightning): rebuilt inert
            obj = torch.load(str(path), map_location="cpu", weights_only=False, pickle_module=_inert_pickle)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as e:
        raise ValueError(f"{path} is not a PyTorch checkpoint ({(str(e).splitlines() or [type(e).__name__])[0]})") from e
    for key in ("state_dict", "model", "model_state_dict"):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            obj = obj[key]
            break
    if not isinstance(obj, dict) or not any(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ValueError(f"{path}: no state_dict found (expected a Lightning checkpoint or a dict of tensors)")
    return {k: v for k, v in obj.items() if isinstance(v, torch.Tensor)}


def normalise_keys(sd: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Strip the Lightning module's `net.` (or a `module.`/`model.`) prefix, drop constant BERT buffers."""
    changed = True
    while changed:
        changed = False
        for p in PREFIXES:
            if sd and all(k.startswith(p) for k in sd):
                sd = {k[len(p):]: v for k, v in sd.items()}
                changed = True
    return {k: v for k, v in sd.items() if not IGNORED_BUFFERS.search(k)}


def _count(sd, pattern: str) -> int:
    rx = re.compile(pattern)
    return len({m.group(1) for k in sd if (m := rx.match(k))})


def infer_config(sd: dict[str, torch.Tensor], vision_heads: int | None = None, text_heads: int | None = None,
                 decoder_heads: int = 4, extract_layers: tuple[int, ...] | None = None,
                 context_length: int = 256) -> BiomedCLIPSegConfig:
    """The architecture from the tensors' shapes; heads, extract layers and the prompt length from the arguments
    (shapes cannot tell)."""
    def need(key: str) -> torch.Tensor:
        if key not in sd:
            hint = ""
            if any(k.startswith("clip.") for k in sd):
                hint = " (this looks like a Hugging Face CLIPSeg checkpoint: use python -m vlsm.clipseg_export)"
            raise ValueError(f"not a BiomedCLIPSeg checkpoint: no '{key}'{hint}")
        return sd[key]

    v, t, d = "biomedclip.visual.trunk.", "biomedclip.text.", "decoder."
    patch = need(v + "patch_embed.proj.weight")
    pos = need(v + "pos_embed")
    width, p = int(patch.shape[0]), int(patch.shape[-1])
    grid = int(round((pos.shape[1] - 1) ** 0.5))
    if grid * grid != pos.shape[1] - 1:
        raise ValueError(f"pos_embed has {pos.shape[1]} tokens: not a square grid plus a class token")
    words = need(t + "transformer.embeddings.word_embeddings.weight")
    text_width = int(words.shape[1])
    reduce = need(d + "reduces.0.weight")
    n_reduces = _count(sd, r"decoder\.reduces\.(\d+)\.weight")
    extract = tuple(extract_layers) if extract_layers else ((3, 6, 9) if n_reduces == 3 else tuple(range(1, n_reduces + 1)))
    if len(extract) != n_reduces:
        raise ValueError(f"--extract-layers gives {len(extract)} layers, the decoder has {n_reduces}")
    positions = int(need(t + "transformer.embeddings.position_embeddings.weight").shape[0])
    if context_length > positions:
        raise ValueError(f"--context-length {context_length} exceeds the text encoder's {positions} positions")
    return BiomedCLIPSegConfig(
        image_size=grid * p, patch_size=p, vision_width=width,
        vision_layers=_count(sd, r"biomedclip\.visual\.trunk\.blocks\.(\d+)\."),
        vision_heads=vision_heads or max(1, width // 64),
        vision_mlp=int(need(v + "blocks.0.mlp.fc1.weight").shape[0]),
        embed_dim=int(need(t + "proj.2.weight").shape[0]),
        text_vocab=int(words.shape[0]), text_width=text_width,
        text_layers=_count(sd, r"biomedclip\.text\.transformer\.encoder\.layer\.(\d+)\."),
        text_heads=text_heads or max(1, text_width // 64),
        text_mlp=int(need(t + "transformer.encoder.layer.0.intermediate.dense.weight").shape[0]),
        text_positions=positions, context_length=context_length,
        text_pooler_layer=(t + "transformer.pooler.dense.weight") in sd,
        extract_layers=extract, reduce_dim=int(reduce.shape[0]), decoder_heads=decoder_heads,
        decoder_mlp=int(need(d + "layers.0.mlp.fc1.weight").shape[0]),
        complex_transposed_conv=(d + "transposed_convolution.0.weight") in sd,
    )


def load_strict(model: BiomedCLIPSeg, sd: dict[str, torch.Tensor], source: str = "checkpoint") -> BiomedCLIPSeg:
    """load_state_dict(strict) with every missing and unexpected key (and shape mismatch) listed."""
    want = {k: v for k, v in model.state_dict().items() if not IGNORED_BUFFERS.search(k)}
    missing = sorted(set(want) - set(sd))
    unexpected = sorted(set(sd) - set(want))
    shapes = [f"{k}: {tuple(sd[k].shape)} in the {source}, {tuple(want[k].shape)} in the model"
              for k in sorted(set(want) & set(sd)) if tuple(sd[k].shape) != tuple(want[k].shape)]
    if missing or unexpected or shapes:
        def listing(title, items):
            return f"\n  {title} ({len(items)}): " + ", ".join(items[:12]) + (" ..." if len(items) > 12 else "") if items else ""
        raise ValueError(f"the {source} does not fit BiomedCLIPSeg:" + listing("missing keys", missing)
                         + listing("unexpected keys", unexpected) + listing("shape mismatches", shapes))
    model.load_state_dict(sd, strict=False)  # strictness checked above, minus the constant buffers
    return model.eval()


def load_model(checkpoint: str | Path, **overrides) -> BiomedCLIPSeg:
    sd = normalise_keys(read_checkpoint(checkpoint))
    cfg = infer_config(sd, **overrides)
    return load_strict(BiomedCLIPSeg(cfg), sd, f"checkpoint {Path(checkpoint).name}")


# --- bundle --------------------------------------------------------------------------------------------------

def export_fp32(model: BiomedCLIPSeg, out_dir: Path) -> dict[str, Path]:
    cfg = model.cfg
    g = torch.Generator().manual_seed(0)
    px = torch.randn(1, 3, cfg.image_size, cfg.image_size, generator=g)
    ids = torch.tensor([[2] + [min(100 + i, cfg.text_vocab - 1) for i in range(5)] + [3]], dtype=torch.int64)
    mask = torch.ones_like(ids)
    acts = activation_names(cfg)
    vision, text, decoder = VisionGraph(model), TextGraph(model), DecoderGraph(model).eval()
    with torch.no_grad():
        act_values = vision(px)
        emb = text(ids, mask)
    files = {
        "vision": _export(vision, [px], out_dir / "vision.fp32.onnx", ["pixel_values"], acts),
        "text": _export(text, [ids, mask], out_dir / "text.fp32.onnx", ["input_ids", "attention_mask"], ["text_embeds"], TEXT_AXES),
        "decoder": _export(decoder, [*act_values, emb], out_dir / "decoder.fp32.onnx", [*acts, "text_embeds"], ["logits"]),
    }
    model.eval()
    return files


def write_bundle(model: BiomedCLIPSeg, out_dir: str | Path, vocab: str | Path, variant: str = "biomedclipseg",
                 precisions=("fp32", "fp16", "int8"), bundle_id: str | None = None, name: str | None = None,
                 license: str = "unknown", summary: str | None = None, lowercase: bool = True,
                 threshold: float = 0.5) -> dict:
    """Export `model` and the WordPiece tokenizer made from `vocab` as a finalised split bundle; returns the manifest."""
    if variant not in VARIANTS:
        raise ValueError(f"variant '{variant}': use one of {VARIANTS}")
    out_dir = Path(out_dir)
    _clear_previous_bundle(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    cfg = model.cfg
    write_tokenizer_json(vocab, out_dir / "tokenizer.json", lowercase=lowercase)
    files = derive_precisions(export_fp32(model, out_dir), precisions)
    bundle_id = bundle_id or slug(out_dir.name)
    m = {
        "format": "vlsm-bundle", "formatVersion": 1, "id": bundle_id, "name": name or NAMES[variant],
        "architecture": variant, "license": license,
        "modelCard": {"summary": summary or SUMMARIES[variant]},
        "input": {"size": [cfg.image_size, cfg.image_size], "mean": CLIP_MEAN, "std": CLIP_STD, "resize": "stretch",
                  "colour": "rgb", "scale": 1 / 255},
        "text": {"tokenizer": "tokenizer.json", "tokenizerType": "wordpiece", "maxLength": cfg.context_length,
                 "padding": "none", "lowercase": lowercase},
        "kind": "split",
        "variants": build_variants(files, precisions, out_dir, dict(DEFAULT_WASM)),
        "output": {"activation": "sigmoid", "threshold": threshold, "size": [cfg.image_size, cfg.image_size]},
    }
    if any(v["name"] == "wasm-int8" for v in m["variants"]):
        m["modelCard"]["precisionChoice"] = ("wasm-int8: every graph int8 (dynamic MatMul/Gather quantisation), "
                                             "not measured for this architecture.")
    _drop_unused(out_dir, m)
    return finalize_bundle(out_dir, m)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", required=True, help="medvlsm Lightning .ckpt or a state_dict (.pt/.pth/.bin/.safetensors)")
    ap.add_argument("--variant", required=True, choices=VARIANTS)
    ap.add_argument("--vocab", required=True, help="PubMedBERT's vocab.txt (from the BiomedCLIP model folder)")
    ap.add_argument("--out", required=True, help="bundle directory to write")
    ap.add_argument("--precisions", default="fp32,fp16,int8")
    ap.add_argument("--id")
    ap.add_argument("--name")
    ap.add_argument("--license", default="unknown", help="licence of the weights")
    ap.add_argument("--summary")
    ap.add_argument("--cased", action="store_true", help="keep case and accents (the published models are uncased)")
    ap.add_argument("--extract-layers", default="3,6,9", help="the decoder's CLIPSeg extract layers (default %(default)s)")
    ap.add_argument("--vision-heads", type=int, help="ViT attention heads (default width / 64)")
    ap.add_argument("--text-heads", type=int, help="BERT attention heads (default width / 64)")
    ap.add_argument("--decoder-heads", type=int, default=4)
    ap.add_argument("--context-length", type=int, default=256, help="longest prompt in tokens incl. [CLS] and [SEP]")
    ap.add_argument("--threads", type=int, default=1, help="torch threads")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        extract = tuple(int(x) for x in args.extract_layers.split(","))
        model = load_model(args.checkpoint, vision_heads=args.vision_heads, text_heads=args.text_heads,
                           decoder_heads=args.decoder_heads, extract_layers=extract, context_length=args.context_length)
        precisions = [p.strip() for p in args.precisions.split(",") if p.strip()]
        m = write_bundle(model, args.out, args.vocab, args.variant, precisions, bundle_id=args.id, name=args.name,
                         license=args.license, summary=args.summary, lowercase=not args.cased)
    except ValueError as e:
        raise SystemExit(f"error: {e}") from None
    print(json.dumps({"bundle": str(args.out), "id": m["id"], "variants": [v["name"] for v in m["variants"]],
                      "megabytes": round(sum(f["bytes"] for f in m["files"]) / 1e6, 1),
                      "config": model.cfg.to_dict()}))


if __name__ == "__main__":
    main()
