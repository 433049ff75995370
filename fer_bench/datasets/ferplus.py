"""FER+ labels: Microsoft's ``fer2013new.csv`` votes turned into eight-class labels.

FER+ (Barsoum et al., 2016, "Training Deep Networks for Facial Expression
Recognition with Crowd-Sourced Label Distribution") had ten annotators tag every
FER-2013 face. ``fer2013new.csv`` holds one row per row of ``fer2013.csv``, in
the same order, with the columns ``Usage, Image name, neutral, happiness,
surprise, sadness, anger, disgust, fear, contempt, unknown, NF``: the number of
votes for each expression, for "unknown" and for "not a face" (NF).

The label of a face is its plurality vote when that maximum is unique over
all ten vote columns. A face is dropped when its most-voted column is
``unknown`` or ``NF``, when two or more columns share the maximum (a tie: no
tie-break by column order, which would favour the first classes), or when it has
no votes at all. Other tools break ties by column order or ask for a strict
majority; this choice keeps every label an outright winner.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
from pathlib import Path

import numpy as np

from ..labels import FERPLUS_CLASSES, FERPLUS_NON_EXPRESSIONS
from ._dataset import DataError, FERDataset, file_sha256
from .csv_formats import read_csv_bytes

VOTE_COLUMNS: tuple[str, ...] = (*(name.lower() for name in FERPLUS_CLASSES), *FERPLUS_NON_EXPRESSIONS)
"""The vote columns of ``fer2013new.csv``, in the file's order."""
REQUIRED_COLUMNS: tuple[str, ...] = ("Usage", *VOTE_COLUMNS)
"""Columns that must be present (``Image name`` is not used)."""
DROP_REASONS: tuple[str, ...] = ("unknown", "not a face", "tie", "no votes")
"""Why a face gets no FER+ label, as counted by :func:`ferplus_labels`."""


def read_ferplus_votes(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
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

    Raises
    ------
    DataError
        If the file is missing or empty, lacks a column of
        :data:`REQUIRED_COLUMNS` (compared case-insensitively), has a row with
        another number of fields than the header, or a vote that is not a
        non-negative integer (naming the file, row, line and column).
    """
    path = Path(path)
    text = read_csv_bytes(path).decode("utf-8-sig", errors="replace")
    rows = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(rows)]
    lowered = [name.lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name.lower() not in lowered]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}: a FER+ fer2013new.csv has "
                        f"Usage, Image name, {', '.join(VOTE_COLUMNS)}; found {', '.join(header)}")
    usage_at = lowered.index("usage")
    vote_at = [lowered.index(name.lower()) for name in VOTE_COLUMNS]
    votes, usage = [], []
    for row in rows:
        if not row:
            continue
        row_number, line = len(votes) + 1, rows.line_num
        if len(row) != len(header):
            raise DataError(f"{path}: row {row_number} (line {line}): expected {len(header)} fields "
                            f"({', '.join(header)}), found {len(row)}")
        fields = [row[j].strip() for j in vote_at]
        for name, field in zip(VOTE_COLUMNS, fields):
            if not (field.isascii() and field.isdigit()):
                raise DataError(f"{path}: row {row_number} (line {line}): the {name} votes must be a "
                                f"non-negative integer, found {field!r}")
        votes.append([int(field) for field in fields])
        usage.append(row[usage_at].strip())
    if not votes:
        raise DataError(f"{path}: no data rows after the header")
    return np.array(votes, dtype=np.int64), np.array(usage)


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


def apply_ferplus_labels(dataset: FERDataset, path: str | Path) -> tuple[FERDataset, dict[str, int]]:
    """Relabel FER-2013 faces with FER+'s eight classes, dropping faces without a FER+ label.

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
        names; ``sha256`` is the sha256 of the faces' digest and the label
        file's, joined by a newline.
    dropped : dict of str to int
        Faces dropped per reason (see :func:`ferplus_labels`).

    Raises
    ------
    DataError
        If the label file is invalid (see :func:`read_ferplus_votes`), the data
        set is an image folder (its files have no FER-2013 row order) or is
        synthetic, its number of faces differs from the file's rows, or a row's
        ``Usage`` differs from the face's split (naming the first such row).
    """
    path = Path(path)
    if dataset.synthetic or Path(dataset.source).is_dir():
        kind = "the synthetic data set" if dataset.synthetic else f"the image folder {dataset.source}"
        raise DataError(f"{path}: FER+ labels follow fer2013.csv's row order; {kind} has no such order "
                        f"(give --data fer2013.csv, icml_face_data.csv or train.csv + test.csv)")
    votes, usage = read_ferplus_votes(path)
    if len(votes) != len(dataset):
        raise DataError(f"{path}: has {len(votes):,} rows but {dataset.source} has {len(dataset):,} faces; "
                        f"fer2013new.csv must have one row per row of fer2013.csv")
    mismatch = np.flatnonzero(usage != dataset.usage)
    if len(mismatch):
        row = int(mismatch[0])
        raise DataError(f"{path}: row {row + 1}: Usage {str(usage[row])!r} but face {row + 1} of {dataset.source} is "
                        f"{dataset.usage[row]}; the files are not in the same row order")
    labels, dropped = ferplus_labels(votes)
    keep = labels >= 0
    digest = hashlib.sha256(f"{dataset.sha256}\n{file_sha256(path)}".encode()).hexdigest()
    relabelled = dataclasses.replace(dataset, images=dataset.images[keep], labels=labels[keep],
                                     usage=dataset.usage[keep], class_names=FERPLUS_CLASSES,
                                     source=f"{dataset.source} + FER+ labels {path}", sha256=digest)
    return relabelled, dropped
