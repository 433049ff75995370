"""Keras networks of the seeds: the Sequential CNNs of the seeds' Keras notebooks.

:func:`build_seed_cnn` rebuilds the 7-class notebook's ``keras.Sequential``
model layer for layer (2,137,991 parameters, 3,584 of them non-trainable: the
batch-norm moving means and variances), :func:`build_seed_cnn5` the second
seed's 5-class CNN (1,004,805 parameters); :class:`KerasCNNClassifier` trains
either with the benchmark's recipe (as :class:`~fer_bench.estimators.torch_trainer.TorchClassifier`
does the PyTorch networks). Importing this module imports neither TensorFlow
nor Keras: they are imported when a model is built, trained or loaded, so that
``python -m fer_bench list`` stays fast.
"""

from __future__ import annotations

import os
import random
import re
import sys
import tempfile
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._input import IMAGE_SIZE, as_faces, encode_labels
from ._registry import register_estimator
from .persistence import read_config, write_config

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


NATIVE_LOG_NOISE = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\) is called"
                              r"|[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\] )")
"""TensorFlow's C++ start-up lines (absl INFO/WARNING, e.g. "oneDNN custom operations are on"),
which absl writes before its log level is read, so that ``TF_CPP_MIN_LOG_LEVEL`` cannot hide them."""


def import_keras():
    """Import and return Keras without TensorFlow's C++ start-up log lines, unless the user set their level.

    ``TF_CPP_MIN_LOG_LEVEL`` defaults to 2 (errors only). TensorFlow writes some
    lines through absl before reading it; on the first import, standard error
    (file descriptor 2) is captured and written back without the lines of
    :data:`NATIVE_LOG_NOISE`. With ``TF_CPP_MIN_LOG_LEVEL`` set by the user
    nothing is filtered.
    """
    if "keras" in sys.modules:
        return sys.modules["keras"]
    quiet = "TF_CPP_MIN_LOG_LEVEL" not in os.environ
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if not quiet:
        import keras

        return keras
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import keras
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode(errors="replace").splitlines(keepends=True)
            sys.stderr.write("".join(line for line in lines if not NATIVE_LOG_NOISE.match(line)))
    return keras


def build_seed_cnn(num_classes: int = 7, bn_momentum: float = 0.99) -> "keras.Sequential":
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
    bn_momentum : float
        Momentum of every BatchNormalization's moving statistics (Keras' and the
        seed's 0.99; 0.9 suits runs of a few dozen steps, such as smoke runs).

    Returns
    -------
    keras.Sequential
        ``float32 (n, 48, 48, 1)`` pixels in [0, 1] -> ``float32 (n, num_classes)`` probabilities.
    """
    keras = import_keras()
    from keras import layers

    def conv(filters: int, padding: str) -> list:
        return [layers.Conv2D(filters, (3, 3), padding=padding), layers.BatchNormalization(momentum=bn_momentum), layers.Activation("relu")]

    def dense(units: int) -> list:
        return [layers.Dense(units), layers.BatchNormalization(momentum=bn_momentum), layers.Activation("relu")]

    return keras.Sequential([
        keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1)),
        *conv(256, "valid"), *conv(256, "same"), layers.MaxPooling2D((2, 2)),
        *conv(128, "same"), *conv(128, "same"), layers.MaxPooling2D((2, 2)),
        *conv(64, "same"), *conv(64, "same"), layers.MaxPooling2D((2, 2)),
        layers.Flatten(),
        *dense(512), *dense(256), *dense(128),
        layers.Dense(num_classes, activation="softmax"),
    ], name="seed_cnn")


FIVE_CLASSES: tuple[str, ...] = ("Angry", "Happy", "Sad", "Surprise", "Neutral")
"""The second seed's classes: FER-2013 without Disgust and Fear, in FER-2013's label order."""

SEED_CNN5_PARAMETERS = 1_004_805
"""Parameters of :func:`build_seed_cnn5` with 5 classes, as the second seed's model summary reports."""


