"""FER+ labels: Microsoft's ``fer2013new.csv`` votes turned into eight-class labels.

FER+ (Barsoum et al., 2016, "Training Deep Networks for Facial Expression
Recognition with Crowd-Sourced Label Distribution") had ten annotators tag every
FER-2013 face. ``fer2013new.csv`` holds one row per row of ``fer2013.csv``, in
the same order, with the columns ``Usage, Image name, neutral, happiness,
surprise, sadness, anger, disgust, fear, contempt, unknown, NF``: the number of
votes for each expression, for "unknown" and for "not a face" (NF).

A face's label comes from its votes in a mode: ``majority``, the published
protocol as Microsoft's reference code derives it (:mod:`.ferplus_modes`); the
reference's ``probability`` and ``crossentropy``, whose Training faces carry their vote
distribution as targets; and ``plurality``, fer_bench's earlier rule: the plurality vote when that maximum is
unique over all ten vote columns; a face is then dropped when its most-voted column
is ``unknown`` or ``NF``, when two or more columns share the maximum (a tie: no
tie-break by column order, which would favour the first classes), or when it has
no votes at all.

Matching a row count and the Usage column does not prove that the rows line up:
both files are sorted by split. So the FER+ label of every face is also
compared with its FER-2013 label (FER+'s seven shared classes mapped onto
FER-2013's, contempt left out), and the file is refused when they agree no
better than chance, by Cohen's kappa (Cohen, 1960) below :data:`MIN_KAPPA`.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
from pathlib import Path

import numpy as np

from ..labels import FER2013_CLASSES, FERPLUS_CLASSES, FERPLUS_NON_EXPRESSIONS, FERPLUS_TO_FER2013, class_index
from ._dataset import DataError, FERDataset, file_sha256
from .csv_files import read_csv_file
from .ferplus_modes import DISTRIBUTION_MODES, check_label_mode, mode_targets

VOTE_COLUMNS: tuple[str, ...] = (*(name.lower() for name in FERPLUS_CLASSES), *FERPLUS_NON_EXPRESSIONS)
"""The vote columns of ``fer2013new.csv``, in the file's order."""
REQUIRED_COLUMNS: tuple[str, ...] = ("Usage", *VOTE_COLUMNS)
"""Columns that must be present (``Image name`` is not used)."""
DROP_REASONS: tuple[str, ...] = ("unknown", "not a face", "tie", "no votes")
"""Why a face gets no FER+ label, as counted by :func:`ferplus_labels`."""
MIN_KAPPA = 0.2
"""Least Cohen's kappa between FER+ and FER-2013 labels for the rows to count as the same faces.
FER+ relabelled FER-2013's faces and most keep their label, so a genuine pair
agrees far above chance; a file in another row order agrees by chance only
(measured: kappa 0.003 over 33,500 faces for the shipped fer2013new.csv against
a FER-2013 copy in another order, 18.4% agreement against 18.1% by chance).
0.2 is the upper end of "slight" agreement (Landis and Koch, 1977), and more
than four standard errors above 0 already at 100 faces."""
_FER2013_INDEX = np.array([-1 if FERPLUS_TO_FER2013[name] is None else class_index(FERPLUS_TO_FER2013[name])
                           for name in FERPLUS_CLASSES])


