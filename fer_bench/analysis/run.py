"""The numbers of a run's report, computed from the results store alone: ranks,
bootstrap confidence intervals, pairwise significance, calibration and the
misclassified faces to show. No HTML here (see :mod:`fer_bench.report.render`).

A run may train every estimator with several seeds (one record per estimator and
seed): an estimator's result then gathers its seeds, is ranked by its mean
PrivateTest accuracy, and is compared with the others by the probability of
improvement over seeds and resamples of the test faces (:mod:`.improvement`).
With one seed every number is the single record's, as before seeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..labels import FER2013_CLASSES
from .metrics import calibration, pairwise_mcnemar
from ..results import ResultsStore, RunManifest, RunRecord
from .budget_use import off_budget
from .bootstrap import (face_resamples, percentile_interval, resampled_accuracy, resampled_interval,
                        resampled_macro_f1)
from .improvement import GAMMA, Improvement, pairwise_improvement

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
        1 for the highest (mean) PrivateTest accuracy among the run's classes; models of other
        class sets (label subsets) rank after all of those.
    record : RunRecord
        The first seed's record (the run's seed order; the first that finished).
    class_names : list of str
        The classes its labels index (k names).
    predictions : dict or None
        The first seed's ``y_true``, ``y_pred`` (int64 (n,)) and, with probabilities,
        ``scores`` (float32 (n, k)); None when the predictions file is missing.
    seed_records : list of RunRecord
        Every finished seed's record, ``record`` first.
    seed_predictions : list of dict or None
        Their predictions, in the same order.
    seeds : list of int
        Their seeds, in the run's seed order.
    accuracy_ci, macro_f1_ci : (float, float) or None
        Percentile bootstrap intervals (fractions), resampling PrivateTest faces; with 2+
        scored seeds, of the seed-mean metric, each resample applied to every seed.
    calibration : dict or None
        :func:`fer_bench.analysis.metrics.calibration` of ``scores``; None without probabilities.
    versus_best : str or None
        ``best``; ``tie`` (not significantly different from the best: Holm-adjusted
        McNemar p >= ``ALPHA``, or with seeds not worse by the probability of improvement);
        ``worse``; None when not scored on the best's faces or ``off_budget``.
    off_budget : str or None
        Why a time-budgeted network is left out of the verdicts (:func:`.budget.off_budget`): a
        seed that spent more or less than its budget was not trained as long as the others.
    p_versus_best : float or None
        That Holm-adjusted McNemar p-value (of the first seeds).
    improvement_versus_best : Improvement or None
        With seeds, ``P(best > this)`` (:func:`.improvement.probability_of_improvement`).
    resampled_accuracy : ndarray of float, shape (scored seeds, N_RESAMPLES), or None
        In a run with several seeds, each seed's accuracy on the shared resamples of the
        first seed's faces; ``resampled_seeds`` names the rows (seeds whose predictions
        score those faces).
    gallery : list of int
        Indices of misclassified faces to show (most confident mistakes first,
        when there are probabilities; else spread evenly over the mistakes).
    """

    rank: int
    record: RunRecord
    class_names: list[str]
    predictions: dict[str, np.ndarray] | None
    seed_records: list[RunRecord]
    seed_predictions: list[dict[str, np.ndarray] | None]
    seeds: list[int]
    accuracy_ci: tuple[float, float] | None = None
    macro_f1_ci: tuple[float, float] | None = None
    calibration: dict[str, Any] | None = None
    versus_best: str | None = None
    off_budget: str | None = None
    p_versus_best: float | None = None
    improvement_versus_best: Improvement | None = None
    resampled_accuracy: np.ndarray | None = None
    resampled_seeds: list[int] = field(default_factory=list)
    gallery: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def n_seeds(self) -> int:
        return len(self.seed_records)

    def seed_values(self, key: str, deduplicated: bool = False) -> list[float]:
        """A metric of every seed that has it, e.g. ``accuracy`` (``metrics_deduplicated`` with ``deduplicated``)."""
        values = [(record.metrics_deduplicated if deduplicated else record.metrics).get(key)
                  for record in self.seed_records]
        return [float(value) for value in values if value is not None]

    def seed_mean(self, key: str, deduplicated: bool = False) -> float | None:
        """The mean of :meth:`seed_values` (the single value with one seed); None when no seed has it."""
        values = self.seed_values(key, deduplicated)
        return float(np.mean(values)) if values else None

    @property
    def accuracy_mean(self) -> float | None:
        return self.seed_mean("accuracy")

    @property
    def accuracy_sd(self) -> float | None:
        """Sample standard deviation (ddof=1) of the seeds' PrivateTest accuracies; None with fewer than 2."""
        values = self.seed_values("accuracy")
        return float(np.std(values, ddof=1)) if len(values) > 1 else None

    @property
    def accuracy_min(self) -> float | None:
        return min(self.seed_values("accuracy"), default=None)

    @property
    def accuracy_max(self) -> float | None:
        return max(self.seed_values("accuracy"), default=None)

    @property
    def has_probabilities(self) -> bool:
        return self.predictions is not None and "scores" in self.predictions


