"""Subject-independent cross-validation folds of a face folder.

Consecutive frames of one CK+ sequence are nearly the same picture, so a
picture-level split puts the same person, often the same face, on both sides
and overstates accuracy. :func:`make_folds` splits **by subject** with
scikit-learn's ``StratifiedGroupKFold`` (every subject in one test fold, class
proportions kept as far as the subjects allow), or, for comparison, by
picture with ``StratifiedKFold``; with ``n_folds="loso"`` it leaves one subject
out per fold (JAFFE's usual protocol), and the picture-level side then makes as
many folds as there are subjects. :func:`validation_rows` takes a
subject-disjoint validation part out of a training fold for model selection
(it plays PublicTest; the test fold plays PrivateTest and is never looked at
before scoring).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path, PurePosixPath

import numpy as np

from ._dataset import DataError
from .face_table import read_face_table

CK_PLUS_SUBJECT_PATTERN = r"S(\d+)_\d+_\d+"
"""CK+'s file names, ``S<subject>_<sequence>_<frame>.png``: the subject is group 1."""
SPLIT_KINDS: tuple[str, ...] = ("subject", "random")
"""``subject``: folds by subject (StratifiedGroupKFold); ``random``: by picture (StratifiedKFold)."""
LOSO = "loso"
"""``n_folds`` (``--folds loso``) of leave-one-subject-out: one fold per subject."""
VALIDATION_FRACTION = 0.2
"""Share of a training fold (by subject) set aside for model selection."""


def subjects_from_pattern(files: np.ndarray, pattern: str, root: str | Path = "") -> np.ndarray:
    """The subject of each file from its name: the regex's first group, else its whole match.

    Parameters
    ----------
    files : ndarray of str, shape (n,)
        Relative paths; the pattern is searched in the file name (without folders).
    pattern : str
        A regular expression, e.g. :data:`CK_PLUS_SUBJECT_PATTERN`.

    Returns
    -------
    ndarray of str, shape (n,)

    Raises
    ------
    DataError
        Naming the first file whose name the pattern does not match (and how many do not).
    ValueError
        If ``pattern`` is not a valid regular expression.
    """
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise ValueError(f"--subject-pattern {pattern!r}: not a regular expression ({error})") from error
    subjects, unmatched = [], []
    for file in files:
        match = compiled.search(PurePosixPath(str(file)).name)
        if match is None:
            unmatched.append(str(file))
            continue
        subjects.append(match.group(1) if compiled.groups else match.group(0))
    if unmatched:
        raise DataError(f"{Path(root) / unmatched[0]}: file name does not match --subject-pattern {pattern!r} "
                        f"({len(unmatched):,} of {len(files):,} files do not); give another pattern or --subjects FILE.csv")
    return np.array(subjects)


def subjects_from_csv(path: str | Path, files: np.ndarray) -> np.ndarray:
    """The subject of each file from a CSV with columns ``file,subject``.

    ``file`` is a path relative to the data folder or a bare file name (when unique).

    Raises
    ------
    DataError
        If the file lacks the columns, names a file twice, or misses files (naming them).
    """
    return read_face_table(path, "subject", files=files)


