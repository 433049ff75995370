"""K-fold (or leave-one-subject-out) cross-validation of estimators on a face folder, by subject (and, for
comparison, by picture).

Each fold is an ordinary run (:func:`fer_bench.runner.benchmark.run_benchmark`) in
``RUN_DIR/folds/<split>-<fold>/``: the test fold plays PrivateTest (scored
whole: the profile's PrivateTest size is lifted), a stratified, subject-disjoint
validation part of the other folds plays PublicTest (model selection and early
stopping), the rest is Training (the profile's Training subset and budgets
apply as on FER-2013). Every fold's data is audited, so the test faces with an
exact or near copy in that fold's Training part, that is in another fold, are
counted. Each fold's records carry ``RunRecord.fold``.

``RUN_DIR/crossval.json`` (its ``scheme``: ``k-fold`` or ``leave-one-subject-out``, each fold's
``test_subject`` then) gathers, per estimator and split kind, the
per-fold accuracy and macro-F1, their mean and sample standard deviation over
folds, the metrics and confusion matrix of the pooled test-fold predictions
(every face scored once) and, with groups, the per-group metrics of the pooled
predictions (:func:`fer_bench.analysis.groups.group_metrics`);
``RUN_DIR/crossval.html`` shows them, the subject-level and picture-level
splits side by side.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .._io import atomic_write_json, json_safe
from ..datasets import FERDataset
from ..datasets.audit.compute import label_conflict_groups
from ..datasets.class_folder import FolderFaces
from ..datasets.folds import LOSO, check_subject_disjoint, fold_usage, make_folds, validation_rows
from ..labels import SPLITS
from ..analysis.metrics import classification_metrics
from ..analysis.groups import DEFAULT_MIN_GROUP_SIZE, group_metrics
from ..profiles import Profile
from ..results import CROSSVAL_JSON, ResultsStore
from .benchmark import run_benchmark

FOLDS_DIR = "folds"


def fold_dataset(faces: FolderFaces, subjects: np.ndarray, test_rows: np.ndarray, kind: str, fold: int,
                 n_folds: int, seed: int) -> tuple[FERDataset, np.ndarray]:
    """One fold's faces as a :class:`FERDataset` (Training, PublicTest = validation, PrivateTest = test fold).

    Returns
    -------
    (dataset, rows)
        ``rows``: the folder row of each face of ``dataset`` (its ``ids`` are
        the relative file paths); PrivateTest faces come last, in ``test_rows`` order.
    """
    train_rows = np.setdiff1d(np.arange(len(faces.labels)), test_rows)
    validation = validation_rows(train_rows, faces.labels, subjects, seed + fold, kind)
    training = np.setdiff1d(train_rows, validation)
    rows = np.concatenate([training, validation, test_rows])
    usage = fold_usage(len(faces.labels), test_rows, validation)[rows]
    digest = hashlib.sha256(f"{faces.sha256}\0{kind}\0{fold}/{n_folds}\0{seed}\0".encode())
    digest.update(rows.astype(np.int64).tobytes())
    dataset = FERDataset(images=faces.images[rows], labels=faces.labels[rows], usage=usage,
                         class_names=faces.class_names, source=f"{faces.source} ({kind} fold {fold} of {n_folds})",
                         sha256=digest.hexdigest(), ids=faces.files[rows])
    return dataset, rows


def _tag_fold(fold_dir: Path, fold: dict[str, Any]) -> None:
    """Write the fold into the fold run's manifest and every one of its records."""
    store = ResultsStore(fold_dir)
    manifest, records = store.load()
    manifest.fold = fold
    for record in records:
        record.fold = dict(fold)
    store.save(manifest, records)


