"""The scikit-learn estimator of the seeds' Keras CNNs: :class:`KerasCNNClassifier`, trained with the benchmark's recipe.

The recipe is that of :class:`~fer_bench.estimators.torch.classifier.TorchClassifier` for the PyTorch
networks: Adam (or AdamW), a one-cycle learning rate (:mod:`.schedule`) over the budget's steps
(:mod:`..training.budget`: epochs, a time budget planned after a warm-up, or a fixed count of steps),
cross-entropy with optional label smoothing, random flips and shifts, the best PublicTest epoch kept.
Importing this module imports neither TensorFlow nor Keras: they are imported when a model is
built, trained or loaded, so that ``python -m fer_bench list`` stays fast.
"""

from __future__ import annotations

import random
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np
from sklearn.utils.validation import check_is_fitted, column_or_1d
from tqdm.auto import tqdm

from ..training.budget import BudgetSettings, StepPlan
from ..training.clock import usable_cores
from ..training.epoch_log import EpochLog
from .._validation import IMAGE_SIZE, as_faces, check_option, encode_labels
from ..training.loop import train
from ..training.network import NetworkClassifier
from .architectures import KERAS_ARCHITECTURES
from .backend import import_keras
from .base import KerasNetworkEstimator
from .schedule import ONE_CYCLE_DIV, make_optimizer, step_rate

if TYPE_CHECKING:
    import keras


CROP_PADDING = 4
"""Largest random shift of a training face, in pixels (a random crop of the face padded by 4)."""

EVAL_BATCH_SIZE = 1024
"""Faces per forward pass when predicting; memory only, results do not depend on it."""


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


