"""Multiply-accumulates counted on an ONNX graph."""

import numpy as np

from fer_bench.deploy.onnx_macs import count_onnx_macs

from .conftest import needs


def write_graph(path, nodes, initializers, output_shape, opset=17):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("faces", TensorProto.FLOAT, ["batch", 1, 48, 48])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["batch", *output_shape])],
        [numpy_helper.from_array(np.zeros(shape, np.float32), name) for name, shape in initializers.items()])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), str(path))
    return path


def test_convolutions_and_matrix_products_are_counted_per_face(tmp_path):
    needs("onnx")
    from onnx import helper

    nodes = [helper.make_node("Conv", ["faces", "w"], ["c"], pads=[1, 1, 1, 1], group=1),  # 8 x 48 x 48 x (1 x 3 x 3)
             helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("Flatten", ["r"], ["f"], axis=1),
             helper.make_node("Gemm", ["f", "dense", "bias"], ["out"], transB=1)]  # 7 x 18432
    path = write_graph(tmp_path / "m.onnx", nodes, {"w": (8, 1, 3, 3), "dense": (7, 8 * 48 * 48), "bias": (7,)}, [7])
    assert count_onnx_macs(path) == 8 * 48 * 48 * 9 + 7 * 8 * 48 * 48


def test_a_graph_with_a_subgraph_is_not_counted(tmp_path):
    needs("onnx")
    from onnx import TensorProto, helper

    branch = helper.make_graph([helper.make_node("Identity", ["faces"], ["y"])], "b", [],
                               [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    nodes = [helper.make_node("ReduceMax", ["faces"], ["m"], keepdims=0),
             helper.make_node("Cast", ["m"], ["flag"], to=TensorProto.BOOL),
             helper.make_node("If", ["flag"], ["out"], then_branch=branch, else_branch=branch)]
    path = write_graph(tmp_path / "if.onnx", nodes, {}, [1, 48, 48], opset=17)
    assert count_onnx_macs(path) is None
