"""Render ``RUN_DIR/report.html`` from the results store alone.

The report is one self-contained file (inline CSS, figures as PNG data URIs,
no scripts, no external resources) that opens offline and prints. It is a
function of the run directory only: rendering twice gives the same file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jinja2

from ..labels import FER2013_CLASSES
from ..metrics import bootstrap_ci, holm, mcnemar_exact, report_averages
from ..results import ResultsStore, RunRecord, atomic_write_bytes
from .figures import confusion_figure, learning_curve_figure

REPORT_FILE = "report.html"
TEMPLATE = "report.html.j2"
CONFIDENCE = 0.95
N_RESAMPLES = 1000
MANIFEST_ORDER: tuple[str, ...] = ("run_id", "created", "command", "seed", "wall_seconds", "data", "profile",
                                   "class_names", "estimators", "environment")
MISSING = "—"


def render_report(run_dir: str | Path) -> Path:
    """Write ``RUN_DIR/report.html`` (atomically) from ``RUN_DIR/results.json`` and the stored predictions.

    Parameters
    ----------
    run_dir : path
        A run directory written by :func:`fer_bench.runner.run_benchmark`.

    Returns
    -------
    Path
        The report's path.

    Raises
    ------
    FileNotFoundError
        If the directory holds no ``results.json``.
    ValueError
        If ``results.json`` is not a fer_bench results file.
    """
    store = ResultsStore(run_dir)
    manifest, records = store.load()
    html = _environment().get_template(TEMPLATE).render(**_context(store, manifest, records))
    path = store.run_dir / REPORT_FILE
    atomic_write_bytes(path, html.encode("utf-8"))
    return path


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(loader=jinja2.PackageLoader("fer_bench.report", "templates"), autoescape=True,
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(percent=_percent, number=_number, fraction=_fraction)
    return environment


def _percent(value: float | None, digits: int = 2) -> str:
    return MISSING if value is None else f"{100 * value:.{digits}f}%"


def _fraction(value: float | None) -> str:
    return MISSING if value is None else f"{value:.2f}"


def _number(value: float | int | None) -> str:
    """Seconds, images/s, MiB: two decimals below 10, one below 1000, thousands separators above."""
    if value is None:
        return MISSING
    if isinstance(value, int):
        return f"{value:,}"
    magnitude = abs(value)
    return f"{value:.2f}" if magnitude < 10 else f"{value:.1f}" if magnitude < 1000 else f"{value:,.0f}"


def _text(value: Any) -> str:
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"  # manifest values (learning rates, decays) keep their precision
    return str(value)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _tree(value: Any) -> dict[str, Any]:
    """A manifest value as a node for the template's ``tree`` macro.

    A dict of flat dicts becomes a table (with a Total column when every cell is
    an int, as for the per-split class counts); other dicts a definition list;
    a list of scalars one line.
    """
    if isinstance(value, dict) and value and all(isinstance(inner, dict) and inner and all(map(_is_scalar, inner.values()))
                                                 for inner in value.values()):
        columns = list(dict.fromkeys(key for inner in value.values() for key in inner))
        cells = [[inner.get(column) for column in columns] for inner in value.values()]
        counts = all(isinstance(cell, int) and not isinstance(cell, bool) for row in cells for cell in row)
        rows = [(str(key), [_text(cell) for cell in row] + ([_number(sum(row))] if counts else []))
                for key, row in zip(value, cells)]
        return {"kind": "table", "columns": [str(column) for column in columns] + (["Total"] if counts else []),
                "rows": rows}
    if isinstance(value, dict):
        return {"kind": "map", "items": [(str(key), _tree(item)) for key, item in value.items()]}
    if isinstance(value, list) and all(map(_is_scalar, value)):
        return {"kind": "text", "value": ", ".join(map(_text, value)) or MISSING}
    if isinstance(value, list):
        return {"kind": "list", "items": [_tree(item) for item in value]}
    return {"kind": "text", "value": _text(value)}


def _manifest_tree(manifest: dict[str, Any]) -> dict[str, Any]:
    ordered = {key: manifest[key] for key in MANIFEST_ORDER if key in manifest}
    ordered.update((key, value) for key, value in manifest.items() if key not in ordered)
    return _tree(ordered)


def _anchor(index: int, name: str) -> str:
    return f"estimator-{index}-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "x")


def _params(params: dict[str, Any]) -> list[str]:
    """``key=value`` strings, values as compact JSON (strings quoted)."""
    return [f"{key}={json.dumps(value, separators=(',', ':'), sort_keys=True)}" for key, value in params.items()]


def _classification_rows(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    per_class = metrics.get("per_class") or {}
    if not per_class:
        return []
    rows = [{"label": name, **row, "summary": False, "divider": False} for name, row in per_class.items()]
    averages = report_averages(per_class).items()
    rows += [{"label": label, **row, "summary": True, "divider": index == 0} for index, (label, row) in enumerate(averages)]
    return rows


def _predictions(store: ResultsStore, record: RunRecord) -> dict[str, Any] | None:
    if not record.predictions_file or not (store.run_dir / record.predictions_file).is_file():
        return None
    return store.load_predictions(record)


def _significance(leader: dict[str, Any], others: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Exact McNemar tests of the leader against every other estimator scored on the same faces, Holm-adjusted."""
    y_true, leader_pred = leader["predictions"]["y_true"], leader["predictions"]["y_pred"]
    rows = []
    for entry in others:
        predictions = entry["predictions"]
        if predictions is None or predictions["y_true"].shape != y_true.shape or (predictions["y_true"] != y_true).any():
            continue
        rows.append({"entry": entry, **mcnemar_exact(y_true, leader_pred, predictions["y_pred"])})
    for row, adjusted in zip(rows, holm([row["p_value"] for row in rows])):
        row["p_holm"] = float(adjusted)
    return rows


