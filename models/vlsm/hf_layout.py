"""CLIPSeg in the transformers.js model-folder layout, as published for `Xenova/clipseg-rd64-refined`.

    python -m vlsm.hf_layout --random-init --out DIR [--arch tiny|rd64] [--seed 0] [--init-scale 0.5]
    python -m vlsm.hf_layout --checkpoint HF_DIR --out DIR          (a local Hugging Face checkpoint)

Writes what transformers.js reads for `CLIPSegForImageSegmentation.from_pretrained` and
`AutoTokenizer` / `AutoProcessor`:

    DIR/config.json                 the CLIPSegConfig (model_type "clipseg", architectures)
    DIR/preprocessor_config.json    ViTImageProcessor: resize to size (bilinear), rescale 1/255, ImageNet mean/std
    DIR/tokenizer.json              CLIP byte-level BPE (the repo's models/tokenizer/tokenizer.json)
    DIR/tokenizer_config.json, DIR/special_tokens_map.json
    DIR/onnx/model.onnx             ONE graph, fp32 (transformers.js: `${subfolder}/${fileName}.onnx`)
    DIR/onnx/model_quantized.onnx   the same, dynamic int8 (QUInt8) (transformers.js `quantized`: `_quantized`)

The graph is Hugging Face's own `CLIPSegForImageSegmentation.forward` traced by torch.onnx (the
TorchScript exporter, as transformers.js' conversion script uses through Optimum): inputs `input_ids`,
`pixel_values`, `attention_mask` (batch and sequence dynamic), outputs `logits` [batch, H, W],
`conditional_embeddings`, `pooled_output`. It is not the repo's re-stated SingleGraph: whatever the
workbench does with it (import, split) is done to a graph shaped like the published one.

--random-init: random weights (nothing is downloaded); the masks mean nothing. The folder is what the
e2e tests serve as a model hub (`<host>/<owner>/<name>/resolve/main/<file>`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import warnings
from pathlib import Path

import torch
from torch import nn

from .clipseg_export import TOKENIZER
from .clipseg_graphs import prepare, random_model, rd64_config, tiny_config
from .quantize import quantize_int8

OPSET = 17
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
INPUTS = ("input_ids", "pixel_values", "attention_mask")
OUTPUTS = ("logits", "conditional_embeddings", "pooled_output")
# "a photo of a cat": tracing example only; the batch and sequence axes are dynamic.
EXAMPLE_IDS = [49406, 320, 1125, 539, 320, 2368, 49407]


class HfForward(nn.Module):
    """transformers' CLIPSegForImageSegmentation.forward, unchanged, with the published graph's I/O."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, pixel_values, attention_mask):
        out = self.model(input_ids=input_ids, pixel_values=pixel_values, attention_mask=attention_mask, return_dict=True)
        return out.logits, out.conditional_embeddings, out.pooled_output


def example(size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    ids = torch.tensor([EXAMPLE_IDS], dtype=torch.int64)
    pixels = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(0))
    return ids, pixels, torch.ones_like(ids)


def export_single(model, path: Path) -> Path:
    size = int(model.config.vision_config.image_size)
    path.parent.mkdir(parents=True, exist_ok=True)
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"}, "attention_mask": {0: "batch_size", 1: "sequence_length"},
            "pixel_values": {0: "batch_size"}, "logits": {0: "batch_size"}, "conditional_embeddings": {0: "batch_size"},
            "pooled_output": {0: "batch_size"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about Python-level shape checks are expected
        torch.onnx.export(HfForward(model), example(size), str(path), input_names=list(INPUTS),
                          output_names=list(OUTPUTS), dynamic_axes=axes, opset_version=OPSET,
                          do_constant_folding=True, dynamo=False)
    return path


def preprocessor_config(size: int) -> dict:
    return {
        "do_normalize": True, "do_rescale": True, "do_resize": True,
        "image_mean": IMAGENET_MEAN, "image_std": IMAGENET_STD,
        "image_processor_type": "ViTImageProcessor", "processor_class": "CLIPSegProcessor",
        "resample": 2, "rescale_factor": 1 / 255, "size": {"height": size, "width": size},
    }


TOKENIZER_CONFIG = {
    "add_prefix_space": False, "bos_token": "<|startoftext|>", "clean_up_tokenization_spaces": True,
    "do_lower_case": True, "eos_token": "<|endoftext|>", "errors": "replace", "model_max_length": 77,
    "pad_token": "<|endoftext|>", "processor_class": "CLIPSegProcessor", "tokenizer_class": "CLIPTokenizer",
    "unk_token": "<|endoftext|>",
}
SPECIAL_TOKENS = {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>",
                  "unk_token": "<|endoftext|>"}


def write_layout(model, out: Path, quantized: bool = True, fp32: bool = True, note: str | None = None) -> dict[str, int]:
    """Writes the folder; returns {relative path: bytes}."""
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / "config.json").is_file():
        raise SystemExit(f"{out} is not empty and is not a model folder: choose an empty or new folder")
    out.mkdir(parents=True, exist_ok=True)
    prepare(model)
    cfg = json.loads(model.config.to_json_string())
    cfg["architectures"] = ["CLIPSegForImageSegmentation"]
    if note:
        cfg["_vlsm_note"] = note
    (out / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    size = int(model.config.vision_config.image_size)
    (out / "preprocessor_config.json").write_text(json.dumps(preprocessor_config(size), indent=2) + "\n")
    shutil.copyfile(TOKENIZER, out / "tokenizer.json")
    (out / "tokenizer_config.json").write_text(json.dumps(TOKENIZER_CONFIG, indent=2) + "\n")
    (out / "special_tokens_map.json").write_text(json.dumps(SPECIAL_TOKENS, indent=2) + "\n")
    single = export_single(model, out / "onnx" / "model.onnx")
    if quantized:
        quantize_int8(single, out / "onnx" / "model_quantized.onnx")
    if not fp32:
        single.unlink()
    return {p.relative_to(out).as_posix(): p.stat().st_size for p in sorted(out.rglob("*")) if p.is_file()}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--random-init", action="store_true", help="random weights (nothing downloaded)")
    src.add_argument("--checkpoint", help="local Hugging Face CLIPSeg checkpoint directory")
    ap.add_argument("--out", required=True)
    ap.add_argument("--arch", choices=("tiny", "rd64"), default="rd64", help="--random-init architecture (default rd64)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init-scale", type=float, default=0.5, help="--random-init weight scale (logits stay moderate)")
    ap.add_argument("--no-quantized", action="store_true", help="skip onnx/model_quantized.onnx")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.random_init:
        cfg = tiny_config() if args.arch == "tiny" else rd64_config()
        model = random_model(cfg, seed=args.seed, init_scale=args.init_scale)
        note = f"RANDOM weights (vlsm.hf_layout --arch {args.arch} --seed {args.seed}): masks are meaningless"
    else:
        from .clipseg_export import load_checkpoint

        model = load_checkpoint(args.checkpoint)
        note = None
    files = write_layout(model, Path(args.out), quantized=not args.no_quantized, note=note)
    print(json.dumps({"out": str(args.out), "files": files}, indent=1))


if __name__ == "__main__":
    main()
