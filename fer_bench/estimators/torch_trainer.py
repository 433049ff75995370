"""Fast training of the PyTorch networks of :mod:`fer_bench.estimators.torch_nets`.

:class:`TorchClassifier` runs the seeds' recipe: Adam, a one-cycle learning
rate peaking at 0.008 (stepped per batch), batches of 256, 20 epochs, random
horizontal flips and random 48x48 crops of the face padded by 4 pixels.

For speed the whole training set stays one ``uint8`` tensor on the device (the
GPU when there is one); each batch is indexed, converted to float and augmented
as a whole (a vectorised flip and a gather of shifted windows, no per-image
Python loop), in channels-last memory format and, on CUDA, under bf16 (or fp16
with loss scaling) autocast.

This module imports PyTorch at import time, and so holds the torch-backed layer
classes of the networks (:class:`Residual`, :class:`Scale`); ``torch_nets``
imports it only when an estimator or a network is built.
"""

from __future__ import annotations

import json
import time
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn
from tqdm.auto import tqdm

from ..timing import synchronize_device
from ._input import IMAGE_SIZE, as_faces
from .torch_nets import build_network

CROP_PADDING = 4
"""Pixels of reflection padding around a face before its random 48x48 crop."""

EVAL_BATCH_SIZE = 256
"""Faces per forward pass when predicting; memory only, results do not depend on it."""


class Residual(nn.Module):
    """``x + body(x)``, the body being ``layers`` in order (Myrtle.ai's residual block)."""

    def __init__(self, *layers: nn.Module):
        super().__init__()
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class Scale(nn.Module):
    """Multiply by a fixed ``factor`` (Myrtle.ai's 0.125 on ResNet-9's logits)."""

    def __init__(self, factor: float):
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.factor

    def extra_repr(self) -> str:
        return f"factor={self.factor}"


