"""``RUN_DIR/results.csv``: one row per estimator (over all its seeds), then one per unfinished record,
for spreadsheets and pandas."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from .._io import atomic_write_bytes
from ..analysis.run import RunAnalysis, privatetest_accuracy
from ..deploy.cost_file import read_cost
from .budget import at_common_budget, budget_text, used_means
from .cost import CSV_COLUMNS, csv_values

RESULTS_CSV = "results.csv"
COLUMNS: tuple[str, ...] = (
    "name", "family", "framework", "status", "privatetest_accuracy", "n_seeds", "accuracy_sd", "accuracy_min",
    "accuracy_max", "accuracy_ci_low", "accuracy_ci_high", "macro_f1", "macro_f1_ci_low", "macro_f1_ci_high",
    "balanced_accuracy", "dedup_accuracy", "dedup_faces", "fit_seconds", "predict_seconds", "fit_images_per_second",
    "predict_images_per_second", "peak_memory_mib", "train_images", "test_images", "n_classes", "targets", "device",
    "seeds", "budget", "at_common_budget", "epochs_run", "steps_run", *CSV_COLUMNS, "error",
)
"""Fractions in [0, 1], seconds, images/s and MiB; empty cells where a value does not exist.

``privatetest_accuracy``, ``macro_f1``, ``balanced_accuracy`` and ``dedup_accuracy`` are means over the
estimator's finished seeds, ``accuracy_sd`` their sample sd (ddof=1; empty with one seed), ``epochs_run``
and ``steps_run`` means over seeds of what the network trained; ``seeds`` lists them (space-separated; an
unfinished row's own seed). ``budget`` is ``time 5 min``, ``recipe`` or empty (classical estimators),
``at_common_budget`` ``true``, ``false`` (the profile overrides a setting or the network cannot follow
one) or empty. ``targets`` is what the estimator fitted on Training (:attr:`fer_bench.results.RunRecord.targets`).
Times, memory and faces are the first seed's, and so is the cost of inference (:data:`.cost.CSV_COLUMNS`,
empty where the run has no ``cost.json``)."""
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Text cells starting with these are prefixed with ``'`` so that a spreadsheet shows them as text
instead of evaluating a formula (OWASP, "CSV Injection")."""


def write_results_csv(run_dir: str | Path, analysis: RunAnalysis) -> Path:
    """Write ``RUN_DIR/results.csv`` atomically: finished estimators by mean PrivateTest accuracy, then the unfinished records.

    Text cells that a spreadsheet would read as a formula are escaped (:func:`spreadsheet_safe`).

    Parameters
    ----------
    run_dir : path
    analysis : RunAnalysis
        From :func:`fer_bench.analysis.run.analyse_run` on the same run.

    Returns
    -------
    Path
        The file written; columns are :data:`COLUMNS`, CIs are the report's bootstrap intervals.
    """
    rows = []
    cost = read_cost(run_dir)
    for result in analysis.results:
        record = result.record
        accuracy_ci, macro_f1_ci = result.accuracy_ci or (None, None), result.macro_f1_ci or (None, None)
        common = at_common_budget(record.budget)
        used = used_means(result.seed_records)
        rows.append(_row(record, privatetest_accuracy=result.accuracy_mean, n_seeds=result.n_seeds,
                         accuracy_sd=result.accuracy_sd, accuracy_min=result.accuracy_min,
                         accuracy_max=result.accuracy_max, accuracy_ci_low=accuracy_ci[0],
                         accuracy_ci_high=accuracy_ci[1], macro_f1=result.seed_mean("macro_f1"),
                         macro_f1_ci_low=macro_f1_ci[0], macro_f1_ci_high=macro_f1_ci[1],
                         balanced_accuracy=result.seed_mean("balanced_accuracy"),
                         dedup_accuracy=result.seed_mean("accuracy", deduplicated=True),
                         dedup_faces=(record.metrics_deduplicated or {}).get("n"), n_classes=len(result.class_names),
                         seeds=" ".join(map(str, result.seeds)), budget=budget_text(record.budget),
                         at_common_budget=None if common is None else str(common).lower(),
                         epochs_run=used["epochs_run"], steps_run=used["steps_run"],
                         **csv_values(cost, record.name, record.seed)))
    rows += [_row(record, seeds=str(record.seed), budget=budget_text(record.budget))
             for record in sorted(analysis.unfinished, key=privatetest_accuracy)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = Path(run_dir) / RESULTS_CSV
    atomic_write_bytes(path, buffer.getvalue().encode("utf-8"))
    return path


def _row(record, **values: Any) -> dict[str, Any]:
    fields = {column: getattr(record, column, None) for column in COLUMNS}
    fields.update(values)
    if fields["error"]:
        fields["error"] = str(fields["error"]).strip().splitlines()[-1]
    return {column: "" if value is None else spreadsheet_safe(value) for column, value in fields.items()}


def spreadsheet_safe(value: Any) -> Any:
    """``value``, or for text starting with one of :data:`FORMULA_PREFIXES`, that text after a ``'``.

    Numbers (negative ones too) stay numbers; only strings can hold a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
