"""vlsm.export_compact keeps a graph fp32 when int8 quantisation finds nothing to quantise (the v2 vision graph is
all convolutions: its 'int8' file was the fp32 graph under another name, picked once by a timing that was noise)."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from vlsm.export_compact import quantized_ops
from vlsm.quantize import quantize_int8


def _save(tmp_path, name, node, inits, x_shape, y_shape):
    g = helper.make_graph([node], name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    p = tmp_path / f"{name}.fp32.onnx"
    onnx.save(m, p)
    return str(p)


def test_conv_only_graph_has_nothing_quantised_and_matmul_graph_has(tmp_path):
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "w")
    conv = _save(tmp_path, "conv", helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1]), [w], [1, 3, 8, 8], [1, 4, 8, 8])
    b = numpy_helper.from_array(rng.standard_normal((64, 32)).astype(np.float32), "b")
    mm = _save(tmp_path, "mm", helper.make_node("MatMul", ["x", "b"], ["y"]), [b], [1, 64], [1, 32])
    q_conv = str(quantize_int8(conv, conv.replace(".fp32.", ".int8.")))
    q_mm = str(quantize_int8(mm, mm.replace(".fp32.", ".int8.")))
    assert quantized_ops(conv) == 0 and quantized_ops(q_conv) == 0
    assert quantized_ops(q_mm) > 0
