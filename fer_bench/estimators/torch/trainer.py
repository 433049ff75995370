"""Training and evaluation of a PyTorch network, after torchvision's classification references.

- :class:`StepTrainer`: one optimiser step on a shuffled batch of the training faces;
- :func:`evaluate`: PublicTest accuracy of one view per face;
- :func:`predict_proba`: softmax outputs averaged over the test-time views;
- :func:`fit`: the steps of the budget (:mod:`..training.budget`: epochs, a time budget planned
  after a warm-up, or a fixed count of steps) run by :func:`..training.loop.train`,
  keeping the best epoch's weights, or with ``snapshots`` the last weights of each
  learning-rate cycle (a snapshot ensemble, :func:`snapshot_cycles`).

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

import copy
import math
from dataclasses import dataclass, fields

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ...timing import synchronize_device
from ..training.budget import BudgetSettings, StepPlan, budget_settings
from ..training.checkpoint import EpochCheckpoint
from ..training.epoch_log import EpochLog
from .._validation import IMAGE_SIZE
from ..training.loop import train
from .augment import TTA_VIEWS, augment, centre_crop, to_images, tta_views
from .device import autocast, grad_scaler
from .layers import SnapshotAverage

EVAL_BATCH_SIZE = 256
"""Images (faces times test-time views) per forward pass when predicting; memory only, results do not depend on it."""

ONE_CYCLE_DIV = 25.0
"""``OneCycleLR``'s default ``div_factor``: the schedule starts at ``max_lr / 25``, as does a warm-up."""

ONE_CYCLE_PCT_START, ONE_CYCLE_FINAL_DIV = 0.3, 1e4
"""``OneCycleLR``'s defaults: the share of the schedule rising, and the end at ``max_lr / 25 / 1e4``."""

BASE_MOMENTUM, MAX_MOMENTUM = 0.85, 0.95
"""``OneCycleLR``'s defaults for Adam's beta1: down to 0.85 while the rate rises, back to 0.95 after."""


@dataclass(frozen=True)
class Recipe:
    """How a network is trained and fed: the training settings of :class:`~.classifier.TorchClassifier`
    (its parameters of the same names, already checked)."""

    architecture: str
    epochs: int
    time_budget: float | None
    steps: int | None
    warmup_steps: int
    budget_clock: str
    budget_trace: list | None
    batch_size: int
    max_lr: float
    weight_decay: float
    label_smoothing: float
    augment: bool
    crop_size: int
    input_size: int | None
    optimizer: str
    patience: int | None
    snapshots: int
    precision: str
    channels_last: bool
    compile: bool
    verbose: bool

    @classmethod
    def of(cls, estimator) -> "Recipe":
        """The recipe of an estimator that has every field as an attribute."""
        return cls(**{field.name: getattr(estimator, field.name) for field in fields(cls)})

    def budget(self) -> BudgetSettings:
        """The checked budget (raises ValueError as :func:`~..training.budget.budget_settings`)."""
        return budget_settings(self.epochs, self.time_budget, self.steps, self.warmup_steps, self.budget_clock,
                            self.budget_trace)


def network_input(images: torch.Tensor, recipe: Recipe) -> torch.Tensor:
    """(Cropped) float images (n, 1, s, s) -> the network's input: resized bilinearly to ``input_size``,
    in the recipe's memory format."""
    if recipe.input_size is not None and recipe.input_size != images.shape[-1]:
        images = F.interpolate(images, size=(recipe.input_size, recipe.input_size), mode="bilinear", align_corners=False)
    return images.contiguous(memory_format=torch.channels_last) if recipe.channels_last else images.contiguous()


