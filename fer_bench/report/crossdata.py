"""The cross-data-set matrix on a page: the run report's section (``run --also-test``) and ``crossdata.html``
(``fer_bench crossdata RUN_DIR ...``); the numbers are :mod:`fer_bench.analysis.crossdata`'s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..analysis.crossdata import CrossCell, CrossMatrix, SourceRun, cross_matrix
from ..results import RunManifest
from .budget import run_budget
from .templating import write_page

CROSSDATA_HTML = "crossdata.html"


def crossdata_section(run_dir: Path, manifest: RunManifest) -> dict[str, Any] | None:
    """The run report's matrix: its own PrivateTest and each ``--also-test`` target; None for a run without them."""
    if not manifest.cross_targets:
        return None
    return crossdata_context(cross_matrix([run_dir]))


def write_crossdata_page(matrix: CrossMatrix, out: str | Path) -> Path:
    """Write the matrix of several runs to ``out`` (atomically, self-contained); return its path."""
    rows = ", ".join(row.name for row in matrix.rows)
    return write_page(out, "crossdata.html.j2", title=f"Across data sets: models trained on {rows}",
                      synthetic=any(data.synthetic for data in matrix.columns), crossdata=crossdata_context(matrix),
                      provenance={f"run {run.run_dir}": run_text(run) for run in matrix.runs})


def crossdata_context(matrix: CrossMatrix) -> dict[str, Any]:
    """What the ``_crossdata.html.j2`` templates show: per estimator the matrix and the recall per class, the
    targets and the runs."""
    tables = []
    for estimator in matrix.estimators:
        rows, recall_rows, classes = [], [], []
        for row in matrix.rows:
            cells = []
            for column in matrix.columns:
                cell = matrix.cell(estimator, row, column)
                why = matrix.unscored.get(estimator, {}).get(row.sha256, {}).get(column.sha256, [])
                cells.append({"cell": cell, "notes": cell_notes(cell, column.name) if cell else why})
                if cell is not None:
                    recall_rows.append({"pair": f"{row.name} → {column.name}", "recall": cell.recall})
                    classes.extend(name for name in cell.recall if name not in classes)
            rows.append({"name": row.name, "cells": cells})
        tables.append({"estimator": estimator, "rows": rows, "recall_rows": recall_rows, "classes": classes})
    return {"tables": tables, "columns": [column.name for column in matrix.columns],
            "targets": [{"name": next(column.name for column in matrix.columns if column.sha256 == target.sha256),
                         "target": target} for target in matrix.targets],
            "confidence": matrix.confidence, "n_resamples": matrix.n_resamples, "bootstrap_seed": matrix.bootstrap_seed}


def cell_notes(cell: CrossCell, column: str) -> list[str]:
    """The lines a cell says besides its numbers: models, faces, crop, classes left out or absent, failures."""
    notes = [f"{cell.models} model{'s' * (cell.models != 1)}, {cell.n:,} faces"
             + (" (own PrivateTest)" if cell.own else "")]
    if cell.detector:
        notes.append(f"cropped by {cell.detector}; no face found in {cell.no_face:,} images (scored whole)")
    elif not cell.own:
        notes.append("48x48 faces, no detector")
    if cell.left_out:
        notes.append("left out, classes the model lacks: " + ", ".join(f"{name} ({count:,} faces)"
                                                                       for name, count in cell.left_out.items()))
    if cell.absent:
        notes.append(f"the model's {', '.join(cell.absent)}: no face in {column} (each such prediction is wrong; "
                     f"macro-F1 of the classes present {100 * cell.macro_f1_present:.1f}%)")
    notes.extend(f"not scored: {failure}" for failure in cell.failed)
    return notes


def run_text(run: SourceRun) -> str:
    """What produced a row: its data and sha256, profile, budget, seeds (or folds), machine and command."""
    manifest = run.manifest
    environment = manifest.environment
    budget = run_budget(manifest) or (f"the profile's; 1 seed ({manifest.seed}); machine: "
                                      f"{environment.get('cpu') or 'unknown CPU'}, {environment.get('cpu_cores')} cores")
    folds = f"; its models: the {run.fold_split}-level fold runs" if run.fold_split else ""
    profile = manifest.profile.name if manifest.profile else "not recorded"
    return (f"trained on {run.data.source} (sha256 {run.data.sha256}); profile {profile}; budget {budget}{folds}; "
            f"command {manifest.command or 'not recorded'}")
