"""A card's model file opened as a function from a batch of model input to its raw outputs, running none of its code.

- ``onnx``: onnxruntime on the CPU, after the onnx package has checked that every tensor stored outside the file
  (external data) lies inside the card's folder;
- ``keras``: ``keras.saving.load_model(..., safe_mode=True)`` (``.keras``, or a legacy ``.h5``), which refuses
  ``Lambda`` layers' code;
- ``tflite``: ai_edge_litert's ``Interpreter``.

A runtime missing here raises ImportError with its install command.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Callable

import numpy as np

from .card import Card, CardError

Runtime = Callable[[np.ndarray], np.ndarray]
"""Model input (a batch, as :func:`~.preprocessing.preprocess` gives it) -> raw outputs, shape (n, k)."""
REQUIRES: dict[str, tuple[str, ...]] = {"onnx": ("onnx", "onnxruntime"), "keras": ("keras",),
                                        "tflite": ("ai_edge_litert",)}
"""The modules each format needs."""
INSTALL: dict[str, str] = {"onnx": "pip install 'fer_bench[onnx]'", "tflite": "pip install 'fer_bench[tflite]'",
                           "keras": "pip install tensorflow-cpu"}
"""The command that installs each format's runtime (fer_bench's extras ``onnx`` and ``tflite``)."""
RUNTIMES: tuple[str, ...] = ("onnx",)
"""Runtimes ``--runtime`` may ask for besides the model's own format."""


class UntrustedCardError(ValueError):
    """A card whose model would run code when loaded (a Keras Lambda layer), or reads data outside its folder."""


def missing_modules(file_format: str) -> list[str]:
    """The modules of ``file_format``'s runtime that cannot be imported here (found without importing them)."""
    return [module for module in REQUIRES[file_format] if importlib.util.find_spec(module) is None]


def open_runtime(card: Card) -> Runtime:
    """The card's model, loaded, as a :data:`Runtime`.

    Raises
    ------
    ImportError
        If the format's runtime is not installed (giving the install command).
    UntrustedCardError
        An ONNX model whose external data lie outside the card's folder (checked before the model is opened).
    ValueError
        If the file is not a readable model of its format (naming it).
    """
    missing = missing_modules(card.format)
    if missing:
        raise ImportError(f"{card.path}: a {card.format} model needs {', '.join(missing)}, not installed here; "
                          f"install with: {INSTALL[card.format]}")
    opener = {"onnx": _onnx, "keras": _keras, "tflite": _tflite}
    try:
        return opener[card.format](card)
    except (UntrustedCardError, ImportError, CardError):
        raise
    except Exception as error:  # each library has its own errors for a corrupt file
        raise ValueError(f"{card.model_file}: not a readable {card.format} model ({type(error).__name__}: "
                         f"{str(error).strip().splitlines()[0] if str(error).strip() else ''})") from error


def external_data_paths(model) -> list[str]:
    """The ``location`` of every tensor an ONNX ``ModelProto`` stores outside its file, subgraphs included."""
    from onnx import TensorProto

    locations, graphs = [], [model.graph]
    while graphs:
        graph = graphs.pop()
        tensors = list(graph.initializer) + [sparse.values for sparse in graph.sparse_initializer] \
            + [sparse.indices for sparse in graph.sparse_initializer]
        for node in graph.node:
            for attribute in node.attribute:
                tensors += ([attribute.t] if attribute.HasField("t") else []) + list(attribute.tensors)
                graphs += ([attribute.g] if attribute.HasField("g") else []) + list(attribute.graphs)
        locations += [entry.value for tensor in tensors if tensor.data_location == TensorProto.EXTERNAL
                      for entry in tensor.external_data if entry.key == "location"]
    return locations


def check_external_data(card: Card) -> None:
    """Refuse an ONNX model whose external data files are not inside the card's folder (links resolved).

    Raises
    ------
    UntrustedCardError
        Naming the card, the model and the first path outside.
    """
    import onnx

    model = onnx.load(str(card.model_file), load_external_data=False)
    for location in external_data_paths(model):
        resolved = (card.model_file.parent / location).resolve()
        if Path(location).is_absolute() or not resolved.is_relative_to(card.folder):
            raise UntrustedCardError(f"{card.path}: {card.model_file.name} reads external data from {location!r} "
                                     f"({resolved}), outside the card's folder {card.folder}; refused")


def check_input_shape(card: Card, shape) -> None:
    """Refuse a model whose input shape (batch first; a dimension not an int is free) is not the card's.

    Raises
    ------
    CardError
        Naming the card, the first ``[input]`` key that disagrees and the model's size.
    """
    spec = card.input
    keys = (("channels", spec.n_channels), ("height", spec.height), ("width", spec.width))
    if spec.layout == "nhwc":
        keys = keys[1:] + keys[:1]
    dims = list(shape)[1:]
    if len(dims) != 3:
        raise CardError(f"{card.path}: [input] layout = \"{spec.layout}\": the model takes {len(dims) + 1}-d input "
                        f"{tuple(shape)}, not a batch of images")
    for (key, expected), dim in zip(keys, dims):
        if isinstance(dim, int) and dim > 0 and dim != expected:
            shown = f"\"{spec.channels}\"" if key == "channels" else expected
            raise CardError(f"{card.path}: [input] {key} = {shown}: the model takes {dim} there "
                            f"(input shape {tuple(shape)}, {spec.layout})")


def _onnx(card: Card) -> Runtime:
    check_external_data(card)
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(card.model_file), options, providers=["CPUExecutionProvider"])
    first = session.get_inputs()[0]
    expected = {"float32": "tensor(float)", "uint8": "tensor(uint8)"}[card.input.dtype]
    if first.type != expected:
        raise CardError(f"{card.path}: [input] dtype = \"{card.input.dtype}\": the model takes {first.type}")
    check_input_shape(card, first.shape)
    output = session.get_outputs()[0].name
    return lambda batch: session.run([output], {first.name: batch})[0]


def _keras(card: Card) -> Runtime:
    from ..estimators.keras.backend import import_keras

    keras = import_keras()
    try:
        model = keras.saving.load_model(card.model_file, compile=False, safe_mode=True)
    except ValueError as error:
        if "safe_mode" not in str(error):
            raise
        raise UntrustedCardError(f"{card.path}: {card.model_file.name} holds Python code (a Lambda layer) that "
                                 "Keras's safe mode refuses to load; fer_bench loads Keras models in safe mode "
                                 "only") from None
    if getattr(model, "inputs", None):  # a subclassed model declares none
        check_input_shape(card, model.inputs[0].shape)
    return lambda batch: keras.ops.convert_to_numpy(model(batch, training=False))


def _tflite(card: Card) -> Runtime:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(card.model_file))
    first = interpreter.get_input_details()[0]
    check_input_shape(card, [int(dim) for dim in first["shape"]])
    output_index = interpreter.get_output_details()[0]["index"]

    def run(batch: np.ndarray) -> np.ndarray:
        interpreter.resize_tensor_input(first["index"], batch.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(first["index"], batch.astype(first["dtype"], copy=False))
        interpreter.invoke()
        return interpreter.get_tensor(output_index).copy()

    return run
