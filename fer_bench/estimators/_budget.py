"""How many optimiser steps a network trains, for both trainers (PyTorch and Keras).

A network trains under one of three budgets:

- ``epochs`` (the recipe's): ``epochs`` passes over the training faces, the
  one-cycle schedule spanning them all;
- ``time``: ``time_budget`` seconds on the machine at hand. The first steps, at
  least ``warmup_steps`` of them and at least :data:`WARMUP_FRACTION` of the
  budget, run at the schedule's starting learning rate and measure the
  throughput (the first step, which pays for allocation and tracing, is not
  timed); the steps left are planned so that the one-cycle
  schedule ends when the budget does, and training stops there (budgeted
  training: Li, Yumer and Ramanan, "Budgeted Training: Rethinking Deep Neural
  Network Training Under Resource Constraints", ICLR 2020);
- ``steps``: exactly ``steps`` steps, the first ``warmup_steps`` of them at the
  starting learning rate: a time budget's plan repeated, on any machine.

:func:`plan_steps` checks the settings, :class:`StepPlan` says how the steps fall
into epochs, and :meth:`StepPlan.summary` is what a fitted network keeps as ``budget_``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

BUDGET_KINDS: tuple[str, ...] = ("epochs", "time", "steps")
MIN_TIMED_WARMUP_STEPS = 2
"""A time budget's warm-up needs one untimed step and at least one timed one."""
WARMUP_FRACTION = 0.03
"""A time budget's warm-up lasts at least this share of it (9 s of 5 min): a few steps alone time
the machine's speed of a moment, which a busy machine changes from one second to the next."""


@dataclass(frozen=True)
class BudgetSettings:
    """A network's budget parameters, checked (see :func:`check_budget`)."""

    kind: str
    epochs: int
    time_budget: float | None
    steps: int | None
    warmup_steps: int


def check_budget(epochs: int, time_budget: float | None, steps: int | None, warmup_steps: int) -> BudgetSettings:
    """The budget the parameters ask for: ``steps`` if set, else ``time_budget`` if set, else ``epochs``.

    Raises
    ------
    ValueError
        If ``epochs`` is below 1, ``time_budget`` is not positive, ``steps`` is not
        above ``warmup_steps``, ``warmup_steps`` is negative, or a time budget has fewer
        than :data:`MIN_TIMED_WARMUP_STEPS` warm-up steps (naming the parameter).
    """
    if epochs < 1:
        raise ValueError(f"epochs={epochs}: expected at least 1")
    if warmup_steps < 0:
        raise ValueError(f"warmup_steps={warmup_steps}: expected 0 or more")
    if steps is not None:
        if steps <= warmup_steps:
            raise ValueError(f"steps={steps}: expected more than warmup_steps={warmup_steps}")
        return BudgetSettings("steps", epochs, None, int(steps), warmup_steps)
    if time_budget is not None:
        if not time_budget > 0:
            raise ValueError(f"time_budget={time_budget}: expected a positive number of seconds")
        if warmup_steps < MIN_TIMED_WARMUP_STEPS:
            raise ValueError(f"warmup_steps={warmup_steps}: a time budget needs at least {MIN_TIMED_WARMUP_STEPS} "
                             "(one untimed, the rest timed)")
        return BudgetSettings("time", epochs, float(time_budget), None, warmup_steps)
    return BudgetSettings("epochs", epochs, None, None, 0)


def warmup_done(settings: BudgetSettings, steps: int, trained_seconds: float) -> bool:
    """Whether a time budget's warm-up ends after ``steps`` steps and ``trained_seconds`` of training."""
    return steps >= settings.warmup_steps and trained_seconds >= WARMUP_FRACTION * settings.time_budget


def plan_after_warmup(settings: BudgetSettings, n: int, batch_size: int, warmup_steps: int, warmup_seconds: float,
                      untimed_seconds: float) -> tuple["StepPlan", dict]:
    """A time budget's plan on ``n`` faces once its warm-up has trained ``warmup_steps`` steps in
    ``warmup_seconds``, the first of them ``untimed_seconds``; and the ``warmup`` entry of ``budget_``
    (``seconds``, ``seconds_per_step``, ``images_per_second``).

    Raises
    ------
    ValueError
        As :func:`steps_after_warmup`.
    """
    timed, timed_steps = warmup_seconds - untimed_seconds, warmup_steps - 1
    left = steps_after_warmup(settings, warmup_seconds, timed, timed_steps)
    plan = time_plan(settings, n, batch_size, left, warmup_steps)
    batch = min(batch_size, n)
    return plan, {"seconds": warmup_seconds, "seconds_per_step": timed / timed_steps,
                  "images_per_second": timed_steps * batch / timed if timed > 0 else None}


