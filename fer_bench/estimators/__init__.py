"""The estimators: one registry, one way to build one for a run, one way to load a saved one.

- :func:`register_estimator`: the decorator a factory is registered with (built-ins and plugins alike);
- :func:`create_estimator`: the estimator of a name for a profile and a seed;
- :func:`available_estimators`, :func:`get_estimator_spec`, :func:`load_plugin`: what is registered;
- :func:`load_estimator`: a saved model folder, or a model card (:mod:`.card_model`, :mod:`fer_bench.cards`), safely;
- :data:`EPOCH_LOGGER`: where every network's epoch lines go; :data:`PROGRESS_LOGGER`, its parent, also
  takes the progress lines of long classical fits (the runner attaches its log files).
"""

from ._build import EstimatorBuild, RepeatSteps, create_estimator
from ._progress import EPOCH_LOGGER, PROGRESS_LOGGER
from ._registry import (ENTRY_POINT_GROUP, EstimatorNameTaken, EstimatorSpec, available_estimators,
                        get_estimator_spec, load_plugin, register_estimator)
from .persistence import load_estimator

__all__ = ["ENTRY_POINT_GROUP", "EPOCH_LOGGER", "PROGRESS_LOGGER", "EstimatorBuild", "EstimatorNameTaken", "EstimatorSpec",
           "RepeatSteps", "available_estimators", "create_estimator", "get_estimator_spec", "load_estimator",
           "load_plugin", "register_estimator"]
