"""Compare two runs estimator by estimator: mean PrivateTest accuracy over each run's seeds, the
difference, and whether it is significant.

When both runs trained an estimator with 2+ seeds that scored the same faces (same true labels in
the same order, and the same stored PrivateTest images where both have them), the test is the
probability of improvement ``P(B > A)`` over seed pairs and resamples of those faces, with its
interval and Bouthillier et al.'s verdict (:mod:`.improvement`); seeds are paired by value when both
runs have the same seeds, else every seed of A meets every seed of B. Otherwise, on the first seeds:
the exact McNemar test of the paired predictions on the same faces, or a two-sided two-proportion
z-test on different faces; their p-values are Holm-adjusted over the estimators tested so. When both
runs have a derived ensemble (:mod:`fer_bench.analysis.ensemble`), it is compared too, as one more row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis.metrics import holm, mcnemar_exact, two_proportion_test
from ..results import ResultsStore, RunManifest, RunRecord
from ..analysis.run import (ALPHA, BOOTSTRAP_SEED, CONFIDENCE, N_RESAMPLES, analyse_run, class_names_of, records_by_seed,
                       run_classes_of)
from ..analysis.ensemble import DERIVED_NOTE, ENSEMBLE_NAME, derive_ensemble
from ..analysis.bootstrap import face_resamples, resampled_accuracy
from ..analysis.improvement import GAMMA, Improvement, probability_of_improvement
from .templating import write_page

MCNEMAR = "exact McNemar (paired, same faces)"
TWO_PROPORTION = "two-proportion z-test (different faces)"
IMPROVEMENT = "probability of improvement P(B > A) over seeds and resampled faces"
COMPARE_TEMPLATE = "compare.html.j2"
ENSEMBLE_ROW = f"{ENSEMBLE_NAME} (derived)"


@dataclass
class EstimatorComparison:
    """One estimator finished in both runs.

    ``accuracy_a``/``accuracy_b`` are means over each run's finished seeds (``seeds_a``/``seeds_b``
    of them) and ``difference`` B minus A (fractions); ``n_a``/``n_b`` the faces scored. ``test`` is
    :data:`IMPROVEMENT` (``improvement`` holds ``P(B > A)``; ``p_value`` is NaN), or
    :data:`MCNEMAR` or :data:`TWO_PROPORTION` of the first seeds (``first_seeds`` names them when a
    run has several), with ``p_holm`` Holm-adjusted over the estimators tested so.
    """

    name: str
    accuracy_a: float
    accuracy_b: float
    n_a: int
    n_b: int
    test: str
    p_value: float
    p_holm: float = float("nan")
    seeds_a: int = 1
    seeds_b: int = 1
    improvement: Improvement | None = None
    first_seeds: tuple[int, int] | None = None

    @property
    def difference(self) -> float:
        return self.accuracy_b - self.accuracy_a

    @property
    def significant(self) -> bool:
        """B better or worse by the probability of improvement's verdict, else Holm-adjusted p < ``ALPHA``."""
        return self.improvement.verdict != "tie" if self.improvement is not None else self.p_holm < ALPHA


@dataclass
class RunComparison:
    """Two runs side by side."""

    run_a: Path
    run_b: Path
    manifest_a: RunManifest
    manifest_b: RunManifest
    rows: list[EstimatorComparison]
    only_a: list[str]
    only_b: list[str]
    same_faces: bool
    not_comparable: list[str]
    """Estimators of both runs trained on different class sets, e.g. ``svc_linear (A: 7 classes, B: 3)``: not tested."""

    @property
    def same_data(self) -> bool:
        return self.manifest_a.data.sha256 == self.manifest_b.data.sha256


def _predictions(store: ResultsStore, record: RunRecord) -> dict[str, np.ndarray] | None:
    if record.predictions_file and (store.run_dir / record.predictions_file).is_file():
        return store.load_predictions(record)
    return None