@dataclass
class SignificanceGroup:
    """Estimators scored on the same faces with the same classes, and their pairwise exact McNemar tests
    (of each one's first seed).

    ``only_right[i, j]`` counts the faces ``members[i]`` gets right and
    ``members[j]`` wrong; ``p_holm`` is Holm-adjusted over the group's pairs.
    ``improvement[i][j]``, when a member has 2+ scored seeds, is ``P(members[i] > members[j])``
    over seeds and face resamples (None on the diagonal); None otherwise.
    """

    members: list[EstimatorResult]
    only_right: np.ndarray
    p_value: np.ndarray
    p_holm: np.ndarray
    improvement: list[list[Improvement | None]] | None = None

    @property
    def n_pairs(self) -> int:
        return len(self.members) * (len(self.members) - 1) // 2


@dataclass
class RunAnalysis:
    """Everything the report shows, in rank order."""

    manifest: RunManifest
    results: list[EstimatorResult]
    unfinished: list[RunRecord]
    groups: list[SignificanceGroup]
    faces: tuple[np.ndarray, np.ndarray] | None
    """PrivateTest ``images`` uint8 (n, 48, 48) and ``labels``, when stored."""

    @property
    def run_classes(self) -> list[str]:
        """The run's classes (the manifest's; in older stores, those of the most accurate result)."""
        return run_classes_of(self.manifest, self.results)

    @property
    def best(self) -> EstimatorResult | None:
        """The most accurate result of the run's classes at its budget; None when there is none."""
        return next((result for result in self.results
                     if result.off_budget is None and result.class_names == self.run_classes), None)

    @property
    def seeds(self) -> list[int]:
        """The run's seeds."""
        return self.manifest.seeds

    @property
    def multi_seed(self) -> bool:
        """Whether the run has more than one seed (or an estimator does)."""
        return _multi_seed(self.manifest, self.results)

    @property
    def missing(self) -> list[tuple[str, int]]:
        """``(name, seed)`` of every fit the run planned (its estimators times its seeds) that has no
        record: the run was interrupted, or is still running."""
        records = [record for result in self.results for record in result.seed_records] + self.unfinished
        recorded = {(record.name, record.seed) for record in records}
        return [(name, seed) for name in self.manifest.estimators for seed in self.seeds
                if (name, seed) not in recorded]


def run_classes_of(manifest: RunManifest, results: list[EstimatorResult]) -> list[str]:
    """The manifest's class names, else (older stores) the first result's."""
    return list(manifest.class_names) or (results[0].class_names if results else [])


def class_names_of(record: RunRecord, manifest: RunManifest) -> list[str]:
    """The record's own classes (a subset model), else the first of the manifest's, the metrics' and
    FER-2013's class names that matches the size of its confusion matrix."""
    if record.class_names:
        return list(record.class_names)
    k = len(record.metrics.get("confusion_matrix") or ())
    for candidate in (manifest.class_names, list(record.metrics.get("per_class") or ()), FER2013_CLASSES):
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
            group = SignificanceGroup(members, tests["only_right"], tests["p_value"], tests["p_holm"])
            if all(member.resampled_accuracy is not None for member in members) and \
                    any(len(member.resampled_seeds) > 1 for member in members):
                group.improvement = pairwise_improvement([member.resampled_accuracy for member in members],
                                                         [member.resampled_seeds for member in members], GAMMA,
                                                         CONFIDENCE, N_RESAMPLES, BOOTSTRAP_SEED)
            groups.append(group)
    return groups


def _multi_seed(manifest: RunManifest, results: list[EstimatorResult]) -> bool:
    return len(manifest.seeds) > 1 or any(result.n_seeds > 1 for result in results)


def records_by_seed(records: list[RunRecord], manifest: RunManifest) -> list[RunRecord]:
    """Records in the run's seed order (seeds the manifest does not list after, by value)."""
    order = {seed: index for index, seed in enumerate(manifest.seeds)}
    return sorted(records, key=lambda record: (order.get(record.seed, len(order)), record.seed))


def _scored_seeds(result: EstimatorResult) -> tuple[list[int], np.ndarray]:
    """The seeds whose predictions score the first seed's faces, and those predictions (seeds, n)."""
    y_true = result.predictions["y_true"]
    scored = [(seed, predictions["y_pred"]) for seed, predictions in zip(result.seeds, result.seed_predictions)
              if predictions is not None and np.array_equal(predictions["y_true"], y_true)]
    return [seed for seed, _ in scored], np.stack([y_pred for _, y_pred in scored])


