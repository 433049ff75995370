"""The cross-data-set matrix: how models trained on one data set score on others, from run folders alone.

Rows are training data sets, one per run folder (a run of ``run --data``, or a
cross-validation run of ``run --data-folder``, whose fold models stand in for
seeds); columns are test data sets: each row's own PrivateTest (a
cross-validation run: its test folds, pooled) and every target of
``run --also-test``. Data sets are told apart by sha256, so a run trained on
JAFFE and another scored on it share the column. One matrix per estimator.

A cell gathers an estimator's models in the row's run (its seeds, or folds):
accuracy and macro-F1 are means over the models, the accuracy's percentile
interval comes from resamples of the column's faces shared by every model
(:mod:`.bootstrap`), recall per class is the models' mean, and the drop is the
cell's accuracy less the row's own PrivateTest accuracy. A target cell also says
whether a detector cropped the faces, how many images had no face found, the
faces of classes the model lacks (left out) and the model's classes the target
lacks (see :mod:`fer_bench.runner.cross_scoring`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .._io import read_json_object
from ..results import CROSSVAL_JSON, CrossTarget, ResultsStore, RunManifest, RunRecord
from .bootstrap import face_resamples, percentile_interval, resampled_accuracy
from .metrics import classification_metrics, macro_f1_present
from .run import BOOTSTRAP_SEED, CONFIDENCE, N_RESAMPLES

CROSSVAL_SPLIT = "subject"
"""The fold split kind a cross-validation run's row is made of, where it has it (else its first)."""


@dataclass(frozen=True)
class DataSet:
    """A row or column of the matrix: ``name`` (its short name), ``sha256``, ``source`` (its path)."""

    name: str
    sha256: str
    source: str
    synthetic: bool = False


@dataclass
class CrossCell:
    """One estimator trained on ``row``, scored on ``column``.

    Attributes
    ----------
    models : int
        Models scored (seeds, or a cross-validation run's folds).
    n : int
        Faces scored (per model; a cross-validation row's own cell: the test folds together).
    accuracy, macro_f1, macro_f1_present : float
        Means over the models (fractions); ``macro_f1_present`` over the classes with faces in the column.
    accuracy_ci : (float, float)
        :data:`~.run.CONFIDENCE` percentile bootstrap interval of the mean accuracy.
    recall : dict of str to float
        Mean recall per class that has faces in the column.
    drop : float or None
        ``accuracy`` less the row's own PrivateTest accuracy; None on the row's own column.
    own : bool
        The row's own PrivateTest (or test folds).
    detector : str or None
        The detector that cropped the column's faces; None where they were faces already.
    no_face, left_out, absent
        As :class:`fer_bench.results.CrossScore`.
    failed : list of str
        The models that could not be scored on the column, and why.
    """

    models: int
    n: int
    accuracy: float
    accuracy_ci: tuple[float, float]
    macro_f1: float
    macro_f1_present: float
    recall: dict[str, float]
    own: bool
    drop: float | None = None
    detector: str | None = None
    no_face: int = 0
    left_out: dict[str, int] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@dataclass
class SourceRun:
    """A run folder as a row: its data set, manifest (a cross-validation run's first fold run's), targets and
    each estimator's ok records with their stores (``fold_split``: the fold kind of a cross-validation run)."""

    run_dir: Path
    data: DataSet
    manifest: RunManifest
    targets: list[CrossTarget]
    models: dict[str, list[tuple[ResultsStore, RunRecord]]]
    fold_split: str | None = None


@dataclass
class CrossMatrix:
    """Every cell of the runs given: ``cells[estimator][row sha256][column sha256]``; ``unscored`` likewise holds
    why no model of a row's estimator could be scored on a column (no class in common, ...)."""

    runs: list[SourceRun]
    rows: list[DataSet]
    columns: list[DataSet]
    estimators: list[str]
    cells: dict[str, dict[str, dict[str, CrossCell]]]
    targets: list[CrossTarget]
    unscored: dict[str, dict[str, dict[str, list[str]]]] = field(default_factory=dict)
    confidence: float = CONFIDENCE
    n_resamples: int = N_RESAMPLES
    bootstrap_seed: int = BOOTSTRAP_SEED

    def cell(self, estimator: str, row: DataSet, column: DataSet) -> CrossCell | None:
        """The cell, or None where the row's run did not score the estimator on the column."""
        return self.cells.get(estimator, {}).get(row.sha256, {}).get(column.sha256)


def short_name(source: str) -> str:
    """A data set's short name from its path: the file or folder name up to its first dot."""
    name = Path(source.split(" (")[0]).name
    return name.split(".")[0] or name