def _ensemble_of(store: ResultsStore) -> tuple[RunRecord, dict[str, np.ndarray]] | None:
    """The run's derived ensemble as a record and its PrivateTest predictions; None when it has none."""
    ensemble = derive_ensemble(store, analyse_run(store))
    if not ensemble.built:
        return None
    record = RunRecord(name=ENSEMBLE_ROW, family="derived", framework="", source=DERIVED_NOTE,
                       metrics=ensemble.metrics, test_images=ensemble.metrics["n"])
    return record, ensemble.predictions


def _same_test_faces(store_a: ResultsStore, store_b: ResultsStore) -> bool | None:
    """Whether both runs stored identical PrivateTest images; None when one lacks them."""
    faces_a, faces_b = store_a.load_test_faces(), store_b.load_test_faces()
    if faces_a is None or faces_b is None:
        return None
    return faces_a[0].shape == faces_b[0].shape and bool(np.array_equal(faces_a[0], faces_b[0]))


def _same_labels(predictions_a, predictions_b) -> bool:
    return (predictions_a is not None and predictions_b is not None
            and predictions_a["y_true"].shape == predictions_b["y_true"].shape
            and np.array_equal(predictions_a["y_true"], predictions_b["y_true"]))


def _compare_one(name: str, record_a: RunRecord, record_b: RunRecord, predictions_a, predictions_b,
                 same_images: bool | None) -> EstimatorComparison:
    """McNemar on the same faces, else the two-proportion test, of one record of each run."""
    accuracy_a, accuracy_b = float(record_a.metrics["accuracy"]), float(record_b.metrics["accuracy"])
    n_a, n_b = int(record_a.metrics.get("n") or record_a.test_images), int(record_b.metrics.get("n") or record_b.test_images)
    if same_images is not False and _same_labels(predictions_a, predictions_b):
        p_value = mcnemar_exact(predictions_a["y_true"], predictions_a["y_pred"], predictions_b["y_pred"])["p_value"]
        return EstimatorComparison(name, accuracy_a, accuracy_b, n_a, n_b, MCNEMAR, p_value)
    test = two_proportion_test(round(accuracy_a * n_a), n_a, round(accuracy_b * n_b), n_b)
    return EstimatorComparison(name, accuracy_a, accuracy_b, n_a, n_b, TWO_PROPORTION, test["p_value"])


def _compare_seeds(name: str, side_a: list[tuple[int, RunRecord, Any]], side_b: list[tuple[int, RunRecord, Any]],
                   same_images: bool | None) -> EstimatorComparison:
    """One estimator over every seed of both runs; ``side_*`` are (seed, record, predictions) in seed order."""
    first_a, first_b = side_a[0], side_b[0]
    scored_a = [entry for entry in side_a if _same_labels(first_a[2], entry[2])]
    scored_b = [entry for entry in side_b if _same_labels(first_a[2], entry[2])]
    if same_images is not False and len(scored_a) > 1 and len(scored_b) > 1:
        y_true = first_a[2]["y_true"]
        counts = face_resamples(len(y_true), N_RESAMPLES, BOOTSTRAP_SEED)
        resampled_a, resampled_b = (resampled_accuracy(y_true, np.stack([entry[2]["y_pred"] for entry in scored]), counts)
                                    for scored in (scored_a, scored_b))
        improvement = probability_of_improvement(resampled_b, resampled_a, [entry[0] for entry in scored_b],
                                                 [entry[0] for entry in scored_a], GAMMA, CONFIDENCE, N_RESAMPLES,
                                                 BOOTSTRAP_SEED)
        row = EstimatorComparison(name, 0.0, 0.0, len(y_true), len(y_true), IMPROVEMENT, float("nan"),
                                  improvement=improvement)
    else:
        row = _compare_one(name, first_a[1], first_b[1], first_a[2], first_b[2], same_images)
        if len(side_a) > 1 or len(side_b) > 1:
            row.first_seeds = (first_a[0], first_b[0])
    row.accuracy_a = float(np.mean([entry[1].metrics["accuracy"] for entry in side_a]))
    row.accuracy_b = float(np.mean([entry[1].metrics["accuracy"] for entry in side_b]))
    row.seeds_a, row.seeds_b = len(side_a), len(side_b)
    return row


