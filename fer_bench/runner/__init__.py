"""Runs of estimators on one data set under one profile, and where their fits go.

- :mod:`.request`: :class:`RunRequest`, the options of one run, checked;
- :mod:`.plan`: a new or resumed run: its folder and lock, data, manifest and the fits left;
- :mod:`.resume`: ``run --resume``: the stored run's settings, what the command line changes, its plugins;
- :mod:`.execution`: one fit's life (:func:`fit_and_predict`, :func:`run_task`, the time-limit child);
- :mod:`.scoring`: a fit's outcome turned into metrics, predictions and a saved model;
- :mod:`.targets`: the other data sets of ``run --also-test``, read; :mod:`.cross_scoring`: each model scored on them;
- :mod:`.benchmark`: :func:`run_benchmark`, which composes them;
- :mod:`.replacement`: ``overwrite`` without loss: the earlier run set aside until a record is stored;
- :mod:`.backends`: the joblib backend (loky, dask, Ray);
- :mod:`.network_lock`: one network estimator at a time per machine;
- :mod:`.crossval`: K-fold cross-validation on a face folder, one run per fold.

The public API is re-exported here and imported on first use, so that the
command line can read :data:`BACKENDS` and :data:`SAVE_MODELS_CHOICES` without
loading scikit-learn or joblib.
"""

from .._lazy import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "backends": ("BACKENDS", "parallel_backend"),
    "request": ("MAX_SEED", "MAX_TIME_LIMIT", "SAVE_MODELS_CHOICES", "RunRequest"),
    "plan": ("RUN_LOCK_FILE", "default_run_dir"),
    "execution": ("FitData", "FitOutcome", "FitTask", "fit_and_predict", "run_task"),
    "benchmark": ("RunNotStoredError", "run_benchmark", "run_request"),
    "network_lock": ("NetworkLockTimeout", "network_slot"),
    "crossval": ("run_cross_validation",),
    "targets": ("TargetFaces", "load_targets"),
})