def source_run(run_dir: str | Path) -> SourceRun:
    """A run folder (``results.json``, or a cross-validation run's ``crossval.json`` and fold runs) as a row.

    Raises
    ------
    FileNotFoundError
        If the folder holds neither.
    ValueError
        As :meth:`fer_bench.results.ResultsStore.load`, or a ``crossval.json`` that names no fold run.
    """
    run_dir = Path(run_dir)
    if (run_dir / CROSSVAL_JSON).is_file():
        summary = read_json_object(run_dir / CROSSVAL_JSON)
        try:
            kinds, data = list(summary["kinds"]), summary["data"]
            kind = CROSSVAL_SPLIT if CROSSVAL_SPLIT in kinds else kinds[0]
            folders = [run_dir / str(fold["dir"]) for fold in summary["folds"][kind]]
            dataset = DataSet(short_name(str(data["source"])), str(data["key"]), str(data["source"]))
        except (KeyError, IndexError, TypeError) as error:
            raise ValueError(f"{run_dir / CROSSVAL_JSON}: not a cross-validation summary "
                             f"({type(error).__name__}: {error})") from None
        outside = [folder for folder in folders if not folder.resolve().is_relative_to(run_dir.resolve())]
        if outside:
            raise ValueError(f"{run_dir / CROSSVAL_JSON}: fold run {outside[0]} is not inside the run folder {run_dir}")
        stores = [ResultsStore(folder) for folder in folders]
    else:
        stores, kind = [ResultsStore(run_dir)], None
    loaded = [(store, *store.load()) for store in stores]
    if not loaded:
        raise ValueError(f"{run_dir / CROSSVAL_JSON}: no fold run")
    manifest = loaded[0][1]
    if kind is None:
        data = manifest.data
        dataset = DataSet(short_name(data.source or run_dir.name), data.sha256 or "", data.source or "", data.synthetic)
    models: dict[str, list[tuple[ResultsStore, RunRecord]]] = {}
    for store, _, records in loaded:
        for record in records:
            if record.status == "ok" and record.predictions_file:
                models.setdefault(record.name, []).append((store, record))
    return SourceRun(run_dir, dataset, manifest, list(manifest.cross_targets), models, kind)


def cross_matrix(run_dirs: Sequence[str | Path]) -> CrossMatrix:
    """The matrix of the runs in ``run_dirs`` (see the module docstring).

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`source_run`; an estimator trained on one data set in two of the runs. A predictions file missing
        or corrupt leaves its model out of the cell, which names the file.
    """
    runs = [source_run(run_dir) for run_dir in run_dirs]
    columns: dict[str, DataSet] = {run.data.sha256: run.data for run in runs}
    targets: dict[str, CrossTarget] = {}
    for run in runs:
        for target in run.targets:
            targets.setdefault(target.sha256, target)
            columns.setdefault(target.sha256, DataSet(target.name, target.sha256, target.path, target.synthetic))
    columns = _distinct_names(columns)
    cells: dict[str, dict[str, dict[str, CrossCell]]] = {}
    unscored: dict[str, dict[str, dict[str, list[str]]]] = {}
    for run in runs:
        for estimator, models in run.models.items():
            by_row = cells.setdefault(estimator, {})
            if run.data.sha256 in by_row:
                raise ValueError(f"{run.run_dir}: {estimator} was trained on {run.data.name} (sha256 "
                                 f"{run.data.sha256[:12]}…) in another run given too; give one run per data set")
            by_row[run.data.sha256], unscored.setdefault(estimator, {})[run.data.sha256] = _row_cells(run, models)
    rows = [columns[run.data.sha256] for run in runs]
    estimators = [name for run in runs for name in run.models]
    return CrossMatrix(runs, list(dict.fromkeys(rows)), list(columns.values()), list(dict.fromkeys(estimators)),
                       cells, list(targets.values()), unscored)


def _distinct_names(columns: dict[str, DataSet]) -> dict[str, DataSet]:
    """Data sets of one name and different data named apart by the start of their sha256."""
    names = [data.name for data in columns.values()]
    return {sha256: data if names.count(data.name) == 1 else
            DataSet(f"{data.name} ({sha256[:8]})", sha256, data.source, data.synthetic)
            for sha256, data in columns.items()}