def _finished(store: ResultsStore, manifest: RunManifest,
              records: list[RunRecord]) -> dict[str, list[tuple[int, RunRecord, Any]]]:
    """Each estimator's finished seeds with an accuracy, in seed order: (seed, record, predictions or None)."""
    by_name: dict[str, list[RunRecord]] = {}
    for record in records:
        if record.status == "ok" and "accuracy" in record.metrics:
            by_name.setdefault(record.name, []).append(record)
    return {name: [(record.seed, record, _predictions(store, record))
                   for record in records_by_seed(seeds, manifest)] for name, seeds in by_name.items()}


def compare_runs(run_a: str | Path, run_b: str | Path) -> RunComparison:
    """Compare the estimators that finished in both runs.

    Parameters
    ----------
    run_a, run_b : path
        Run directories (``results.json`` and ``predictions/``).

    Returns
    -------
    RunComparison
        Rows in run A's order of PrivateTest accuracy, best first; the derived
        ensemble last, when both runs have one (``only_a``/``only_b`` name it when one has).
        An estimator (or the ensemble) whose classes differ between the runs is not compared:
        ``not_comparable`` names it.

    Raises
    ------
    FileNotFoundError, ValueError
        If a directory is not a fer_bench run (see :meth:`fer_bench.results.ResultsStore.load`).
    """
    store_a, store_b = ResultsStore(run_a), ResultsStore(run_b)
    manifest_a, records_a = store_a.load()
    manifest_b, records_b = store_b.load()
    finished_a, finished_b = _finished(store_a, manifest_a, records_a), _finished(store_b, manifest_b, records_b)
    same_images = _same_test_faces(store_a, store_b)
    classes = {name: (class_names_of(finished_a[name][0][1], manifest_a), class_names_of(finished_b[name][0][1], manifest_b))
               for name in set(finished_a) & set(finished_b)}
    not_comparable = [f"{name} (A: {len(a)} classes, B: {len(b)})" for name, (a, b) in sorted(classes.items()) if a != b]
    rows = [_compare_seeds(name, finished_a[name], finished_b[name], same_images)
            for name, (a, b) in classes.items() if a == b]
    rows.sort(key=lambda row: (-row.accuracy_a, row.name))
    ensemble_a, ensemble_b = _ensemble_of(store_a), _ensemble_of(store_b)
    if ensemble_a and ensemble_b and run_classes_of(manifest_a, []) != run_classes_of(manifest_b, []):
        not_comparable.append(f"{ENSEMBLE_ROW} (the runs' classes differ)")
    elif ensemble_a and ensemble_b:
        rows.append(_compare_one(ENSEMBLE_ROW, ensemble_a[0], ensemble_b[0], ensemble_a[1], ensemble_b[1], same_images))
    tested = [row for row in rows if row.improvement is None]
    for row, adjusted in zip(tested, holm([row.p_value for row in tested])):
        row.p_holm = float(adjusted)
    only_a = sorted(set(finished_a) - set(finished_b)) + ([ENSEMBLE_ROW] if ensemble_a and not ensemble_b else [])
    only_b = sorted(set(finished_b) - set(finished_a)) + ([ENSEMBLE_ROW] if ensemble_b and not ensemble_a else [])
    return RunComparison(Path(run_a), Path(run_b), manifest_a, manifest_b, rows, only_a, only_b,
                         same_faces=bool(rows) and all(row.test in (MCNEMAR, IMPROVEMENT) for row in rows),
                         not_comparable=not_comparable)