def build_seed_cnn5(num_classes: int = 5, bn_momentum: float = 0.99) -> "keras.Sequential":
    """The second seed's 5-class Keras CNN, with fresh initial weights.

    Source: the second seed's Keras model for Happy, Sad, Surprise, Angry and
    Neutral. Every convolution is a 3x3 Conv2D with bias and no padding
    ('valid'), activation before batch normalisation, 2x2 max pooling:

    - Conv 64 (46 x 46) + ReLU + BN, MaxPool (23 x 23);
    - Conv 128 (21 x 21) + Dropout 0.25 + ReLU + BN, MaxPool (10 x 10);
    - Conv 256 (8 x 8) + ReLU + BN, MaxPool (4 x 4);
    - Conv 256 (2 x 2) + ReLU + BN, MaxPool (1 x 1);
    - Flatten (256), Dense 128 + ReLU + BN + Dropout 0.5, Dense 64 + ReLU + BN,
      Dense ``num_classes`` softmax.

    With ``num_classes=5`` that is 1,004,805 parameters (3,584 of them the
    non-trainable batch-norm moving statistics): 'valid' convolutions and 2x2
    poolings on a 48x48x1 face are the only choices that reach this number.
    The dropout rates are not given by the seed's description; 0.25 and 0.5 are
    the usual Keras-example values.

    Parameters
    ----------
    num_classes : int
        Units of the softmax output.
    bn_momentum : float
        Momentum of every BatchNormalization's moving statistics.

    Returns
    -------
    keras.Sequential
        ``float32 (n, 48, 48, 1)`` pixels in [0, 1] -> ``float32 (n, num_classes)`` probabilities.
    """
    keras = import_keras()
    from keras import layers

    def batch_norm() -> "layers.BatchNormalization":
        return layers.BatchNormalization(momentum=bn_momentum)

    def conv(filters: int, dropout: float | None = None) -> list:
        return [layers.Conv2D(filters, (3, 3), padding="valid"), *([layers.Dropout(dropout)] if dropout else []),
                layers.Activation("relu"), batch_norm(), layers.MaxPooling2D((2, 2))]

    return keras.Sequential([
        keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1)),
        *conv(64), *conv(128, dropout=0.25), *conv(256), *conv(256),
        layers.Flatten(),
        layers.Dense(128), layers.Activation("relu"), batch_norm(), layers.Dropout(0.5),
        layers.Dense(64), layers.Activation("relu"), batch_norm(),
        layers.Dense(num_classes, activation="softmax"),
    ], name="seed_cnn5")


KERAS_ARCHITECTURES = {"seed_cnn": build_seed_cnn, "seed_cnn5": build_seed_cnn5}
"""Builders :class:`KerasCNNClassifier` trains, by its ``architecture`` parameter."""


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


