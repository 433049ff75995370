"""The numbers of a run's report, computed from the results store alone: ranks,
bootstrap confidence intervals, pairwise significance, calibration and the
misclassified faces to show. No HTML here (see :mod:`.render`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..labels import FER2013_CLASSES
from ..metrics import bootstrap_ci, calibration, pairwise_mcnemar
from ..results import ResultsStore, RunRecord

CONFIDENCE = 0.95
N_RESAMPLES = 2000
BOOTSTRAP_SEED = 0
ALPHA = 0.05
GALLERY_SIZE = 24


@dataclass(eq=False)
class EstimatorResult:
    """One finished estimator and what the report says about it.

    Attributes
    ----------
    rank : int
        1 for the highest PrivateTest accuracy.
    record : RunRecord
    class_names : list of str
        The classes its labels index (k names).
    predictions : dict or None
        ``y_true``, ``y_pred`` (int64 (n,)) and, with probabilities, ``scores``
        (float32 (n, k)); None when the predictions file is missing.
    accuracy_ci, macro_f1_ci : (float, float) or None
        Percentile bootstrap intervals (fractions).
    calibration : dict or None
        :func:`fer_bench.metrics.calibration` of ``scores``; None without probabilities.
    versus_best : str or None
        ``best``; ``tie`` (not significantly different from the best, Holm-adjusted
        McNemar p >= ``ALPHA``); ``worse``; None when not scored on the best's faces.
    p_versus_best : float or None
        That Holm-adjusted p-value.
    gallery : list of int
        Indices of misclassified faces to show (most confident mistakes first,
        when there are probabilities; else spread evenly over the mistakes).
    """

    rank: int
    record: RunRecord
    class_names: list[str]
    predictions: dict[str, np.ndarray] | None
    accuracy_ci: tuple[float, float] | None = None
    macro_f1_ci: tuple[float, float] | None = None
    calibration: dict[str, Any] | None = None
    versus_best: str | None = None
    p_versus_best: float | None = None
    gallery: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def has_probabilities(self) -> bool:
        return self.predictions is not None and "scores" in self.predictions


@dataclass
class SignificanceGroup:
    """Estimators scored on the same faces with the same classes, and their pairwise exact McNemar tests.

    ``only_right[i, j]`` counts the faces ``members[i]`` gets right and
    ``members[j]`` wrong; ``p_holm`` is Holm-adjusted over the group's pairs.
    """

    members: list[EstimatorResult]
    only_right: np.ndarray
    p_value: np.ndarray
    p_holm: np.ndarray

    @property
    def n_pairs(self) -> int:
        return len(self.members) * (len(self.members) - 1) // 2


@dataclass
class RunAnalysis:
    """Everything the report shows, in rank order."""

    manifest: dict[str, Any]
    results: list[EstimatorResult]
    unfinished: list[RunRecord]
    groups: list[SignificanceGroup]
    faces: tuple[np.ndarray, np.ndarray] | None
    """PrivateTest ``images`` uint8 (n, 48, 48) and ``labels``, when stored."""

    @property
    def best(self) -> EstimatorResult | None:
        return self.results[0] if self.results else None


def class_names_of(record: RunRecord, manifest: dict[str, Any]) -> list[str]:
    """The record's own classes (a subset model), else the first of the manifest's, the metrics' and
    FER-2013's class names that matches the size of its confusion matrix."""
    if record.class_names:
        return [str(name) for name in record.class_names]
    k = len(record.metrics.get("confusion_matrix") or ())
    for candidate in (manifest.get("class_names"), list(record.metrics.get("per_class") or ()), FER2013_CLASSES):
        if candidate and (len(candidate) == k or not k):
            return [str(name) for name in candidate]
    return [str(index) for index in range(k)]


def privatetest_accuracy(record: RunRecord) -> float:
    """The record's PrivateTest accuracy, -1 when it has none (for sorting)."""
    accuracy = record.metrics.get("accuracy")
    return -1.0 if accuracy is None else float(accuracy)