def _accuracy(record: RunRecord) -> float:
    accuracy = record.metrics.get("accuracy")
    return -1.0 if accuracy is None else accuracy


def _class_names(manifest: dict[str, Any], metrics: dict[str, Any], k: int) -> list[str]:
    """The first of the manifest's, the metrics' and FER-2013's class names that has ``k`` names."""
    for candidate in (manifest.get("class_names"), list(metrics.get("per_class") or ()), FER2013_CLASSES):
        if candidate and len(candidate) == k:
            return [str(name) for name in candidate]
    return [str(index) for index in range(k)]


def _profile(manifest: dict[str, Any]) -> tuple[str, str]:
    profile = manifest.get("profile")
    if isinstance(profile, dict):
        return str(profile.get("name") or "unknown"), str(profile.get("description") or "")
    return (str(profile) if profile else "unknown"), ""


def _context(store: ResultsStore, manifest: dict[str, Any], records: list[RunRecord]) -> dict[str, Any]:
    data = manifest.get("data") or {}
    profile_name, profile_description = _profile(manifest)
    ok = sorted((record for record in records if record.status == "ok"), key=_accuracy, reverse=True)
    entries = []
    for rank, record in enumerate(ok, start=1):
        metrics = record.metrics
        matrix = metrics.get("confusion_matrix")
        class_names = _class_names(manifest, metrics, len(matrix or ()))
        predictions = _predictions(store, record)
        ci = (bootstrap_ci(predictions["y_true"], predictions["y_pred"], "accuracy", N_RESAMPLES, CONFIDENCE)
              if predictions is not None else None)
        entries.append({
            "rank": rank, "record": record, "anchor": _anchor(rank, record.name), "predictions": predictions, "ci": ci,
            "params": _params(record.params), "classification": _classification_rows(metrics),
            "class_names": class_names, "matrix": matrix,
            "confusion": confusion_figure(matrix, class_names, record.name) if matrix else None,
            "learning": learning_curve_figure(record.history, record.name) if record.history else None,
        })
    scored = [entry for entry in entries if entry["predictions"] is not None]
    significance = _significance(scored[0], scored[1:]) if len(scored) > 1 else []
    return {
        "run_id": str(manifest.get("run_id") or store.run_dir.name),
        "created": manifest.get("created"),
        "synthetic": bool(data.get("synthetic")),
        "data_source": data.get("source"),
        "data_sha256": data.get("sha256"),
        "profile_name": profile_name,
        "profile_description": profile_description,
        "entries": entries,
        "unfinished": [record for record in records if record.status != "ok"],
        "significance": significance,
        "leader": scored[0] if significance else None,
        "n_test": next((entry["record"].metrics.get("n") for entry in entries if entry["record"].metrics.get("n")), None),
        "confidence": CONFIDENCE,
        "n_resamples": N_RESAMPLES,
        "manifest": _manifest_tree(manifest),
    }
