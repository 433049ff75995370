"""How many optimiser steps a network trains, for both trainers (PyTorch and Keras).

A network trains under one of three budgets:

- ``epochs`` (the recipe's): ``epochs`` passes over the training faces, the
  one-cycle schedule spanning them all;
- ``time``: ``time_budget`` seconds of training on the budget's clock (:mod:`.clock`).
  The first :data:`UNTIMED_STEPS` steps pay one-time costs (allocation, kernel
  creation, the first passes) and run before the clock starts. The learning rate is
  then a function of the share of the budget spent: :class:`TimePlanner` re-plans the
  steps left every :data:`REPLAN_FRACTION` of the budget, from the speed measured
  since the last re-plan, so that the schedule ends when the budget is spent whatever
  the machine does meanwhile (budgeted training: Li, Yumer and Ramanan, "Budgeted
  Training: Rethinking Deep Neural Network Training Under Resource Constraints",
  ICLR 2020). Until the first re-plan (at least ``warmup_steps`` timed steps) the
  schedule stays at its start;
- ``steps``: exactly ``steps`` steps, the first ``warmup_steps`` of them at the
  starting learning rate; or, given a time budget's ``trace``, its steps at the
  budget fractions it recorded: a time budget repeated bit for bit on any machine.

:func:`budget_settings` checks the settings, :class:`StepPlan` says how the steps fall
into epochs and where each stands in the schedule, and :meth:`StepPlan.summary` is
what a fitted network keeps as ``budget_``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from .clock import CLOCKS, BudgetClock

BUDGET_KINDS: tuple[str, ...] = ("epochs", "time", "steps")
UNTIMED_STEPS = 2
"""Steps of a time budget run before its clock starts: the first passes pay for allocation and kernel creation."""
REPLAN_FRACTION = 0.02
"""A time budget re-plans its steps left each time this share of it is spent."""


@dataclass(frozen=True)
class BudgetSettings:
    """A network's budget parameters, checked (see :func:`budget_settings`)."""

    kind: str
    epochs: int
    time_budget: float | None
    steps: int | None
    warmup_steps: int
    clock: str = "own"
    trace: tuple[tuple[int, float, int], ...] = ()


def budget_settings(epochs: int, time_budget: float | None, steps: int | None, warmup_steps: int,
                 clock: str = "own", trace: Any = None) -> BudgetSettings:
    """The budget the parameters ask for: ``steps`` if set, else ``time_budget`` if set, else ``epochs``.

    ``clock`` is a time budget's (one of :data:`~.clock.CLOCKS`); ``trace`` goes with
    ``steps`` and is a time budget's ``budget_["replans"]``: ``[step, fraction, planned_steps]``
    rows, steps rising, fractions in [0, 1], each plan ending after its step, the last at ``steps``.

    Raises
    ------
    ValueError
        If ``epochs`` is below 1, ``time_budget`` is not positive, ``steps`` is not
        above ``warmup_steps``, ``warmup_steps`` is negative, a time budget has no
        timed warm-up step, ``clock`` is unknown, or ``trace`` is malformed (naming the parameter).
    """
    if epochs < 1:
        raise ValueError(f"epochs={epochs}: expected at least 1")
    if warmup_steps < 0:
        raise ValueError(f"warmup_steps={warmup_steps}: expected 0 or more")
    if clock not in CLOCKS:
        raise ValueError(f"budget_clock={clock!r}: expected one of {', '.join(map(repr, CLOCKS))}")
    if trace is not None and steps is None:
        raise ValueError("budget_trace: goes with steps (a time budget's planned steps, repeated)")
    if steps is not None:
        if steps <= warmup_steps:
            raise ValueError(f"steps={steps}: expected more than warmup_steps={warmup_steps}")
        return BudgetSettings("steps", epochs, None, int(steps), warmup_steps, clock, _checked_trace(trace, steps))
    if time_budget is not None:
        if not time_budget > 0:
            raise ValueError(f"time_budget={time_budget}: expected a positive number of seconds")
        if warmup_steps < 1:
            raise ValueError(f"warmup_steps={warmup_steps}: a time budget needs at least 1 (timed, to measure the speed)")
        return BudgetSettings("time", epochs, float(time_budget), None, warmup_steps, clock)
    return BudgetSettings("epochs", epochs, None, None, 0, clock)


