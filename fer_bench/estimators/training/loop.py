"""The step loop of both network trainers (PyTorch and Keras): epochs of batches until the budget is spent.

:func:`train` runs the budget of :mod:`.budget` over a :class:`BatchTrainer`, the
framework's side of one optimiser step. A time budget is spent on its clock
(:mod:`.clock`), evaluation excluded, from the end of its untimed steps; its
:class:`~.budget.TimePlanner` re-plans the steps left as it goes. Each epoch is
scored on PublicTest (when the trainer can), reported to an :class:`~.epoch_log.EpochLog`,
and the weights of the best epoch are kept. With an :class:`~.checkpoint.EpochCheckpoint`
(epoch and step budgets) the state after each epoch is written, and a fit that finds one of
its own goes on from there.
"""

from __future__ import annotations

import sys
from time import perf_counter
from typing import Any, Protocol

from tqdm.auto import tqdm

from .budget import BudgetSettings, StepPlan, TimePlanner, fixed_plan
from .checkpoint import EpochCheckpoint
from .clock import BudgetClock
from .epoch_log import EpochLog


class BatchTrainer(Protocol):
    """What :func:`train` needs of a framework."""

    batch_size: int
    """Faces per step (at most all of them)."""

    threads: int
    """CPU threads the framework computes with (the CPU clock divides the process's CPU time by them)."""

    on_gpu: bool
    """Whether the network trains on a GPU (the budget clock is then synchronised wall time)."""

    def new_epoch(self) -> None:
        """Shuffle the faces for the next epoch (and put the network in training mode)."""

    def step(self, batch: int, step: int, plan: StepPlan | None) -> Any:
        """Train on the epoch's ``batch``-th batch, as step ``step`` (from 0) of ``plan`` (None while a time
        budget has not planned yet: the schedule's start): the loss summed over the batch's faces (a float,
        or a tensor that adds to one)."""

    def synchronize(self) -> None:
        """Wait for the device's queued work (so that the clock times it)."""

    def validate(self) -> float | None:
        """PublicTest accuracy of the network now; None without validation data."""

    def snapshot(self) -> Any:
        """A copy of the weights, to :meth:`restore` later."""

    def restore(self, weights: Any) -> None:
        """Load weights taken by :meth:`snapshot`."""

    def state(self) -> dict:
        """What an :class:`~.checkpoint.EpochCheckpoint` keeps of the trainer between epochs (weights,
        optimiser, schedule, random generator), as tensors and plain values; only asked of a trainer
        given a checkpoint (PyTorch's)."""

    def load_state(self, state: dict) -> None:
        """Continue from a :meth:`state` taken at the end of an epoch."""


def train(trainer: BatchTrainer, settings: BudgetSettings, n: int, log: EpochLog, verbose: bool,
          patience: int | None = None, clock: BudgetClock | None = None,
          checkpoint: EpochCheckpoint | None = None) -> dict:
    """Train ``trainer`` on ``n`` faces for the budget ``settings``, leaving it with the best epoch's weights.

    Parameters
    ----------
    log : EpochLog
        Receives every epoch; its ``history`` and ``best_epoch`` are the run's.
    verbose : bool
        A bar per epoch on a terminal.
    patience : int or None
        Stop after this many epochs without a better PublicTest accuracy.
    clock : BudgetClock or None
        A time budget's clock; by default ``settings.clock`` over the trainer's threads and device.
    checkpoint : EpochCheckpoint or None
        Where the state after each epoch goes, and where an interrupted fit's is found (epoch and step
        budgets only: a time budget ignores it).

    Returns
    -------
    dict
        What was planned and used (:meth:`~.budget.StepPlan.summary`); ``resumed_after_epoch`` and
        ``seconds_before_resume`` (those epochs' training and PublicTest seconds) when the fit went on from a
        checkpoint, its earlier epochs trained by an earlier process.

    Raises
    ------
    ValueError
        If a time budget is too short for a single step after its warm-up, or the checkpoint file cannot be read.
    """
    batch_size = trainer.batch_size
    steps_per_epoch = -(-n // batch_size)
    planner = None
    if settings.kind == "time":
        clock = clock or BudgetClock(settings.clock, trainer.threads, trainer.on_gpu, trainer.synchronize)
        planner = TimePlanner(settings, steps_per_epoch, clock)
    plan: StepPlan | None = None if planner else fixed_plan(settings, n, batch_size)
    checkpoint = None if planner else checkpoint
    best_weights, step, validation_seconds = None, 0, 0.0
    stored = checkpoint.load() if checkpoint else None
    if stored:
        log.load_state(stored["log"])
        trainer.load_state(stored["trainer"])
        best_weights, step, validation_seconds = stored["best_weights"], stored["step"], stored["validation_seconds"]
        log.note(f"{log.name}: went on after epoch {len(log.history)} from {checkpoint.path}")
    while (plan is None or step < plan.steps) and not log.patience_spent(patience):
        epoch = len(log.history) + 1
        trainer.new_epoch()
        trainer.synchronize()
        start = perf_counter()
        if planner and step == 0:
            planner.before_first_step(start)
        loss_sum, images, batch = 0.0, 0, 0
        bar = tqdm(total=steps_per_epoch if plan is None else plan.epoch_steps(epoch),
                   desc=f"{log.name} epoch {epoch}", unit="batch", leave=False,
                   disable=not (verbose and sys.stderr.isatty()))
        while batch < steps_per_epoch and (plan is None or step < plan.steps):
            loss_sum = loss_sum + trainer.step(batch, step, plan)
            images += min(batch_size, n - batch * batch_size)
            batch, step = batch + 1, step + 1
            bar.update()
            if planner:
                plan = planner.after_step(step, perf_counter())
                if plan is not None:
                    bar.total = plan.epoch_steps(epoch)
        bar.close()
        train_loss = float(loss_sum) / images  # waits for the device
        trainer.synchronize()
        seconds = perf_counter() - start
        if planner:
            planner.pause_clock()
        scoring = perf_counter()
        accuracy = trainer.validate()
        validation_seconds += perf_counter() - scoring
        if log.record(train_loss, accuracy, seconds, images, batch, plan):
            best_weights = trainer.snapshot()
        if planner:
            planner.resume_clock()
        if checkpoint:
            checkpoint.save({"log": log.state(), "trainer": trainer.state(), "best_weights": best_weights,
                             "step": step, "validation_seconds": validation_seconds})
    if best_weights is not None:
        trainer.restore(best_weights)
    extra = {"validation_seconds": validation_seconds}
    if stored:
        earlier = stored["log"]["history"]
        extra["resumed_after_epoch"] = len(earlier)
        extra["seconds_before_resume"] = sum(row["seconds"] for row in earlier) + stored["validation_seconds"]
    if planner:
        plan, extra = planner.final_plan(step), planner.record(validation_seconds)
    return plan.summary(log.steps_run, len(log.history), log.seconds, log.images_run, **extra)
