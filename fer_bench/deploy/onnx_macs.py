"""An ONNX graph's parameters, and its multiply-accumulates of one face, counted from its convolutions and
matrix products.

The graph's batch axis is set to 1 and ONNX's shape inference gives every tensor's
shape; ``Conv`` counts ``output elements x input channels per group x kernel area``,
``Gemm`` and ``MatMul`` ``rows x columns x inner size`` (times any batch axes of a
``MatMul``). Other operators (activations, pooling, normalisation, softmax) are not
counted, as PyTorch's ``FlopCounterMode`` does not count them either; skl2onnx's linear
models (``LinearClassifier``) count one per coefficient. A graph with nodes
that hold graphs (``Scan``, ``Loop``, ``If``) or other operators of other domains (skl2onnx's
k-nearest neighbours, SVMs, trees) is not counted: its products would be missed.
"""

from __future__ import annotations

import math
from pathlib import Path

COUNTED: tuple[str, ...] = ("Conv", "Gemm", "MatMul")
ML_LINEAR: tuple[str, ...] = ("LinearClassifier", "LinearRegressor")
"""Operators of the ``ai.onnx.ml`` domain counted by their coefficients (one multiply-accumulate each per row)."""
ML_FREE: tuple[str, ...] = ("ArrayFeatureExtractor", "Binarizer", "Cast", "FeatureVectorizer", "Imputer",
                            "LabelEncoder", "Normalizer", "OneHotEncoder", "Scaler", "ZipMap")
"""Operators of the ``ai.onnx.ml`` domain with no products to count (elementwise or bookkeeping)."""


def count_onnx_parameters(path: str | Path) -> int:
    """Elements of the initializers (weights) of the ONNX model at ``path``, external data left unread.

    Raises
    ------
    ImportError
        If ``onnx`` is not installed.
    """
    import onnx

    return sum(math.prod(tensor.dims) for tensor in onnx.load(str(path), load_external_data=False).graph.initializer)


def count_onnx_macs(path: str | Path) -> int | None:
    """Multiply-accumulates per face of the ONNX model at ``path``; None where a counted node's shapes are unknown
    or the graph has nodes whose work is not counted (see the module docstring).

    Raises
    ------
    ImportError
        If ``onnx`` is not installed.
    """
    import onnx

    model = onnx.load(str(path))
    for value in model.graph.input:
        dims = value.type.tensor_type.shape.dim
        if dims:
            dims[0].ClearField("dim_param")
            dims[0].dim_value = 1
    graph = onnx.shape_inference.infer_shapes(model).graph
    if any(not _countable(node) for node in graph.node):
        return None
    shapes = {value.name: [dim.dim_value if dim.HasField("dim_value") else None
                           for dim in value.type.tensor_type.shape.dim]
              for value in [*graph.input, *graph.value_info, *graph.output]}
    shapes.update({tensor.name: list(tensor.dims) for tensor in graph.initializer})
    total = 0
    for node in graph.node:
        if node.op_type in ML_LINEAR:
            total += len(next(attribute.floats for attribute in node.attribute if attribute.name == "coefficients"))
        if node.domain not in ("", "ai.onnx") or node.op_type not in COUNTED:
            continue
        known = [shapes.get(name) for name in [*node.input[:2], node.output[0]]]
        if any(shape is None or None in shape for shape in known):
            return None
        first, second, output = known
        if node.op_type == "Conv":
            total += math.prod(output) * math.prod(second[1:])  # weights (out, in / group, kh, kw)
        elif node.op_type == "Gemm":
            inner = first[0] if _attribute(node, "transA") else first[-1]
            total += math.prod(output) * inner
        else:
            total += math.prod(output) * first[-1]
    return total


def _countable(node) -> bool:
    """Whether the node's work is counted or has no products: no subgraph, no operator of an unknown domain."""
    if any(attribute.g.node or attribute.graphs for attribute in node.attribute):
        return False
    return node.domain in ("", "ai.onnx") or (node.domain == "ai.onnx.ml" and node.op_type in ML_LINEAR + ML_FREE)


def _attribute(node, name: str) -> int:
    return next((attribute.i for attribute in node.attribute if attribute.name == name), 0)