def steps_after_warmup(settings: BudgetSettings, warmup_seconds: float, timed_seconds: float, timed_steps: int) -> int:
    """The steps a time budget has left after its warm-up, at the throughput the warm-up measured.

    Parameters
    ----------
    warmup_seconds : float
        Wall time of all warm-up steps, spent from the budget.
    timed_seconds, timed_steps : float, int
        The warm-up steps after the first, and their wall time: seconds per step.

    Raises
    ------
    ValueError
        If the budget leaves no step after the warm-up (naming ``time_budget`` and the throughput).
    """
    per_step = timed_seconds / max(timed_steps, 1)
    left = int((settings.time_budget - warmup_seconds) // per_step) if per_step > 0 else 0
    if left < 1:
        raise ValueError(f"time_budget={settings.time_budget:g} s is too short for a single step after the warm-up "
                         f"({timed_steps + 1} steps took {warmup_seconds:.1f} s, {per_step:.2f} s per step)")
    return left


@dataclass(frozen=True)
class StepPlan:
    """Optimiser steps and how they fall into epochs.

    Attributes
    ----------
    kind : {"epochs", "time", "steps"}
    steps : int
        All steps, warm-up included.
    warmup_steps : int
        The first steps, at the schedule's starting learning rate (0 for an epochs budget).
    steps_per_epoch : int
        ``ceil(n / batch_size)``.
    time_budget : float or None
        Seconds, for a time budget.
    """

    kind: str
    steps: int
    warmup_steps: int
    steps_per_epoch: int
    time_budget: float | None = None

    @property
    def epochs(self) -> int:
        """Epochs started (the last may be partial)."""
        return -(-self.steps // self.steps_per_epoch)

    @property
    def schedule_steps(self) -> int:
        """Steps of the one-cycle schedule: all but the warm-up."""
        return self.steps - self.warmup_steps

    def epoch_steps(self, epoch: int) -> int:
        """Steps of ``epoch`` (from 1): a full epoch, or what is left in the last."""
        return min(self.steps_per_epoch, self.steps - (epoch - 1) * self.steps_per_epoch)

    def summary(self, steps_run: int, epochs_run: int, train_seconds: float, images_run: int,
                warmup: dict | None = None) -> dict:
        """The fitted ``budget_``: what was planned and what was used.

        Keys: ``kind``, ``time_budget`` (seconds or None), ``planned_steps``,
        ``warmup_steps``, ``steps_per_epoch``, ``planned_epochs`` (a fraction
        where the last epoch is partial), ``steps_run``, ``epochs_run``,
        ``images_run`` (training faces seen, repeats counted), ``train_seconds``
        (training wall time, evaluation excluded), ``shorter_than_one_epoch``, and
        for a time budget ``warmup`` (``seconds``, ``seconds_per_step``, ``images_per_second``).
        """
        summary = {"kind": self.kind, "time_budget": self.time_budget, "planned_steps": self.steps,
                   "warmup_steps": self.warmup_steps, "steps_per_epoch": self.steps_per_epoch,
                   "planned_epochs": round(self.steps / self.steps_per_epoch, 4), "steps_run": steps_run,
                   "epochs_run": epochs_run, "images_run": images_run, "train_seconds": train_seconds,
                   "shorter_than_one_epoch": self.steps < self.steps_per_epoch}
        if warmup is not None:
            summary["warmup"] = warmup
        return summary


def fixed_plan(settings: BudgetSettings, n: int, batch_size: int) -> StepPlan:
    """The plan of an ``epochs`` or ``steps`` budget on ``n`` faces (a time budget is planned after its warm-up)."""
    steps_per_epoch = math.ceil(n / min(batch_size, n))
    if settings.kind == "steps":
        return StepPlan("steps", settings.steps, settings.warmup_steps, steps_per_epoch)
    return StepPlan("epochs", settings.epochs * steps_per_epoch, 0, steps_per_epoch)


def time_plan(settings: BudgetSettings, n: int, batch_size: int, steps_left: int, warmup_steps: int) -> StepPlan:
    """The plan of a time budget once its ``warmup_steps`` have measured ``steps_left`` (:func:`steps_after_warmup`)."""
    steps_per_epoch = math.ceil(n / min(batch_size, n))
    return StepPlan("time", warmup_steps + steps_left, warmup_steps, steps_per_epoch, settings.time_budget)
