"""What a tracker logs of a stored run, read from its store alone: the run's tags and artifacts, and per
record (one estimator and seed) its parameters, epoch metrics, final metrics and artifacts.

Both trackers (:mod:`.mlflow_tracker`, :mod:`.tensorboard_tracker`) log these entries and nothing else,
so a run logged while it runs and one logged afterwards (``fer_bench track``) say the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..analysis.metrics import bootstrap_ci
from ..analysis.run import BOOTSTRAP_SEED, CONFIDENCE, N_RESAMPLES, class_names_of
from ..report.export import RESULTS_CSV
from ..report.render import REPORT_FILE
from ..results import LOGS_DIR, RESULTS_FILE, ResultsStore, RunManifest, RunRecord, fit_label, seed_stem

Scalar = str | int | float | bool | None

EPOCH_METRICS: dict[str, str] = {"train_loss": "train_loss", "publictest_accuracy": "public_accuracy",
                                 "images_per_second": "images_per_second"}
"""Tracked name -> key of a ``RunRecord.history`` row: loss, PublicTest accuracy (a fraction), images/s."""
RECORD_METRICS: dict[str, str] = {"fit_seconds": "fit_seconds", "predict_seconds": "predict_seconds",
                                  "fit_images_per_second": "fit_images_per_second",
                                  "predict_images_per_second": "predict_images_per_second",
                                  "peak_memory_mib": "peak_memory_mib"}
"""Tracked name -> ``RunRecord`` attribute: seconds, images/s, MiB."""
BUDGET_TRACE_KEYS: frozenset[str] = frozenset({"replans"})
"""Budget keys left out of the parameters: a time budget's re-plans, hundreds of numbers, are a trace, not a setting."""
RUN_ARTIFACTS: tuple[str, ...] = (REPORT_FILE, RESULTS_CSV, RESULTS_FILE)


@dataclass(frozen=True)
class RunEntry:
    """One fer_bench run as a tracker's parent run.

    Attributes
    ----------
    name : str
        The run folder's name.
    tags : dict of str to str
        ``fer_bench.data_sha256``, ``fer_bench.profile``, ``fer_bench.run_id``, ``fer_bench.run_dir``
        (absolute), ``fer_bench.data_source``, ``fer_bench.command``.
    artifacts : dict of str to Path
        File name -> the file in the run folder, for those of :data:`RUN_ARTIFACTS` that exist.
    """

    name: str
    tags: dict[str, str]
    artifacts: dict[str, Path]


@dataclass(frozen=True)
class FitEntry:
    """One record (an estimator and a seed) as a tracker's run.

    Attributes
    ----------
    key : (str, int)
        The estimator's name and seed.
    label : str
        ``NAME``, or ``NAME (seed S)`` in a run of several seeds.
    stem : str
        ``NAME`` or ``NAME.seedK``, as its predictions, model and log are named in the run folder.
    status : str
        The record's: ``ok``, ``failed``, ``timed_out`` or ``skipped``.
    tags : dict of str to str
        The run's tags and ``fer_bench.estimator``, ``.family``, ``.framework``, ``.seed``, ``.status``
        and, when it did not finish, ``.error``.
    params : dict of str to scalar
        The estimator's ``get_params()``, ``budget.*`` (nested keys joined by dots) and ``seed``; lists
        and dicts as JSON text.
    epochs : list of (int, dict of str to float)
        Per epoch (from 1) the :data:`EPOCH_METRICS` it has.
    final : dict of str to float
        PrivateTest ``privatetest_accuracy``, ``privatetest_macro_f1`` (each with ``_ci_low`` and
        ``_ci_high``: the report's percentile bootstrap interval of this record) and
        ``privatetest_balanced_accuracy``; ``dedup_privatetest_accuracy`` (without the faces that have a
        copy in Training); the :data:`RECORD_METRICS`. Only those the record has.
    artifacts : dict of str to Path
        Name in the tracker -> path in the run folder: ``model`` (the saved model's folder) and the
        epoch log ``STEM.log``, where they exist.
    """

    key: tuple[str, int]
    label: str
    stem: str
    status: str
    tags: dict[str, str]
    params: dict[str, Scalar]
    epochs: list[tuple[int, dict[str, float]]]
    final: dict[str, float]
    artifacts: dict[str, Path]