def _checked_trace(trace: Any, steps: int) -> tuple[tuple[int, float, int], ...]:
    if trace is None:
        return ()
    rows, last = [], -1
    for row in trace if isinstance(trace, (list, tuple)) else [None]:
        ok = isinstance(row, (list, tuple)) and len(row) == 3 and all(
            isinstance(value, (int, float)) and not isinstance(value, bool) for value in row)
        if not ok or row[0] != int(row[0]) or row[2] != int(row[2]) or not last < row[0] <= row[2] \
                or not 0.0 <= row[1] <= 1.0:
            raise ValueError(f"budget_trace: row {row!r}: expected [step, fraction, planned_steps] with steps rising, "
                             "0 <= fraction <= 1 and planned_steps at least step")
        last = int(row[0])
        rows.append((int(row[0]), float(row[1]), int(row[2])))
    if not rows or rows[-1][2] != steps:
        raise ValueError(f"budget_trace: its last plan must end at steps={steps}")
    return tuple(rows)


@dataclass(frozen=True)
class StepPlan:
    """Optimiser steps, how they fall into epochs, and where each stands in the schedule.

    Attributes
    ----------
    kind : {"epochs", "time", "steps"}
    steps : int
        All steps, warm-up included.
    warmup_steps : int
        The first steps, at the schedule's starting learning rate (0 for an epochs budget;
        for a time budget, the steps before its first re-plan).
    steps_per_epoch : int
        ``ceil(n / batch_size)``.
    time_budget : float or None
        Seconds, for a time budget.
    trace : tuple of (step, fraction, planned_steps)
        A time budget's re-plans (empty for a fixed plan): at ``step`` that ``fraction`` of
        the budget was spent, and the plan then ended at ``planned_steps``.
    """

    kind: str
    steps: int
    warmup_steps: int
    steps_per_epoch: int
    time_budget: float | None = None
    trace: tuple[tuple[int, float, int], ...] = ()

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

    def position(self, step: int) -> float | None:
        """Where step ``step`` (from 0) stands in a time budget's schedule, as a share of the budget in
        [0, 1]: 0 before the first re-plan, then from each re-plan's fraction linearly to 1 at its planned
        end. None for a fixed plan (its schedule counts steps)."""
        if not self.trace:
            return None
        position = 0.0
        for start, fraction, planned in self.trace:
            if start > step:
                break
            position = fraction + (1.0 - fraction) * (step - start) / (planned - start) if planned > start else 1.0
        return min(position, 1.0)

    def summary(self, steps_run: int, epochs_run: int, train_seconds: float, images_run: int,
                **time_budget: Any) -> dict:
        """The fitted ``budget_``: what was planned and used.

        Keys: ``kind``, ``time_budget`` (seconds or None), ``planned_steps``,
        ``warmup_steps``, ``steps_per_epoch``, ``planned_epochs`` (a fraction
        where the last epoch is partial), ``steps_run``, ``epochs_run``,
        ``images_run`` (training faces seen, repeats counted), ``train_seconds``
        (training wall time, evaluation excluded), ``shorter_than_one_epoch``; for a time
        budget or its repeat ``replans`` (the trace), for a time budget what
        :meth:`TimePlanner.record` gives (clock, budget seconds spent, untimed steps, ...), and
        ``resumed_after_epoch`` and ``seconds_before_resume`` for a fit that went on from a checkpoint
        (:mod:`.checkpoint`).
        """
        summary = {"kind": self.kind, "time_budget": self.time_budget, "planned_steps": self.steps,
                   "warmup_steps": self.warmup_steps, "steps_per_epoch": self.steps_per_epoch,
                   "planned_epochs": round(self.steps / self.steps_per_epoch, 4), "steps_run": steps_run,
                   "epochs_run": epochs_run, "images_run": images_run, "train_seconds": train_seconds,
                   "shorter_than_one_epoch": self.steps < self.steps_per_epoch}
        if self.trace:
            summary["replans"] = [list(row) for row in self.trace]
        return summary | time_budget


def fixed_plan(settings: BudgetSettings, n: int, batch_size: int) -> StepPlan:
    """The plan of an ``epochs`` or ``steps`` budget on ``n`` faces (a time budget is planned as it runs)."""
    steps_per_epoch = math.ceil(n / min(batch_size, n))
    if settings.kind == "steps":
        warmup = settings.trace[0][0] if settings.trace else settings.warmup_steps
        return StepPlan("steps", settings.steps, warmup, steps_per_epoch, trace=settings.trace)
    return StepPlan("epochs", settings.epochs * steps_per_epoch, 0, steps_per_epoch)