def _row_cells(run: SourceRun, models: list[tuple[ResultsStore, RunRecord]]
               ) -> tuple[dict[str, CrossCell], dict[str, list[str]]]:
    """An estimator's cells in one run, its own PrivateTest (test folds pooled) and each target, by column; and
    why its models could not be scored on the columns without a cell."""
    class_names = models[0][1].class_names or run.manifest.class_names
    failed: list[str] = []
    pairs = [pair for store, record in models
             if (pair := _pair(lambda: store.load_predictions(record), record, failed)) is not None]
    if not pairs:
        return {}, {run.data.sha256: failed}
    scored = len(pairs)
    if run.fold_split is not None:  # every face once, in the fold that tested it
        pairs = [tuple(np.concatenate(part) for part in zip(*pairs))]
    own = summarise(pairs, class_names, own=True)
    own.models, own.failed = scored, failed
    cells, unscored = {run.data.sha256: own}, {}
    for target in run.targets:
        pairs, failed, first = [], [], None
        for store, record in models:
            score = next((score for score in record.cross_scores if score.target_sha256 == target.sha256), None)
            if score is None or score.status != "ok":
                failed.append(f"{record.name} ({_model_label(record)}): {score.error if score else 'not scored on it'}")
                continue
            pair = _pair(lambda: store.load_cross_predictions(score.predictions_file), record, failed)
            if pair is not None:
                pairs.append(pair)
                first = first or score
        if not pairs:
            unscored[target.sha256] = failed
            continue
        cell = summarise(pairs, class_names, own=False)
        cell.drop = cell.accuracy - own.accuracy
        cell.detector, cell.no_face = first.detector, first.no_face
        cell.left_out, cell.absent, cell.failed = dict(first.left_out), list(first.absent), failed
        cells[target.sha256] = cell
    return cells, unscored


def _pair(read, record: RunRecord, failed: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """``y_true`` and ``y_pred`` of ``read()`` (a store's arrays); None, said in ``failed``, where the file is
    missing or corrupt."""
    try:
        arrays = read()
    except (FileNotFoundError, ValueError) as error:
        failed.append(f"{record.name} ({_model_label(record)}): {error}")
        return None
    return arrays["y_true"], arrays["y_pred"]


def _model_label(record: RunRecord) -> str:
    return f"fold {record.fold['index']}" if record.fold else f"seed {record.seed}"


def summarise(pairs: list[tuple[np.ndarray, np.ndarray]], class_names: Sequence[str], own: bool) -> CrossCell:
    """A cell of models' ``(y_true, y_pred)`` (int (n,), ``class_names``' labels) on the same faces.

    Models scored on different faces are pooled as one.

    Raises
    ------
    ValueError
        If a label is outside ``class_names``.
    """
    if any(not np.array_equal(y_true, pairs[0][0]) for y_true, _ in pairs):
        pairs = [tuple(np.concatenate(part) for part in zip(*pairs))]
    y_true = np.asarray(pairs[0][0], dtype=np.int64)
    with warnings.catch_warnings():  # a class the faces lack is a possible prediction across data sets
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true", UserWarning)
        metrics = [classification_metrics(y_true, y_pred, list(class_names)) for _, y_pred in pairs]
    counts = face_resamples(len(y_true), N_RESAMPLES, BOOTSTRAP_SEED)
    stacked = np.stack([np.asarray(y_pred, dtype=np.int64) for _, y_pred in pairs])
    resampled = resampled_accuracy(y_true, stacked, counts).mean(axis=0)
    present = [name for name, row in metrics[0]["per_class"].items() if row["support"] > 0]
    return CrossCell(
        models=len(pairs), n=len(y_true), accuracy=_mean(metrics, "accuracy"),
        accuracy_ci=percentile_interval(resampled, CONFIDENCE), macro_f1=_mean(metrics, "macro_f1"),
        macro_f1_present=float(np.mean([macro_f1_present(entry) for entry in metrics])),
        recall={name: float(np.mean([m["per_class"][name]["recall"] for m in metrics])) for name in present}, own=own)


def _mean(metrics: list[dict[str, Any]], key: str) -> float:
    return float(np.mean([entry[key] for entry in metrics]))


def matrix_text(matrix: CrossMatrix) -> str:
    """The matrix for the terminal: per estimator, a line per training data set, ``accuracy [interval]`` per column."""
    lines = []
    width = max(len(data.name) for data in matrix.columns) + 2
    for estimator in matrix.estimators:
        lines.append(f"{estimator}: accuracy [{matrix.confidence:.0%} interval], rows trained on, columns tested on")
        lines.append(" " * width + "".join(f"{data.name:>24}" for data in matrix.columns))
        for row in matrix.rows:
            texts = []
            for column in matrix.columns:
                cell = matrix.cell(estimator, row, column)
                texts.append("—" if cell is None else
                             f"{cell.accuracy:.1%} [{cell.accuracy_ci[0]:.1%}, {cell.accuracy_ci[1]:.1%}]")
            lines.append(f"{row.name:<{width}}" + "".join(f"{text:>24}" for text in texts))
    return "\n".join(lines)
