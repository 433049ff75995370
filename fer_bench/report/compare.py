"""Compare two runs estimator by estimator: PrivateTest accuracy in each, the
difference, and whether it is significant.

When both runs scored the same faces (same true labels in the same order, and
the same stored PrivateTest images where both have them) the test is the exact
McNemar test on the paired predictions; otherwise a two-sided two-proportion
z-test. p-values are Holm-adjusted over the estimators compared. When both runs
have a derived ensemble (:mod:`.ensemble`), it is compared too, as one more row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..metrics import holm, mcnemar_exact, two_proportion_test
from ..results import ResultsStore, RunRecord
from .analysis import ALPHA, analyse_run
from .ensemble import DERIVED_NOTE, ENSEMBLE_NAME, derive_ensemble
from .templating import write_page

MCNEMAR = "exact McNemar (paired, same faces)"
TWO_PROPORTION = "two-proportion z-test (different faces)"
COMPARE_TEMPLATE = "compare.html.j2"
ENSEMBLE_ROW = f"{ENSEMBLE_NAME} (derived)"


@dataclass
class EstimatorComparison:
    """One estimator finished in both runs.

    ``difference`` is accuracy B minus accuracy A (fractions); ``test`` is
    :data:`MCNEMAR` or :data:`TWO_PROPORTION`; ``p_holm`` is Holm-adjusted
    over all compared estimators.
    """

    name: str
    accuracy_a: float
    accuracy_b: float
    n_a: int
    n_b: int
    test: str
    p_value: float
    p_holm: float = float("nan")

    @property
    def difference(self) -> float:
        return self.accuracy_b - self.accuracy_a

    @property
    def significant(self) -> bool:
        return self.p_holm < ALPHA


@dataclass
class RunComparison:
    """Two runs side by side."""

    run_a: Path
    run_b: Path
    manifest_a: dict[str, Any]
    manifest_b: dict[str, Any]
    rows: list[EstimatorComparison]
    only_a: list[str]
    only_b: list[str]
    same_faces: bool

    @property
    def same_data(self) -> bool:
        return (self.manifest_a.get("data") or {}).get("sha256") == (self.manifest_b.get("data") or {}).get("sha256")


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


def _compare_one(name: str, record_a: RunRecord, record_b: RunRecord, predictions_a, predictions_b,
                 same_images: bool | None) -> EstimatorComparison:
    accuracy_a, accuracy_b = float(record_a.metrics["accuracy"]), float(record_b.metrics["accuracy"])
    n_a, n_b = int(record_a.metrics.get("n") or record_a.test_images), int(record_b.metrics.get("n") or record_b.test_images)
    paired = (predictions_a is not None and predictions_b is not None and same_images is not False
              and predictions_a["y_true"].shape == predictions_b["y_true"].shape
              and np.array_equal(predictions_a["y_true"], predictions_b["y_true"]))
    if paired:
        p_value = mcnemar_exact(predictions_a["y_true"], predictions_a["y_pred"], predictions_b["y_pred"])["p_value"]
        return EstimatorComparison(name, accuracy_a, accuracy_b, n_a, n_b, MCNEMAR, p_value)
    test = two_proportion_test(round(accuracy_a * n_a), n_a, round(accuracy_b * n_b), n_b)
    return EstimatorComparison(name, accuracy_a, accuracy_b, n_a, n_b, TWO_PROPORTION, test["p_value"])


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

    Raises
    ------
    FileNotFoundError, ValueError
        If a directory is not a fer_bench run (see :meth:`fer_bench.results.ResultsStore.load`).
    """
    store_a, store_b = ResultsStore(run_a), ResultsStore(run_b)
    manifest_a, records_a = store_a.load()
    manifest_b, records_b = store_b.load()
    finished_a = {record.name: record for record in records_a if record.status == "ok" and "accuracy" in record.metrics}
    finished_b = {record.name: record for record in records_b if record.status == "ok" and "accuracy" in record.metrics}
    same_images = _same_test_faces(store_a, store_b)
    common = sorted(set(finished_a) & set(finished_b), key=lambda name: -finished_a[name].metrics["accuracy"])
    rows = [_compare_one(name, finished_a[name], finished_b[name], _predictions(store_a, finished_a[name]),
                         _predictions(store_b, finished_b[name]), same_images) for name in common]
    ensemble_a, ensemble_b = _ensemble_of(store_a), _ensemble_of(store_b)
    if ensemble_a and ensemble_b:
        rows.append(_compare_one(ENSEMBLE_ROW, ensemble_a[0], ensemble_b[0], ensemble_a[1], ensemble_b[1], same_images))
    for row, adjusted in zip(rows, holm([row.p_value for row in rows])):
        row.p_holm = float(adjusted)
    only_a = sorted(set(finished_a) - set(finished_b)) + ([ENSEMBLE_ROW] if ensemble_a and not ensemble_b else [])
    only_b = sorted(set(finished_b) - set(finished_a)) + ([ENSEMBLE_ROW] if ensemble_b and not ensemble_a else [])
    return RunComparison(Path(run_a), Path(run_b), manifest_a, manifest_b, rows, only_a, only_b,
                         same_faces=bool(rows) and all(row.test == MCNEMAR for row in rows))


def format_comparison(comparison: RunComparison) -> str:
    """The comparison as a fixed-width text table (what ``fer_bench compare`` prints)."""
    lines = [f"A: {comparison.run_a}", f"B: {comparison.run_b}"]
    if not comparison.same_data:
        lines.append("note: the runs used different data (sha256 differs)")
    width = max([len("estimator")] + [len(row.name) for row in comparison.rows])
    lines.append(f"{'estimator':<{width}}  {'PrivateTest accuracy A':>22}  {'B':>7}  {'B - A (points)':>14}  "
                 f"{'p (Holm)':>8}  test")
    for row in comparison.rows:
        p_text = "<0.001" if row.p_holm < 0.001 else f"{row.p_holm:.3f}"
        lines.append(f"{row.name:<{width}}  {row.accuracy_a:>22.2%}  {row.accuracy_b:>7.2%}  "
                     f"{100 * row.difference:>+14.2f}  {p_text:>8}{'*' if row.significant else ' '} {row.test}")
    if not comparison.rows:
        lines.append("(no estimator finished in both runs)")
    lines.append(f"* significant at alpha = {ALPHA} after Holm's correction over {len(comparison.rows)} estimator(s)")
    for label, names in (("only in A", comparison.only_a), ("only in B", comparison.only_b)):
        if names:
            lines.append(f"{label}: {', '.join(names)}")
    return "\n".join(lines)


def _run_facts(run_dir: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    data, profile = manifest.get("data") or {}, manifest.get("profile")
    return {"path": str(run_dir), "run_id": manifest.get("run_id") or run_dir.name, "created": manifest.get("created"),
            "profile": profile.get("name") if isinstance(profile, dict) else profile, "seed": manifest.get("seed"),
            "data": data.get("source"), "sha256": data.get("sha256"), "synthetic": bool(data.get("synthetic")),
            "commit": (manifest.get("environment") or {}).get("git_commit")}


def write_comparison_html(comparison: RunComparison, path: str | Path) -> Path:
    """Write the comparison as one self-contained HTML page (atomically); return its path."""
    facts = [_run_facts(comparison.run_a, comparison.manifest_a), _run_facts(comparison.run_b, comparison.manifest_b)]
    return write_page(path, COMPARE_TEMPLATE, comparison=comparison, runs=facts, alpha=ALPHA, mcnemar=MCNEMAR,
                      two_proportion=TWO_PROPORTION, ensemble_row=ENSEMBLE_ROW)
