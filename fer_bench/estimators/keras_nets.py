"""Keras network of the seeds: the Sequential CNN of the seed's Keras notebook.

:func:`build_seed_cnn` rebuilds the notebook's ``keras.Sequential`` model layer
for layer (2,137,991 parameters, 3,584 of them non-trainable: the batch-norm
moving means and variances); :class:`KerasCNNClassifier` trains it with the
benchmark's recipe (as :class:`~fer_bench.estimators.torch_trainer.TorchClassifier`
does the PyTorch networks). Importing this module imports neither TensorFlow
nor Keras: they are imported when a model is built, trained or loaded, so that
``python -m fer_bench list`` stays fast.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ..profiles import Profile
from ._input import IMAGE_SIZE, as_faces
from ._registry import register_estimator

if TYPE_CHECKING:
    import keras


CROP_PADDING = 4
"""Largest random shift of a training face, in pixels (a random crop of the face padded by 4)."""

EVAL_BATCH_SIZE = 1024
"""Faces per forward pass when predicting; memory only, results do not depend on it."""

ONE_CYCLE_WARMUP = 0.3
"""Fraction of all optimiser steps spent warming the learning rate up to ``max_lr``."""

ONE_CYCLE_DIV = 25.0
"""The learning rate starts at ``max_lr / ONE_CYCLE_DIV`` (as PyTorch's ``OneCycleLR``)."""

ONE_CYCLE_FINAL_DIV = 1e4
"""The learning rate ends at ``max_lr / ONE_CYCLE_DIV / ONE_CYCLE_FINAL_DIV`` (as ``OneCycleLR``)."""


def _import_keras():
    """Import and return Keras, quieting TensorFlow's C++ logs unless the user set their level."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    return keras


def build_seed_cnn(num_classes: int = 7) -> "keras.Sequential":
    """The seed's Keras Sequential CNN, layer for layer, with fresh initial weights.

    Source: the seed's Keras notebook (three conv modules of 4, 2 and 1 times
    ``num_features = 64`` filters, three dense layers of 8, 4 and 2 times 64
    units). Each conv layer is Conv2D 3x3 (with bias) -> BatchNormalization ->
    ReLU, each dense layer Dense -> BatchNormalization -> ReLU:

    - Conv 256 (valid, 46 x 46), Conv 256 (same), MaxPool 2 (23 x 23);
    - Conv 128 (same), Conv 128 (same), MaxPool 2 (11 x 11);
    - Conv 64 (same), Conv 64 (same), MaxPool 2 (5 x 5);
    - Flatten (1,600), Dense 512, Dense 256, Dense 128, Dense ``num_classes`` softmax.

    Only the first convolution is unpadded; with ``num_classes=7`` the model has
    2,137,991 parameters, of which 3,584 are non-trainable.

    Parameters
    ----------
    num_classes : int
        Units of the softmax output.

    Returns
    -------
    keras.Sequential
        ``float32 (n, 48, 48, 1)`` pixels in [0, 1] -> ``float32 (n, num_classes)`` probabilities.
    """
    keras = _import_keras()
    from keras import layers

    def conv(filters: int, padding: str) -> list:
        return [layers.Conv2D(filters, (3, 3), padding=padding), layers.BatchNormalization(), layers.Activation("relu")]

    def dense(units: int) -> list:
        return [layers.Dense(units), layers.BatchNormalization(), layers.Activation("relu")]

    return keras.Sequential([
        keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1)),
        *conv(256, "valid"), *conv(256, "same"), layers.MaxPooling2D((2, 2)),
        *conv(128, "same"), *conv(128, "same"), layers.MaxPooling2D((2, 2)),
        *conv(64, "same"), *conv(64, "same"), layers.MaxPooling2D((2, 2)),
        layers.Flatten(),
        *dense(512), *dense(256), *dense(128),
        layers.Dense(num_classes, activation="softmax"),
    ], name="seed_cnn")


def one_cycle_schedule(max_lr: float, total_steps: int):
    """One-cycle learning rate over ``total_steps`` optimiser steps, as a Keras schedule.

    Linear warm-up from ``max_lr / 25`` to ``max_lr`` over the first 30% of the
    steps, then cosine annealing down to ``max_lr / 25 / 1e4`` after ``total_steps``
    (the end points of PyTorch's ``OneCycleLR`` defaults; its warm-up is cosine).

    Parameters
    ----------
    max_lr : float
        Peak learning rate.
    total_steps : int
        Optimiser steps of the whole training (epochs times batches per epoch), at least 1.

    Returns
    -------
    keras.optimizers.schedules.CosineDecay
        ``schedule(step) -> learning rate``; constant at its final value past ``total_steps``.
    """
    keras = _import_keras()
    warmup_steps = max(1, round(ONE_CYCLE_WARMUP * total_steps))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=max_lr / ONE_CYCLE_DIV, warmup_target=max_lr, warmup_steps=warmup_steps,
        decay_steps=max(1, total_steps - warmup_steps), alpha=1.0 / (ONE_CYCLE_DIV * ONE_CYCLE_FINAL_DIV))


def keras_cnn_estimator(profile: Profile) -> KerasCNNClassifier:
    """The seed's Keras CNN under the profile's network settings.

    Only ``epochs``, ``batch_size``, ``max_lr`` and ``random_state`` are taken;
    the other network keys (``width``, ``weight_decay``, ...) belong to the
    PyTorch networks: this model keeps the seed's layers and plain Adam.
    """
    params = profile.network_params("keras_cnn")
    return KerasCNNClassifier(**{key: params[key] for key in ("epochs", "batch_size", "max_lr", "random_state")
                                 if key in params})
