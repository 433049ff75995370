"""The one in-memory form every FER source becomes."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..labels import FER2013_CLASSES, SPLITS
from .known_files import identify_faces


class DataError(ValueError):
    """Input data that cannot be read as FER data; the message names the file,
    the row or folder, and what was expected."""


@dataclass(frozen=True)
class FERDataset:
    """Faces, labels and split of a FER data set.

    Attributes
    ----------
    images : ndarray of uint8, shape (n, 48, 48)
        Grayscale faces, row-major.
    labels : ndarray of int64, shape (n,)
        Indices into ``class_names``; -1 where the source has no label
        (``test.csv``).
    usage : ndarray of str, shape (n,)
        One of ``Training``, ``PublicTest``, ``PrivateTest`` per face.
    class_names : tuple of str
        Names of the classes, index = label.
    source : str
        Where the data came from: a path, or ``"synthetic"``.
    sha256 : str
        Hex digest of the source file (or of the generated arrays).
    synthetic : bool
        True for the embedded synthetic default, never for real data.
    ids : ndarray or None
        Per-face identifiers of the source (file names of an image folder); None where it has none.
    targets : ndarray of float32, shape (n, len(class_names)), or None
        Per-face target distributions over ``class_names`` (rows sum to 1) where Training is
        labelled with vote distributions (FER+ ``probability`` and ``crossentropy`` modes,
        :mod:`.ferplus_modes`); ``labels`` then hold each face's top class. None otherwise.
    target_mode : str
        How networks use ``targets``: ``crossentropy`` or ``probability``; empty without them.
    relabelling : dict
        How the labels were derived where they are not the source's own (FER+ votes:
        ``labels`` the vote file, ``mode``, ``kept`` faces and ``dropped`` faces per reason; another data set's
        labels mapped onto FER-2013's, :func:`~.own_partition.partition_dataset`: no ``mode``); empty otherwise.
    """

    images: np.ndarray
    labels: np.ndarray
    usage: np.ndarray
    class_names: tuple[str, ...] = FER2013_CLASSES
    source: str = ""
    sha256: str = ""
    synthetic: bool = False
    ids: np.ndarray | None = field(default=None, compare=False)
    targets: np.ndarray | None = field(default=None, compare=False)
    target_mode: str = ""
    relabelling: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        n = len(self.images)
        if self.images.dtype != np.uint8 or self.images.shape[1:] != (48, 48):
            raise DataError(f"{self.source}: images must be uint8 (n, 48, 48), got {self.images.dtype} {self.images.shape}")
        if self.labels.shape != (n,) or self.usage.shape != (n,):
            raise DataError(f"{self.source}: labels and usage must have shape ({n},)")
        if self.targets is not None and self.targets.shape != (n, len(self.class_names)):
            raise DataError(f"{self.source}: targets must have shape ({n}, {len(self.class_names)}), "
                            f"got {self.targets.shape}")
        if self.ids is not None and len(self.ids) != n:
            raise DataError(f"{self.source}: ids must have one entry per face ({n}), got {len(self.ids)}")

    def __len__(self) -> int:
        return len(self.images)

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(images, labels)`` of one split.

        Raises
        ------
        KeyError
            If ``name`` is not a FER-2013 split name.
        """
        if name not in SPLITS:
            raise KeyError(f"unknown split {name!r}; expected one of {', '.join(SPLITS)}")
        mask = self.usage == name
        return self.images[mask], self.labels[mask]

    def split_targets(self, name: str) -> np.ndarray | None:
        """The target distributions of one split's faces (see ``targets``), or None without them."""
        return None if self.targets is None else self.targets[self.usage == name]

    def select(self, rows: np.ndarray) -> "FERDataset":
        """The faces at ``rows``, with this data set's classes, source and sha256.

        Parameters
        ----------
        rows : ndarray of bool, shape (n,), or ndarray of int
            A mask over the faces, or their indices (kept in the given order).

        Returns
        -------
        FERDataset

        Raises
        ------
        DataError
            If a boolean mask does not have one entry per face.
        """
        rows = np.asarray(rows)
        if rows.dtype == bool and rows.shape != (len(self),):
            raise DataError(f"{self.source}: a selection mask needs shape ({len(self)},), got {rows.shape}")
        return dataclasses.replace(self, images=self.images[rows], labels=self.labels[rows], usage=self.usage[rows],
                                   ids=None if self.ids is None else self.ids[rows],
                                   targets=None if self.targets is None else self.targets[rows])

    def counts(self) -> dict[str, dict[str, int]]:
        """Faces per split and class: ``{split: {class_name: count}}`` (unlabelled faces under ``"unlabelled"``)."""
        table: dict[str, dict[str, int]] = {}
        for split in SPLITS:
            labels = self.labels[self.usage == split]
            if len(labels) == 0:
                continue
            row = {name: int(np.sum(labels == i)) for i, name in enumerate(self.class_names)}
            if np.any(labels < 0):
                row["unlabelled"] = int(np.sum(labels < 0))
            table[split] = row
        return table


def file_sha256(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def describe_dataset(dataset: FERDataset) -> str:
    """Plain-text summary: source, sha256, and faces per class and split with totals.

    Returns
    -------
    str
        Several lines, no trailing newline; a ``SYNTHETIC`` note for generated data, and for a
        file what it is (:func:`.known_files.identify_faces`).
    """
    counts = dataset.counts()
    splits = list(counts)
    rows = [f"{i} {name}" for i, name in enumerate(dataset.class_names)]
    keys = list(dataset.class_names)
    if any("unlabelled" in row for row in counts.values()):
        rows.append("unlabelled")
        keys.append("unlabelled")
    width = max(len(row) for row in rows + ["class", "total"])
    columns = [*splits, "total"]
    widths = [max(len(column), 7) for column in columns]

    def line(name: str, values: list) -> str:
        return "  ".join([name.ljust(width), *(f"{value:>{w},}" if isinstance(value, int) else f"{value:>{w}}"
                                                for value, w in zip(values, widths))])

    identity = identify_faces(dataset)
    lines = [f"source:  {dataset.source}" + ("  (SYNTHETIC, not real faces)" if dataset.synthetic else ""),
             f"sha256:  {dataset.sha256}"]
    if identity is not None:
        lines.append(f"file:    {identity['name']} (content md5 {identity['md5']})")
    lines += [f"faces:   {len(dataset):,}", "", line("class", columns)]
    for row, key in zip(rows, keys):
        values = [counts[split].get(key, 0) for split in splits]
        lines.append(line(row, [*values, sum(values)]))
    totals = [sum(counts[split].values()) for split in splits]
    lines.append(line("total", [*totals, sum(totals)]))
    return "\n".join(lines)
