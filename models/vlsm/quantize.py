"""Post-export precision conversion of ONNX graphs (int8 dynamic quantisation, fp16) and graph I/O listing.

Both conversions keep the graph's inputs and outputs in their original (fp32/int64) types, so the
engine feeds every variant the same tensors; only weights and inner activations change precision.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import onnx
from onnx import TensorProto

# Dynamic quantisation of these op types yields DynamicQuantizeLinear + MatMulInteger (MatMul) and
# uint8 Gather + DequantizeLinear (embedding tables): all in onnxruntime-web's WASM build. Conv is left
# out on purpose (ConvInteger is slow or missing on some EPs; the only Convs in CLIPSeg are tiny).
DEFAULT_INT8_OPS = ("MatMul", "Gather")

_DTYPES = {
    TensorProto.FLOAT: "float32",
    TensorProto.FLOAT16: "float16",
    TensorProto.INT64: "int64",
    TensorProto.INT32: "int32",
    TensorProto.UINT8: "uint8",
    TensorProto.INT8: "int8",
    TensorProto.BOOL: "bool",
    TensorProto.DOUBLE: "float64",
}


def quantize_int8(
    src_onnx: str | os.PathLike,
    dst_onnx: str | os.PathLike,
    weight_type: str = "QUInt8",
    op_types: tuple[str, ...] | None = DEFAULT_INT8_OPS,
    per_channel: bool = False,
) -> Path:
    """Dynamic int8 quantisation of weights (activations quantised at run time). QUInt8 by default:
    it ran faster than QInt8 in onnxruntime-web (DESIGN.md)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    qtype = {"QUInt8": QuantType.QUInt8, "QInt8": QuantType.QInt8}[weight_type]
    dst = Path(dst_onnx)
    dst.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # quantize_dynamic warns "consider pre-processing" on every call
    try:
        quantize_dynamic(
            model_input=str(src_onnx),
            model_output=str(dst),
            weight_type=qtype,
            op_types_to_quantize=list(op_types) if op_types else None,
            per_channel=per_channel,
            extra_options={"EnableSubgraph": True},
        )
    finally:
        root.setLevel(level)
    return dst


def convert_fp16(src: str | os.PathLike, dst: str | os.PathLike, op_block_list: list[str] | None = None) -> Path:
    """fp16 weights and activations, fp32 graph inputs/outputs (keep_io_types), for WebGPU with shader-f16."""
    from onnxruntime.transformers.float16 import convert_float_to_float16

    model = onnx.load(str(src))
    kwargs = {"keep_io_types": True, "disable_shape_infer": False}
    if op_block_list is not None:
        kwargs["op_block_list"] = op_block_list
    model16 = convert_float_to_float16(model, **kwargs)
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model16, str(dst))
    return dst


def _tensor_dict(vi: onnx.ValueInfoProto) -> dict:
    tt = vi.type.tensor_type
    dtype = _DTYPES.get(tt.elem_type)
    if dtype is None:
        raise ValueError(f"graph tensor '{vi.name}' has unsupported element type {tt.elem_type}")
    shape: list[int | str] = []
    for i, d in enumerate(tt.shape.dim):
        if d.HasField("dim_value"):
            shape.append(int(d.dim_value))
        elif d.HasField("dim_param"):
            shape.append(d.dim_param)
        else:
            shape.append(f"{vi.name}_dim{i}")
    return {"name": vi.name, "dtype": dtype, "shape": shape}


def graph_io(onnx_path: str | os.PathLike) -> tuple[list[dict], list[dict]]:
    """(inputs, outputs) of an ONNX graph as bundle-schema tensor dicts {name, dtype, shape}."""
    model = onnx.load(str(onnx_path), load_external_data=False)
    inits = {i.name for i in model.graph.initializer}
    inputs = [_tensor_dict(v) for v in model.graph.input if v.name not in inits]
    outputs = [_tensor_dict(v) for v in model.graph.output]
    return inputs, outputs
