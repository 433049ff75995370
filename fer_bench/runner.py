"""Profile x estimators -> run records: fit on Training, select on PublicTest,
score on PrivateTest, and keep every result on disk as soon as it exists.

One estimator's failure is recorded with its error and the run goes on; the
results store is rewritten atomically after every estimator, so an interrupted
run keeps what finished.
"""

from __future__ import annotations

import inspect
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import numpy as np
from tqdm.auto import tqdm

from .datasets import FERDataset, stratified_indices, stratified_subset
from .datasets._dataset import DataError
from .datasets.label_subset import restrict_to_classes
from .estimators._registry import EstimatorSpec, get_estimator_spec
from .estimators.persistence import save_estimator
from .metrics import classification_metrics
from .profiles import Profile
from .results import ResultsStore, RunRecord, json_safe
from .timing import PeakMemory, Stopwatch, machine_info

SAVE_MODELS_CHOICES: tuple[str, ...] = ("none", "networks", "all")


def default_run_dir(profile: Profile, root: str | Path = "reports") -> Path:
    """``reports/<UTC timestamp>-<profile>/``."""
    return Path(root) / f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{profile.name}"


def _labelled_split(dataset: FERDataset, split: str) -> tuple[np.ndarray, np.ndarray]:
    images, labels = dataset.split(split)
    if len(images) == 0:
        raise DataError(f"{dataset.source}: the {split} split is empty; a run needs labelled Training and PrivateTest faces")
    if np.any(labels < 0):
        raise DataError(f"{dataset.source}: the {split} split has unlabelled faces; a run needs labels to fit and score")
    return images, labels


def _scores_for_all_classes(estimator, proba: np.ndarray, n_classes: int) -> np.ndarray:
    """Spread ``predict_proba`` columns (ordered as ``classes_``) over all ``n_classes`` labels."""
    full = np.zeros((len(proba), n_classes), dtype=np.float32)
    full[:, np.asarray(estimator.classes_, dtype=np.int64)] = proba
    return full


def fit_and_score(spec: EstimatorSpec, profile: Profile, splits: dict[str, tuple[np.ndarray, np.ndarray]],
                  class_names: tuple[str, ...], store: ResultsStore, seed: int, save_model: bool) -> RunRecord:
    """Fit one estimator on Training (PublicTest for selection), score PrivateTest, store predictions.

    Exceptions propagate; :func:`run_benchmark` turns them into a failed record.
    """
    if spec.classes:  # a model of a label subset (e.g. 5 classes): only its classes' faces, relabelled
        splits, class_names = restrict_to_classes(splits, class_names, spec.classes)
    estimator = spec.create(profile)
    if "random_state" in estimator.get_params(deep=False):
        estimator.set_params(random_state=seed)
    X_train, y_train = splits["Training"]
    limit = profile.train_size(spec.name, spec.family)
    if limit and limit < len(y_train):
        keep = stratified_indices(y_train, limit, seed)
        X_train, y_train = X_train[keep], y_train[keep]
    X_test, y_test = splits["PrivateTest"]
    record = RunRecord(name=spec.name, family=spec.family, framework=spec.framework, source=spec.source,
                       params=json_safe(estimator.get_params(deep=False)),
                       train_images=len(y_train), test_images=len(y_test))

    fit_kwargs = {}
    if "validation_data" in inspect.signature(estimator.fit).parameters and len(splits["PublicTest"][1]):
        fit_kwargs["validation_data"] = splits["PublicTest"]
    with PeakMemory() as memory, Stopwatch() as fit_watch:
        estimator.fit(X_train, y_train, **fit_kwargs)
    with Stopwatch() as predict_watch:
        if hasattr(estimator, "predict_proba"):
            proba = estimator.predict_proba(X_test)
            y_pred = np.asarray(estimator.classes_)[np.argmax(proba, axis=1)]
        else:
            proba, y_pred = None, estimator.predict(X_test)
    scores = None if proba is None else _scores_for_all_classes(estimator, proba, len(class_names))

    history = [json_safe(entry) for entry in getattr(estimator, "history_", [])]
    epochs = max(len(history), 1)
    record.fit_seconds = fit_watch.seconds
    record.predict_seconds = predict_watch.seconds
    record.fit_images_per_second = len(y_train) * epochs / max(fit_watch.seconds, 1e-9)
    record.predict_images_per_second = len(y_test) / max(predict_watch.seconds, 1e-9)
    record.peak_memory_mib = memory.peak_mib
    record.device = str(getattr(estimator, "device_", "cpu"))
    record.history = history
    record.params = json_safe(estimator.get_params(deep=False))
    record.metrics = classification_metrics(y_test, y_pred, class_names)
    record.class_names = list(class_names) if spec.classes else []
    record.predictions_file = store.save_predictions(spec.name, y_test, y_pred, scores)
    if save_model:
        model_dir = store.run_dir / "models" / spec.name
        save_estimator(estimator, model_dir)
        record.model_dir = str(model_dir.relative_to(store.run_dir))
    return record


