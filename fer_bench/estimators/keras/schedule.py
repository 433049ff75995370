"""The learning rate and the optimiser of the Keras recipe, for every budget of :mod:`..training.budget`.

- :func:`one_cycle_rate`: the one-cycle learning rate at one step of a cycle;
- :func:`one_cycle_rate_at`: the same at a share of the cycle (a time budget's share spent);
- :func:`step_rate`: the rate of any step of a :class:`~..training.budget.StepPlan`: ``max_lr / 25``
  through a fixed plan's warm-up, then one cycle over the steps left; a time budget's at
  the share of the budget the step stands at;
- :func:`make_optimizer`: Adam with L2 weight decay (PyTorch's ``Adam(weight_decay=...)``) or AdamW.

The trainer assigns :func:`step_rate` to the optimiser's learning-rate variable before
every step, so that a time budget's schedule can be planned once its warm-up has run.
Importing this module imports neither TensorFlow nor Keras.
"""

from __future__ import annotations

import math
from functools import cache

from ..training.budget import StepPlan
from .backend import import_keras

ONE_CYCLE_WARMUP = 0.3
"""Fraction of a cycle's steps spent warming the learning rate up to ``max_lr``."""

ONE_CYCLE_DIV = 25.0
"""A cycle (and a budget's warm-up) starts at ``max_lr / ONE_CYCLE_DIV``, as PyTorch's ``OneCycleLR``."""

ONE_CYCLE_FINAL_DIV = 1e4
"""A cycle ends at ``max_lr / ONE_CYCLE_DIV / ONE_CYCLE_FINAL_DIV``, as ``OneCycleLR``."""

"""Adam with L2 ``weight_decay`` (added to the gradients) or AdamW with decoupled weight decay."""


def one_cycle_rate(max_lr: float, step: int, total_steps: int) -> float:
    """Learning rate of step ``step`` (from 0) of a one-cycle schedule over ``total_steps`` steps.

    Linear from ``max_lr / 25`` to ``max_lr`` over the first 30% of the steps (at
    least one), then cosine annealing to ``max_lr / 25 / 1e4`` at ``total_steps``
    and constant after: Keras' ``CosineDecay`` with a linear warm-up, ending where
    PyTorch's ``OneCycleLR`` does (whose warm-up is cosine). A cycle of one step
    stays at ``max_lr / 25``.
    """
    start, warmup = max_lr / ONE_CYCLE_DIV, max(1, round(ONE_CYCLE_WARMUP * total_steps))
    if step < warmup:
        return start + (max_lr - start) * step / warmup
    decay_steps, floor = max(1, total_steps - warmup), 1.0 / (ONE_CYCLE_DIV * ONE_CYCLE_FINAL_DIV)
    cosine = 0.5 * (1.0 + math.cos(math.pi * min(step - warmup, decay_steps) / decay_steps))
    return max_lr * ((1.0 - floor) * cosine + floor)


def one_cycle_rate_at(max_lr: float, position: float) -> float:
    """The rate of :func:`one_cycle_rate` at ``position`` in [0, 1] of the cycle, as a share rather than a step
    (a time budget's schedule, which follows the share of the budget spent)."""
    start, floor = max_lr / ONE_CYCLE_DIV, 1.0 / (ONE_CYCLE_DIV * ONE_CYCLE_FINAL_DIV)
    if position < ONE_CYCLE_WARMUP:
        return start + (max_lr - start) * position / ONE_CYCLE_WARMUP
    cosine = 0.5 * (1.0 + math.cos(math.pi * (position - ONE_CYCLE_WARMUP) / (1.0 - ONE_CYCLE_WARMUP)))
    return max_lr * ((1.0 - floor) * cosine + floor)


def step_rate(max_lr: float, step: int, plan: StepPlan | None) -> float:
    """Learning rate of optimiser step ``step`` (from 0) of ``plan``.

    A time budget's (or its repeat's) rate at the step's :meth:`~..training.budget.StepPlan.position`
    (:func:`one_cycle_rate_at`; ``max_lr / 25`` while ``plan`` is None, before its first re-plan);
    for a fixed plan ``max_lr / 25`` for its first ``warmup_steps`` steps, then
    :func:`one_cycle_rate` over ``plan.schedule_steps``.
    """
    position = 0.0 if plan is None else plan.position(step)
    if position is not None:
        return one_cycle_rate_at(max_lr, position)
    if step < plan.warmup_steps:
        return max_lr / ONE_CYCLE_DIV
    return one_cycle_rate(max_lr, step - plan.warmup_steps, plan.schedule_steps)


@cache
def _l2_adam_class() -> type:
    """``keras.optimizers.Adam`` with PyTorch's coupled weight decay (defined once Keras is imported)."""
    keras = import_keras()

    class L2Adam(keras.optimizers.Adam):
        """Adam on the gradients plus ``l2`` times the weights, as ``torch.optim.Adam(weight_decay=l2)``."""

        def __init__(self, l2: float, **kwargs):
            super().__init__(**kwargs)
            self.l2 = l2

        def update_step(self, gradient, variable, learning_rate):
            ops = keras.ops
            decayed = ops.add(ops.cast(gradient, variable.dtype), ops.multiply(variable, self.l2))
            super().update_step(decayed, variable, learning_rate)

    return L2Adam


def make_optimizer(kind: str, weight_decay: float, learning_rate: float):
    """The optimiser of ``kind`` (one of :data:`~..training.network.OPTIMIZERS`), Keras' defaults otherwise.

    ``"adam"``: Adam whose gradients gain ``weight_decay * w`` for every trainable
    weight ``w`` (L2, coupled, as PyTorch's Adam; plain Adam when it is 0);
    ``"adamw"``: ``keras.optimizers.AdamW``, each step shrinking every trainable
    weight by ``learning_rate * weight_decay`` of itself (decoupled, as PyTorch's AdamW).
    ``learning_rate`` is a float: the optimiser keeps it in a variable the trainer assigns.
    """
    keras = import_keras()
    if kind == "adamw":
        return keras.optimizers.AdamW(learning_rate=learning_rate, weight_decay=weight_decay)
    if weight_decay == 0:
        return keras.optimizers.Adam(learning_rate=learning_rate)
    return _l2_adam_class()(weight_decay, learning_rate=learning_rate)
