"""The scikit-learn estimator of the seeds' Keras CNNs: :class:`KerasCNNClassifier`, trained with the benchmark's recipe.

The recipe is that of :class:`~fer_bench.estimators.torch.classifier.TorchClassifier` for the PyTorch
networks: a one-cycle learning rate (:func:`one_cycle_schedule`), random flips and shifts, the best
PublicTest epoch kept. Importing this module imports neither TensorFlow nor Keras: they are imported
when a model is built, trained or loaded, so that ``python -m fer_bench list`` stays fast.
"""

from __future__ import annotations

import random
import sys
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._epochs import EpochLog
from .._input import IMAGE_SIZE, as_faces, check_option, encode_labels
from .architectures import KERAS_ARCHITECTURES
from .backend import import_keras
from .base import KerasNetworkEstimator

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
    keras = import_keras()
    warmup_steps = max(1, round(ONE_CYCLE_WARMUP * total_steps))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=max_lr / ONE_CYCLE_DIV, warmup_target=max_lr, warmup_steps=warmup_steps,
        decay_steps=max(1, total_steps - warmup_steps), alpha=1.0 / (ONE_CYCLE_DIV * ONE_CYCLE_FINAL_DIV))


@contextmanager
def global_generators_kept() -> Iterator[None]:
    """Restore Python's, NumPy's and (if imported) torch's global random generators after the block."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    torch = sys.modules.get("torch")
    torch_state = torch.random.get_rng_state() if torch is not None else None
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        if torch_state is not None:
            torch.random.set_rng_state(torch_state)


class KerasCNNClassifier(KerasNetworkEstimator):
    """A seed's Keras CNN (:func:`build_seed_cnn`, :func:`build_seed_cnn5`) trained with the benchmark's recipe.

    Pixels scaled to [0, 1]; Adam with the one-cycle learning rate of
    :func:`one_cycle_schedule` (stepped per batch, peaking at ``max_lr``);
    sparse categorical cross-entropy; random horizontal flip and a random shift
    of up to 4 pixels with reflected borders (``RandomFlip`` and
    ``RandomTranslation`` layers, active in training only) as augmentation.
    With validation data (PublicTest) the weights of the epoch with the best
    PublicTest accuracy are kept. The seed notebook's own recipe (Adam at 0.001,
    ImageDataGenerator rotations and zooms, early stopping on validation loss)
    is not used, so that all networks share one recipe.

    Parameters
    ----------
    architecture : {"seed_cnn", "seed_cnn5"}
        A key of :data:`KERAS_ARCHITECTURES`.
    epochs : int
        Passes over the training faces, at least 1.
    batch_size : int
        Faces per optimiser step (the last batch of an epoch may be smaller), at least 1.
    max_lr : float
        Peak learning rate of the one-cycle schedule.
    augment : bool
        Random flip and shift of training faces.
    bn_momentum : float
        Batch-norm momentum (see :func:`build_seed_cnn`).
    random_state : int or None
        Passed to ``keras.utils.set_random_seed`` before the model is built:
        initial weights, shuffling and augmentation. Python's, NumPy's and
        torch's global generators, which it also seeds, are restored after ``fit``.
        None leaves the generators as they are.
    verbose : bool
        Keras' progress bar and one line per epoch with PublicTest accuracy.

    Attributes
    ----------
    classes_ : ndarray of shape (k,)
        Sorted labels seen in ``fit``; output column ``j`` is ``classes_[j]``.
    model_ : keras.Sequential
        The trained network (no augmentation layers).
    history_ : list of dict
        Per epoch: ``epoch`` (from 1), ``train_loss`` (mean cross-entropy over
        the epoch's batches, in training mode), ``public_accuracy`` (None
        without validation data), ``seconds`` (training wall time, evaluation
        excluded), ``images_per_second``.
    best_epoch_ : int
        Epoch whose weights were kept (the last one without validation data).
    n_params_ : int
        Parameters of the network, batch-norm moving statistics included.
    n_non_trainable_params_ : int
        Of which non-trainable (the batch-norm moving means and variances).
    device_ : str
        Where Keras ran, e.g. ``"cpu:0"`` or ``"gpu:0"``.
    """

    def __init__(self, architecture: str = "seed_cnn", epochs: int = 20, batch_size: int = 256, max_lr: float = 0.008,
                 augment: bool = True, bn_momentum: float = 0.99, random_state: int | None = 0,
                 verbose: bool = False):
        self.architecture = architecture
        self.epochs = epochs
        self.batch_size = batch_size
        self.max_lr = max_lr
        self.augment = augment
        self.bn_momentum = bn_momentum
        self.random_state = random_state
        self.verbose = verbose

    def _trainer(self, network: "keras.Sequential") -> "keras.Sequential":
        """``network`` behind uint8 -> [0, 1] scaling and (if ``augment``) flip and shift layers; shares its weights."""
        keras = import_keras()
        from keras import layers

        shift = CROP_PADDING / IMAGE_SIZE
        augmentation = [layers.RandomFlip("horizontal"),
                        layers.RandomTranslation(shift, shift, fill_mode="reflect", interpolation="nearest")]
        return keras.Sequential([keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1), dtype="uint8"),
                                 layers.Rescaling(1.0 / 255.0), *(augmentation if self.augment else []), network])

    def fit(self, X, y, validation_data=None) -> "KerasCNNClassifier":
        """Train on faces ``X`` with labels ``y`` and return self, keeping the epoch that scores best on ``validation_data``.

        ``X`` is an array of shape (n, 48, 48) or (n, 2304) of pixels in 0..255, ideally ``uint8``;
        ``y`` of shape (n,) or (n, 1) holds class labels of any kind (integers, strings), which
        ``classes_`` maps to outputs; ``validation_data`` is None or the tuple ``(X_val, y_val)`` of
        PublicTest faces and labels, scored after every epoch (labels absent from ``y`` count as errors).

        Raises ValueError where X or y are malformed (see :func:`as_faces` and :func:`encode_labels`),
        ``epochs`` or ``batch_size`` is below 1, or ``architecture`` is unknown.
        """
        faces = as_faces(X)
        classes, y_index = encode_labels(y, len(faces))
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError(f"epochs={self.epochs} and batch_size={self.batch_size} must be at least 1")
        check_option("architecture", self.architecture, KERAS_ARCHITECTURES)
        if validation_data is not None:
            val_faces = as_faces(validation_data[0])
            val_labels = column_or_1d(validation_data[1], warn=False)
        with global_generators_kept():  # keras.utils.set_random_seed also seeds Python's, NumPy's and torch's
            self._fit(faces, classes, y_index, None if validation_data is None else (val_faces, val_labels))
        return self

    def _fit(self, faces: np.ndarray, classes: np.ndarray, y_index: np.ndarray,
             validation: tuple[np.ndarray, np.ndarray] | None) -> None:
        """Build and train the network on checked faces and label indices; set the fitted attributes."""
        keras = import_keras()
        if self.random_state is not None:
            keras.utils.set_random_seed(self.random_state)
        network = KERAS_ARCHITECTURES[self.architecture](len(classes), self.bn_momentum)
        trainer = self._trainer(network)
        n = len(faces)
        batch_size = min(self.batch_size, n)
        steps_per_epoch = -(-n // batch_size)
        trainer.compile(optimizer=keras.optimizers.Adam(one_cycle_schedule(self.max_lr, self.epochs * steps_per_epoch)),
                        loss="sparse_categorical_crossentropy")
        images, targets = faces[..., None], y_index.astype(np.int64)

        # One fit call per epoch: the optimiser (and its schedule's step count) carries over,
        # and evaluation and checkpointing stay out of the timed training.
        log, best_weights = EpochLog(self.architecture, self.epochs, n, print if self.verbose else None), None
        for _ in range(self.epochs):
            start = time.perf_counter()
            logs = trainer.fit(images, targets, batch_size=batch_size, epochs=1, shuffle=True,
                               verbose=1 if self.verbose and sys.stdout.isatty() else 0)  # its bar: terminals only
            seconds = time.perf_counter() - start
            public_accuracy = None
            if validation is not None:
                proba = self._proba(network, validation[0])
                public_accuracy = float(np.mean(classes[proba.argmax(axis=1)] == validation[1]))
            if log.record(float(logs.history["loss"][-1]), public_accuracy, seconds):
                best_weights = network.get_weights()

        if best_weights is not None:
            network.set_weights(best_weights)
        self._set_fitted(network, classes, log.history, log.best_epoch)

    def _set_fitted(self, network: "keras.Sequential", classes: np.ndarray, history: list[dict], best_epoch: int) -> None:
        self._set_network(network, classes)
        self.history_ = history
        self.best_epoch_ = best_epoch
        self.n_non_trainable_params_ = int(sum(np.prod(weight.shape) for weight in network.non_trainable_weights))

    @staticmethod
    def _proba(network: "keras.Sequential", faces: np.ndarray) -> np.ndarray:
        """Softmax outputs of ``network`` (inference mode) on uint8 faces, in batches: float64 (n, k)."""
        chunks = [network.predict_on_batch(faces[first:first + EVAL_BATCH_SIZE, ..., None].astype(np.float32) / 255.0)
                  for first in range(0, len(faces), EVAL_BATCH_SIZE)]
        proba = np.concatenate(chunks).astype(np.float64)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of faces X (n, 48, 48) or (n, 2304), pixels in 0..255: float64 of shape (n, k),
        columns ordered as ``classes_``; rows sum to 1. Raises as :meth:`~.base.KerasNetworkEstimator._faces`."""
        faces = self._faces(X)
        return self._proba(self.model_, faces)

    def save(self, directory) -> None:
        """Write ``model.keras`` (the network, uncompiled) and ``config.json`` to ``directory``.

        ``config.json`` holds ``params``, ``classes``, ``n_params``,
        ``n_non_trainable_params``, ``best_epoch`` and ``history``. The
        directory is created if needed.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        """
        check_is_fitted(self)
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.model_.save(directory / "model.keras")
        self._write_config(directory, classes=self.classes_.tolist(), n_params=self.n_params_,
                           n_non_trainable_params=self.n_non_trainable_params_, best_epoch=self.best_epoch_,
                           history=self.history_)

    @classmethod
    def load(cls, directory) -> "KerasCNNClassifier":
        """Rebuild a classifier written by :meth:`save`, ready to predict; ``model.keras`` is read in
        Keras's safe mode: a model with Python code in it (a ``Lambda`` layer) is refused.

        Raises
        ------
        FileNotFoundError
            If ``config.json`` is missing.
        ValueError
            If ``model.keras`` is missing, truncated or not a Keras model file (naming it).
        """
        keras = import_keras()
        directory = Path(directory)
        classifier, config = cls._from_config(directory)
        path = directory / "model.keras"
        if not path.is_file():
            raise ValueError(f"{path}: no such file; the saved network has no weights")
        if not zipfile.is_zipfile(path):  # Keras would say "File not found" for a truncated file
            raise ValueError(f"{path}: not a readable .keras file (a zip archive): truncated or corrupt")
        try:
            network = keras.saving.load_model(path, compile=False, safe_mode=True)
        except (ValueError, OSError, KeyError, TypeError, zipfile.BadZipFile) as error:
            raise ValueError(f"{path}: not a loadable Keras model ({str(error).splitlines()[0]})") from error
        classifier._set_fitted(network, np.asarray(config["classes"]), config["history"], config["best_epoch"])
        return classifier


