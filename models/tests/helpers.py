"""Shared test helpers: tiny manifests and ONNX graphs built in memory (nothing downloaded)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT.parent / "shared" / "data"
TOKENIZER = REPO_ROOT / "models" / "tokenizer" / "tokenizer.json"


def tensor(name, dtype, shape):
    return {"name": name, "dtype": dtype, "shape": shape}


def split_manifest(prefix: str = "") -> dict:
    """A valid split manifest (without files) whose graphs live at <prefix>vision.onnx etc."""
    acts = [tensor(f"activations_{i}", "float32", [1, 5, 8]) for i in range(2)]
    emb = tensor("text_embeds", "float32", [1, 4])
    graphs = {
        "vision": {"file": f"{prefix}vision.onnx", "precision": "fp32",
                   "inputs": [tensor("pixel_values", "float32", [1, 3, 16, 16])], "outputs": acts},
        "text": {"file": f"{prefix}text.onnx", "precision": "fp32",
                 "inputs": [tensor("input_ids", "int64", [1, "sequence"]),
                            tensor("attention_mask", "int64", [1, "sequence"])],
                 "outputs": [emb]},
        "decoder": {"file": f"{prefix}decoder.onnx", "precision": "fp32",
                    "inputs": copy.deepcopy(acts + [emb]), "outputs": [tensor("logits", "float32", [1, 16, 16])]},
    }
    return {
        "format": "vlsm-bundle", "formatVersion": 1, "id": "test-model", "name": "Test model",
        "architecture": "clipseg", "license": "MIT", "modelCard": {"summary": "test"},
        "input": {"size": [16, 16], "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
                  "resize": "stretch", "colour": "rgb"},
        "text": {"tokenizer": "tokenizer.json", "maxLength": 77, "padding": "none"},
        "kind": "split",
        "variants": [{"name": "fp32", "backends": ["wasm", "webgpu"], "graphs": graphs}],
        "output": {"activation": "sigmoid", "threshold": 0.5, "size": [16, 16]},
    }


def write_files(bundle_dir: Path, manifest: dict) -> None:
    from vlsm.bundle import referenced_paths

    for rel in referenced_paths(manifest):
        p = bundle_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(rel.encode() * 10)


def matmul_model(path: Path, din: int = 64, dout: int = 32, seed: int = 0) -> Path:
    """x[1, n, din] -> MatMul(W) + b -> Relu -> y[1, n, dout], plus a Gather from an embedding table."""
    rng = np.random.default_rng(seed)
    w = numpy_helper.from_array(rng.standard_normal((din, dout)).astype(np.float32) * 0.1, "W")
    b = numpy_helper.from_array(rng.standard_normal(dout).astype(np.float32) * 0.1, "B")
    table = numpy_helper.from_array(rng.standard_normal((100, din)).astype(np.float32), "E")
    nodes = [
        helper.make_node("Gather", ["E", "ids"], ["emb"]),
        helper.make_node("Add", ["x", "emb"], ["xe"]),
        helper.make_node("MatMul", ["xe", "W"], ["mm"]),
        helper.make_node("Add", ["mm", "B"], ["pre"]),
        helper.make_node("Relu", ["pre"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "n", din]),
         helper.make_tensor_value_info("ids", TensorProto.INT64, [1, "n"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, "n", dout])],
        [w, b, table],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


# Prompts both tokenisers' id tests (test_tokenizer_ids, test_wordpiece_ids) run, in this order inside each list:
# medvlsm-style attribute prompts, laterality, punctuation, numbers with units, composed and decomposed accents.
CLINICAL_PROMPTS = [
    "one small pink round polyp, located in right of the image",
    "two large red polyps, located in top left and bottom right of the image",
    "malignant breast tumour, irregular shape, located in center of the image",
    "diabetic foot ulcer",
    "left lung and right lung",
    "skin lesion (melanoma?)",
    "it's a 3cm lesion; we'll see",
    "left-sided, 2 polyps; 10 mm, 1.5×2.0 cm",
    "naïve café",
    "cafe\u0301 decomposed accent",
]
