"""The cost of inference in the report and ``results.csv``, read from ``RUN_DIR/cost.json`` (``fer_bench cost``).

The report gets a table of every model and runtime and a figure of PrivateTest accuracy
against the batch-1 latency of each estimator's own runtime; ``results.csv`` gets the
cost of its first seed's model (:data:`CSV_COLUMNS`). A run without ``cost.json`` has neither.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..deploy.cost_file import CostRow, CostTable, read_cost
from ..analysis.metrics import pareto_optimal
from ..analysis.run import RunAnalysis
from .figures import cost_benefit_figure
from .templating import MISSING, format_number

ONNX_RUNTIME = "onnxruntime"
OWN_COLUMNS: tuple[str, ...] = ("parameters", "macs_per_face", "model_mib", "latency_median_seconds",
                                "latency_p95_seconds", "throughput_images_per_second")
ONNX_COLUMNS: tuple[str, ...] = ("onnx_model_mib", "onnx_latency_median_seconds", "onnx_latency_p95_seconds",
                                 "onnx_throughput_images_per_second")
CSV_COLUMNS: tuple[str, ...] = OWN_COLUMNS + ONNX_COLUMNS
"""The cost columns of ``results.csv``: the estimator's own runtime (``torch eager``, ``keras`` or
``scikit-learn``), then ONNX Runtime; MiB, seconds per face and images/s (see :class:`~fer_bench.deploy.CostRow`)."""


def csv_values(table: CostTable | None, name: str, seed: int | None) -> dict[str, Any]:
    """The :data:`CSV_COLUMNS` of one record (None where ``table`` is None or has no such row)."""
    rows = table.of(name, seed) if table is not None else []
    own = next((row for row in rows if row.runtime != ONNX_RUNTIME), None)
    onnx = next((row for row in rows if row.runtime == ONNX_RUNTIME), None)
    values = {column: getattr(own, column, None) for column in OWN_COLUMNS}
    values.update({column: getattr(onnx, column.removeprefix("onnx_"), None) for column in ONNX_COLUMNS})
    return values


def cost_section(run_dir: str | Path, analysis: RunAnalysis) -> dict[str, Any] | None:
    """The report's cost section: the measurement's settings, table rows (text), the figure; None without cost.json.

    Raises
    ------
    ValueError
        If ``cost.json`` is corrupt (naming the file and the field).
    """
    table = read_cost(run_dir)
    if table is None:
        return None
    points = {}
    for result in analysis.results:
        own = csv_values(table, result.name, result.record.seed)
        if result.class_names == analysis.run_classes and own["latency_median_seconds"] and result.accuracy_mean is not None:
            points[result.name] = (1000 * own["latency_median_seconds"], result.accuracy_mean)
    names = list(points)
    optimal = pareto_optimal([points[name][0] for name in names], [points[name][1] for name in names])
    frontier = [name for name, on_front in zip(names, optimal) if on_front]
    figure = cost_benefit_figure(points, frontier, "batch-1 latency per face", "ms") if points else None
    return {"calls": table.calls, "batch": table.batch, "threads": table.threads, "machine": table.machine,
            "rows": [_text_row(row) for row in table.rows], "figure": figure, "frontier": frontier}


def _text_row(row: CostRow) -> dict[str, str]:
    def milliseconds(seconds: float | None) -> str:
        return MISSING if seconds is None else f"{1000 * seconds:.3g}"

    return {"label": row.name if row.seed is None else f"{row.name} (seed {row.seed})", "runtime": row.runtime,
            "parameters": format_number(row.parameters), "macs": format_number(row.macs_per_face),
            "mib": format_number(row.model_mib), "median_ms": milliseconds(row.latency_median_seconds),
            "p95_ms": milliseconds(row.latency_p95_seconds),
            "throughput": format_number(row.throughput_images_per_second), "note": row.note or ""}