def run_cross_validation(names: Iterable[str], faces: FolderFaces, subjects: np.ndarray, profile: Profile,
                         run_dir: str | Path, n_folds: int | str, kinds: Iterable[str] = ("subject",), seed: int = 0,
                         groups: np.ndarray | None = None, min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
                         subject_source: str = "", command: str | None = None, **run_options: Any) -> dict[str, Any]:
    """Run every estimator on every fold of every split kind; write and return ``crossval.json``.

    Parameters
    ----------
    names : iterable of str
        Registered estimators.
    faces : FolderFaces
    subjects : ndarray of str, shape (n,)
        Each face's subject.
    profile : Profile
        Budgets and subset sizes; PrivateTest (the test fold) is kept whole.
    run_dir : path
    n_folds : int or "loso"
        Folds per split kind; ``"loso"``: one per subject, and as many picture-level folds for ``random``
        (:func:`~fer_bench.datasets.folds.make_folds`).
    kinds : iterable of {"subject", "random"}
        Split kinds run on the same faces with the same seed.
    seed : int
        Seeds the folds, the validation parts and every fold run.
    groups : ndarray of str, shape (n,), optional
        Each face's subgroup, for per-group metrics of the pooled predictions.
    min_group_size : int
    subject_source : str
        Where the subjects came from (the pattern or the CSV), recorded.
    command : str, optional
    **run_options
        Passed to :func:`~fer_bench.runner.benchmark.run_benchmark` (``save_models``, ``progress``, ``backend``, ...).

    Returns
    -------
    dict
        The content of ``crossval.json`` (see the module docstring).

    Raises
    ------
    DataError
        If a class has too few faces, or the data too few subjects, for the folds.
    ValueError
        If a subject-level split put one subject in two folds (a bug, checked every time).
    """
    names, kinds, run_dir = list(dict.fromkeys(names)), list(dict.fromkeys(kinds)), Path(run_dir)
    fold_profile = dataclasses.replace(profile, data={**profile.data, "PrivateTest": 0})
    plans = {}
    for kind in kinds:  # every split is checked before anything trains
        folds = make_folds(faces.labels, subjects, n_folds, seed, kind, faces.class_names, faces.source)
        if kind == "subject":
            check_subject_disjoint(folds, subjects, faces.files)
        plans[kind] = folds
    count = len(next(iter(plans.values())))  # the folds of every kind: loso makes as many as there are subjects
    summary_folds: dict[str, list[dict[str, Any]]] = {}
    for kind, folds in plans.items():
        summary_folds[kind] = []
        for fold, test_rows in enumerate(folds, start=1):
            dataset, rows = fold_dataset(faces, subjects, test_rows, kind, fold, count, seed)
            fold_dir = run_dir / FOLDS_DIR / f"{kind}-{fold:02d}"
            run_benchmark(names, dataset, fold_profile, fold_dir, seed=seed, seeds=1, command=command, **run_options)
            info = {"index": fold, "of": count, "split": kind}
            _tag_fold(fold_dir, info)
            manifest, _ = ResultsStore(fold_dir).load()
            audit, counts = manifest.audit or {}, manifest.data.counts
            test_subjects = np.unique(subjects[test_rows])
            summary_folds[kind].append({
                **info, "dir": fold_dir.relative_to(run_dir).as_posix(),
                "faces": {split: sum(counts.get(split, {}).values()) for split in SPLITS},
                "test_subjects": int(len(test_subjects)),
                "test_subject": str(test_subjects[0]) if n_folds == LOSO and kind == "subject" else None,
                "test_rows": test_rows.tolist(),
                "copies_in_training": {key: audit.get(f"scored_private_{key}") for key in ("exact", "near_only")},
            })
    summary = {
        "n_folds": count, "scheme": "leave-one-subject-out" if n_folds == LOSO else "k-fold",
        "seed": seed, "kinds": kinds, "estimators": names, "command": command,
        "layout": faces.layout,
        "profile": profile.name, "subjects": {"source": subject_source, "count": int(len(np.unique(subjects)))},
        "data": {"source": faces.source, "key": faces.sha256, "class_names": list(faces.class_names),
                 "counts": faces.class_counts(), "excluded": faces.excluded, "no_face": faces.no_face,
                 "files": len(faces.files), "label_conflicts": label_conflicts(faces)},
        "folds": summary_folds,
        "results": {name: {kind: _pooled(run_dir, summary_folds[kind], name, faces, groups, min_group_size, seed)
                           for kind in kinds} for name in names},
    }
    summary = json_safe(summary)
    atomic_write_json(run_dir / CROSSVAL_JSON, summary)
    return summary


