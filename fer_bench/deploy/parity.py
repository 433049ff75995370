"""Parity of an exported model with the model it came from: ONNX Runtime's probabilities against the original's.

The original's probabilities are its ``predict_proba``, or the softmax of its
``decision_function`` where it has none (an SVM's scores, exported as logits that a
card's reader turns into probabilities the same way). An export passes when the most
probable class agrees on at least :data:`MIN_ARGMAX_AGREEMENT` of the faces and no
probability differs by more than :data:`MAX_ABS_DIFFERENCE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

MIN_ARGMAX_AGREEMENT = 0.999
"""The least share of faces whose most probable class must agree."""
MAX_ABS_DIFFERENCE = 1e-4
"""The largest absolute difference allowed between two probabilities of a face (float32 graphs against the
original run in float32 differ by about 1e-6)."""
BATCH = 256
"""Faces per ONNX Runtime call."""


class ParityError(RuntimeError):
    """The exported model does not give the original's predictions within the tolerances."""


@dataclass(frozen=True)
class Parity:
    """How closely the exported model follows the original on ``faces`` faces.

    Attributes
    ----------
    faces : int
    argmax_agreement : float
        Share of faces, in [0, 1], whose most probable class is the same.
    max_abs_probability_difference : float
        Largest absolute difference between the two models' probabilities of a face and class.
    """

    faces: int
    argmax_agreement: float
    max_abs_probability_difference: float

    @property
    def passed(self) -> bool:
        return (self.argmax_agreement >= MIN_ARGMAX_AGREEMENT
                and self.max_abs_probability_difference <= MAX_ABS_DIFFERENCE)

    def text(self) -> str:
        """One line: the faces, the agreement and the largest difference, against the tolerances."""
        return (f"parity on {self.faces:,} faces: argmax agreement {self.argmax_agreement:.4%} (at least "
                f"{MIN_ARGMAX_AGREEMENT:.1%}), max abs probability difference {self.max_abs_probability_difference:.2e} "
                f"(at most {MAX_ABS_DIFFERENCE:.0e})")


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax of scores (n, k), float64."""
    shifted = np.asarray(scores, dtype=np.float64) - np.max(scores, axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def reference_probabilities(estimator, faces: np.ndarray) -> np.ndarray:
    """The original model's probabilities of uint8 faces (n, 48, 48): ``predict_proba``, else the softmax of
    ``decision_function`` (n, k); float64 (n, k).

    Raises
    ------
    ValueError
        If the estimator has neither, or its scores are not one column per class.
    """
    if callable(getattr(estimator, "predict_proba", None)):
        return np.asarray(estimator.predict_proba(faces), dtype=np.float64)
    if not callable(getattr(estimator, "decision_function", None)):
        raise ValueError(f"{type(estimator).__name__} has neither predict_proba nor decision_function to compare with")
    scores = np.asarray(estimator.decision_function(faces))
    if scores.ndim != 2:
        raise ValueError(f"{type(estimator).__name__}: scores of shape {scores.shape}, not one column per class")
    return softmax(scores)


def onnx_probabilities(path: str | Path, inputs: np.ndarray, kind: str) -> np.ndarray:
    """Probabilities of ``inputs`` from the ONNX model at ``path``, run by ONNX Runtime on the CPU.

    Parameters
    ----------
    path : path
        An ONNX file with one input and, first, the output the card describes.
    inputs : ndarray of float32
        The faces in the model's input layout, e.g. (n, 1, 48, 48).
    kind : {"probabilities", "logits"}
        What the output holds; logits are turned into probabilities by softmax.

    Returns
    -------
    ndarray of float64 of shape (n, k)
    """
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    chunks = [session.run(None, {name: inputs[first:first + BATCH]})[0] for first in range(0, len(inputs), BATCH)]
    outputs = np.concatenate(chunks).astype(np.float64)
    return softmax(outputs) if kind == "logits" else outputs


def compare(reference: np.ndarray, candidate: np.ndarray) -> Parity:
    """The :class:`Parity` of ``candidate`` probabilities (n, k) with ``reference`` ones of the same shape.

    Raises
    ------
    ValueError
        If the shapes differ (naming both).
    """
    if reference.shape != candidate.shape:
        raise ValueError(f"the exported model gives probabilities of shape {candidate.shape}, the original "
                         f"{reference.shape}")
    agreement = float(np.mean(reference.argmax(axis=1) == candidate.argmax(axis=1))) if len(reference) else 1.0
    difference = float(np.max(np.abs(reference - candidate))) if reference.size else 0.0
    return Parity(len(reference), agreement, difference)
