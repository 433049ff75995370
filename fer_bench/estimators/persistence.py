"""Saving fitted estimators under ``RUN_DIR/models/NAME/`` and loading them back.

An estimator that has ``save(directory)`` and a ``load(directory)`` classmethod
(the networks: PyTorch state dicts, Keras ``.keras`` files) saves itself, and
``estimator.json`` names its class so :func:`load_estimator` can rebuild it;
any other scikit-learn estimator is written with joblib (``model.joblib``).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from ..results import atomic_write_bytes

CLASS_FILE = "estimator.json"
JOBLIB_FILE = "model.joblib"
CONFIG_FILE = "config.json"
"""A self-saving estimator's settings and fitted state (JSON), beside its weights."""


def write_config(directory: str | Path, config: dict) -> None:
    """Write ``config`` as ``directory/config.json`` atomically, creating the directory if needed."""
    atomic_write_bytes(Path(directory) / CONFIG_FILE, json.dumps(config, indent=2).encode())


def read_config(directory: str | Path) -> dict:
    """The ``config.json`` of ``directory``, as written by :func:`write_config`.

    Raises
    ------
    FileNotFoundError
        If the file is missing.
    """
    return json.loads((Path(directory) / CONFIG_FILE).read_text())


def save_estimator(estimator, directory: str | Path) -> Path:
    """Write a fitted estimator to ``directory`` (created if needed); return the directory.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If a self-saving estimator is not fitted.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if callable(getattr(estimator, "save", None)) and callable(getattr(type(estimator), "load", None)):
        estimator.save(directory)
        kind = type(estimator)
        atomic_write_bytes(directory / CLASS_FILE, json.dumps({"class": f"{kind.__module__}:{kind.__qualname__}"}).encode())
    else:
        import joblib

        joblib.dump(estimator, directory / JOBLIB_FILE, compress=3)
    return directory


def load_estimator(directory: str | Path):
    """Load an estimator written by :func:`save_estimator`, ready to ``predict``.

    ``model.joblib`` files are unpickled: load only model folders you trust.

    Parameters
    ----------
    directory : path
        A ``RUN_DIR/models/NAME/`` folder.

    Returns
    -------
    estimator
        A fitted classifier with ``classes_``, ``predict`` and (usually) ``predict_proba``.

    Raises
    ------
    FileNotFoundError
        If the folder does not exist or holds neither ``estimator.json`` nor ``model.joblib``.
    ValueError
        If ``estimator.json`` names no importable class with a ``load`` method.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: no such model folder (expected RUN_DIR/models/NAME)")
    if (directory / JOBLIB_FILE).is_file():
        import joblib

        return joblib.load(directory / JOBLIB_FILE)
    if not (directory / CLASS_FILE).is_file():
        raise FileNotFoundError(f"{directory}: holds neither {CLASS_FILE} nor {JOBLIB_FILE}; not a saved fer_bench model")
    try:
        module_name, qualname = json.loads((directory / CLASS_FILE).read_text())["class"].split(":")
        kind = importlib.import_module(module_name)
        for part in qualname.split("."):
            kind = getattr(kind, part)
        load = kind.load
    except (json.JSONDecodeError, KeyError, ValueError, ImportError, AttributeError) as error:
        raise ValueError(f"{directory / CLASS_FILE}: does not name a loadable estimator class ({error})") from error
    return load(directory)