def _seed_intervals(result: EstimatorResult, n_classes: int, counts: np.ndarray) -> None:
    """Set ``resampled_accuracy`` (and ``resampled_seeds``) on the face resamples ``counts``, and with
    2+ scored seeds the intervals of the seed-mean accuracy and macro-F1."""
    y_true = result.predictions["y_true"]
    result.resampled_seeds, scored = _scored_seeds(result)
    result.resampled_accuracy = resampled_accuracy(y_true, scored, counts)
    if len(scored) > 1:
        result.accuracy_ci = percentile_interval(result.resampled_accuracy.mean(axis=0), CONFIDENCE)
        result.macro_f1_ci = percentile_interval(resampled_macro_f1(y_true, scored, counts, n_classes).mean(axis=0),
                                                 CONFIDENCE)


def analyse_run(store: ResultsStore) -> RunAnalysis:
    """Load a run directory and compute the report's statistics. Trains nothing.

    Finished records are grouped by estimator name (one per seed); results are ranked by mean
    PrivateTest accuracy over their seeds.

    Parameters
    ----------
    store : ResultsStore

    Returns
    -------
    RunAnalysis
        ``unfinished`` lists every record that did not finish, of any seed.

    Raises
    ------
    FileNotFoundError, ValueError
        As :meth:`fer_bench.results.ResultsStore.load`.
    """
    manifest, records = store.load()
    by_name: dict[str, list[RunRecord]] = {}
    for record in records:
        if record.status == "ok":
            by_name.setdefault(record.name, []).append(record)
    faces = store.load_test_faces()
    results = []
    for seed_records in by_name.values():
        seed_records = records_by_seed(seed_records, manifest)
        seed_predictions = [_load_predictions(store, record) for record in seed_records]
        seeds = [record.seed for record in seed_records]
        results.append(EstimatorResult(0, seed_records[0], class_names_of(seed_records[0], manifest),
                                       seed_predictions[0], seed_records, seed_predictions, seeds,
                                       off_budget=off_budget(seed_records, seeds)))
    results.sort(key=lambda result: -1.0 if result.accuracy_mean is None else result.accuracy_mean, reverse=True)
    run_classes = run_classes_of(manifest, results)  # the run's classes first; label-subset models after them
    results.sort(key=lambda result: result.class_names != run_classes)
    multi_seed = _multi_seed(manifest, results)
    resamples: dict[int, np.ndarray] = {}
    for rank, result in enumerate(results, start=1):
        result.rank = rank
        predictions, class_names = result.predictions, result.class_names
        if predictions is not None and len(predictions["y_true"]):
            y_true, y_pred = predictions["y_true"], predictions["y_pred"]
            k = max(len(class_names), int(max(y_true.max(), y_pred.max())) + 1)
            if len(y_true) not in resamples:  # one draw of resamples for every estimator on these faces
                resamples[len(y_true)] = face_resamples(len(y_true), N_RESAMPLES, BOOTSTRAP_SEED)
            counts = resamples[len(y_true)]
            if multi_seed:
                _seed_intervals(result, k, counts)
            if result.accuracy_ci is None:
                result.accuracy_ci = resampled_interval(y_true, y_pred, counts, "accuracy", k, CONFIDENCE)
                result.macro_f1_ci = resampled_interval(y_true, y_pred, counts, "macro_f1", k, CONFIDENCE)
            scores = predictions.get("scores")
            if scores is not None and scores.shape == (len(y_true), len(class_names)):
                result.calibration = calibration(y_true, scores)
            if faces is not None and np.array_equal(faces[1], y_true):
                result.gallery = _gallery(predictions, GALLERY_SIZE)
    groups = _significance_groups(results)
    analysis = RunAnalysis(manifest, results, [record for record in records if record.status != "ok"], groups, faces)
    if analysis.best is not None:
        _mark_versus_best(analysis.best, groups)
    return analysis


def _mark_versus_best(best: EstimatorResult, groups: list[SignificanceGroup]) -> None:
    """``versus_best`` of the best's group: by ``P(best > member)`` where the group has seeds, else by McNemar."""
    best.versus_best = "best"
    for group in groups:
        if best in group.members:
            column = group.members.index(best)
            for row, member in enumerate(group.members):
                if member is not best and member.off_budget is None:
                    member.p_versus_best = float(group.p_holm[row, column])
                    if group.improvement is not None:
                        member.improvement_versus_best = group.improvement[column][row]
                        member.versus_best = "worse" if member.improvement_versus_best.verdict == "better" else "tie"
                    else:
                        member.versus_best = "tie" if member.p_versus_best >= ALPHA else "worse"
