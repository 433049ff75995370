"""Training and evaluation of a PyTorch network, after torchvision's classification references.

- :func:`train_one_epoch`: one pass over the training faces in shuffled batches;
- :func:`evaluate`: PublicTest accuracy of one view per face;
- :func:`predict_proba`: softmax outputs averaged over the test-time views;
- :func:`fit`: the two composed over the epochs, keeping the best epoch's weights.

The recipe is the seeds' by default (see :class:`~.classifier.TorchClassifier`):
Adam (or AdamW), a one-cycle learning rate stepped per batch, cross-entropy with
optional label smoothing plus the network's own auxiliary loss (DDAMFN's
attention loss), random flips and crops (:mod:`.augment`).

For speed the whole training set stays one ``uint8`` tensor on the device (the
GPU when there is one); each batch is indexed, converted to float and augmented
as a whole, in channels-last memory format and under the autocast of
:mod:`.device`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, fields

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ...timing import synchronize_device
from .._epochs import EpochLog
from .._input import IMAGE_SIZE
from .augment import TTA_VIEWS, augment, centre_crop, to_images, tta_views
from .device import autocast, grad_scaler

EVAL_BATCH_SIZE = 256
"""Images (faces times test-time views) per forward pass when predicting; memory only, results do not depend on it."""

OPTIMIZERS: tuple[str, ...] = ("adam", "adamw")
"""Adam with L2 ``weight_decay`` (the seeds') or AdamW with decoupled weight decay."""


@dataclass(frozen=True)
class Recipe:
    """How a network is trained and fed: the training settings of :class:`~.classifier.TorchClassifier`
    (its parameters of the same names, already checked)."""

    architecture: str
    epochs: int
    batch_size: int
    max_lr: float
    weight_decay: float
    label_smoothing: float
    augment: bool
    crop_size: int
    input_size: int | None
    optimizer: str
    patience: int | None
    precision: str
    channels_last: bool
    compile: bool
    verbose: bool

    @classmethod
    def of(cls, estimator) -> "Recipe":
        """The recipe of an estimator that has every field as an attribute."""
        return cls(**{field.name: getattr(estimator, field.name) for field in fields(cls)})


def network_input(images: torch.Tensor, recipe: Recipe) -> torch.Tensor:
    """(Cropped) float images (n, 1, s, s) -> the network's input: resized bilinearly to ``input_size``,
    in the recipe's memory format."""
    if recipe.input_size is not None and recipe.input_size != images.shape[-1]:
        images = F.interpolate(images, size=(recipe.input_size, recipe.input_size), mode="bilinear", align_corners=False)
    return images.contiguous(memory_format=torch.channels_last) if recipe.channels_last else images.contiguous()


def make_optimizer(network: nn.Module, recipe: Recipe) -> torch.optim.Optimizer:
    """Adam or AdamW (``recipe.optimizer``) at ``max_lr`` with ``weight_decay``."""
    kind = torch.optim.AdamW if recipe.optimizer == "adamw" else torch.optim.Adam
    return kind(network.parameters(), lr=recipe.max_lr, weight_decay=recipe.weight_decay)


def train_one_epoch(forward: nn.Module, optimizer: torch.optim.Optimizer, schedule, scaler: torch.amp.GradScaler,
                    faces: torch.Tensor, labels: torch.Tensor, generator: torch.Generator, recipe: Recipe,
                    epoch: int) -> float:
    """One pass over the training faces in batches shuffled by ``generator``; the schedule steps per batch.

    Parameters
    ----------
    forward : torch.nn.Module
        The network in training mode (or its ``torch.compile``), returning logits or ``(logits, auxiliary loss)``.
    faces : uint8 Tensor of shape (n, 48, 48)
        All training faces, on the device.
    labels : int64 Tensor of shape (n,)
        Their class indices, on the device.
    generator : torch.Generator
        On the device: the shuffling and the augmentation.
    epoch : int
        From 1, for the progress bar.

    Returns
    -------
    float
        Mean training loss over the faces (auxiliary loss included).
    """
    n, device = len(faces), faces.device
    batch_size = min(recipe.batch_size, n)
    order = torch.randperm(n, generator=generator, device=device)
    loss_sum = torch.zeros((), device=device)
    batches = tqdm(range(0, n, batch_size), desc=f"{recipe.architecture} epoch {epoch}/{recipe.epochs}",
                   unit="batch", leave=False, disable=not (recipe.verbose and sys.stderr.isatty()))
    precision = autocast(device, recipe.precision)
    for first in batches:
        index = order[first:first + batch_size]
        images = to_images(faces[index])
        if recipe.augment:
            images = augment(images, generator, crop_size=recipe.crop_size)
        elif recipe.crop_size != IMAGE_SIZE:
            images = centre_crop(images, recipe.crop_size)
        with precision:
            output = forward(network_input(images, recipe))
        logits, auxiliary = output if isinstance(output, tuple) else (output, None)
        loss = F.cross_entropy(logits.float(), labels[index], label_smoothing=recipe.label_smoothing)
        if auxiliary is not None:  # a network's own loss term, already weighted (DDAMFN's attention loss)
            loss = loss + auxiliary.float()
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        schedule.step()
        loss_sum += loss.detach() * len(index)
    return loss_sum.item() / n  # .item() waits for the device


def predict_proba(network: nn.Module, device: torch.device, faces: np.ndarray, recipe: Recipe, tta: str) -> np.ndarray:
    """Softmax outputs of ``network`` (in eval mode) on uint8 faces (n, 48, 48), averaged over the
    views of ``tta`` (a key of :data:`~.augment.TTA_VIEWS`): float64 (n, k)."""
    chunks, step = [], max(1, EVAL_BATCH_SIZE // TTA_VIEWS[tta])
    with torch.inference_mode(), autocast(device, recipe.precision):
        for first in range(0, len(faces), step):
            views = tta_views(to_images(torch.from_numpy(faces[first:first + step]).to(device)), tta, recipe.crop_size)
            v, n = views.shape[:2]
            logits = network(network_input(views.flatten(0, 1), recipe))
            chunks.append(logits.float().softmax(dim=1).unflatten(0, (v, n)).mean(dim=0).cpu())
    return torch.cat(chunks).numpy().astype(np.float64)


def evaluate(network: nn.Module, device: torch.device, faces: np.ndarray, labels: np.ndarray, classes: np.ndarray,
             recipe: Recipe) -> float:
    """Accuracy of ``network`` (set to eval mode) on uint8 faces with labels of ``classes``' kind, from one
    view per face (the face or its centre crop, no test-time augmentation: cheap enough for every epoch)."""
    network.eval()
    proba = predict_proba(network, device, faces, recipe, tta="none")
    return float(np.mean(classes[proba.argmax(axis=1)] == labels))


def fit(network: nn.Module, device: torch.device, faces: np.ndarray, labels: np.ndarray, classes: np.ndarray,
        validation: tuple[np.ndarray, np.ndarray] | None, recipe: Recipe, seed: int) -> tuple[list[dict], int]:
    """Train ``network`` (on ``device``) for ``recipe.epochs``, keeping the weights of the best PublicTest epoch.

    Parameters
    ----------
    faces : uint8 ndarray of shape (n, 48, 48)
    labels : int ndarray of shape (n,)
        Class indices ``0 .. k-1`` (of ``classes``).
    classes : ndarray of shape (k,)
        The labels the indices stand for; ``validation`` labels are compared with them.
    validation : (faces, labels) or None
        PublicTest faces (uint8) and labels, scored after every epoch; ``recipe.patience``
        stops early. None trains all epochs and keeps the last weights.
    seed : int
        Seed of the shuffling and augmentation generator.

    Returns
    -------
    history : list of dict
        As :attr:`~.classifier.TorchClassifier.history_`.
    best_epoch : int
        The epoch whose weights ``network`` holds on return.
    """
    generator = torch.Generator(device=device).manual_seed(seed)
    train_faces = torch.from_numpy(faces).to(device)  # the whole set, uint8, resident
    train_labels = torch.from_numpy(labels.astype(np.int64)).to(device)
    n = len(faces)
    steps_per_epoch = -(-n // min(recipe.batch_size, n))
    optimizer = make_optimizer(network, recipe)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=recipe.max_lr,
                                                   total_steps=recipe.epochs * steps_per_epoch)
    scaler = grad_scaler(device, recipe.precision)  # loss scaling for fp16 only
    forward = torch.compile(network) if recipe.compile else network

    log, best_state = EpochLog(recipe.architecture, recipe.epochs, n, tqdm.write if recipe.verbose else None), None
    for epoch in range(1, recipe.epochs + 1):
        network.train()
        synchronize_device()
        start = time.perf_counter()
        train_loss = train_one_epoch(forward, optimizer, schedule, scaler, train_faces, train_labels, generator,
                                     recipe, epoch)
        synchronize_device()
        seconds = time.perf_counter() - start
        accuracy = None if validation is None else evaluate(network, device, *validation, classes, recipe)
        if log.record(train_loss, accuracy, seconds):
            best_state = {key: value.detach().clone() for key, value in network.state_dict().items()}
        if log.patience_spent(recipe.patience):
            break  # early stopping: no PublicTest improvement for `patience` epochs
    if best_state is not None:
        network.load_state_dict(best_state)
    return log.history, log.best_epoch
