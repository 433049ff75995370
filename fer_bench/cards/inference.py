"""Faces through a card's model, batch by batch, to probabilities over the FER-2013 classes it can output."""

from __future__ import annotations

import numpy as np

from .card import Card, CardError, InputSpec
from .preprocessing import batch_size, preprocess
from .runtimes import Runtime


def class_probabilities(card: Card, outputs: np.ndarray) -> np.ndarray:
    """The model's raw outputs as probabilities of the classes it shares with FER-2013.

    Parameters
    ----------
    outputs : ndarray, shape (n, len(card.classes))
        Probabilities, or logits where ``card.kind`` says so (softmax applied).

    Returns
    -------
    ndarray of float64, shape (n, len(card.mapping.labels))
        Columns in FER-2013's order (``card.mapping.labels``); the classes FER-2013 lacks dropped and each row
        renormalised to sum to 1 (uniform where the kept classes had no probability at all).

    Raises
    ------
    CardError
        If the model gives another number of outputs than ``[output] classes`` lists.
    """
    outputs = np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)
    if outputs.shape[1] != len(card.classes):
        raise CardError(f"{card.path}: [output] classes lists {len(card.classes)} classes, but the model gives "
                        f"{outputs.shape[1]} outputs per face")
    if card.kind == "logits":
        outputs = np.exp(outputs - outputs.max(axis=1, keepdims=True))
        outputs /= outputs.sum(axis=1, keepdims=True)
    kept = outputs[:, list(card.mapping.columns)]
    totals = kept.sum(axis=1, keepdims=True)
    uniform = np.full_like(kept, 1.0 / kept.shape[1])
    return np.where(totals > 0, kept / np.where(totals > 0, totals, 1.0), uniform)


def raw_outputs(runtime: Runtime, faces: np.ndarray, spec: InputSpec) -> np.ndarray:
    """The model's outputs of uint8 faces (n, 48, 48), preprocessed as ``spec`` says, in batches of
    :func:`~.preprocessing.batch_size` faces (results do not depend on it)."""
    size = batch_size(spec)
    return np.concatenate([np.asarray(runtime(preprocess(faces[first:first + size], spec)))
                           for first in range(0, len(faces), size)])