def read_ferplus_votes(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read the votes of a ``fer2013new.csv`` file (plain or gzip-compressed).

    Parameters
    ----------
    path : path

    Returns
    -------
    votes : ndarray of int64, shape (n, 10)
        Votes per row, columns in :data:`VOTE_COLUMNS` order.
    usage : ndarray of str, shape (n,)
        The ``Usage`` column.
    named : ndarray of bool, shape (n,)
        Whether the row has an ``Image name`` (FER+ removed the faces without one); all True
        when the file has no such column.

    Raises
    ------
    DataError
        If the file is missing or empty, lacks a column of
        :data:`REQUIRED_COLUMNS` (compared case-insensitively), has a row with
        another number of fields than the header, or a vote that is not a
        non-negative integer (naming the file, row, line and column).
    """
    path = Path(path)
    text = read_csv_file(path).data.decode("utf-8-sig", errors="replace")
    rows = csv.reader(io.StringIO(text, newline=None))  # universal line ends: CR alone ends a line too
    header = [name.strip() for name in next(rows)]
    lowered = [name.lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name.lower() not in lowered]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}: a FER+ fer2013new.csv has "
                        f"Usage, Image name, {', '.join(VOTE_COLUMNS)}; found {', '.join(header)}")
    usage_at = lowered.index("usage")
    name_at = lowered.index("image name") if "image name" in lowered else None
    vote_at = [lowered.index(name.lower()) for name in VOTE_COLUMNS]
    votes, usage, named = [], [], []
    for row in rows:
        if not row:
            continue
        row_number, line = len(votes) + 1, rows.line_num
        if len(row) != len(header):
            raise DataError(f"{path}: row {row_number} (line {line}): expected {len(header)} fields "
                            f"({', '.join(header)}), found {len(row)}")
        votes.append(parse_votes([row[j] for j in vote_at], f"{path}: row {row_number} (line {line})"))
        usage.append(row[usage_at].strip())
        named.append(name_at is None or bool(row[name_at].strip()))
    if not votes:
        raise DataError(f"{path}: no data rows after the header")
    return np.array(votes, dtype=np.int64), np.array(usage), np.array(named, dtype=bool)


def parse_votes(fields: list[str], where: str) -> list[int]:
    """The vote counts of one row (fields in :data:`VOTE_COLUMNS` order).

    Raises
    ------
    DataError
        If a field is not a non-negative integer (naming ``where`` and the column).
    """
    fields = [field.strip() for field in fields]
    for name, field in zip(VOTE_COLUMNS, fields):
        if not (field.isascii() and field.isdigit()):
            raise DataError(f"{where}: the {name} votes must be a non-negative integer, found {field!r}")
    return [int(field) for field in fields]


def ferplus_labels(votes: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
    """Plurality labels of FER+ votes (see the module docstring for the rule).

    Parameters
    ----------
    votes : ndarray of int, shape (n, 10)
        Columns in :data:`VOTE_COLUMNS` order.

    Returns
    -------
    labels : ndarray of int64, shape (n,)
        Index into :data:`~fer_bench.labels.FERPLUS_CLASSES`, or -1 for a dropped face.
    dropped : dict of str to int
        Dropped faces per reason of :data:`DROP_REASONS` (each face counted once:
        a tie counts as a tie even when ``unknown`` or ``NF`` takes part in it).
    """
    votes = np.asarray(votes, dtype=np.int64)
    top = votes.max(axis=1)
    winner = votes.argmax(axis=1)
    no_votes = top == 0
    tie = ~no_votes & ((votes == top[:, None]).sum(axis=1) > 1)
    n_classes = len(FERPLUS_CLASSES)
    decided = ~no_votes & ~tie
    unknown = decided & (winner == n_classes)
    not_face = decided & (winner == n_classes + 1)
    labels = np.where(decided & (winner < n_classes), winner, -1).astype(np.int64)
    dropped = dict(zip(DROP_REASONS, (int(mask.sum()) for mask in (unknown, not_face, tie, no_votes))))
    return labels, dropped


def label_votes(votes: np.ndarray, named: np.ndarray, usage: np.ndarray,
                mode: str) -> tuple[np.ndarray, np.ndarray | None, dict[str, int]]:
    """Labels of FER+ votes in ``mode`` (:data:`.ferplus_modes.LABEL_MODES`), with Training's target distributions.

    Under ``probability`` and ``crossentropy`` Training faces are kept and targeted by that mode and the
    other splits by ``majority``, as the reference's readers do (:mod:`.ferplus_modes`).

    Parameters
    ----------
    votes : ndarray of int, shape (n, 10)
        In :data:`VOTE_COLUMNS` order.
    named : ndarray of bool, shape (n,)
        Whether the row has an image name (rows without one are dropped, except under ``plurality``).
    usage : ndarray of str, shape (n,)
        Each row's split.
    mode : str

    Returns
    -------
    labels : ndarray of int64, shape (n,)
        Index into :data:`~fer_bench.labels.FERPLUS_CLASSES` (the top class), -1 for a dropped face.
    targets : ndarray of float32, shape (n, 8), or None
        Under ``probability`` and ``crossentropy``: Training's vote distributions and the other splits'
        one-hot majority labels (zeros where dropped); None in the other modes.
    dropped : dict of str to int
        Faces dropped per reason, over all splits.

    Raises
    ------
    ValueError
        If ``mode`` is not one of :data:`.ferplus_modes.LABEL_MODES`.
    """
    check_label_mode(mode)
    if mode == "plurality":
        labels, dropped = ferplus_labels(votes)
        return labels, None, dropped
    if mode not in DISTRIBUTION_MODES:
        labels, _, dropped = mode_targets(votes, named, mode)
        return labels, None, dropped
    labels, targets = np.full(len(votes), -1, dtype=np.int64), np.zeros((len(votes), len(FERPLUS_CLASSES)))
    dropped: dict[str, int] = {}
    for rows, rows_mode in ((usage == "Training", mode), (usage != "Training", "majority")):
        labels[rows], targets[rows], counts = mode_targets(votes[rows], named[rows], rows_mode)
        dropped = {reason: dropped.get(reason, 0) + count for reason, count in counts.items()}
    return labels, targets.astype(np.float32), dropped


def apply_ferplus_labels(dataset: FERDataset, path: str | Path,
                         mode: str = "majority") -> tuple[FERDataset, dict[str, int]]:
    """Relabel FER-2013 faces with FER+'s eight classes, dropping faces without a FER+ label.

    ``mode`` is ``majority`` (the default, what papers report: Barsoum et al. 2016's
    protocol, :mod:`.ferplus_modes`), the reference's ``probability`` or ``crossentropy``
    (Training faces then carry their vote distributions as ``targets``), or ``plurality``
    (:func:`ferplus_labels`); see :func:`label_votes`.

    Parameters
    ----------
    dataset : FERDataset
        FER-2013 in its CSV row order: read from ``fer2013.csv``,
        ``icml_face_data.csv`` or the challenge's ``train.csv`` + ``test.csv``.
    path : path
        Microsoft's ``fer2013new.csv``.

    Returns
    -------
    dataset : FERDataset
        The kept faces in their order, ``labels`` indices into
        :data:`~fer_bench.labels.FERPLUS_CLASSES`, ``class_names`` those eight
        names, ``targets`` and ``target_mode`` set under ``probability`` and ``crossentropy``; ``sha256`` is the sha256 of the faces' digest and the label
        file's, joined by a newline.
    dropped : dict of str to int
        Faces dropped per reason (:data:`DROP_REASONS` for ``plurality``, else
        :data:`.ferplus_modes.MODE_DROP_REASONS`).

    Raises
    ------
    DataError
        If the label file is invalid (see :func:`read_ferplus_votes`), the data
        set is an image folder (its files have no FER-2013 row order) or is
        synthetic, its number of faces differs from the file's rows, or a row's
        ``Usage`` differs from the face's split (naming the first such row),
        or the FER+ labels agree with the FER-2013 labels no better than
        chance (see :func:`check_rows_line_up`).
    ValueError
        If ``mode`` is not one of :data:`.ferplus_modes.LABEL_MODES`.
    """
    check_label_mode(mode)
    path = Path(path)
    if dataset.synthetic or Path(dataset.source).is_dir():
        kind = "the synthetic data set" if dataset.synthetic else f"the image folder {dataset.source}"
        raise DataError(f"{path}: FER+ labels follow fer2013.csv's row order; {kind} has no such order "
                        f"(give --data fer2013.csv, icml_face_data.csv or train.csv + test.csv)")
    votes, usage, named = read_ferplus_votes(path)
    if len(votes) != len(dataset):
        raise DataError(f"{path}: has {len(votes):,} rows but {dataset.source} has {len(dataset):,} faces; "
                        f"fer2013new.csv must have one row per row of fer2013.csv")
    mismatch = np.flatnonzero(usage != dataset.usage)
    if len(mismatch):
        row = int(mismatch[0])
        raise DataError(f"{path}: row {row + 1}: Usage {str(usage[row])!r} but face {row + 1} of {dataset.source} is "
                        f"{dataset.usage[row]}; the files are not in the same row order")
    labels, targets, dropped = label_votes(votes, named, usage, mode)
    check_rows_line_up(labels, dataset, path)
    keep = labels >= 0
    mode_key = "" if mode == "plurality" else f"\n{mode}"  # plurality's digest as before modes
    digest = hashlib.sha256(f"{dataset.sha256}\n{file_sha256(path)}{mode_key}".encode()).hexdigest()
    relabelled = dataclasses.replace(dataset, images=dataset.images[keep], labels=labels[keep],
                                     usage=dataset.usage[keep], class_names=FERPLUS_CLASSES,
                                     ids=None if dataset.ids is None else dataset.ids[keep],
                                     source=f"{dataset.source} + FER+ labels {path} ({mode})", sha256=digest,
                                     targets=None if targets is None else targets[keep],
                                     target_mode=mode if targets is not None else "",
                                     relabelling=relabelling(path, mode, int(keep.sum()), dropped, dataset.source))
    return relabelled, dropped


def relabelling(path: str | Path, mode: str, kept: int, dropped: dict[str, int], faces: str | None = None) -> dict:
    """What :attr:`~._dataset.FERDataset.relabelling` records of FER+ labels: ``labels`` (what the report names),
    ``mode``, ``kept``, ``dropped``, and what ``run --resume`` reads again: ``data`` (the faces' file, or the FER+
    folders at ``path`` when ``faces`` is None) and ``votes_file`` (``path``, the fer2013new.csv beside a file;
    None for folders, which hold their votes)."""
    return {"labels": f"FER+ {Path(path)}", "mode": mode, "kept": kept, "dropped": dict(dropped),
            "data": str(faces if faces is not None else path), "votes_file": None if faces is None else str(path)}


def check_rows_line_up(labels: np.ndarray, dataset: FERDataset, path: str | Path) -> None:
    """Check that FER+ labels belong to a FER-2013 data set's faces, row by row.

    Parameters
    ----------
    labels : ndarray of int64, shape (n,)
        FER+ labels of :func:`ferplus_labels` (-1 for a dropped face), row ``i``
        for face ``i`` of ``dataset``.
    dataset : FERDataset
        FER-2013 faces with FER-2013 labels (-1 where unlabelled).
    path : path
        The label file, for the message.

    Raises
    ------
    DataError
        If Cohen's kappa between the FER+ labels mapped onto FER-2013's classes
        and the FER-2013 labels is below :data:`MIN_KAPPA`, over the faces
        both label (contempt and dropped faces left out), with the agreement
        found and the agreement expected by chance.
    """
    from sklearn.metrics import cohen_kappa_score

    mapped = np.where(labels >= 0, _FER2013_INDEX[np.maximum(labels, 0)], -1)
    both = (mapped >= 0) & (dataset.labels >= 0)
    if not both.any():
        return
    ferplus, fer2013 = mapped[both], dataset.labels[both]
    kappa = cohen_kappa_score(ferplus, fer2013) if len(np.union1d(ferplus, fer2013)) > 1 else 1.0
    if kappa >= MIN_KAPPA:
        return
    n_classes = len(FER2013_CLASSES)
    chance = float(np.dot(np.bincount(ferplus, minlength=n_classes), np.bincount(fer2013, minlength=n_classes))
                   / len(ferplus) ** 2)
    raise DataError(f"{path}: its rows do not line up with the faces of {dataset.source}: the FER+ label agrees with "
                    f"the FER-2013 label on {np.mean(ferplus == fer2013):.1%} of {len(ferplus):,} faces, "
                    f"{chance:.1%} expected by chance (Cohen's kappa {kappa:.3f}, below {MIN_KAPPA}); "
                    "fer2013new.csv must follow the original fer2013.csv row order")