def run_entry(store: ResultsStore, manifest: RunManifest) -> RunEntry:
    """The parent-run entry of the run in ``store`` (``manifest`` from its ``results.json``)."""
    run_dir = store.run_dir.resolve()
    artifacts = {name: run_dir / name for name in RUN_ARTIFACTS if (run_dir / name).is_file()}
    return RunEntry(run_dir.name, _run_tags(manifest, run_dir), artifacts)


def fit_entry(store: ResultsStore, manifest: RunManifest, record: RunRecord) -> FitEntry:
    """The entry of one stored record.

    Raises
    ------
    ValueError
        If its predictions file is corrupt (see :meth:`fer_bench.results.ResultsStore.load_predictions`).
    """
    seeds = manifest.seeds
    seed = record.seed
    stem = seed_stem(record.name, seed, seeds[0])
    tags = {**_run_tags(manifest, store.run_dir.resolve()), "fer_bench.estimator": record.name,
            "fer_bench.family": record.family, "fer_bench.framework": record.framework,
            "fer_bench.seed": str(seed), "fer_bench.status": record.status}
    if record.error:
        tags["fer_bench.error"] = record.error
    params = {**flat_params(record.params), **flat_params(_budget_settings(record.budget), "budget."), "seed": seed}
    epochs = [(int(row["epoch"]), {name: float(row[key]) for name, key in EPOCH_METRICS.items()
                                   if row.get(key) is not None})
              for row in record.history]
    artifacts = {}
    if record.model_dir and (store.run_dir / record.model_dir).is_dir():
        artifacts["model"] = store.run_dir / record.model_dir
    log = store.run_dir / LOGS_DIR / f"{stem}.log"
    if log.is_file():
        artifacts[log.name] = log
    return FitEntry((record.name, seed), fit_label(record.name, seed, len(seeds) > 1), stem, record.status, tags,
                    params, epochs, _final_metrics(store, manifest, record), artifacts)


def flat_params(values: dict[str, Any], prefix: str = "") -> dict[str, Scalar]:
    """``values`` with nested dicts' keys joined by dots (``{"a": {"b": 1}}`` -> ``{"a.b": 1}``); lists as JSON text."""
    flat: dict[str, Scalar] = {}
    for key, value in values.items():
        if isinstance(value, dict) and value:
            flat.update(flat_params(value, f"{prefix}{key}."))
        elif isinstance(value, (dict, list, tuple)):
            flat[f"{prefix}{key}"] = json.dumps(value)
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _budget_settings(budget: dict[str, Any]) -> dict[str, Any]:
    """The budget record without its trace (:data:`BUDGET_TRACE_KEYS`), at any depth."""
    return {key: _budget_settings(value) if isinstance(value, dict) else value
            for key, value in budget.items() if key not in BUDGET_TRACE_KEYS}


def _run_tags(manifest: RunManifest, run_dir: Path) -> dict[str, str]:
    profile = manifest.profile.name if manifest.profile is not None else None
    return {"fer_bench.data_sha256": str(manifest.data.sha256), "fer_bench.profile": str(profile),
            "fer_bench.run_id": str(manifest.run_id), "fer_bench.run_dir": str(run_dir),
            "fer_bench.data_source": str(manifest.data.source), "fer_bench.command": str(manifest.command)}


def _final_metrics(store: ResultsStore, manifest: RunManifest, record: RunRecord) -> dict[str, float]:
    final = {f"privatetest_{key}": float(record.metrics[key])
             for key in ("accuracy", "macro_f1", "balanced_accuracy") if record.metrics.get(key) is not None}
    if record.metrics_deduplicated.get("accuracy") is not None:
        final["dedup_privatetest_accuracy"] = float(record.metrics_deduplicated["accuracy"])
    final.update({name: float(getattr(record, attribute)) for name, attribute in RECORD_METRICS.items()
                  if getattr(record, attribute) is not None})
    if record.status == "ok" and record.predictions_file and (store.run_dir / record.predictions_file).is_file():
        predictions = store.load_predictions(record)
        y_true, y_pred = predictions["y_true"], predictions["y_pred"]
        if len(y_true):
            k = max(len(class_names_of(record, manifest)), int(max(y_true.max(), y_pred.max())) + 1)
            for metric, n_classes in (("accuracy", None), ("macro_f1", k)):
                low, high = bootstrap_ci(y_true, y_pred, metric, N_RESAMPLES, CONFIDENCE, BOOTSTRAP_SEED, n_classes)
                final[f"privatetest_{metric}_ci_low"], final[f"privatetest_{metric}_ci_high"] = low, high
    return final