def _result_text(row: EstimatorComparison) -> str:
    """``p 0.012*`` (Holm-adjusted), or ``P(B>A) 0.81 [0.62, 1.00] better``."""
    if row.improvement is not None:
        test = row.improvement
        return f"P(B>A) {test.p:.2f} [{test.low:.2f}, {test.high:.2f}] {test.verdict}"
    return f"p {'<0.001' if row.p_holm < 0.001 else f'{row.p_holm:.3f}'}{'*' if row.significant else ''}"


def _test_text(row: EstimatorComparison) -> str:
    if row.improvement is not None:
        return f"{row.test}, {row.improvement.pairing} ({row.improvement.n_pairs} pairs)"
    return row.test + (f" on seeds {row.first_seeds[0]} (A) and {row.first_seeds[1]} (B)" if row.first_seeds else "")


def format_comparison(comparison: RunComparison) -> str:
    """The comparison as a fixed-width text table (what ``fer_bench compare`` prints)."""
    lines = [f"A: {comparison.run_a}", f"B: {comparison.run_b}"]
    if not comparison.same_data:
        lines.append("note: the runs used different data (sha256 differs)")
    width = max([len("estimator")] + [len(row.name) for row in comparison.rows])
    results = [_result_text(row) for row in comparison.rows]
    result_width = max([len("result")] + [len(text) for text in results])
    lines.append(f"{'estimator':<{width}}  {'PrivateTest accuracy A':>22}  {'B':>7}  {'B - A (points)':>14}  "
                 f"{'seeds A/B':>9}  {'result':<{result_width}}  test")
    for row, result in zip(comparison.rows, results):
        lines.append(f"{row.name:<{width}}  {row.accuracy_a:>22.2%}  {row.accuracy_b:>7.2%}  "
                     f"{100 * row.difference:>+14.2f}  {f'{row.seeds_a}/{row.seeds_b}':>9}  {result:<{result_width}}  "
                     f"{_test_text(row)}")
    if not comparison.rows:
        lines.append("(no estimator finished in both runs)")
    tested = sum(row.improvement is None for row in comparison.rows)
    lines.append(f"accuracies are means over each run's seeds; * significant at alpha = {ALPHA} after Holm's "
                 f"correction over {tested} estimator(s)")
    if tested < len(comparison.rows):
        lines.append(f"P(B>A): probability of improvement (Bouthillier et al., MLSys 2021) with its "
                     f"{CONFIDENCE:.0%} bootstrap interval; better/worse when P > {GAMMA} (or < {1 - GAMMA}) "
                     f"and the interval excludes 0.5, else tie")
    for label, names in (("only in A", comparison.only_a), ("only in B", comparison.only_b),
                         ("not comparable, trained on other classes", comparison.not_comparable)):
        if names:
            lines.append(f"{label}: {', '.join(names)}")
    return "\n".join(lines)


def _run_facts(run_dir: Path, manifest: RunManifest) -> dict[str, Any]:
    data, profile = manifest.data, manifest.profile
    return {"path": str(run_dir), "run_id": manifest.run_id or run_dir.name, "created": manifest.created,
            "profile": profile.name if profile else None, "seed": ", ".join(map(str, manifest.seeds)),
            "data": data.source, "sha256": data.sha256, "synthetic": data.synthetic,
            "commit": manifest.environment.get("git_commit")}


def write_comparison_html(comparison: RunComparison, path: str | Path) -> Path:
    """Write the comparison as one self-contained HTML page (atomically); return its path."""
    facts = [_run_facts(comparison.run_a, comparison.manifest_a), _run_facts(comparison.run_b, comparison.manifest_b)]
    return write_page(path, COMPARE_TEMPLATE, comparison=comparison, runs=facts, alpha=ALPHA, mcnemar=MCNEMAR,
                      two_proportion=TWO_PROPORTION, improvement=IMPROVEMENT, gamma=GAMMA, confidence=CONFIDENCE,
                      n_resamples=N_RESAMPLES, ensemble_row=ENSEMBLE_ROW)