def make_folds(labels: np.ndarray, subjects: np.ndarray, n_folds: int | str, seed: int = 0, kind: str = "subject",
               class_names: tuple[str, ...] = (), source: str = "") -> list[np.ndarray]:
    """Test rows of each of ``n_folds`` folds, stratified by class.

    Parameters
    ----------
    labels : ndarray of int64, shape (n,)
    subjects : ndarray of str, shape (n,)
    n_folds : int or "loso"
        At least 2; :data:`LOSO`: one fold per subject (``subject``), or as many picture-level folds as
        there are subjects (``random``).
    seed : int
        Shuffles the folds (the same seed gives the same folds); leave-one-subject-out folds are in sorted
        subject order.
    kind : {"subject", "random"}
        ``subject``: ``StratifiedGroupKFold`` (subject-disjoint); ``random``: ``StratifiedKFold``.

    Returns
    -------
    list of ndarray of int64
        Sorted test rows per fold; together they cover every row once.

    Raises
    ------
    ValueError
        If ``kind`` or ``n_folds`` is invalid.
    DataError
        If a class has fewer faces (or, by subject, the data fewer subjects) than folds.
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    if kind not in SPLIT_KINDS:
        raise ValueError(f"--split {kind!r}: expected one of {', '.join(SPLIT_KINDS)}")
    if n_folds == LOSO:
        names = np.unique(subjects)
        if len(names) < 2:
            raise DataError(f"{source}: {len(names)} subject; --folds {LOSO} needs at least 2")
        if kind == "subject":
            return [np.flatnonzero(subjects == name).astype(np.int64) for name in names]
        n_folds = len(names)
    if not isinstance(n_folds, (int, np.integer)):
        raise ValueError(f"--folds {n_folds!r}: expected a number of folds or {LOSO}")
    if n_folds < 2:
        raise ValueError(f"--folds {n_folds}: expected at least 2")
    counts = np.bincount(labels, minlength=len(class_names))
    for index, count in enumerate(counts):
        if count < n_folds:
            name = class_names[index] if index < len(class_names) else str(index)
            raise DataError(f"{Path(source) / name}: {count} images, but --folds {n_folds} needs at least "
                            f"{n_folds} per class")
    n_subjects = len(np.unique(subjects))
    if kind == "subject" and n_subjects < n_folds:
        raise DataError(f"{source}: {n_subjects} subjects, but --folds {n_folds} needs at least {n_folds}")
    splitter = (StratifiedGroupKFold(n_folds, shuffle=True, random_state=seed) if kind == "subject"
                else StratifiedKFold(n_folds, shuffle=True, random_state=seed))
    rows = np.zeros(len(labels))
    grouping = subjects if kind == "subject" else None
    return [np.sort(test).astype(np.int64) for _, test in splitter.split(rows, labels, grouping)]


def validation_rows(train_rows: np.ndarray, labels: np.ndarray, subjects: np.ndarray, seed: int = 0,
                    kind: str = "subject", fraction: float = VALIDATION_FRACTION) -> np.ndarray:
    """A stratified part of a training fold for model selection, subject-disjoint from the rest when ``kind="subject"``.

    Returns
    -------
    ndarray of int64
        Sorted rows (a subset of ``train_rows``), about ``fraction`` of them;
        a larger share where the fold has fewer than ``1 / fraction`` subjects
        or faces in its largest class; empty when it has one.
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    fold_labels, fold_subjects = labels[train_rows], subjects[train_rows]
    # Fewer subjects, or faces in the largest class, than parts: fewer, larger parts (sklearn needs that many).
    parts = min(max(2, round(1 / fraction)), np.bincount(fold_labels).max(initial=0))
    if kind == "subject":
        parts = min(parts, len(np.unique(fold_subjects)))
    if parts < 2:
        return np.empty(0, dtype=np.int64)
    splitter = (StratifiedGroupKFold(parts, shuffle=True, random_state=seed) if kind == "subject"
                else StratifiedKFold(parts, shuffle=True, random_state=seed))
    with warnings.catch_warnings():  # a class with fewer members than parts: sklearn warns, the split stands
        warnings.simplefilter("ignore", UserWarning)
        _, held = next(splitter.split(np.zeros(len(train_rows)), fold_labels,
                                      fold_subjects if kind == "subject" else None))
    return np.sort(train_rows[held]).astype(np.int64)


def check_subject_disjoint(folds: list[np.ndarray], subjects: np.ndarray, files: np.ndarray | None = None) -> None:
    """Raise if a subject has faces in two folds.

    Raises
    ------
    ValueError
        Naming the subject, its two folds and (with ``files``) a file of each.
    """
    seen: dict[str, tuple[int, int]] = {}
    for fold, rows in enumerate(folds, start=1):
        for row in rows:
            subject = str(subjects[row])
            first = seen.setdefault(subject, (fold, int(row)))
            if first[0] != fold:
                where = "" if files is None else f" ({files[first[1]]} and {files[row]})"
                raise ValueError(f"subject {subject} is in fold {first[0]} and fold {fold}{where}")


def fold_usage(n: int, test_rows: np.ndarray, validation: np.ndarray) -> np.ndarray:
    """FER-2013 split names per row for one fold: PrivateTest (test fold), PublicTest (validation), Training."""
    usage = np.full(n, "Training", dtype=object)
    usage[validation] = "PublicTest"
    usage[test_rows] = "PrivateTest"
    return usage.astype(str)
