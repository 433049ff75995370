"""Runs of estimators on one data set under one profile, and where their fits go.

- :mod:`.request`: :class:`RunRequest`, the options of one run, checked;
- :mod:`.plan`: a new or resumed run: its folder and lock, data, manifest and the fits left;
- :mod:`.execution`: one fit's life (:func:`fit_and_predict`, :func:`run_task`, the time-limit child);
- :mod:`.scoring`: a fit's outcome turned into metrics, predictions and a saved model;
- :mod:`.benchmark`: :func:`run_benchmark`, which composes them;
- :mod:`.backends`: the joblib backend (loky, dask, Ray);
- :mod:`.network_lock`: one network estimator at a time per machine;
- :mod:`.crossval`: K-fold cross-validation on a face folder, one run per fold.

The public API is re-exported here and imported on first use, so that the
command line can read :data:`BACKENDS` and :data:`SAVE_MODELS_CHOICES` without
loading scikit-learn or joblib.
"""

from importlib import import_module

_EXPORTS = {
    "BACKENDS": "fer_bench.runner.backends",
    "parallel_backend": "fer_bench.runner.backends",
    "SAVE_MODELS_CHOICES": "fer_bench.runner.request",
    "RunRequest": "fer_bench.runner.request",
    "RUN_LOCK_FILE": "fer_bench.runner.plan",
    "default_run_dir": "fer_bench.runner.plan",
    "FitData": "fer_bench.runner.execution",
    "FitOutcome": "fer_bench.runner.execution",
    "FitTask": "fer_bench.runner.execution",
    "fit_and_predict": "fer_bench.runner.execution",
    "run_task": "fer_bench.runner.execution",
    "RunNotStoredError": "fer_bench.runner.benchmark",
    "run_benchmark": "fer_bench.runner.benchmark",
    "run_request": "fer_bench.runner.benchmark",
    "NetworkLockTimeout": "fer_bench.runner.network_lock",
    "network_slot": "fer_bench.runner.network_lock",
    "run_cross_validation": "fer_bench.runner.crossval",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'fer_bench.runner' has no attribute {name!r}")