def snapshot_cycles(plan: StepPlan, snapshots: int) -> list[int]:
    """The first step of each of ``snapshots`` learning-rate cycles that share the plan's schedule steps
    (as equal as whole steps allow), followed by ``plan.steps``.

    Raises
    ------
    ValueError
        If a cycle of a snapshot ensemble would have fewer than 2 steps (a one-cycle schedule needs two).
    """
    if snapshots > 1 and plan.schedule_steps < 2 * snapshots:
        raise ValueError(f"snapshots={snapshots}: the budget has {plan.schedule_steps} schedule steps, "
                         f"fewer than 2 per learning-rate cycle; train longer or take fewer snapshots")
    return [plan.warmup_steps + plan.schedule_steps * cycle // snapshots for cycle in range(snapshots)] + [plan.steps]


def one_cycle_at(max_lr: float, position: float) -> tuple[float, float]:
    """The learning rate and Adam's beta1 of ``OneCycleLR``'s default schedule at ``position`` in [0, 1] of it,
    as a share rather than a step: cosine from ``max_lr / 25`` up to ``max_lr`` over the first 30% (beta1
    from 0.95 down to 0.85), then cosine down to ``max_lr / 25 / 1e4`` (beta1 back to 0.95)."""
    def cosine(start: float, end: float, share: float) -> float:
        return end + (start - end) / 2.0 * (math.cos(math.pi * share) + 1)

    start, rising = max_lr / ONE_CYCLE_DIV, ONE_CYCLE_PCT_START
    if position < rising:
        share = position / rising
        return cosine(start, max_lr, share), cosine(MAX_MOMENTUM, BASE_MOMENTUM, share)
    share = (position - rising) / (1.0 - rising)
    return cosine(max_lr, start / ONE_CYCLE_FINAL_DIV, share), cosine(BASE_MOMENTUM, MAX_MOMENTUM, share)


def make_optimizer(network: nn.Module, recipe: Recipe) -> torch.optim.Optimizer:
    """Adam or AdamW (``recipe.optimizer``) at ``max_lr`` with ``weight_decay``."""
    kind = torch.optim.AdamW if recipe.optimizer == "adamw" else torch.optim.Adam
    return kind(network.parameters(), lr=recipe.max_lr, weight_decay=recipe.weight_decay)


class StepTrainer:
    """Optimiser steps over shuffled batches of the resident training faces: the PyTorch side of
    :func:`~..training.loop.train` (a :class:`~..training.loop.BatchTrainer`).

    Parameters
    ----------
    network : torch.nn.Module
        The network being trained, on ``device``.
    device : torch.device
    faces : uint8 ndarray of shape (n, 48, 48)
        All training faces (copied to the device once).
    labels : int ndarray of shape (n,)
        Their class indices.
    classes : ndarray of shape (k,)
        The labels the indices stand for; ``validation`` labels are compared with them.
    validation : (faces, labels) or None
        PublicTest faces (uint8) and labels, scored after every epoch.
    recipe : Recipe
    seed : int
        Seed of the shuffling, augmentation and label-drawing generator.
    targets : float32 ndarray of shape (n, k) or None
        Per-face label distributions to train on instead of ``labels`` (rows sum to 1).
    target_use : {"crossentropy", "probability"}
        Soft targets of the loss, or a label drawn from each face's distribution whenever it is batched.
    """

    def __init__(self, network: nn.Module, device: torch.device, faces: np.ndarray, labels: np.ndarray,
                 classes: np.ndarray, validation: tuple[np.ndarray, np.ndarray] | None, recipe: Recipe, seed: int,
                 targets: np.ndarray | None = None, target_use: str = "crossentropy"):
        self.network, self.device, self.classes, self.validation, self.recipe = network, device, classes, validation, recipe
        self.forward = torch.compile(network) if recipe.compile else network
        self.optimizer = make_optimizer(network, recipe)
        self.scaler = grad_scaler(device, recipe.precision)
        self.faces = torch.from_numpy(faces).to(device)  # the whole set, uint8, resident
        self.labels = torch.from_numpy(labels.astype(np.int64)).to(device)
        self.targets = None if targets is None else torch.from_numpy(targets).to(device)
        self.target_use = target_use
        self.generator = torch.Generator(device=device).manual_seed(seed)
        self.batch_size = min(recipe.batch_size, len(faces))
        self.threads, self.on_gpu = torch.get_num_threads(), device.type != "cpu"
        self.schedule = None
        self.cycle_weights: list[dict] = []  # with snapshots: the weights at the end of each cycle
        self._cycles: list[int] | None = None
        self._order = None
        for group in self.optimizer.param_groups:  # a warm-up runs at the schedule's starting rate
            group["lr"] = recipe.max_lr / ONE_CYCLE_DIV

    def new_epoch(self) -> None:
        """Shuffle the faces for the next epoch; training mode."""
        self.forward.train()
        self._order = torch.randperm(len(self.faces), generator=self.generator, device=self.faces.device)

    def step(self, batch: int, step: int, plan: StepPlan | None) -> torch.Tensor:
        """Train on the epoch's ``batch``-th batch as step ``step`` of ``plan``: the summed loss over its faces.

        The one-cycle schedule starts at the plan's first step after its warm-up; with
        ``snapshots`` it restarts at every cycle of :func:`snapshot_cycles`, and the weights
        at the end of each cycle are kept in ``cycle_weights``."""
        recipe = self.recipe
        position = 0.0 if plan is None else plan.position(step)  # None: a fixed plan, whose schedule counts steps
        if position is not None:
            self._follow_budget(position)
        elif step == plan.warmup_steps:
            self._cycles = snapshot_cycles(plan, recipe.snapshots)
        if self._cycles is not None and step in self._cycles[:-1]:
            self._start_schedule(self._cycles[self._cycles.index(step) + 1] - step)
        index = self._order[batch * self.batch_size:(batch + 1) * self.batch_size]
        images = to_images(self.faces[index])
        if recipe.augment:
            images = augment(images, self.generator, crop_size=recipe.crop_size)
        elif recipe.crop_size != IMAGE_SIZE:
            images = centre_crop(images, recipe.crop_size)
        with autocast(self.faces.device, recipe.precision):
            output = self.forward(network_input(images, recipe))
        logits, auxiliary = output if isinstance(output, tuple) else (output, None)
        loss = F.cross_entropy(logits.float(), self._targets(index), label_smoothing=recipe.label_smoothing)
        if auxiliary is not None:  # a network's own loss term, already weighted (DDAMFN's attention loss)
            loss = loss + auxiliary.float()
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        if self.schedule is not None:
            self.schedule.step()
        if recipe.snapshots > 1 and self._cycles is not None and step + 1 in self._cycles[1:]:
            self.cycle_weights.append(self.snapshot())
        return loss.detach() * len(index)

    def _targets(self, index: torch.Tensor) -> torch.Tensor:
        """The loss's targets of a batch: labels, soft targets, or labels drawn from the distributions."""
        if self.targets is None:
            return self.labels[index]
        if self.target_use == "probability":
            return torch.multinomial(self.targets[index], 1, generator=self.generator).squeeze(1)
        return self.targets[index]

    def _follow_budget(self, position: float) -> None:
        """Set the learning rate and Adam's beta1 at ``position`` (a share of the time budget) of the one-cycle
        schedule, or with ``snapshots`` of its cycle (each an equal share); keep a cycle's last weights when the
        next begins."""
        cycles = self.recipe.snapshots
        cycle = min(int(position * cycles), cycles - 1)
        if cycles > 1 and cycle > len(self.cycle_weights):
            self.cycle_weights.append(self.snapshot())
        rate, beta1 = one_cycle_at(self.recipe.max_lr, position * cycles - cycle)
        for group in self.optimizer.param_groups:
            group["lr"], group["betas"] = rate, (beta1, group["betas"][1])

    def _start_schedule(self, steps: int) -> None:
        """The one-cycle learning rate over the next ``steps`` steps (from ``max_lr / 25`` up to ``max_lr`` and down)."""
        if steps < 2:  # OneCycleLR needs two steps; a single one stays at the starting rate
            return
        self.schedule = torch.optim.lr_scheduler.OneCycleLR(self.optimizer, max_lr=self.recipe.max_lr,
                                                            total_steps=steps, div_factor=ONE_CYCLE_DIV)

    def synchronize(self) -> None:
        synchronize_device()

    def validate(self) -> float | None:
        if self.validation is None:
            return None
        return evaluate(self.network, self.device, *self.validation, self.classes, self.recipe)

    def snapshot(self) -> dict:
        return {key: value.detach().clone() for key, value in self.network.state_dict().items()}

    def restore(self, weights: dict) -> None:
        self.network.load_state_dict(weights)

    def state(self) -> dict:
        """The weights, optimiser, one-cycle schedule, loss scaler, random generator and snapshot cycles."""
        return {"network": self.snapshot(), "optimizer": self.optimizer.state_dict(),
                "schedule": None if self.schedule is None else self.schedule.state_dict(),
                "scaler": self.scaler.state_dict(), "generator": self.generator.get_state(),
                "cycles": self._cycles, "cycle_weights": self.cycle_weights}

    def load_state(self, state: dict) -> None:
        """Go on from a :meth:`state` taken at the end of an epoch: the next epoch shuffles, augments and
        steps exactly as it would have."""
        self.network.load_state_dict(state["network"])
        if state["schedule"] is not None:  # built before the optimiser's state, which then overrides its rates
            self._start_schedule(state["schedule"]["total_steps"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.schedule is not None:
            self.schedule.load_state_dict(state["schedule"])
        self.scaler.load_state_dict(state["scaler"])
        self.generator.set_state(state["generator"])
        self._cycles, self.cycle_weights = state["cycles"], list(state["cycle_weights"])


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
        validation: tuple[np.ndarray, np.ndarray] | None, recipe: Recipe, seed: int,
        targets: np.ndarray | None = None, target_use: str = "crossentropy",
        checkpoint: EpochCheckpoint | None = None) -> tuple[nn.Module, list[dict], int, dict]:
    """Train ``network`` (on ``device``) for the recipe's budget, keeping the weights of the best PublicTest epoch,
    or with ``recipe.snapshots`` above 1 those at the end of each learning-rate cycle (Huang et al., ICLR 2017).

    The budget (:mod:`..training.budget`) is ``recipe.epochs``, or ``recipe.time_budget``
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
        Seed of the shuffling, augmentation and label-drawing generator.
    targets, target_use
        Label distributions to train on instead of ``labels``, and how (see :class:`StepTrainer`).
    checkpoint : EpochCheckpoint or None
        The state after each epoch is written there, and a fit of the same settings, seed and faces goes
        on from the one it finds (epoch and step budgets; :mod:`..training.checkpoint`).

    Returns
    -------
    model : torch.nn.Module
        ``network`` with the best epoch's weights, or a :class:`~.layers.SnapshotAverage` of
        ``recipe.snapshots`` copies of it holding the cycles' last weights.
    history : list of dict
        As :attr:`~.classifier.TorchClassifier.history_`.
    best_epoch : int
        The epoch whose weights ``network`` holds on return (the last one for a snapshot ensemble).
    budget : dict
        What was planned and used (:meth:`~..training.budget.StepPlan.summary`).

    Raises
    ------
    ValueError
        If the budget is invalid, a time budget is too short for a single step after its warm-up,
        the budget leaves fewer than 2 steps per snapshot cycle, or the checkpoint cannot be read.
    """
    log = EpochLog(recipe.architecture, tqdm.write if recipe.verbose else None)
    trainer = StepTrainer(network, device, faces, labels, classes, validation, recipe, seed, targets, target_use)
    budget = train(trainer, recipe.budget(), len(faces), log, recipe.verbose, recipe.patience, checkpoint=checkpoint)
    if recipe.snapshots > 1 and len(trainer.cycle_weights) < recipe.snapshots:  # a time budget's last cycle ends here
        trainer.cycle_weights.append(trainer.snapshot())
    if recipe.snapshots == 1:
        return network, log.history, log.best_epoch, budget
    members = [copy.deepcopy(network) for _ in trainer.cycle_weights]
    for member, weights in zip(members, trainer.cycle_weights):
        member.load_state_dict(weights)
    return SnapshotAverage(members), log.history, len(log.history), budget