def _load_predictions(store: ResultsStore, record: RunRecord) -> dict[str, np.ndarray] | None:
    if not record.predictions_file or not (store.run_dir / record.predictions_file).is_file():
        return None
    return store.load_predictions(record)


def _gallery(predictions: dict[str, np.ndarray], size: int) -> list[int]:
    mistakes = np.flatnonzero(predictions["y_true"] != predictions["y_pred"])
    if "scores" in predictions:
        confidence = predictions["scores"][mistakes].max(axis=1)
        return [int(index) for index in mistakes[np.argsort(-confidence, kind="stable")][:size]]
    if len(mistakes) <= size:
        return [int(index) for index in mistakes]
    return [int(index) for index in mistakes[np.linspace(0, len(mistakes) - 1, size).round().astype(int)]]


def _significance_groups(results: list[EstimatorResult]) -> list[SignificanceGroup]:
    """Group results by (classes, true labels) and test every pair within a group."""
    buckets: dict[tuple[tuple[str, ...], bytes], list[EstimatorResult]] = {}
    for result in results:
        if result.predictions is not None:
            key = (tuple(result.class_names), result.predictions["y_true"].tobytes())
            buckets.setdefault(key, []).append(result)
    groups = []
    for members in buckets.values():
        if len(members) > 1:
            tests = pairwise_mcnemar(members[0].predictions["y_true"], [member.predictions["y_pred"] for member in members])
            groups.append(SignificanceGroup(members, tests["only_right"], tests["p_value"], tests["p_holm"]))
    return groups


def analyse_run(store: ResultsStore) -> RunAnalysis:
    """Load a run directory and compute the report's statistics. Trains nothing.

    Parameters
    ----------
    store : ResultsStore

    Returns
    -------
    RunAnalysis

    Raises
    ------
    FileNotFoundError, ValueError
        As :meth:`fer_bench.results.ResultsStore.load`.
    """
    manifest, records = store.load()
    finished = sorted((record for record in records if record.status == "ok"), key=privatetest_accuracy, reverse=True)
    faces = store.load_test_faces()
    results = []
    for rank, record in enumerate(finished, start=1):
        class_names = class_names_of(record, manifest)
        predictions = _load_predictions(store, record)
        result = EstimatorResult(rank, record, class_names, predictions)
        if predictions is not None and len(predictions["y_true"]):
            y_true, y_pred = predictions["y_true"], predictions["y_pred"]
            k = max(len(class_names), int(max(y_true.max(), y_pred.max())) + 1)
            result.accuracy_ci = bootstrap_ci(y_true, y_pred, "accuracy", N_RESAMPLES, CONFIDENCE, BOOTSTRAP_SEED)
            result.macro_f1_ci = bootstrap_ci(y_true, y_pred, "macro_f1", N_RESAMPLES, CONFIDENCE, BOOTSTRAP_SEED, k)
            scores = predictions.get("scores")
            if scores is not None and scores.shape == (len(y_true), len(class_names)):
                result.calibration = calibration(y_true, scores)
            if faces is not None and np.array_equal(faces[1], y_true):
                result.gallery = _gallery(predictions, GALLERY_SIZE)
        results.append(result)
    groups = _significance_groups(results)
    if results:
        _mark_versus_best(results[0], groups)
    return RunAnalysis(manifest, results, [record for record in records if record.status != "ok"], groups, faces)


def _mark_versus_best(best: EstimatorResult, groups: list[SignificanceGroup]) -> None:
    best.versus_best = "best"
    for group in groups:
        if best in group.members:
            column = group.members.index(best)
            for row, member in enumerate(group.members):
                if member is not best:
                    member.p_versus_best = float(group.p_holm[row, column])
                    member.versus_best = "tie" if member.p_versus_best >= ALPHA else "worse"