def run_benchmark(names: Iterable[str], dataset: FERDataset, profile: Profile, run_dir: str | Path,
                  seed: int = 0, save_models: str = "networks", command: str | None = None,
                  progress: bool = True) -> list[RunRecord]:
    """Run estimators on one data set under one profile and write the results store.

    Parameters
    ----------
    names : iterable of str
        Registered estimator names, in run order.
    dataset : FERDataset
        Full data; the profile's stratified subset is taken here with ``seed``.
    profile : Profile
    run_dir : path
        Where ``results.json``, predictions and models go.
    seed : int
        Seeds subsetting and every estimator that has ``random_state``.
    save_models : {"none", "networks", "all"}
        Which fitted estimators are saved under ``RUN_DIR/models/NAME/``.
    command : str, optional
        The command line, recorded in the manifest.
    progress : bool
        Show a progress bar over estimators.

    Returns
    -------
    list of RunRecord
        One per estimator, ``ok`` or ``failed``.

    Raises
    ------
    KeyError
        If a name is not registered (before anything runs).
    DataError
        If Training or PrivateTest is empty or unlabelled.
    """
    if save_models not in SAVE_MODELS_CHOICES:
        raise ValueError(f"save_models={save_models!r}: expected one of {', '.join(SAVE_MODELS_CHOICES)}")
    specs = [get_estimator_spec(name) for name in names]
    started = time.perf_counter()
    used = stratified_subset(dataset, profile.data, seed)
    splits = {"Training": _labelled_split(used, "Training"), "PrivateTest": _labelled_split(used, "PrivateTest"),
              "PublicTest": used.split("PublicTest")}
    store = ResultsStore(run_dir)
    manifest = {
        "run_id": Path(run_dir).name,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "seed": seed,
        "profile": profile.to_dict(),
        "class_names": list(dataset.class_names),
        "data": {"source": dataset.source, "sha256": dataset.sha256, "synthetic": dataset.synthetic,
                 "counts": dataset.counts(), "used_counts": used.counts()},
        "environment": machine_info(),
        "estimators": [spec.name for spec in specs],
        "wall_seconds": None,
    }
    records: list[RunRecord] = []
    store.save(manifest, records)
    store.save_test_faces(*splits["PrivateTest"])
    bar = tqdm(specs, desc="estimators", unit="model", disable=not progress)
    try:
        for spec in bar:
            bar.set_postfix_str(spec.name)
            save_model = save_models == "all" or (save_models == "networks" and spec.family == "network")
            try:
                record = fit_and_score(spec, profile, splits, dataset.class_names, store, seed, save_model)
            except Exception as error:  # one estimator's failure must not end the run
                record = RunRecord(name=spec.name, family=spec.family, framework=spec.framework, source=spec.source,
                                   status="failed", error="".join(traceback.format_exception(error)[-3:]).strip())
            records.append(record)
            manifest["wall_seconds"] = time.perf_counter() - started
            store.save(manifest, records)
    finally:
        bar.close()
    return records
