"""Training and evaluation of a PyTorch network, after torchvision's classification references.

- :func:`train_one_epoch`: one pass over the training faces in shuffled batches;
- :func:`evaluate`: PublicTest accuracy of one view per face;
- :func:`predict_proba`: softmax outputs averaged over the test-time views;
- :func:`fit`: the two composed over the budget's steps (:mod:`.._budget`: epochs, a
  time budget planned after a warm-up, or a fixed count of steps), keeping the best epoch's weights.

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
from .._budget import BudgetSettings, StepPlan, check_budget, fixed_plan, plan_after_warmup, warmup_done
from .._epochs import EpochLog
from .._input import IMAGE_SIZE
from .augment import TTA_VIEWS, augment, centre_crop, to_images, tta_views
from .device import autocast, grad_scaler

EVAL_BATCH_SIZE = 256
"""Images (faces times test-time views) per forward pass when predicting; memory only, results do not depend on it."""

OPTIMIZERS: tuple[str, ...] = ("adam", "adamw")
"""Adam with L2 ``weight_decay`` (the seeds') or AdamW with decoupled weight decay."""

ONE_CYCLE_DIV = 25.0
"""``OneCycleLR``'s default ``div_factor``: the schedule starts at ``max_lr / 25``, as does a warm-up."""


@dataclass(frozen=True)
class Recipe:
    """How a network is trained and fed: the training settings of :class:`~.classifier.TorchClassifier`
    (its parameters of the same names, already checked)."""

    architecture: str
    epochs: int
    time_budget: float | None
    steps: int | None
    warmup_steps: int
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

    def budget(self) -> BudgetSettings:
        """The checked budget (raises ValueError as :func:`~.._budget.check_budget`)."""
        return check_budget(self.epochs, self.time_budget, self.steps, self.warmup_steps)


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


class StepTrainer:
    """Optimiser steps over shuffled batches of the resident training faces.

    Parameters
    ----------
    forward : torch.nn.Module
        The network in training mode (or its ``torch.compile``), returning logits or ``(logits, auxiliary loss)``.
    optimizer : torch.optim.Optimizer
    scaler : torch.amp.GradScaler
    faces : uint8 Tensor of shape (n, 48, 48)
        All training faces, on the device.
    labels : int64 Tensor of shape (n,)
        Their class indices, on the device.
    generator : torch.Generator
        On the device: the shuffling and the augmentation.
    recipe : Recipe
    """

    def __init__(self, forward: nn.Module, optimizer: torch.optim.Optimizer, scaler: torch.amp.GradScaler,
                 faces: torch.Tensor, labels: torch.Tensor, generator: torch.Generator, recipe: Recipe):
        self.forward, self.optimizer, self.scaler = forward, optimizer, scaler
        self.faces, self.labels, self.generator, self.recipe = faces, labels, generator, recipe
        self.batch_size = min(recipe.batch_size, len(faces))
        self.schedule = None
        self._order = None

    def new_epoch(self) -> None:
        """Shuffle the faces for the next epoch."""
        self._order = torch.randperm(len(self.faces), generator=self.generator, device=self.faces.device)

    def step(self, batch: int) -> torch.Tensor:
        """Train on the epoch's ``batch``-th batch and step the schedule (if any); the summed loss over its faces."""
        recipe = self.recipe
        index = self._order[batch * self.batch_size:(batch + 1) * self.batch_size]
        images = to_images(self.faces[index])
        if recipe.augment:
            images = augment(images, self.generator, crop_size=recipe.crop_size)
        elif recipe.crop_size != IMAGE_SIZE:
            images = centre_crop(images, recipe.crop_size)
        with autocast(self.faces.device, recipe.precision):
            output = self.forward(network_input(images, recipe))
        logits, auxiliary = output if isinstance(output, tuple) else (output, None)
        loss = F.cross_entropy(logits.float(), self.labels[index], label_smoothing=recipe.label_smoothing)
        if auxiliary is not None:  # a network's own loss term, already weighted (DDAMFN's attention loss)
            loss = loss + auxiliary.float()
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        if self.schedule is not None:
            self.schedule.step()
        return loss.detach() * len(index)

    def start_schedule(self, steps: int) -> None:
        """The one-cycle learning rate over the next ``steps`` steps (from ``max_lr / 25`` up to ``max_lr`` and down)."""
        recipe = self.recipe
        if steps < 2:  # OneCycleLR needs two steps; a single one stays at the starting rate
            return
        self.schedule = torch.optim.lr_scheduler.OneCycleLR(self.optimizer, max_lr=recipe.max_lr, total_steps=steps,
                                                            div_factor=ONE_CYCLE_DIV)


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
        validation: tuple[np.ndarray, np.ndarray] | None, recipe: Recipe,
        seed: int) -> tuple[list[dict], int, dict]:
    """Train ``network`` (on ``device``) for the recipe's budget, keeping the weights of the best PublicTest epoch.

    The budget (:mod:`.._budget`) is ``recipe.epochs``, or ``recipe.time_budget``
    seconds (its warm-up steps at ``max_lr / 25``, ``warmup_steps`` or more, measure
    the throughput; the one-cycle schedule is planned over the steps left), or
    ``recipe.steps`` (the first ``warmup_steps`` at ``max_lr / 25``, then one-cycle).

    Parameters
    ----------
    faces : uint8 ndarray of shape (n, 48, 48)
    labels : int ndarray of shape (n,)
        Class indices ``0 .. k-1`` (of ``classes``).
    classes : ndarray of shape (k,)
        The labels the indices stand for; ``validation`` labels are compared with them.
    validation : (faces, labels) or None
        PublicTest faces (uint8) and labels, scored after every epoch; ``recipe.patience``
        stops early. None trains all steps and keeps the last weights.
    seed : int
        Seed of the shuffling and augmentation generator.

    Returns
    -------
    history : list of dict
        As :attr:`~.classifier.TorchClassifier.history_`.
    best_epoch : int
        The epoch whose weights ``network`` holds on return.
    budget : dict
        What was planned and used (:meth:`~.._budget.StepPlan.summary`).

    Raises
    ------
    ValueError
        If the budget is invalid or a time budget is too short for a single step after its warm-up.
    """
    settings = recipe.budget()
    generator = torch.Generator(device=device).manual_seed(seed)
    train_faces = torch.from_numpy(faces).to(device)  # the whole set, uint8, resident
    train_labels = torch.from_numpy(labels.astype(np.int64)).to(device)
    n = len(faces)
    optimizer = make_optimizer(network, recipe)
    trainer = StepTrainer(torch.compile(network) if recipe.compile else network, optimizer,
                          grad_scaler(device, recipe.precision), train_faces, train_labels, generator, recipe)
    plan: StepPlan | None = None if settings.kind == "time" else fixed_plan(settings, n, recipe.batch_size)
    if plan is not None and plan.warmup_steps == 0:
        trainer.start_schedule(plan.steps)
    else:
        for group in optimizer.param_groups:  # the warm-up runs at the schedule's starting rate
            group["lr"] = recipe.max_lr / ONE_CYCLE_DIV
    steps_per_epoch = -(-n // trainer.batch_size)
    log, best_state, warmup, step = EpochLog(recipe.architecture, tqdm.write if recipe.verbose else None), None, None, 0
    while plan is None or step < plan.steps:
        epoch = len(log.history) + 1
        network.train()
        trainer.new_epoch()
        synchronize_device()
        start = time.perf_counter()
        loss_sum, images, batch = torch.zeros((), device=device), 0, 0
        bar = tqdm(total=steps_per_epoch if plan is None else plan.epoch_steps(epoch),
                   desc=f"{recipe.architecture} epoch {epoch}", unit="batch", leave=False,
                   disable=not (recipe.verbose and sys.stderr.isatty()))
        while batch < steps_per_epoch and (plan is None or step < plan.steps):
            loss_sum += trainer.step(batch)
            images += min(trainer.batch_size, n - batch * trainer.batch_size)
            batch, step = batch + 1, step + 1
            bar.update()
            if plan is None and step == 1:  # the first step pays for allocation: not timed
                synchronize_device()
                first_step_seconds = time.perf_counter() - start
            if plan is None and step >= settings.warmup_steps:
                synchronize_device()
                trained = log.seconds + time.perf_counter() - start  # training only, over epochs if need be
                if warmup_done(settings, step, trained):  # the warm-up has measured the throughput
                    plan, warmup = plan_after_warmup(settings, n, recipe.batch_size, step, trained, first_step_seconds)
                    trainer.start_schedule(plan.schedule_steps)
                    bar.total = plan.epoch_steps(epoch)
            elif plan is not None and plan.warmup_steps and step == plan.warmup_steps and trainer.schedule is None:
                trainer.start_schedule(plan.schedule_steps)
        bar.close()
        train_loss = loss_sum.item() / images  # .item() waits for the device
        synchronize_device()
        seconds = time.perf_counter() - start
        accuracy = None if validation is None else evaluate(network, device, *validation, classes, recipe)
        if log.record(train_loss, accuracy, seconds, images, batch, plan):
            best_state = {key: value.detach().clone() for key, value in network.state_dict().items()}
        if log.patience_spent(recipe.patience):
            break  # early stopping: no PublicTest improvement for `patience` epochs
    if best_state is not None:
        network.load_state_dict(best_state)
    budget = plan.summary(log.steps_run, len(log.history), log.seconds, log.images_run, warmup)
    return log.history, log.best_epoch, budget