class TimePlanner:
    """A time budget's plan, re-made as the budget is spent.

    Call :meth:`after_step` after every step; it returns the plan (None until the first
    re-plan: the schedule stays at its start). Pause the clock (``clock``) for anything
    that is not training.

    Parameters
    ----------
    settings : BudgetSettings
        Of kind ``time``.
    steps_per_epoch : int
    clock : BudgetClock
        Not yet started: it starts after the :data:`UNTIMED_STEPS`.
    """

    def __init__(self, settings: BudgetSettings, steps_per_epoch: int, clock: BudgetClock):
        self.settings, self.steps_per_epoch, self.clock = settings, steps_per_epoch, clock
        self.plan: StepPlan | None = None
        self.untimed_seconds = 0.0
        self._started_at: float | None = None  # wall time of the untimed steps' start
        self._timing = False
        self._last = (0.0, UNTIMED_STEPS)  # budget seconds and steps at the last re-plan (or the clock's start)

    def before_first_step(self, now: float) -> None:
        """Note the wall time the untimed steps start at."""
        self._started_at = now

    def after_step(self, steps_done: int, now: float) -> StepPlan | None:
        """The plan after ``steps_done`` steps, ``now`` being the wall time (unsynchronised) of the step's end.

        Raises
        ------
        ValueError
            If the budget leaves no step after the first re-plan (naming ``time_budget`` and the speed).
        """
        if steps_done == UNTIMED_STEPS:
            self.clock.resume()
            self._timing = True
            self.untimed_seconds = now - self._started_at
            return None
        if steps_done < UNTIMED_STEPS:
            return self.plan
        budget = self.settings.time_budget
        spent_then, steps_then = self._last
        if not self.clock.reached(spent_then + REPLAN_FRACTION * budget) \
                and (self.plan is None or steps_done < self.plan.steps):
            return self.plan
        spent = self.clock.seconds()
        timed = steps_done - UNTIMED_STEPS
        if self.plan is None and timed < self.settings.warmup_steps:
            return None
        per_step = (spent - spent_then) / (steps_done - steps_then)
        left = int((budget - spent) // per_step) if per_step > 0 and spent < budget else 0
        if self.plan is None and left < 1:
            raise ValueError(f"time_budget={budget:g} s is too short for a single step after the warm-up "
                             f"({steps_done} steps, {per_step:.2f} s per step on the {self.clock.name} clock)")
        trace = (self.plan.trace if self.plan else ()) + ((steps_done, min(spent / budget, 1.0), steps_done + left),)
        self.plan = StepPlan("time", steps_done + left, trace[0][0], self.steps_per_epoch, budget, trace) \
            if self.plan is None else replace(self.plan, steps=steps_done + left, trace=trace)
        self._last = (spent, steps_done)
        return self.plan

    def pause_clock(self) -> None:
        """Stop the clock for work outside the budget (it has not started during the untimed steps)."""
        if self._timing:
            self.clock.pause()

    def resume_clock(self) -> None:
        if self._timing:
            self.clock.resume()

    def final_plan(self, steps_done: int) -> StepPlan:
        """The plan as it stands when training ends after ``steps_done`` steps (early stopping may end it
        before any re-plan: the steps run are then the plan)."""
        return self.plan or StepPlan("time", steps_done, steps_done, self.steps_per_epoch, self.settings.time_budget)

    def record(self, validation_seconds: float) -> dict:
        """What a time budget's ``budget_`` adds: ``clock``, ``budget_seconds`` (spent on it),
        ``budget_used`` (their share of the budget), ``host_steal_seconds`` (what a virtual machine's host took
        meanwhile, left out of the ``own`` clock), ``untimed_steps`` and ``untimed_seconds`` (wall),
        ``validation_seconds`` (PublicTest scoring after each epoch, outside the budget)."""
        self.pause_clock()
        spent = self.clock.seconds()
        return {"clock": self.clock.name, "budget_seconds": spent, "budget_used": spent / self.settings.time_budget,
                "host_steal_seconds": self.clock.stolen_seconds, "untimed_steps": UNTIMED_STEPS,
                "untimed_seconds": self.untimed_seconds, "validation_seconds": validation_seconds}
