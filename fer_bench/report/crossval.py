"""``RUN_DIR/crossval.html``: a cross-validation run's page, from ``RUN_DIR/crossval.json`` alone.

Test-fold accuracy per estimator (mean and sample sd over folds, pooled),
subject-level and picture-level folds side by side with the difference, the
per-fold table with the copies the data audit found across folds, the pooled
confusion matrices and the per-group tables (see :mod:`fer_bench.runner.crossval`). With ``--also-test``, the
matrix of the fold models on the other data sets too (:mod:`.crossdata`), read from the fold runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..analysis.groups import difference_line
from ..results import CROSSVAL_JSON
from ..analysis.crossdata import cross_matrix, source_run
from .crossdata import crossdata_context
from .figures import confusion_overview_figure
from .templating import write_page

CROSSVAL_HTML = "crossval.html"


def _rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, by_kind in summary["results"].items():
        cells = [{"mean": result["accuracy_mean"], "sd": result["accuracy_sd"], "macro_f1": result["macro_f1_mean"],
                  "pooled": (result["pooled"] or {}).get("accuracy"),
                  "failed": summary["n_folds"] - result["folds_ok"]} for result in by_kind.values()]
        subject, random = by_kind.get("subject", {}).get("accuracy_mean"), by_kind.get("random", {}).get("accuracy_mean")
        rows.append({"name": name, "cells": cells,
                     "overstatement": None if subject is None or random is None else random - subject})
    return rows


def write_crossval_page(run_dir: str | Path) -> Path:
    """Render ``RUN_DIR/crossval.html`` (atomically) from ``RUN_DIR/crossval.json``; return its path.

    Raises
    ------
    FileNotFoundError
        If the run directory holds no ``crossval.json``.
    """
    run_dir = Path(run_dir)
    path = run_dir / CROSSVAL_JSON
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no crossval.json; is {run_dir} a cross-validation run directory?")
    summary = json.loads(path.read_text())
    class_names = summary["data"]["class_names"]
    confusion = {}
    for kind in summary["kinds"]:
        matrices = {name: by_kind[kind]["pooled"]["confusion_matrix"] for name, by_kind in summary["results"].items()
                    if by_kind[kind]["pooled"]}
        if matrices:
            confusion[kind] = confusion_overview_figure(matrices, class_names, scope=f"{kind}-level test folds")
    groups = [{"name": name, "kind": kind, "result": result["groups"], "difference_line": difference_line(result["groups"])}
              for name, by_kind in summary["results"].items() for kind, result in by_kind.items() if result["groups"]]
    kinds = " and ".join(f"by {kind}" if kind == "subject" else "by picture" for kind in summary["kinds"])
    scheme = ("leave-one-subject-out" if summary.get("scheme") == "leave-one-subject-out"
              else f"{summary['n_folds']}-fold")
    return write_page(run_dir / CROSSVAL_HTML, "crossval.html.j2",
                      title=f"{scheme} cross-validation {kinds} on {summary['data']['source']}",
                      synthetic=False, summary=summary, rows=_rows(summary), both=len(summary["kinds"]) > 1,
                      confusion=confusion, groups=groups, crossdata=_crossdata(run_dir),
                      provenance={"data": summary["data"]["source"], "data key (listing sha256)": summary["data"]["key"],
                                  "command": summary["command"] or "—",
                                  "fold runs": ", ".join(fold["dir"] for kind in summary["kinds"]
                                                         for fold in summary["folds"][kind])})


def _crossdata(run_dir: Path) -> dict[str, Any] | None:
    """The matrix of the fold models on the other data sets (``run --data-folder --also-test``), read from the fold
    runs; None without targets, or where the fold runs are gone."""
    try:
        if not source_run(run_dir).targets:
            return None
    except FileNotFoundError:
        return None
    return crossdata_context(cross_matrix([run_dir]))
