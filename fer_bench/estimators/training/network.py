"""What every network trained here shares: :class:`NetworkClassifier`, the parameters of its budget and recipe,
their checks, and their documentation (as scikit-learn's ``BaseLibSVM`` does for its SVMs).

:class:`~fer_bench.estimators.torch.classifier.TorchClassifier` and
:class:`~fer_bench.estimators.keras.classifier.KerasCNNClassifier` take these parameters by these names (each
with its own defaults) and document only their own.
"""

from __future__ import annotations

from typing import Any

from sklearn.base import BaseEstimator, ClassifierMixin

from .._validation import check_option, check_recipe
from .budget import BudgetSettings, budget_settings

OPTIMIZERS: tuple[str, ...] = ("adam", "adamw")
"""Adam with L2 weight decay, or AdamW with decoupled weight decay (Loshchilov & Hutter, ICLR 2019)."""

RECIPE_SETTINGS: tuple[str, ...] = ("epochs", "time_budget", "budget_clock", "steps", "warmup_steps", "batch_size",
                                    "max_lr", "weight_decay", "optimizer", "label_smoothing", "augment")
"""The parameters of every network's budget and recipe (a profile's ``[networks]`` sets them for all)."""

NEUTRAL_SETTINGS: dict[str, Any] = {"weight_decay": 0.0, "label_smoothing": 0.0, "augment": True, "crop_size": 48,
                                    "tta": "none", "patience": None, "snapshots": 1}
"""Recipe settings some networks lack (the PyTorch networks' crops, test-time augmentation, early stopping and
snapshots; a plugin's network may lack more), with the value a network without them trains as."""


class NetworkClassifier(ClassifierMixin, BaseEstimator):
    """Base of the networks trained here: their budget and recipe parameters, checked once.

    Parameters (every network's, with its own defaults)
    ----------------------------------------------------
    epochs : int
        Passes over the training faces, at least 1 (the one-cycle schedule spans them all),
        unless ``time_budget`` or ``steps`` is set.
    time_budget : float or None
        Seconds of training on ``budget_clock``, instead of ``epochs``: after untimed first steps,
        the one-cycle learning rate follows the share of the budget spent, and the steps left are
        re-planned every 2% of it from the speed measured meanwhile, so that the schedule ends with the
        budget, mid-epoch if need be (budgeted training, Li, Yumer & Ramanan, ICLR 2020;
        :mod:`~fer_bench.estimators.training.budget`).
    steps : int or None
        Exactly this many optimiser steps, the first ``warmup_steps`` at ``max_lr / 25``, or with
        ``budget_trace`` at the budget fractions a time budget recorded (its steps and learning rates
        repeated bit for bit); overrides ``epochs`` and ``time_budget``.
    warmup_steps : int
        Timed steps of a time budget before its first re-plan (at least 1), or the first steps of
        ``steps`` at ``max_lr / 25``; unused with ``epochs``.
    budget_clock : {"own", "wall"}
        What a time budget is spent on: ``own``, wall time less the time the framework's compute threads
        waited for a CPU that other programs held (synchronised wall time on a GPU), so that other programs
        do not shorten the training; ``wall``, wall time (:mod:`~fer_bench.estimators.training.clock`).
    budget_trace : list of [step, fraction, planned_steps] or None
        With ``steps``: a time budget's ``budget_["replans"]``, to repeat it.
    batch_size : int
        Faces per optimiser step (the last batch of an epoch may be smaller), at least 1.
    max_lr : float
        Peak learning rate of the one-cycle schedule.
    optimizer : {"adam", "adamw"}
        See :data:`OPTIMIZERS`.
    weight_decay : float
        At least 0: Adam's L2 penalty, or AdamW's decoupled decay.
    label_smoothing : float
        Of the cross-entropy, in [0, 1): targets ``(1 - label_smoothing) * one_hot + label_smoothing / k``.
    augment : bool
        Random flip and crop (or shift) of training faces.
    random_state : int or None
        Seed of initial weights, shuffling and augmentation; None draws one.
    verbose : bool
        A progress bar over batches and one line per epoch with PublicTest accuracy and images/s.
    """

    def _checked_budget(self) -> BudgetSettings:
        """The budget the parameters ask for (:func:`~.budget.budget_settings`), the recipe checked with it.

        Raises
        ------
        ValueError
            Naming the parameter: an invalid budget (see :func:`~.budget.budget_settings`), ``batch_size``
            below 1, ``weight_decay`` negative, ``label_smoothing`` outside [0, 1), an unknown ``optimizer``.
        """
        check_recipe(self.batch_size, self.weight_decay, self.label_smoothing)
        check_option("optimizer", self.optimizer, OPTIMIZERS)
        return budget_settings(self.epochs, self.time_budget, self.steps, self.warmup_steps, self.budget_clock,
                               self.budget_trace)
