"""A run in the experiment trackers researchers already use: MLflow and TensorBoard, opt-in.

The run's own store (``results.json``, predictions, models, logs, the report) stays the source of
truth; a tracker gets a copy read from it, so ``run --track`` and ``fer_bench track`` afterwards log
the same:

- :mod:`.entries`: what is logged of a stored run and of each record (parameters, metrics, artifacts);
- :mod:`.mlflow_tracker`, :mod:`.tensorboard_tracker`: the two trackers (the extras ``fer_bench[mlflow]``
  and ``fer_bench[tensorboard]``);
- :mod:`.trackers`: the trackers by name, their default locations, the line a missing library gives;
- :mod:`.session`: :class:`TrackingSession`, which feeds a run to a tracker as it is stored, and
  :func:`track_run` for a run stored earlier.

The public API is imported on first use, so that the command line reads :data:`TRACKERS` without
loading the report's libraries.
"""

from .._lazy import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "trackers": ("TRACKERS", "Tracker", "default_location", "install_command", "open_tracker"),
    "session": ("TrackingSession", "track_run"),
    "entries": ("FitEntry", "RunEntry", "fit_entry", "run_entry"),
})
