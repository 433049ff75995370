"""The one place an estimator is built for a run: factory defaults, the profile's settings, the Training size, the seed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sklearn.base import ClassifierMixin

from ..profiles import Profile
from ._registry import EstimatorSpec, get_estimator_spec

TRAIN_SIZE_KEY = "train_size"
"""The profile key (in ``[networks]`` or an estimator's own table) that sets the Training subset, not an estimator setting."""


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
    """

    spec: EstimatorSpec
    estimator: ClassifierMixin
    train_size: int | None


def create_estimator(name: str, profile: Profile, seed: int = 0) -> EstimatorBuild:
    """Build the registered estimator ``name`` for ``profile`` and ``seed``.

    The factory's defaults come first; for a network, the profile's shared
    ``[networks]`` settings that the estimator has (those of another framework are
    left out); then the estimator's own ``[estimators.<name>]`` table; the seed
    last, as ``random_state`` where the estimator has one.

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
    if spec.family == "network":
        shared = {key: value for key, value in profile.networks.items()
                  if key in accepted and "__" not in key and key != "architecture"}
        settings.update(shared)
        if train_size is None:
            train_size = profile.networks.get(TRAIN_SIZE_KEY)
    unknown = sorted(set(own) - set(accepted))
    if unknown:
        raise ValueError(f"profile {profile.name!r}: [estimators.{name}] sets {', '.join(map(repr, unknown))}, "
                         f"not a setting of {name}; expected one of {', '.join(sorted(accepted))} or {TRAIN_SIZE_KEY!r}")
    settings.update(own)
    if "random_state" in accepted:
        settings["random_state"] = seed
    if settings:
        estimator.set_params(**settings)
    return EstimatorBuild(spec, estimator, int(train_size) if train_size else None)