class KerasCNNClassifier(ClassifierMixin, BaseEstimator):
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
        """Train on faces ``X`` with labels ``y``, selecting the epoch on ``validation_data``.

        Parameters
        ----------
        X : array of shape (n, 48, 48) or (n, 2304)
            Pixels in 0..255, ideally ``uint8``.
        y : array of shape (n,) or (n, 1)
            Class labels of any kind (integers, strings); ``classes_`` maps them to outputs.
        validation_data : tuple (X_val, y_val) or None
            PublicTest faces and labels, scored after every epoch; labels absent
            from ``y`` count as errors.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If X or y are malformed (see :func:`as_faces` and :func:`encode_labels`),
            ``epochs`` or ``batch_size`` is below 1, or
            ``architecture`` is unknown.
        """
        faces = as_faces(X)
        classes, y_index = encode_labels(y, len(faces))
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError(f"epochs={self.epochs} and batch_size={self.batch_size} must be at least 1")
        if self.architecture not in KERAS_ARCHITECTURES:
            raise ValueError(f"architecture={self.architecture!r}: expected one of {', '.join(KERAS_ARCHITECTURES)}")
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
        history, best_accuracy, best_weights, best_epoch = [], -1.0, None, self.epochs
        for epoch in range(1, self.epochs + 1):
            start = time.perf_counter()
            logs = trainer.fit(images, targets, batch_size=batch_size, epochs=1, shuffle=True,
                               verbose=1 if self.verbose else 0)
            seconds = time.perf_counter() - start
            public_accuracy = None
            if validation is not None:
                proba = self._proba(network, validation[0])
                public_accuracy = float(np.mean(classes[proba.argmax(axis=1)] == validation[1]))
                if public_accuracy > best_accuracy:
                    best_accuracy, best_epoch, best_weights = public_accuracy, epoch, network.get_weights()
            history.append({"epoch": epoch, "train_loss": float(logs.history["loss"][-1]),
                            "public_accuracy": public_accuracy, "seconds": seconds, "images_per_second": n / seconds})
            if self.verbose:
                public = "" if public_accuracy is None else f", PublicTest accuracy {public_accuracy:.4f}"
                print(f"{self.architecture} epoch {epoch}/{self.epochs}: loss {history[-1]['train_loss']:.4f}{public}, "
                      f"{seconds:.1f} s, {n / seconds:.0f} images/s")

        if best_weights is not None:
            network.set_weights(best_weights)
        self._set_fitted(network, classes, history, best_epoch)

    def _set_fitted(self, network: "keras.Sequential", classes: np.ndarray, history: list[dict], best_epoch: int) -> None:
        keras = import_keras()
        self.model_ = network
        self.classes_ = classes
        self.n_features_in_ = IMAGE_SIZE * IMAGE_SIZE
        self.history_ = history
        self.best_epoch_ = best_epoch
        self.n_params_ = int(network.count_params())
        self.n_non_trainable_params_ = int(sum(np.prod(weight.shape) for weight in network.non_trainable_weights))
        self.device_ = keras.distribution.list_devices()[0]

    @staticmethod
    def _proba(network: "keras.Sequential", faces: np.ndarray) -> np.ndarray:
        """Softmax outputs of ``network`` (inference mode) on uint8 faces, in batches: float64 (n, k)."""
        chunks = [network.predict_on_batch(faces[first:first + EVAL_BATCH_SIZE, ..., None].astype(np.float32) / 255.0)
                  for first in range(0, len(faces), EVAL_BATCH_SIZE)]
        proba = np.concatenate(chunks).astype(np.float64)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of faces X, columns ordered as ``classes_``.

        Parameters
        ----------
        X : array of shape (n, 48, 48) or (n, 2304)
            Pixels in 0..255.

        Returns
        -------
        ndarray of float64 of shape (n, k); rows sum to 1.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit`` or :meth:`load`.
        ValueError
            If X is malformed (see :func:`as_faces`).
        """
        check_is_fitted(self)
        return self._proba(self.model_, as_faces(X))

    def predict(self, X) -> np.ndarray:
        """Most probable label of each face, shape (n,), of the labels' type (``classes_``); raises as :meth:`predict_proba`."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

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
        config = {"params": self.get_params(deep=False), "classes": self.classes_.tolist(),
                  "n_params": self.n_params_, "n_non_trainable_params": self.n_non_trainable_params_,
                  "best_epoch": self.best_epoch_, "history": self.history_}
        write_config(directory, config)

    @classmethod
    def load(cls, directory) -> "KerasCNNClassifier":
        """Rebuild a classifier written by :meth:`save`, ready to predict.

        Raises
        ------
        FileNotFoundError
            If ``config.json`` is missing.
        ValueError
            If ``model.keras`` is missing, truncated or not a Keras model file (naming it).

        The file is read in Keras's safe mode: a model with Python code in it (a
        ``Lambda`` layer) is refused.
        """
        keras = import_keras()
        directory = Path(directory)
        config = read_config(directory)
        classifier = cls(**config["params"])
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


@register_estimator(family="network", framework="keras", parameters=2_137_991,
                    source="seed: Keras Sequential CNN (Conv 256/128/64 pairs + BN, Dense 512/256/128 + BN)")
def keras_cnn() -> KerasCNNClassifier:
    """The seed's Keras CNN: its layers and plain Adam; of the profile's network settings it takes those it has."""
    return KerasCNNClassifier(architecture="seed_cnn")


@register_estimator(family="network", framework="keras", classes=FIVE_CLASSES,
                    parameters=SEED_CNN5_PARAMETERS,
                    source="seed: 5-class Keras CNN (Conv 64/128/256/256 valid + BN, Dense 128/64 + BN), "
                           "1,004,805 parameters; Angry, Happy, Sad, Surprise, Neutral")
def keras_cnn5() -> KerasCNNClassifier:
    """The second seed's 5-class Keras CNN (:func:`build_seed_cnn5`).

    The runner trains and scores it on the faces of :data:`FIVE_CLASSES` only (the
    spec's ``classes``); it takes the same profile settings as ``keras_cnn``.
    """
    return KerasCNNClassifier(architecture="seed_cnn5")