class KerasCNNClassifier(NetworkClassifier, KerasNetworkEstimator):
    """A seed's Keras CNN (:func:`build_seed_cnn`, :func:`build_seed_cnn5`) trained with the benchmark's recipe.

    Pixels scaled to [0, 1]; Adam with L2 ``weight_decay`` (or AdamW, see
    :func:`~.schedule.make_optimizer`) and the one-cycle learning rate of
    :func:`~.schedule.one_cycle_rate` (set per batch, peaking at ``max_lr``) over
    the budget's steps; categorical cross-entropy with optional label smoothing;
    random horizontal flip and a random shift of up to 4 pixels with reflected
    borders (``RandomFlip`` and ``RandomTranslation`` layers, active in training
    only) as augmentation. With validation data (PublicTest) the weights of the
    epoch with the best PublicTest accuracy are kept. The seed notebook's own
    recipe (Adam at 0.001, ImageDataGenerator rotations and zooms, early stopping
    on validation loss) is not used, so that all networks share one recipe.

    Two fits with the same integer ``random_state`` in one process give identical
    predictions (initial weights, shuffling and augmentation all come from it),
    and so do a ``time_budget`` fit and a ``steps`` fit given its
    ``budget_["planned_steps"]`` and ``warmup_steps``. Across processes they are
    not bit-identical on every machine: on a 2-core AMD EPYC VM the full-size seed
    CNN's first-epoch loss differed in the third digit between fresh processes
    (2026-12-07; the results log, "Keras across processes").

    Parameters
    ----------
    architecture : {"seed_cnn", "seed_cnn5"}
        A key of :data:`KERAS_ARCHITECTURES`.
    epochs, time_budget, steps, warmup_steps, budget_clock, budget_trace
        The budget, every network's: see :class:`~fer_bench.estimators.training.network.NetworkClassifier`
        (``own`` counts TensorFlow's compute threads).
    batch_size, max_lr, optimizer, weight_decay, label_smoothing, augment
        The recipe, every network's (the same). ``weight_decay`` with ``"adam"`` adds ``weight_decay * w`` to
        the gradient of every trainable weight ``w`` (convolution and dense kernels and biases, batch-norm
        scales and offsets; not the moving statistics), as PyTorch's Adam does; ``augment``: random flip and
        shift.
    bn_momentum : float
        Batch-norm momentum (see :func:`build_seed_cnn`).
    random_state, verbose
        Every network's. ``random_state`` seeds ``keras.utils.set_random_seed`` before the model is built and
        a NumPy generator of the batch order; Python's, NumPy's and torch's global generators, which Keras also
        seeds, are restored after ``fit``.

    Attributes
    ----------
    classes_ : ndarray of shape (k,)
        Sorted labels seen in ``fit``; output column ``j`` is ``classes_[j]``.
    model_ : keras.Sequential
        The trained network (no augmentation layers).
    history_ : list of dict
        Per epoch: ``epoch`` (from 1), ``train_loss`` (mean cross-entropy over
        the epoch's faces, in training mode, label smoothing included, weight decay
        not), ``public_accuracy`` (None without validation data), ``seconds``
        (training wall time, evaluation excluded), ``images`` and ``steps`` (fewer
        in a partial last epoch), ``images_per_second``.
    best_epoch_ : int
        Epoch whose weights were kept (the last one without validation data).
    budget_ : dict
        The budget planned and used: :meth:`~fer_bench.estimators.training.budget.StepPlan.summary`.
    n_params_ : int
        Parameters of the network, batch-norm moving statistics included.
    n_non_trainable_params_ : int
        Of which non-trainable (the batch-norm moving means and variances).
    device_ : str
        Where Keras ran, e.g. ``"cpu:0"`` or ``"gpu:0"``.
    """

    def __init__(self, architecture: str = "seed_cnn", epochs: int = 20, time_budget: float | None = None,
                 steps: int | None = None, warmup_steps: int = 5, budget_clock: str = "own",
                 budget_trace: list | None = None, batch_size: int = 256, max_lr: float = 0.008, optimizer: str = "adam", weight_decay: float = 0.0, label_smoothing: float = 0.0,
                 augment: bool = True, bn_momentum: float = 0.99, random_state: int | None = 0,
                 verbose: bool = False):
        self.architecture = architecture
        self.epochs = epochs
        self.time_budget = time_budget
        self.steps = steps
        self.warmup_steps = warmup_steps
        self.budget_clock = budget_clock
        self.budget_trace = budget_trace
        self.batch_size = batch_size
        self.max_lr = max_lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.label_smoothing = label_smoothing
        self.augment = augment
        self.bn_momentum = bn_momentum
        self.random_state = random_state
        self.verbose = verbose

    def _check_settings(self) -> BudgetSettings:
        """The checked budget; raises ValueError for any invalid setting (naming it)."""
        settings = self._checked_budget()
        check_option("architecture", self.architecture, KERAS_ARCHITECTURES)
        return settings

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
        """Train on faces ``X`` with labels ``y`` for the budget and return self, keeping the epoch that
        scores best on ``validation_data``.

        ``X`` is an array of shape (n, 48, 48) or (n, 2304) of pixels in 0..255, ideally ``uint8``;
        ``y`` of shape (n,) or (n, 1) holds class labels of any kind (integers, strings), which
        ``classes_`` maps to outputs; ``validation_data`` is None or the tuple ``(X_val, y_val)`` of
        PublicTest faces and labels, scored after every epoch (labels absent from ``y`` count as errors).

        Raises ValueError where X or y are malformed (see :func:`as_faces` and :func:`encode_labels`),
        ``batch_size`` is below 1, the budget (``epochs``, ``time_budget``, ``steps``, ``warmup_steps``)
        is invalid or too short for a single step after its warm-up, ``optimizer`` or ``architecture``
        is unknown, ``weight_decay`` is negative, or ``label_smoothing`` is outside [0, 1).
        """
        faces = as_faces(X)
        classes, y_index = encode_labels(y, len(faces))
        settings = self._check_settings()
        validation = None
        if validation_data is not None:
            validation = (as_faces(validation_data[0]), column_or_1d(validation_data[1], warn=False))
        seed = self.random_state
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])
        with global_generators_kept():  # keras.utils.set_random_seed also seeds Python's, NumPy's and torch's
            self._fit(faces, classes, y_index, validation, settings, seed)
        return self

    def _fit(self, faces: np.ndarray, classes: np.ndarray, y_index: np.ndarray,
             validation: tuple[np.ndarray, np.ndarray] | None, settings: BudgetSettings, seed: int) -> None:
        """Build the network, train it for ``settings`` one batch at a time (:func:`..training.loop.train`)
        and set the fitted attributes."""
        keras = import_keras()
        keras.utils.set_random_seed(seed)
        network = KERAS_ARCHITECTURES[self.architecture](len(classes), self.bn_momentum)
        trainer = self._trainer(network)  # before the optimiser, as the seeded layers were always made
        optimizer = make_optimizer(self.optimizer, self.weight_decay, self.max_lr / ONE_CYCLE_DIV)
        trainer.compile(optimizer=optimizer,
                        loss=keras.losses.CategoricalCrossentropy(label_smoothing=self.label_smoothing))
        steps = _KerasSteps(trainer, network, optimizer, faces, np.eye(len(classes), dtype=np.float32)[y_index],
                            classes, validation, self.batch_size, self.max_lr, seed)
        log = EpochLog(self.architecture, tqdm.write if self.verbose else None)
        budget = train(steps, settings, len(faces), log, self.verbose)
        self._set_fitted(network, classes, log.history, log.best_epoch, budget)

    def _set_fitted(self, network: "keras.Sequential", classes: np.ndarray, history: list[dict], best_epoch: int,
                    budget: dict) -> None:
        self._set_network(network, classes)
        self.history_ = history
        self.best_epoch_ = best_epoch
        self.budget_ = budget
        self.n_non_trainable_params_ = int(sum(np.prod(weight.shape) for weight in network.non_trainable_weights))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of faces X (n, 48, 48) or (n, 2304), pixels in 0..255: float64 of shape (n, k),
        columns ordered as ``classes_``; rows sum to 1. Raises as :meth:`~.base.KerasNetworkEstimator._faces`."""
        faces = self._faces(X)
        return _proba(self.model_, faces)

    def save(self, directory) -> None:
        """Write ``model.keras`` (the network, uncompiled) and ``config.json`` to ``directory``.

        ``config.json`` holds ``params``, ``classes``, ``n_params``,
        ``n_non_trainable_params``, ``best_epoch``, ``budget`` and ``history``.
        The directory is created if needed.

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
                           budget=self.budget_, history=self.history_)

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
        classifier._set_fitted(network, np.asarray(config["classes"]), config["history"], config["best_epoch"],
                               config.get("budget", {}))  # older configs have no budget
        return classifier


