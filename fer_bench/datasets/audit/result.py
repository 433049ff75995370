"""The result type of a data audit, :class:`DataAudit`, and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .text import format_audit

HASH_SIZE = 8
HASH_METHOD = f"imagehash.phash(hash_size={HASH_SIZE})"
SCHEMA_VERSION = 1


@dataclass
class DataAudit:
    """What :func:`audit_dataset` found in one data set.

    Row indices are positions in the audited :class:`FERDataset`.

    Attributes
    ----------
    sha256 : str
        ``dataset.sha256`` of the audited data set.
    source : str
        ``dataset.source``.
    n_faces : int
        Faces in the data set.
    near_threshold : int
        Largest Hamming distance (bits of 64) counted as a near duplicate.
    blank_std : float
        Faces with a pixel standard deviation below this are blank.
    exact_groups : list of ndarray of int64
        Every group of two or more pixel-identical faces, rows ascending,
        groups ordered by their first row.
    conflict_groups : list of ndarray of int64
        The exact groups whose labelled faces carry more than one label.
    near_pairs : ndarray of int64, shape (k, 3)
        ``(test row, Training row, Hamming distance)`` of each PublicTest or
        PrivateTest face and Training face within ``near_threshold`` that are
        not pixel-identical.
    blank_rows : ndarray of int64, shape (b,)
        Rows of blank faces.
    leak_rows : dict of str to dict of str to ndarray of int64
        Per test split, ``"exact"``: rows of its faces with a pixel-identical
        Training face; ``"near_only"``: rows of its faces with a near but no
        exact Training copy.
    counts : dict
        The counts per split and class that :meth:`format_text` prints
        (JSON types only).
    row_ids : dict of int to str
        ``dataset.ids`` of every row named in a finding; empty when the data
        set has no ids.
    hash_method : str
        The perceptual hash used.
    seconds : float
        Wall time of the audit.
    """

    sha256: str
    source: str
    n_faces: int
    near_threshold: int
    blank_std: float
    exact_groups: list[np.ndarray]
    conflict_groups: list[np.ndarray]
    near_pairs: np.ndarray
    blank_rows: np.ndarray
    leak_rows: dict[str, dict[str, np.ndarray]]
    counts: dict[str, Any]
    row_ids: dict[int, str]
    hash_method: str = HASH_METHOD
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The audit as JSON types: counts, thresholds, sha256 and every finding's rows."""
        return {
            "schema": SCHEMA_VERSION,
            "sha256": self.sha256,
            "source": self.source,
            "n_faces": self.n_faces,
            "hash_method": self.hash_method,
            "near_threshold": self.near_threshold,
            "blank_std": self.blank_std,
            "seconds": self.seconds,
            "counts": self.counts,
            "exact_groups": [group.tolist() for group in self.exact_groups],
            "conflict_groups": [group.tolist() for group in self.conflict_groups],
            "near_pairs": self.near_pairs.tolist(),
            "blank_rows": self.blank_rows.tolist(),
            "leak_rows": {split: {kind: rows.tolist() for kind, rows in kinds.items()}
                          for split, kinds in self.leak_rows.items()},
            "row_ids": {str(row): row_id for row, row_id in self.row_ids.items()},
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "DataAudit":
        """Rebuild an audit from :meth:`to_dict`'s output.

        Raises
        ------
        ValueError
            If ``raw`` was written by another schema version or lacks a field.
        """
        if raw.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"audit schema {raw.get('schema')!r} is not {SCHEMA_VERSION}")
        try:
            return cls(
                sha256=raw["sha256"],
                source=raw["source"],
                n_faces=int(raw["n_faces"]),
                near_threshold=int(raw["near_threshold"]),
                blank_std=float(raw["blank_std"]),
                exact_groups=[_rows(group) for group in raw["exact_groups"]],
                conflict_groups=[_rows(group) for group in raw["conflict_groups"]],
                near_pairs=np.asarray(raw["near_pairs"], dtype=np.int64).reshape(-1, 3),
                blank_rows=_rows(raw["blank_rows"]),
                leak_rows={split: {kind: _rows(rows) for kind, rows in kinds.items()}
                           for split, kinds in raw["leak_rows"].items()},
                counts=raw["counts"],
                row_ids={int(row): row_id for row, row_id in raw["row_ids"].items()},
                hash_method=raw["hash_method"],
                seconds=float(raw["seconds"]),
            )
        except KeyError as missing:
            raise ValueError(f"audit lacks the field {missing}") from None

    def format_text(self) -> str:
        """A few lines summarising the counts, and a per-class table, for a terminal or a log."""
        return format_audit(self)


def _rows(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(-1)
