"""int8 / fp16 conversion keeps graph I/O and numbers close; graph_io lists I/O as schema tensors."""

import numpy as np
import onnx
import onnxruntime as ort

from tests.helpers import matmul_model
from vlsm.quantize import convert_fp16, graph_io, quantize_int8


def _run(path, feeds):
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)[0]


def _feeds():
    rng = np.random.default_rng(1)
    return {"x": rng.standard_normal((1, 7, 64)).astype(np.float32), "ids": rng.integers(0, 100, (1, 7))}


def test_graph_io(tmp_path):
    p = matmul_model(tmp_path / "m.onnx")
    inputs, outputs = graph_io(p)
    assert inputs == [{"name": "x", "dtype": "float32", "shape": [1, "n", 64]},
                      {"name": "ids", "dtype": "int64", "shape": [1, "n"]}]
    assert outputs == [{"name": "y", "dtype": "float32", "shape": [1, "n", 32]}]


def test_int8_quantisation(tmp_path):
    src = matmul_model(tmp_path / "m.onnx")
    dst = quantize_int8(src, tmp_path / "m.int8.onnx")
    assert graph_io(dst) == graph_io(src)
    ops = {n.op_type for n in onnx.load(str(dst)).graph.node}
    assert "MatMulInteger" in ops and "MatMul" not in ops
    inits = {i.name: i for i in onnx.load(str(dst)).graph.initializer}
    assert any(i.data_type == onnx.TensorProto.UINT8 for i in inits.values())  # QUInt8 weights
    assert dst.stat().st_size < src.stat().st_size / 2.5
    ref, out = _run(src, _feeds()), _run(dst, _feeds())
    assert np.abs(ref - out).max() < 0.05 * np.abs(ref).max()


def test_fp16_keeps_io_types(tmp_path):
    src = matmul_model(tmp_path / "m.onnx")
    dst = convert_fp16(src, tmp_path / "m.fp16.onnx")
    assert graph_io(dst) == graph_io(src)
    model = onnx.load(str(dst))
    assert all(i.data_type == onnx.TensorProto.FLOAT16 for i in model.graph.initializer)
    assert dst.stat().st_size < src.stat().st_size * 0.6
    ref, out = _run(src, _feeds()), _run(dst, _feeds())
    assert np.abs(ref - out).max() < 1e-2 * max(1.0, np.abs(ref).max())
