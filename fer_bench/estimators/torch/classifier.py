"""The scikit-learn estimator of the PyTorch networks: :class:`TorchClassifier`.

It runs the seeds' recipe by default: Adam, a one-cycle learning rate peaking at
0.008 (stepped per batch), batches of 256, 20 epochs, random horizontal flips
and random 48x48 crops of the face padded by 4 pixels. Options cover the
published FER-2013 recipes: AdamW, label smoothing, early stopping on
PublicTest, training on smaller random crops with ten-crop testing, flip
testing, snapshot ensembles, and faces upsampled to a network's input size
(DDAMFN's 112x112).
The training itself is :func:`.trainer.fit`; this module checks the settings,
seeds the network's initial weights, and saves and loads the fitted network.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted, column_or_1d
from torch import nn

from .._validation import IMAGE_SIZE, as_faces, check_option, encode_distributions, encode_labels
from ..persistence import read_config, write_config
from ..training.checkpoint import EpochCheckpoint, fingerprint
from ..training.network import NetworkClassifier
from . import trainer
from .architectures import build_network
from .augment import TTA_VIEWS
from .device import PRECISIONS, place, resolve_device
from .layers import SnapshotAverage
from .trainer import Recipe


class TorchClassifier(NetworkClassifier):
    """A :mod:`~fer_bench.estimators.torch.architectures` network trained with the seeds' recipe or a variant.

    Adam with L2 ``weight_decay`` (or AdamW), ``OneCycleLR`` up to ``max_lr`` and
    down over ``epochs * ceil(n / batch_size)`` steps, cross-entropy with optional
    label smoothing (plus the network's own auxiliary loss, e.g. DDAMFN's
    attention loss), pixels scaled to [0, 1], random horizontal flip and random
    crop as augmentation: a 48x48 crop of the face reflection-padded by 4, or,
    with ``crop_size`` below 48, a random ``crop_size`` crop inside the face (the
    ten-crop recipe of published FER-2013 results, e.g. Khaireddin and Chen
    2021, 40x40 crops). With validation data (PublicTest) the weights of the
    epoch with the best PublicTest accuracy are kept, and ``patience`` stops
    training early; PrivateTest is never seen in ``fit``.

    On CPU with an integer ``random_state`` two fits give identical weights and
    predictions (initial weights, shuffling and augmentation all come from it).

    Parameters
    ----------
    architecture : str
        A name of :data:`~.architectures.ARCHITECTURES`.
    epochs, time_budget, steps, warmup_steps, budget_clock, budget_trace
        The budget, every network's: see :class:`~fer_bench.estimators.training.network.NetworkClassifier`.
    batch_size, max_lr, optimizer, weight_decay, label_smoothing, augment, random_state, verbose
        The recipe, every network's (the same); ``augment``: random flip and crop.
    width : float
        Channel multiplier of the network (1.0 is the published layout).
    tta : {"none", "flip", "ten_crop"}
        Test-time augmentation: predict the face (its centre crop when
        ``crop_size < 48``), the mean probabilities of the face and its mirror
        image, or the mean over the ten crops of :func:`~.augment.ten_crops`.
    crop_size : int
        Side of the crops the network sees, 48 (whole faces) or less (random
        crops in training, centre or ten crops at test time).
    input_size : int or None
        Side the (cropped) faces are resized to, bilinearly, before the network
        (DDAMFN's 112); None feeds them as they are.
    patience : int or None
        Stop when PublicTest accuracy has not improved for this many epochs
        (needs validation data); None trains all ``epochs``.
    snapshots : int
        1 keeps one network. Above 1, a snapshot ensemble (Huang, Li, Pleiss, Liu,
        Hopcroft and Weinberger, "Snapshot Ensembles: Train 1, Get M for Free",
        ICLR 2017) at the same budget: the schedule's steps are split into
        ``snapshots`` equal cycles, each its own one-cycle learning rate (where the
        paper restarts a cosine annealing), the weights at the end of every cycle
        are kept (not the best PublicTest epoch's), and predictions are the mean of
        their softmax outputs; predicting costs ``snapshots`` times as much.
        Excludes ``patience``.
    precision : {"auto", "fp32"}
        ``auto``: bf16 autocast (weights and the loss stay float32) on CUDA
        (fp16 with loss scaling where bf16 is unsupported) and on CPUs with
        native bf16 arithmetic (AVX512-BF16, AMX), float32 elsewhere;
        ``fp32``: float32 everywhere.
    device : str
        ``"auto"`` (CUDA when available, else CPU) or a torch device string.
    channels_last : bool
        Channels-last memory format for the network and its inputs.
    compile : bool
        Train through ``torch.compile`` (prediction runs eagerly).

    Attributes
    ----------
    classes_ : ndarray of shape (k,)
        Sorted labels seen in ``fit``.
    model_ : torch.nn.Module
        The trained network (a :class:`~.layers.SnapshotAverage` with ``snapshots``), in eval mode, on ``device_``.
    history_ : list of dict
        Per epoch: ``epoch`` (from 1), ``train_loss`` (mean training loss,
        auxiliary loss included), ``public_accuracy`` (None without validation
        data; of one view, the face or its centre crop, without ``tta``, so that
        scoring every epoch stays cheap), ``seconds`` (training wall time, device-synchronised,
        evaluation excluded), ``images`` and ``steps`` (fewer in a partial last epoch), ``images_per_second``.
    best_epoch_ : int
        Epoch whose weights were kept (the last one trained without validation data or with ``snapshots``).
    n_params_ : int
        Parameters (weights) of the network, of all its snapshots with ``snapshots``.
    budget_ : dict
        The budget planned and used: :meth:`~fer_bench.estimators.training.budget.StepPlan.summary`.
    device_ : str
        Where the network lives, e.g. ``"cpu"`` or ``"cuda"``.
    """

    def __init__(self, architecture: str = "resnet9", epochs: int = 20, time_budget: float | None = None,
                 steps: int | None = None, warmup_steps: int = 5, budget_clock: str = "own",
                 budget_trace: list | None = None, batch_size: int = 256, max_lr: float = 0.008,
                 weight_decay: float = 1e-4, width: float = 1.0,
                 label_smoothing: float = 0.0, augment: bool = True, tta: str = "none",
                 crop_size: int = IMAGE_SIZE, input_size: int | None = None, optimizer: str = "adam",
                 patience: int | None = None, snapshots: int = 1, precision: str = "auto", device: str = "auto",
                 channels_last: bool = True, compile: bool = False, random_state: int | None = 0,
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
        self.weight_decay = weight_decay
        self.width = width
        self.label_smoothing = label_smoothing
        self.augment = augment
        self.tta = tta
        self.crop_size = crop_size
        self.input_size = input_size
        self.optimizer = optimizer
        self.patience = patience
        self.snapshots = snapshots
        self.precision = precision
        self.device = device
        self.channels_last = channels_last
        self.compile = compile
        self.random_state = random_state
        self.verbose = verbose

    def _check_settings(self) -> None:
        self._checked_budget()
        check_option("tta", self.tta, TTA_VIEWS)
        if not 8 <= self.crop_size <= IMAGE_SIZE:
            raise ValueError(f"crop_size={self.crop_size}: expected 8 .. {IMAGE_SIZE}")
        if self.tta == "ten_crop" and self.crop_size == IMAGE_SIZE:
            raise ValueError(f"tta='ten_crop' needs crop_size below {IMAGE_SIZE} (e.g. 40 or 44): "
                             "the network must be trained on crops of the size it is tested on")
        check_option("precision", self.precision, PRECISIONS)
        if self.patience is not None and self.patience < 1:
            raise ValueError(f"patience={self.patience}: expected None or at least 1")
        if isinstance(self.snapshots, bool) or not isinstance(self.snapshots, int) or self.snapshots < 1:
            raise ValueError(f"snapshots={self.snapshots!r}: expected an integer, at least 1")
        if self.snapshots > 1 and self.patience is not None:
            raise ValueError(f"snapshots={self.snapshots} with patience={self.patience}: a snapshot ensemble "
                             "trains every cycle; leave patience at None")

    def _network_side(self) -> int:
        """Height and width of the network's input."""
        return self.input_size or self.crop_size

    def _network(self, n_classes: int) -> nn.Module:
        """A fresh network of ``architecture`` for ``n_classes`` (global-RNG initial weights), not yet placed."""
        return build_network(self.architecture, n_classes, self.width, self._network_side())

    def _model(self, n_classes: int) -> nn.Module:
        """What :meth:`save` wrote the weights of: the network, or a snapshot ensemble of ``snapshots`` of them."""
        if self.snapshots == 1:
            return self._network(n_classes)
        return SnapshotAverage([self._network(n_classes) for _ in range(self.snapshots)])

    def fit(self, X, y, validation_data=None, label_distributions=None,
            distribution_use: str = "crossentropy", checkpoint=None) -> "TorchClassifier":
        """Train on faces ``X`` with labels ``y`` (or their label distributions), selecting the epoch on
        ``validation_data``.

        Parameters
        ----------
        X : array of shape (n, 48, 48) or (n, 2304)
            Pixels in 0..255, ideally ``uint8``.
        y : array of shape (n,) or (n, 1)
            Class labels of any kind (integers, strings); ``classes_`` maps them to outputs.
        validation_data : tuple (X_val, y_val) or None
            PublicTest faces and labels, scored after every epoch.
        label_distributions : array of shape (n, k) or None
            Per-face distributions over the classes of ``y`` (FER+ vote shares, Barsoum et al. 2016):
            see :func:`~.._validation.encode_distributions`. None trains on ``y``.
        distribution_use : {"crossentropy", "probability"}
            With ``label_distributions``: soft targets of the cross-entropy loss, or a label drawn from
            each face's distribution whenever it is batched (Microsoft/FERPlus ``_process_target``).
        checkpoint : path or None
            A file for the training state after each epoch; a fit with the same parameters (``verbose``
            aside), seed and data that finds one goes on after its last epoch, to the result the
            uninterrupted fit gives on the same device (:mod:`..training.checkpoint`). A time budget
            does not use it.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If X or y are malformed (see :func:`as_faces` and :func:`encode_labels`),
            ``batch_size`` is below 1, ``weight_decay`` is negative, ``label_smoothing`` is
            outside [0, 1), the budget (``epochs``, ``time_budget``, ``steps``,
            ``warmup_steps``) is invalid or too short for a single step (or for 2 steps per
            snapshot cycle), ``tta``, ``crop_size``, ``optimizer``, ``patience`` or ``snapshots``
            is invalid, ``architecture`` is unknown, ``label_distributions`` or ``distribution_use`` is
            invalid, or ``checkpoint`` exists and is no checkpoint.
        """
        faces = as_faces(X)
        classes, y_index = encode_labels(y, len(faces))
        targets = None if label_distributions is None else encode_distributions(
            label_distributions, classes, y_index, distribution_use)
        self._check_settings()
        validation = None
        if validation_data is not None:
            validation = (as_faces(validation_data[0]), column_or_1d(validation_data[1], warn=False))
        device = resolve_device(self.device)
        seed = self.random_state if self.random_state is not None else int(np.random.SeedSequence().generate_state(1)[0])

        with torch.random.fork_rng(devices=[]):  # seeded initial weights, global RNG left as found
            torch.manual_seed(seed)
            network = place(self._network(len(classes)), device, self.channels_last)
        epoch_checkpoint = None
        if checkpoint is not None and self._checked_budget().kind != "time":  # a time budget keeps none: no hashing
            settings = {key: value for key, value in self.get_params(deep=False).items() if key != "verbose"}
            settings |= {"classes": classes.tolist(), "distribution_use": distribution_use}
            epoch_checkpoint = EpochCheckpoint(checkpoint, fingerprint(settings, seed, faces, y_index, targets,
                                                                       *(validation or ())))
        model, history, best_epoch, budget = trainer.fit(network, device, faces, y_index, classes, validation,
                                                         Recipe.of(self), seed, targets, distribution_use,
                                                         epoch_checkpoint)
        self._set_fitted(model, device, classes, history, best_epoch, budget)
        return self

    def _set_fitted(self, network: nn.Module, device: torch.device, classes: np.ndarray,
                    history: list[dict], best_epoch: int, budget: dict) -> None:
        self.model_ = network.eval()
        self.device_ = str(device)
        self.classes_ = classes
        self.n_features_in_ = IMAGE_SIZE * IMAGE_SIZE
        self.history_ = history
        self.best_epoch_ = best_epoch
        self.budget_ = budget
        self.n_params_ = sum(parameter.numel() for parameter in network.parameters())

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of faces X, columns ordered as ``classes_``, averaged over the views of ``tta``.

        Parameters
        ----------
        X : array of shape (n, 48, 48) or (n, 2304)

        Returns
        -------
        ndarray of float64 of shape (n, k); rows sum to 1.
        """
        check_is_fitted(self)
        return trainer.predict_proba(self.model_, torch.device(self.device_), as_faces(X), Recipe.of(self), self.tta)

    def predict(self, X) -> np.ndarray:
        """Most probable label of each face, shape (n,), of the labels' type (``classes_``)."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def save(self, directory) -> None:
        """Write ``model.pt`` (the state dict, CPU tensors) and ``config.json`` to ``directory``.

        ``config.json`` holds ``params``, ``architecture``, ``classes``,
        ``n_params``, ``best_epoch``, ``budget`` and ``history``. The directory is created
        if needed.
        """
        check_is_fitted(self)
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        torch.save({key: value.cpu() for key, value in self.model_.state_dict().items()}, directory / "model.pt")
        config = {"params": self.get_params(deep=False), "architecture": self.architecture,
                  "classes": self.classes_.tolist(), "n_params": self.n_params_,
                  "best_epoch": self.best_epoch_, "budget": self.budget_, "history": self.history_}
        write_config(directory, config)

    @classmethod
    def load(cls, directory, device: str | None = None) -> "TorchClassifier":
        """Rebuild a classifier written by :meth:`save`, ready to predict.

        The state dict is read with ``torch.load(..., weights_only=True)``: tensors only, no pickled code.

        Parameters
        ----------
        directory : path
        device : str or None
            Overrides the saved ``device`` parameter (e.g. ``"cpu"`` for a model trained with ``"cuda"``).

        Raises
        ------
        FileNotFoundError
            If ``model.pt`` or ``config.json`` is missing.
        ValueError
            If ``model.pt`` is truncated or corrupt, its weights are not those of the
            network ``config.json`` describes, or ``config.json`` asks for more than a saved
            network may (over :data:`MAX_LOADED_CLASSES` classes, a width over
            :data:`MAX_LOADED_WIDTH`, an input over :data:`MAX_LOADED_INPUT` pixels) (naming the file).
        """
        directory = Path(directory)
        config = read_config(directory)
        _check_loadable(config, directory / "config.json")
        params = dict(config["params"], **({} if device is None else {"device": device}))
        classifier = cls(**params)
        classes = np.asarray(config["classes"])
        network = classifier._model(len(classes))
        weights = directory / "model.pt"
        if not weights.is_file():
            raise FileNotFoundError(f"{weights}: no such file; the saved network has no weights")
        try:
            state = torch.load(weights, map_location="cpu", weights_only=True)
        except (RuntimeError, EOFError, pickle.UnpicklingError) as error:
            raise ValueError(f"{weights}: not a readable PyTorch state dict, truncated or corrupt "
                             f"({str(error).splitlines()[0].split('. ')[0]})") from error
        try:
            network.load_state_dict(state)
        except (RuntimeError, TypeError, AttributeError) as error:
            raise ValueError(f"{weights}: the weights do not fit the {classifier.architecture} network of "
                             f"{len(classes)} classes that config.json describes (another architecture?)") from error
        torch_device = resolve_device(classifier.device)
        classifier._set_fitted(place(network, torch_device, classifier.channels_last), torch_device, classes,
                               config["history"], config["best_epoch"], config.get("budget", {}))
        return classifier


MAX_LOADED_CLASSES, MAX_LOADED_WIDTH, MAX_LOADED_INPUT = 1000, 4.0, 512
"""Bounds of a saved network's ``config.json``, checked before anything is allocated: a network of more
classes, a wider one or a larger input is no fer_bench network (the widest trains at width 1, input 112)."""


def _check_loadable(config: dict, path: Path) -> None:
    """Refuse (naming ``path`` and the key) a config whose network would be absurdly large to build."""
    params, classes = config.get("params"), config.get("classes")
    if not isinstance(params, dict):
        return  # not this class's config: load() names it
    if isinstance(classes, list) and len(classes) > MAX_LOADED_CLASSES:
        raise ValueError(f"{path}: classes holds {len(classes):,} labels; a saved network has at most "
                         f"{MAX_LOADED_CLASSES:,}")
    width, size = params.get("width", 1.0), params.get("input_size")
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not 0 < width <= MAX_LOADED_WIDTH:
        raise ValueError(f"{path}: params.width = {width!r}; expected a channel multiplier in (0, {MAX_LOADED_WIDTH:g}]")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or not 8 <= size <= MAX_LOADED_INPUT):
        raise ValueError(f"{path}: params.input_size = {size!r}; expected none or 8 to {MAX_LOADED_INPUT} pixels")
