"""fer_bench: a benchmark suite for facial expression recognition on FER-2013.

The public API is re-exported here and imported on first use, so that
``python -m fer_bench --help`` and ``list`` stay fast and never load
TensorFlow or PyTorch.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "FERDataset": "fer_bench.datasets",
    "DataError": "fer_bench.datasets",
    "load_dataset": "fer_bench.datasets",
    "make_synthetic": "fer_bench.datasets",
    "FER2013_CLASSES": "fer_bench.labels",
    "Profile": "fer_bench.profiles",
    "load_profile": "fer_bench.profiles",
    "register_estimator": "fer_bench.estimators",
    "create_estimator": "fer_bench.estimators",
    "available_estimators": "fer_bench.estimators",
    "get_estimator_spec": "fer_bench.estimators",
    "load_estimator": "fer_bench.estimators",
    "run_benchmark": "fer_bench.runner",
    "ResultsStore": "fer_bench.results",
    "RunManifest": "fer_bench.results",
    "RunRecord": "fer_bench.results",
    "classification_metrics": "fer_bench.analysis.metrics",
    "render_report": "fer_bench.report",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'fer_bench' has no attribute {name!r}")
