"""A Keras network of :mod:`fer_bench.estimators.keras` as ONNX, by Keras 3's own ``model.export(format="onnx")``.

The trained network takes ``float32 (n, 48, 48, 1)`` faces in [0, 1] (the estimator scales
the pixels before it) and ends in a softmax. With the TensorFlow backend Keras converts
through ``tf2onnx``; a failure of that conversion is reported as a refusal, with its message.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

LAYOUT = "nhwc"


class KerasExportError(ValueError):
    """Keras could not write the network as ONNX here (its message says why)."""


def export_onnx(estimator, path: Path) -> None:
    """Write the estimator's network (``model_``) to ``path`` as ONNX with a dynamic batch axis.

    Raises
    ------
    KerasExportError
        If the network takes another input than 48x48 gray faces, or Keras's export fails (its first line).
    """
    network = estimator.model_
    shape = tuple(network.inputs[0].shape[1:]) if getattr(network, "inputs", None) else None
    if shape != (48, 48, 1):
        raise KerasExportError(f"{type(estimator).__name__}: its network takes {shape}, not 48x48 gray faces "
                               "(float32 in [0, 1]); export its preprocessing first")
    try:
        network(np.zeros((1, 48, 48, 1), np.float32), training=False)  # Keras exports only a model that has run
        network.export(str(path), format="onnx", verbose=False)
    except Exception as error:  # Keras's converters raise any type; the message is the evidence
        first = next((line for line in str(error).splitlines() if line.strip()), type(error).__name__)
        raise KerasExportError(f"Keras's ONNX export failed ({type(error).__name__}: {first})") from error
