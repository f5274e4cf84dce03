# Writes a large ONNX model (one MatMul with an NxN float32 weight; N=5000 by default, ~100 MB)
# for the registry and sync benches: make_large_model.py OUT [N].
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
rng = np.random.default_rng(7)
weight = numpy_helper.from_array(rng.standard_normal((n, n), dtype=np.float32), name="W")
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "W"], ["y"])],
    "large",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", n])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", n])],
    initializer=[weight],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="slipway-bench")
model.ir_version = 8
onnx.save(model, out)