def _proba(network: "keras.Sequential", faces: np.ndarray) -> np.ndarray:
    """Softmax outputs of ``network`` (inference mode) on uint8 faces, in batches: float64 (n, k)."""
    chunks = [network.predict_on_batch(faces[first:first + EVAL_BATCH_SIZE, ..., None].astype(np.float32) / 255.0)
              for first in range(0, len(faces), EVAL_BATCH_SIZE)]
    proba = np.concatenate(chunks).astype(np.float64)
    return proba / proba.sum(axis=1, keepdims=True)


class _KerasSteps:
    """The Keras side of :func:`..training.loop.train` (a :class:`~..training.loop.BatchTrainer`):
    ``train_on_batch`` on batches of a NumPy permutation per epoch, the learning rate of
    :func:`~.schedule.step_rate` assigned before each step."""

    def __init__(self, trainer: "keras.Sequential", network: "keras.Sequential", optimizer, faces: np.ndarray,
                 targets: np.ndarray, classes: np.ndarray, validation: tuple[np.ndarray, np.ndarray] | None,
                 batch_size: int, max_lr: float, seed: int):
        self.trainer, self.network, self.optimizer = trainer, network, optimizer
        self.images, self.targets, self.classes, self.validation = faces[..., None], targets, classes, validation
        self.batch_size, self.max_lr = min(batch_size, len(faces)), max_lr
        self.order_generator, self.order = np.random.default_rng(seed), None
        tf = sys.modules["tensorflow"]  # imported with Keras' TensorFlow backend
        self.threads = tf.config.threading.get_intra_op_parallelism_threads() or usable_cores()
        self.on_gpu = bool(tf.config.list_logical_devices("GPU"))

    def new_epoch(self) -> None:
        self.order = self.order_generator.permutation(len(self.images))

    def step(self, batch: int, step: int, plan: StepPlan | None) -> float:
        index = self.order[batch * self.batch_size:(batch + 1) * self.batch_size]
        self.optimizer.learning_rate = step_rate(self.max_lr, step, plan)
        logs = self.trainer.train_on_batch(self.images[index], self.targets[index], return_dict=True)  # waits
        return logs["loss"] * len(index)

    def synchronize(self) -> None:
        """Nothing: ``train_on_batch`` returns once the step is done."""

    def validate(self) -> float | None:
        if self.validation is None:
            return None
        proba = _proba(self.network, self.validation[0])
        return float(np.mean(self.classes[proba.argmax(axis=1)] == self.validation[1]))

    def snapshot(self) -> list:
        return self.network.get_weights()

    def restore(self, weights: list) -> None:
        self.network.set_weights(weights)
