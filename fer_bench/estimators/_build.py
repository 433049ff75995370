"""The one place an estimator is built for a run: factory defaults, the profile's settings, the Training size, the seed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sklearn.base import ClassifierMixin

from ..profiles import TRAIN_SIZE_KEY, Profile
from ._registry import EstimatorSpec, get_estimator_spec
from .training.network import NEUTRAL_SETTINGS, RECIPE_SETTINGS

RECIPE_KEYS: tuple[str, ...] = (TRAIN_SIZE_KEY, *RECIPE_SETTINGS, *(key for key in NEUTRAL_SETTINGS
                                                                if key not in RECIPE_SETTINGS))
"""The settings of a network's training budget (Training faces, length, optimiser, schedule, augmentation,
label smoothing, crops, test-time augmentation, early stopping, snapshots): those of ``[networks]`` are the
common budget."""


@dataclass(frozen=True)
class RepeatSteps:
    """What an earlier run's time budget planned for one network and seed (``run --steps-from``).

    Attributes
    ----------
    steps, warmup_steps : int
        Its planned steps, and those before its plan.
    trace : list of [step, fraction, planned_steps] or None
        Its re-plans (``budget_["replans"]``); None for a store from before re-planning.
    run : str
        The run folder they come from.
    """

    steps: int
    warmup_steps: int
    trace: list | None
    run: str


@dataclass(frozen=True)
class EstimatorBuild:
    """An unfitted estimator and what the runner needs beside it.

    Attributes
    ----------
    spec : EstimatorSpec
        The registry entry it was built from.
    estimator : ClassifierMixin
        Unfitted, with the profile's settings and the seed applied.
    train_size : int or None
        How many Training faces it fits on (a stratified subset drawn with the seed), or None for all.
    budget : dict
        For a network: the profile's budget ``kind`` and ``minutes``, ``common`` (False when
        ``overrides`` or ``not_followed`` is not empty), ``overrides`` (its own table's budget
        settings that differ from ``[networks]``), ``not_followed`` (common budget settings it
        does not have), and ``steps_from`` where ``steps`` repeat an earlier run's plan. Empty otherwise.
    """

    spec: EstimatorSpec
    estimator: ClassifierMixin
    train_size: int | None
    budget: dict[str, Any]


def create_estimator(name: str, profile: Profile, seed: int = 0,
                     repeat_steps: RepeatSteps | None = None) -> EstimatorBuild:
    """Build the registered estimator ``name`` for ``profile`` and ``seed``.

    The factory's defaults come first; for a network, the profile's shared
    ``[networks]`` settings that the estimator has (those of another framework are
    left out) and its time budget (``time_budget``); then the estimator's own
    ``[estimators.<name>]`` table; the seed last, as ``random_state`` where the
    estimator has one. ``repeat_steps`` makes a network train exactly the steps
    an earlier run's time budget planned, at the same learning rates.

    Raises
    ------
    KeyError
        If no estimator of that name is registered.
    ValueError
        If the estimator's own table in the profile names a setting the estimator does not have.
    """
    spec = get_estimator_spec(name)
    estimator = spec.factory()
    accepted = estimator.get_params()  # nested ones too (``step__param`` of a pipeline), for the estimator's own table
    own = dict(profile.estimators.get(name, {}))
    train_size = own.pop(TRAIN_SIZE_KEY, None)
    settings: dict[str, Any] = {}
    budget: dict[str, Any] = {}
    if spec.family == "network":
        common = dict(profile.networks)
        if profile.time_budget_seconds is not None:
            common.update(time_budget=profile.time_budget_seconds, budget_clock=profile.budget_clock)
        settings.update({key: value for key, value in common.items()
                         if key in accepted and "__" not in key and key != "architecture"})
        budget = _budget_record(profile, common, own, accepted, train_size)
        if train_size is None:
            train_size = profile.networks.get(TRAIN_SIZE_KEY)
        if repeat_steps is not None:
            settings.update(steps=repeat_steps.steps, warmup_steps=repeat_steps.warmup_steps)
            if repeat_steps.trace is not None:
                settings["budget_trace"] = repeat_steps.trace
            budget["steps_from"] = repeat_steps.run
    unknown = sorted(set(own) - set(accepted))
    if unknown:
        raise ValueError(f"profile {profile.name!r}: [estimators.{name}] sets {', '.join(map(repr, unknown))}, "
                         f"not a setting of {name}; expected one of {', '.join(sorted(accepted))} or {TRAIN_SIZE_KEY!r}")
    settings.update(own)
    if "random_state" in accepted:
        settings["random_state"] = seed
    if settings:
        estimator.set_params(**settings)
    return EstimatorBuild(spec, estimator, int(train_size) if train_size else None, budget)


def _budget_record(profile: Profile, common: dict[str, Any], own: dict[str, Any], accepted: dict[str, Any],
                   train_size: Any) -> dict[str, Any]:
    """A network's place relative to the profile's common budget (see :attr:`EstimatorBuild.budget`)."""
    own_budget = {key: value for key, value in own.items() if key in RECIPE_KEYS}
    if "time_budget" in common and "steps" not in own_budget:
        own_budget.pop("epochs", None)  # a time budget decides the length: epochs do not count
    if train_size is not None:
        own_budget[TRAIN_SIZE_KEY] = train_size
    overrides = {key: value for key, value in own_budget.items() if common.get(key) != value}
    not_followed = sorted(key for key, value in common.items()
                          if key in RECIPE_KEYS and key != TRAIN_SIZE_KEY and key not in accepted
                          and not (key in NEUTRAL_SETTINGS and NEUTRAL_SETTINGS[key] == value))
    return {"kind": profile.budget["kind"], "minutes": profile.budget.get("minutes"),
            **({"clock": profile.budget_clock} if profile.budget["kind"] == "time" else {}),
            "common": not overrides and not not_followed, "overrides": overrides, "not_followed": not_followed}