def label_conflicts(faces: FolderFaces) -> list[list[str]]:
    """The files of each group of identical images filed under different classes, as ``file (class)``."""
    return [[f"{faces.files[row]} ({faces.class_names[faces.labels[row]]})" for row in group]
            for group in label_conflict_groups(faces.images, faces.labels)]


def _pooled(run_dir: Path, folds: list[dict[str, Any]], name: str, faces: FolderFaces, groups: np.ndarray | None,
            min_group_size: int, seed: int) -> dict[str, Any]:
    """Per-fold and pooled metrics of one estimator over one split kind's folds."""
    per_fold, y_true, y_pred, rows = [], [], [], []
    for fold in folds:
        store = ResultsStore(run_dir / fold["dir"])
        _, records = store.load()
        record = next(record for record in records if record.name == name)
        entry = {"fold": fold["index"], "status": record.status, "error": record.error,
                 "accuracy": record.metrics.get("accuracy"), "macro_f1": record.metrics.get("macro_f1"),
                 "fit_seconds": record.fit_seconds}
        per_fold.append(entry)
        if record.status != "ok":
            continue
        if record.class_names:  # a class-subset model is scored on its classes only: not poolable with the rest
            entry["note"] = f"trained on the classes {', '.join(record.class_names)}: left out of the pooled scores"
            continue
        predictions = store.load_predictions(record)
        test_rows = np.asarray(fold["test_rows"])
        if not np.array_equal(predictions["y_true"], faces.labels[test_rows]):
            raise ValueError(f"{store.run_dir}: the stored PrivateTest labels are not the test fold's")
        y_true.append(predictions["y_true"])
        y_pred.append(predictions["y_pred"])
        rows.append(test_rows)
    accuracies = np.array([entry["accuracy"] for entry in per_fold if entry["status"] == "ok"], dtype=float)
    macro_f1 = np.array([entry["macro_f1"] for entry in per_fold if entry["status"] == "ok"], dtype=float)
    result: dict[str, Any] = {
        "folds": per_fold, "folds_ok": int(len(accuracies)),
        "accuracy_mean": float(accuracies.mean()) if len(accuracies) else None,
        "accuracy_sd": float(accuracies.std(ddof=1)) if len(accuracies) > 1 else None,
        "macro_f1_mean": float(macro_f1.mean()) if len(macro_f1) else None,
        "macro_f1_sd": float(macro_f1.std(ddof=1)) if len(macro_f1) > 1 else None,
        "pooled": None, "groups": None,
    }
    if y_true:
        y_true_all, y_pred_all, rows_all = np.concatenate(y_true), np.concatenate(y_pred), np.concatenate(rows)
        result["pooled"] = classification_metrics(y_true_all, y_pred_all, faces.class_names)
        if groups is not None:
            result["groups"] = group_metrics(y_true_all, y_pred_all, groups[rows_all], faces.class_names,
                                             min_group_size, seed=seed)
    return result


def summary_text(summary: dict[str, Any]) -> str:
    """Mean +- sd accuracy per estimator and split kind, one line each, for the terminal."""
    lines = []
    for name, by_kind in summary["results"].items():
        cells = []
        for kind, result in by_kind.items():
            mean, sd = result["accuracy_mean"], result["accuracy_sd"]
            figure = "FAILED" if mean is None else f"{mean:.2%}" + ("" if sd is None else f" +- {sd:.2%}")
            cells.append(f"{kind}-level {figure} ({result['folds_ok']}/{summary['n_folds']} folds)")
        lines.append(f"{name:<16} " + "   ".join(cells))
    return "\n".join(lines)