def flip_where(images: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mirror left-right the images where ``mask`` is True.

    Parameters
    ----------
    images : Tensor of shape (n, c, h, w)
    mask : bool Tensor of shape (n,)

    Returns
    -------
    Tensor of the shape, dtype and device of ``images`` (a new tensor).
    """
    return torch.where(mask[:, None, None, None], images.flip(-1), images)


def shifted_crops(images: torch.Tensor, dy: torch.Tensor, dx: torch.Tensor,
                  padding: int = CROP_PADDING) -> torch.Tensor:
    """``h x w`` windows of the images reflection-padded by ``padding``, at offsets ``(dy, dx)``.

    Parameters
    ----------
    images : float Tensor of shape (n, c, h, w)
    dy, dx : int64 Tensor of shape (n,)
        Offsets into the padded image, in ``0 .. 2 * padding``; ``padding`` is no shift.
    padding : int
        Pixels added on each side, less than ``h`` and ``w``.

    Returns
    -------
    Tensor of the shape, dtype and device of ``images``.
    """
    n, _, h, w = images.shape
    padded = F.pad(images, (padding,) * 4, mode="reflect")
    windows = padded.unfold(2, h, 1).unfold(3, w, 1)  # a view: (n, c, 2p + 1, 2p + 1, h, w)
    return windows[torch.arange(n, device=images.device), :, dy, dx]  # gathered: (n, c, h, w)


def augment(images: torch.Tensor, generator: torch.Generator, padding: int = CROP_PADDING) -> torch.Tensor:
    """Random horizontal flip (probability 1/2) then random crop of a whole batch.

    Parameters
    ----------
    images : float Tensor of shape (n, c, h, w)
    generator : torch.Generator
        On the device of ``images``; the only source of randomness.
    padding : int
        Reflection padding of the crop; shifts are uniform in ``-padding .. padding``.

    Returns
    -------
    Tensor of the shape, dtype and device of ``images``.
    """
    n, device = len(images), images.device
    flip = torch.rand(n, generator=generator, device=device) < 0.5
    dy, dx = torch.randint(0, 2 * padding + 1, (2, n), generator=generator, device=device)
    return shifted_crops(flip_where(images, flip), dy, dx, padding)


def to_images(faces: torch.Tensor) -> torch.Tensor:
    """uint8 faces (n, 48, 48) -> float32 network input (n, 1, 48, 48) in [0, 1], same device."""
    return faces.unsqueeze(1).float().div_(255.0)


def _autocast(device: torch.device) -> AbstractContextManager:
    """bf16 (or fp16 where bf16 is unsupported) autocast on CUDA; disabled elsewhere."""
    if device.type != "cuda":
        return torch.autocast(device.type, enabled=False)
    return torch.autocast("cuda", dtype=torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16)


class TorchClassifier(ClassifierMixin, BaseEstimator):
    """A :mod:`~fer_bench.estimators.torch_nets` network trained with the seeds' recipe.

    Adam with L2 ``weight_decay``, ``OneCycleLR`` up to ``max_lr`` and down over
    ``epochs * ceil(n / batch_size)`` steps, cross-entropy with optional label
    smoothing, pixels scaled to [0, 1], random horizontal flip and random crop
    (reflection padding of 4) as augmentation. With validation data (PublicTest)
    the weights of the epoch with the best PublicTest accuracy are kept.

    On CPU with an integer ``random_state`` two fits give identical weights and
    predictions (initial weights, shuffling and augmentation all come from it).

    Parameters
    ----------
    architecture : {"shallow_cnn", "deep_cnn", "resnet9"}
    epochs : int
        Passes over the training faces, at least 1.
    batch_size : int
        Faces per optimiser step (the last batch of an epoch may be smaller).
    max_lr : float
        Peak learning rate of the one-cycle schedule.
    weight_decay : float
        Adam's L2 penalty.
    width : float
        Channel multiplier of the network (1.0 is the published layout).
    label_smoothing : float
        Of the cross-entropy, in [0, 1).
    augment : bool
        Random flip and crop of training faces.
    tta_flip : bool
        Predict the mean probabilities of each face and its mirror image.
    device : str
        ``"auto"`` (CUDA when available, else CPU) or a torch device string.
    channels_last : bool
        Channels-last memory format for the network and its inputs.
    compile : bool
        Train through ``torch.compile`` (prediction runs eagerly).
    random_state : int or None
        Seed of initial weights, shuffling and augmentation; None draws one.
    verbose : bool
        Progress bar over batches and one line per epoch with images/s.

    Attributes
    ----------
    classes_ : ndarray of shape (k,)
        Sorted labels seen in ``fit``.
    model_ : torch.nn.Module
        The trained network, in eval mode, on ``device_``.
    history_ : list of dict
        Per epoch: ``epoch`` (from 1), ``train_loss`` (mean cross-entropy),
        ``public_accuracy`` (None without validation data), ``seconds`` (training
        wall time, device-synchronised, evaluation excluded), ``images_per_second``.
    best_epoch_ : int
        Epoch whose weights were kept (the last one without validation data).
    n_params_ : int
        Parameters (weights) of the network.
    device_ : str
        Where the network lives, e.g. ``"cpu"`` or ``"cuda"``.
    """

    def __init__(self, architecture: str = "resnet9", epochs: int = 20, batch_size: int = 256,
                 max_lr: float = 0.008, weight_decay: float = 1e-4, width: float = 1.0,
                 label_smoothing: float = 0.0, augment: bool = True, tta_flip: bool = False,
                 device: str = "auto", channels_last: bool = True, compile: bool = False,
                 random_state: int | None = 0, verbose: bool = False):
        self.architecture = architecture
        self.epochs = epochs
        self.batch_size = batch_size
        self.max_lr = max_lr
        self.weight_decay = weight_decay
        self.width = width
        self.label_smoothing = label_smoothing
        self.augment = augment
        self.tta_flip = tta_flip
        self.device = device
        self.channels_last = channels_last
        self.compile = compile
        self.random_state = random_state
        self.verbose = verbose

    def _torch_device(self) -> torch.device:
        if self.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        return torch.device(self.device)

    def _place(self, network: nn.Module, device: torch.device) -> nn.Module:
        memory_format = torch.channels_last if self.channels_last else torch.contiguous_format
        return network.to(device, memory_format=memory_format)

    def _channels_last(self, images: torch.Tensor) -> torch.Tensor:
        return images.contiguous(memory_format=torch.channels_last) if self.channels_last else images

    def fit(self, X, y, validation_data=None) -> "TorchClassifier":
        """Train on faces ``X`` with labels ``y``, selecting the epoch on ``validation_data``.

        Parameters
        ----------
        X : array of shape (n, 48, 48) or (n, 2304)
            Pixels in 0..255, ideally ``uint8``.
        y : array of int of shape (n,)
            Any integer labels; ``classes_`` maps them to outputs.
        validation_data : tuple (X_val, y_val) or None
            PublicTest faces and labels, scored after every epoch.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If X or y are malformed (see :func:`as_faces`), their lengths differ,
            y is not integer, ``epochs`` or ``batch_size`` is below 1, or
            ``architecture`` is unknown.
        """
        faces = as_faces(X)
        y = np.asarray(y)
        if y.shape != (len(faces),) or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"y must be integer labels of shape ({len(faces)},); got {y.dtype} {y.shape}")
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError(f"epochs={self.epochs} and batch_size={self.batch_size} must be at least 1")
        if validation_data is not None:
            val_faces, val_labels = as_faces(validation_data[0]), np.asarray(validation_data[1])
        classes, y_index = np.unique(y, return_inverse=True)
        device = self._torch_device()
        seed = self.random_state if self.random_state is not None else int(np.random.SeedSequence().generate_state(1)[0])

        with torch.random.fork_rng(devices=[]):  # seeded initial weights, global RNG left as found
            torch.manual_seed(seed)
            network = self._place(build_network(self.architecture, len(classes), self.width), device)
        generator = torch.Generator(device=device).manual_seed(seed)
        train_faces = torch.from_numpy(faces).to(device)  # the whole set, uint8, resident
        train_labels = torch.from_numpy(y_index.astype(np.int64)).to(device)
        n = len(faces)
        batch_size = min(self.batch_size, n)
        steps_per_epoch = -(-n // batch_size)
        optimizer = torch.optim.Adam(network.parameters(), lr=self.max_lr, weight_decay=self.weight_decay)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=self.max_lr,
                                                       total_steps=self.epochs * steps_per_epoch)
        autocast = _autocast(device)
        scaler = torch.amp.GradScaler(device.type, enabled=device.type == "cuda" and autocast.fast_dtype == torch.float16)
        forward = torch.compile(network) if self.compile else network

        history, best_accuracy, best_state, best_epoch = [], -1.0, None, self.epochs
        for epoch in range(1, self.epochs + 1):
            network.train()
            synchronize_device()
            start = time.perf_counter()
            order = torch.randperm(n, generator=generator, device=device)
            loss_sum = torch.zeros((), device=device)
            batches = tqdm(range(0, n, batch_size), desc=f"{self.architecture} epoch {epoch}/{self.epochs}",
                           unit="batch", leave=False, disable=not self.verbose)
            for first in batches:
                index = order[first:first + batch_size]
                images = to_images(train_faces[index])
                if self.augment:
                    images = augment(images, generator)
                with autocast:
                    logits = forward(self._channels_last(images))
                loss = F.cross_entropy(logits.float(), train_labels[index], label_smoothing=self.label_smoothing)
                optimizer.zero_grad(set_to_none=True)
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
                schedule.step()
                loss_sum += loss.detach() * len(index)
            train_loss = loss_sum.item() / n  # .item() waits for the device
            synchronize_device()
            seconds = time.perf_counter() - start

            public_accuracy = None
            if validation_data is not None:
                network.eval()
                proba = self._proba(network, device, val_faces)
                public_accuracy = float(np.mean(classes[proba.argmax(axis=1)] == val_labels))
                if public_accuracy > best_accuracy:
                    best_accuracy, best_epoch = public_accuracy, epoch
                    best_state = {key: value.detach().clone() for key, value in network.state_dict().items()}
            history.append({"epoch": epoch, "train_loss": train_loss, "public_accuracy": public_accuracy,
                            "seconds": seconds, "images_per_second": n / seconds})
            if self.verbose:
                public = "" if public_accuracy is None else f", PublicTest accuracy {public_accuracy:.4f}"
                tqdm.write(f"{self.architecture} epoch {epoch}/{self.epochs}: loss {train_loss:.4f}{public}, "
                           f"{seconds:.1f} s, {n / seconds:.0f} images/s")

        if best_state is not None:
            network.load_state_dict(best_state)
        self._set_fitted(network, device, classes, history, best_epoch)
        return self

    def _set_fitted(self, network: nn.Module, device: torch.device, classes: np.ndarray,
                    history: list[dict], best_epoch: int) -> None:
        self.model_ = network.eval()
        self.device_ = str(device)
        self.classes_ = classes
        self.history_ = history
        self.best_epoch_ = best_epoch
        self.n_params_ = sum(parameter.numel() for parameter in network.parameters())

    def _proba(self, network: nn.Module, device: torch.device, faces: np.ndarray) -> np.ndarray:
        """Softmax outputs of ``network`` (in eval mode) on uint8 faces, in batches: float64 (n, k)."""
        chunks = []
        with torch.inference_mode(), _autocast(device):
            for first in range(0, len(faces), EVAL_BATCH_SIZE):
                images = self._channels_last(to_images(torch.from_numpy(faces[first:first + EVAL_BATCH_SIZE]).to(device)))
                proba = network(images).float().softmax(dim=1)
                if self.tta_flip:
                    proba = (proba + network(images.flip(-1)).float().softmax(dim=1)) / 2
                chunks.append(proba.cpu())
        return torch.cat(chunks).numpy().astype(np.float64)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of faces X, columns ordered as ``classes_``.

        Parameters
        ----------
        X : array of shape (n, 48, 48) or (n, 2304)

        Returns
        -------
        ndarray of float64 of shape (n, k); rows sum to 1.
        """
        check_is_fitted(self)
        return self._proba(self.model_, torch.device(self.device_), as_faces(X))

    def predict(self, X) -> np.ndarray:
        """Most probable label of each face, int64 of shape (n,)."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)].astype(np.int64)

    def save(self, directory) -> None:
        """Write ``model.pt`` (the state dict, CPU tensors) and ``config.json`` to ``directory``.

        ``config.json`` holds ``params``, ``architecture``, ``classes``,
        ``n_params``, ``best_epoch`` and ``history``. The directory is created
        if needed.
        """
        check_is_fitted(self)
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        torch.save({key: value.cpu() for key, value in self.model_.state_dict().items()}, directory / "model.pt")
        config = {"params": self.get_params(deep=False), "architecture": self.architecture,
                  "classes": self.classes_.tolist(), "n_params": self.n_params_,
                  "best_epoch": self.best_epoch_, "history": self.history_}
        (directory / "config.json").write_text(json.dumps(config, indent=2))

    @classmethod
    def load(cls, directory, device: str | None = None) -> "TorchClassifier":
        """Rebuild a classifier written by :meth:`save`, ready to predict.

        Parameters
        ----------
        directory : path
        device : str or None
            Overrides the saved ``device`` parameter (e.g. ``"cpu"`` for a model trained with ``"cuda"``).

        Raises
        ------
        FileNotFoundError
            If ``model.pt`` or ``config.json`` is missing.
        """
        directory = Path(directory)
        config = json.loads((directory / "config.json").read_text())
        params = dict(config["params"], **({} if device is None else {"device": device}))
        classifier = cls(**params)
        classes = np.asarray(config["classes"])
        network = build_network(classifier.architecture, len(classes), classifier.width)
        network.load_state_dict(torch.load(directory / "model.pt", map_location="cpu", weights_only=True))
        torch_device = classifier._torch_device()
        classifier._set_fitted(classifier._place(network, torch_device), torch_device, classes,
                               config["history"], config["best_epoch"])
        return classifier
