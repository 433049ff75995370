"""Duplicates, train/test leakage and broken faces in a FER data set.

FER-2013 is not clean: hundreds of PublicTest and PrivateTest faces are copies
of Training faces (pixel-identical, or re-encoded, re-cropped or re-lit
copies of the same photo), Training holds groups of identical faces, some with
different labels, and a few faces are blank. :func:`audit_dataset` finds them:

- exact duplicates: identical pixel bytes, grouped over the whole data set;
- near duplicates: a PublicTest or PrivateTest face and a Training face whose
  64-bit perceptual hashes (``imagehash.phash``, ``hash_size=8``) differ in at
  most ``near_threshold`` bits, exact copies excluded (they are counted as
  exact) and blank faces left out (their hash is noise);
- blank faces: pixel standard deviation below ``blank_std``;
- label conflicts: exact-duplicate groups whose faces carry different labels.

The default threshold of 4 bits was chosen on the real FER-2013: about 1% of
the test/Training pairs it flags are different photos, against about 6% of the
pairs at distance 6 and about half of those at 8 (``phash`` thresholds the
64 DCT coefficients at their median, so two hashes almost always differ in an
even number of bits).

:func:`test_leak_mask`, :func:`training_leak_mask` and :func:`blank_mask` turn
an audit into masks for evaluating without the leaked faces or training
without them; :func:`cached_audit` keeps audits on disk by the data set's
sha256.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import imagehash
import numpy as np
from PIL import Image

from ..labels import SPLITS
from .._io import atomic_write_bytes
from ._dataset import FERDataset

TRAINING = "Training"
TEST_SPLITS: tuple[str, ...] = ("PublicTest", "PrivateTest")
HASH_SIZE = 8
HASH_METHOD = f"imagehash.phash(hash_size={HASH_SIZE})"
DEFAULT_NEAR_THRESHOLD = 4
DEFAULT_BLANK_STD = 2.0
HISTOGRAM_MAX_DISTANCE = 8
"""Near-pair counts are reported per Hamming distance 0..max(this, threshold)."""
CACHE_ENV_VAR = "FER_BENCH_CACHE_DIR"
"""fer_bench's cache root; audits go to its ``audit/`` folder (default ``~/.cache/fer_bench``)."""
SCHEMA_VERSION = 1
_CHUNK_BYTES = 1 << 26  # bound on the XOR block of one Hamming-distance chunk


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
        """A few lines summarising the counts, for a terminal or a log."""
        c = self.counts
        faces = ", ".join(f"{split} {n:,}" for split, n in c["faces"].items())
        exact = c["exact"]
        lines = [
            f"Audit of {self.n_faces:,} faces ({faces}), sha256 {self.sha256[:12] or '-'}",
            f"Exact duplicates: {exact['groups']:,} groups of {exact['faces']:,} identical faces, "
            f"{exact['conflict_groups']:,} groups with different labels ({exact['conflict_faces']:,} faces)",
        ]
        for split, within in exact["within"].items():
            lines.append(f"  within {split}: {within['faces']:,} faces in {within['groups']:,} groups, "
                         f"{within['conflict_groups']:,} groups with different labels")
        for name, across in exact["across"].items():
            lines.append(f"  {name}: {across['faces']:,} faces ({across['same_label']:,} with the same label)")
        lines.append(f"Near duplicates of Training faces ({self.hash_method}, Hamming distance "
                     f"<= {self.near_threshold} of 64 bits, exact copies excluded):")
        for split, leak in c["leak"].items():
            histogram = " ".join(f"{d}:{n}" for d, n in enumerate(leak["near_histogram"]))
            lines.append(f"  {split}: {leak['near_pairs']:,} pairs, {leak['near_faces']:,} faces, "
                         f"{leak['near_only']:,} without an exact copy; pairs by distance {histogram}")
        for split, leak in c["leak"].items():
            per_class = ", ".join(f"{name} {n['exact'] + n['near_only']}" for name, n in leak["per_class"].items())
            lines.append(f"Leaked {split} faces (exact or near copy in Training): {leak['any']:,} of "
                         f"{c['faces'][split]:,} ({leak['exact']:,} exact, {leak['near_only']:,} near only); "
                         f"per class: {per_class}")
        blank = c["blank"]
        per_split = ", ".join(f"{split} {n}" for split, n in blank["per_split"].items())
        lines.append(f"Blank faces (pixel std < {self.blank_std:g}): {blank['faces']:,} ({per_split})")
        return "\n".join([*lines, "", *self._class_table()])

    def _class_table(self) -> list[str]:
        """Per class: faces in identical groups within each split, leaked test faces (exact, near only), blank faces."""
        c = self.counts
        columns = {f"{split} in groups": {name: n for name, n in within["per_class"].items()}
                   for split, within in c["exact"]["within"].items()}
        for split, leak in c["leak"].items():
            for kind, label in (("exact", "exact"), ("near_only", "near")):
                columns[f"{split} {label}"] = {name: n[kind] for name, n in leak["per_class"].items()}
        columns["blank"] = c["blank"]["per_class"]
        classes = list(dict.fromkeys(name for column in columns.values() for name in column))
        width = max(len(name) for name in [*classes, "class", "total"])
        widths = [len(header) for header in columns]
        lines = ["Per class (in groups: faces with an identical face in the same split; exact/near: test faces "
                 "with a copy in Training):",
                 "  ".join(["class".ljust(width), *columns])]
        for name in [*classes, "total"]:
            values = [sum(column.values()) if name == "total" else column.get(name, 0) for column in columns.values()]
            lines.append("  ".join([name.ljust(width), *(f"{value:>{w},}" for value, w in zip(values, widths))]))
        return lines


def audit_dataset(dataset: FERDataset, near_threshold: int = DEFAULT_NEAR_THRESHOLD,
                  blank_std: float = DEFAULT_BLANK_STD) -> DataAudit:
    """Find exact and near duplicates, train/test leakage, blank faces and label conflicts.

    Parameters
    ----------
    dataset : FERDataset
        The faces to audit; ``usage`` names each face's split.
    near_threshold : int, default 4
        Largest Hamming distance, in bits of the 64-bit ``phash``, at which a
        test face and a Training face count as near duplicates.
    blank_std : float, default 2.0
        Faces whose pixel standard deviation is below this are blank.

    Returns
    -------
    DataAudit

    Raises
    ------
    ValueError
        If ``near_threshold`` is not in 0..64 or ``blank_std`` is negative.
    """
    if not 0 <= near_threshold <= 64 or int(near_threshold) != near_threshold:
        raise ValueError(f"near_threshold must be an integer in 0..64, got {near_threshold!r}")
    if not blank_std >= 0:
        raise ValueError(f"blank_std must be >= 0, got {blank_std!r}")
    near_threshold = int(near_threshold)
    start = time.perf_counter()
    usage = np.asarray(dataset.usage).astype(str)
    labels = np.asarray(dataset.labels, dtype=np.int64)

    inverse, groups = _exact_groups(dataset.images)
    conflict_groups = [group for group in groups if len(np.unique(labels[group][labels[group] >= 0])) > 1]
    blank = _pixel_std(dataset.images) < blank_std
    blank_rows = np.flatnonzero(blank)
    codes = _phash_codes(dataset.images)

    leak_rows: dict[str, dict[str, np.ndarray]] = {}
    near_pairs, histograms = [], {}
    train_rows = np.flatnonzero(usage == TRAINING)
    for split in TEST_SPLITS:
        test_rows = np.flatnonzero(usage == split)
        if len(test_rows) == 0 or len(train_rows) == 0:
            continue
        pairs, histograms[split] = _near_pairs(codes, inverse, test_rows[~blank[test_rows]],
                                               train_rows[~blank[train_rows]], near_threshold)
        near_pairs.append(pairs)
        exact = test_rows[np.isin(inverse[test_rows], inverse[train_rows])]
        leak_rows[split] = {"exact": exact, "near_only": np.setdiff1d(pairs[:, 0], exact)}
    pairs = np.concatenate(near_pairs) if near_pairs else np.empty((0, 3), dtype=np.int64)

    counts = _counts(dataset, usage, labels, inverse, groups, conflict_groups, pairs, blank_rows, leak_rows, histograms)
    named = set(np.concatenate([*groups, pairs[:, :2].ravel(), blank_rows]).tolist())
    row_ids = {} if dataset.ids is None else {row: str(dataset.ids[row]) for row in sorted(named)}
    return DataAudit(
        sha256=dataset.sha256, source=dataset.source, n_faces=len(dataset),
        near_threshold=near_threshold, blank_std=float(blank_std),
        exact_groups=groups, conflict_groups=conflict_groups, near_pairs=pairs,
        blank_rows=blank_rows, leak_rows=leak_rows, counts=counts,
        row_ids=row_ids, seconds=round(time.perf_counter() - start, 3),
    )


def test_leak_mask(dataset: FERDataset, audit: DataAudit, split: str = "PrivateTest") -> np.ndarray:
    """Which faces of a test split have an exact or near duplicate in Training.

    Parameters
    ----------
    dataset : FERDataset
        The audited data set.
    audit : DataAudit
        Its audit.
    split : {"PrivateTest", "PublicTest"}
        The test split.

    Returns
    -------
    ndarray of bool, shape (n_split,)
        Aligned with ``dataset.split(split)``; ``~mask`` keeps the faces
        that do not occur in Training.

    Raises
    ------
    KeyError
        If ``split`` is not a test split.
    ValueError
        If ``audit`` is not an audit of ``dataset``.
    """
    if split not in TEST_SPLITS:
        raise KeyError(f"unknown test split {split!r}; expected one of {', '.join(TEST_SPLITS)}")
    _check_match(dataset, audit)
    leaked = np.zeros(len(dataset), dtype=bool)
    for rows in audit.leak_rows.get(split, {}).values():
        leaked[rows] = True
    return leaked[np.asarray(dataset.usage) == split]


test_leak_mask.__test__ = False  # not a pytest test when imported into a test module


def training_leak_mask(dataset: FERDataset, audit: DataAudit) -> np.ndarray:
    """Which Training faces are exact or near duplicates of a PublicTest or PrivateTest face.

    Parameters
    ----------
    dataset : FERDataset
        The audited data set.
    audit : DataAudit
        Its audit.

    Returns
    -------
    ndarray of bool, shape (n_training,)
        Aligned with ``dataset.split("Training")``; ``~mask`` is a Training
        set that shares no face with the test splits.

    Raises
    ------
    ValueError
        If ``audit`` is not an audit of ``dataset``.
    """
    _check_match(dataset, audit)
    usage = np.asarray(dataset.usage)
    is_test = np.isin(usage, TEST_SPLITS)
    leaked = np.zeros(len(dataset), dtype=bool)
    for group in audit.exact_groups:
        if is_test[group].any():
            leaked[group] = True
    leaked[audit.near_pairs[:, 1]] = True
    return leaked[usage == TRAINING]


def blank_mask(dataset: FERDataset, blank_std: float = DEFAULT_BLANK_STD, split: str | None = None) -> np.ndarray:
    """Which faces are blank: pixel standard deviation below ``blank_std``.

    Parameters
    ----------
    dataset : FERDataset
    blank_std : float, default 2.0
    split : str, optional
        Only this split's faces; all faces when None.

    Returns
    -------
    ndarray of bool, shape (n,) or (n_split,)
        Aligned with ``dataset.images`` or ``dataset.split(split)``.

    Raises
    ------
    KeyError
        If ``split`` is not a FER-2013 split name.
    """
    if split is None:
        return _pixel_std(dataset.images) < blank_std
    if split not in SPLITS:
        raise KeyError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    return _pixel_std(dataset.images[np.asarray(dataset.usage) == split]) < blank_std


def default_cache_dir() -> Path:
    """``$FER_BENCH_CACHE_DIR/audit``, or ``~/.cache/fer_bench/audit`` when the variable is unset."""
    root = os.environ.get(CACHE_ENV_VAR)
    return (Path(root) if root else Path.home() / ".cache" / "fer_bench") / "audit"


def cached_audit(dataset: FERDataset, cache_dir: str | Path | None = None,
                 near_threshold: int = DEFAULT_NEAR_THRESHOLD, blank_std: float = DEFAULT_BLANK_STD) -> DataAudit:
    """:func:`audit_dataset`, read from the cache when this data set was audited before.

    The cache file is named by ``dataset.sha256``, a digest of the arrays
    and ids themselves (a subset of a file shares the file's sha256), the
    hash and the thresholds. A missing, unreadable or stale file is recomputed and
    rewritten atomically.

    Parameters
    ----------
    dataset : FERDataset
    cache_dir : str or Path, optional
        Folder of the cached audits; :func:`default_cache_dir` when None.
    near_threshold : int, default 4
    blank_std : float, default 2.0

    Returns
    -------
    DataAudit

    Raises
    ------
    ValueError
        As :func:`audit_dataset`.
    OSError
        If the cache folder cannot be written.
    """
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = folder / (f"{dataset.sha256 or 'unhashed'}-{_content_digest(dataset)}-phash{HASH_SIZE}"
                     f"-d{near_threshold}-std{blank_std:g}-v{SCHEMA_VERSION}.json")
    try:
        audit = DataAudit.from_dict(json.loads(path.read_text()))
        if audit.n_faces == len(dataset) and audit.sha256 == dataset.sha256:
            return audit
    except (OSError, ValueError, TypeError, AttributeError):
        pass  # absent or unreadable: recompute
    audit = audit_dataset(dataset, near_threshold=near_threshold, blank_std=blank_std)
    atomic_write_bytes(path, json.dumps(audit.to_dict()).encode())
    return audit


def _rows(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(-1)


def _check_match(dataset: FERDataset, audit: DataAudit) -> None:
    if audit.n_faces != len(dataset) or audit.sha256 != dataset.sha256:
        raise ValueError(f"the audit ({audit.n_faces} faces, sha256 {audit.sha256[:12]!r}) is not of this data set "
                         f"({len(dataset)} faces, sha256 {dataset.sha256[:12]!r})")


def _exact_groups(images: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each face's identical-image key (n,) and the groups (rows) of keys held by 2+ faces."""
    n = len(images)
    rows = np.ascontiguousarray(images).reshape(n, -1)
    keys = rows.view(np.dtype((np.void, rows.shape[1]))).ravel()
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    groups = [order[start:start + size] for start, size in zip(starts, counts) if size > 1]
    groups.sort(key=lambda group: group[0])
    return inverse, groups


def _pixel_std(images: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """Per-face pixel standard deviation, float64 (n,), in chunks to bound memory."""
    flat = images.reshape(len(images), -1)
    return np.concatenate([np.empty(0)] + [flat[start:start + chunk].std(axis=1) for start in range(0, len(flat), chunk)])


def _phash_codes(images: np.ndarray) -> np.ndarray:
    """``imagehash.phash`` of each face packed into uint64 (n,), first hash bit = highest bit."""
    if len(images) == 0:
        return np.empty(0, dtype=np.uint64)
    bits = np.stack([imagehash.phash(Image.fromarray(face), hash_size=HASH_SIZE).hash.reshape(-1) for face in images])
    return np.packbits(bits, axis=1).view(">u8").ravel().astype(np.uint64)


def _near_pairs(codes: np.ndarray, inverse: np.ndarray, test_rows: np.ndarray, train_rows: np.ndarray,
                threshold: int) -> tuple[np.ndarray, list[int]]:
    """Non-identical (test, Training) pairs within ``threshold`` bits, and pair counts per distance.

    Returns the pairs as int64 (k, 3) ``(test row, Training row, distance)``
    and the number of non-identical pairs at each distance
    0..max(threshold, HISTOGRAM_MAX_DISTANCE).
    """
    cap = max(threshold, HISTOGRAM_MAX_DISTANCE)
    train_codes = codes[train_rows]
    chunk = max(1, _CHUNK_BYTES // (8 * max(1, len(train_rows))))
    found = []
    for start in range(0, len(test_rows), chunk):
        rows = test_rows[start:start + chunk]
        distance = np.bitwise_count(codes[rows, None] ^ train_codes[None, :])
        i, j = np.nonzero(distance <= cap)
        found.append(np.stack([rows[i], train_rows[j], distance[i, j]], axis=1).astype(np.int64))
    pairs = np.concatenate(found) if found else np.empty((0, 3), dtype=np.int64)
    pairs = pairs[inverse[pairs[:, 0]] != inverse[pairs[:, 1]]]
    histogram = np.bincount(pairs[:, 2], minlength=cap + 1).tolist()
    return pairs[pairs[:, 2] <= threshold], histogram


def _content_digest(dataset: FERDataset) -> str:
    digest = hashlib.blake2b(digest_size=8)
    digest.update(np.ascontiguousarray(dataset.images).tobytes())
    digest.update(np.asarray(dataset.labels, dtype=np.int64).tobytes())
    digest.update("\0".join(np.asarray(dataset.usage).astype(str).tolist()).encode())
    if dataset.ids is not None:  # the audit names rows by these
        digest.update("\0".join(np.asarray(dataset.ids).astype(str).tolist()).encode())
    return digest.hexdigest()


def _per_class(labels: np.ndarray, class_names: tuple[str, ...]) -> dict[str, int]:
    table = {name: int(np.sum(labels == index)) for index, name in enumerate(class_names)}
    if np.any(labels < 0):
        table["unlabelled"] = int(np.sum(labels < 0))
    return table


def _per_class_kinds(labels: np.ndarray, rows: dict[str, np.ndarray], class_names: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """``{class: {kind: faces}}`` of the row sets in ``rows``."""
    tables = {kind: _per_class(labels[kind_rows], class_names) for kind, kind_rows in rows.items()}
    classes = dict.fromkeys(name for table in tables.values() for name in table)
    return {name: {kind: table.get(name, 0) for kind, table in tables.items()} for name in classes}


def _counts(dataset: FERDataset, usage: np.ndarray, labels: np.ndarray, inverse: np.ndarray,
            groups: list[np.ndarray], conflict_groups: list[np.ndarray], near_pairs: np.ndarray,
            blank_rows: np.ndarray, leak_rows: dict[str, dict[str, np.ndarray]],
            histograms: dict[str, list[int]]) -> dict[str, Any]:
    """The JSON counts of :attr:`DataAudit.counts`."""
    names = dataset.class_names
    splits = [split for split in SPLITS if np.any(usage == split)]
    within = {}
    for split in splits:
        split_groups = [group[usage[group] == split] for group in groups]
        split_groups = [group for group in split_groups if len(group) > 1]
        in_groups = np.concatenate(split_groups) if split_groups else np.empty(0, dtype=np.int64)
        within[split] = {
            "groups": len(split_groups),
            "faces": len(in_groups),
            "conflict_groups": sum(len(np.unique(labels[g][labels[g] >= 0])) > 1 for g in split_groups),
            "per_class": _per_class(labels[in_groups], names),
        }
    across = {}
    # a face "has the same label" when one of its copies in the earlier split carries its label
    label_key = inverse * (labels.max(initial=0) + 2) + labels + 1
    for index, earlier in enumerate(splits):
        for later in splits[index + 1:]:
            rows_a, rows_b = np.flatnonzero(usage == earlier), np.flatnonzero(usage == later)
            copied = np.isin(inverse[rows_b], inverse[rows_a])
            same = copied & np.isin(label_key[rows_b], label_key[rows_a]) & (labels[rows_b] >= 0)
            across[f"{later} faces with a copy in {earlier}"] = {"faces": int(copied.sum()), "same_label": int(same.sum())}
    leak = {}
    train_rows = np.flatnonzero(usage == TRAINING)
    for split, rows in leak_rows.items():
        pairs = near_pairs[usage[near_pairs[:, 0]] == split]
        leak[split] = {
            "exact": len(rows["exact"]),
            "exact_same_label": int(np.sum(np.isin(label_key[rows["exact"]], label_key[train_rows])
                                           & (labels[rows["exact"]] >= 0))),
            "near_pairs": len(pairs),
            "near_faces": len(np.unique(pairs[:, 0])),
            "near_only": len(rows["near_only"]),
            "any": len(rows["exact"]) + len(rows["near_only"]),
            "near_histogram": histograms[split],
            "per_class": _per_class_kinds(labels, rows, names),
        }
    group_faces = sum(len(group) for group in groups)
    return {
        "faces": {split: int(np.sum(usage == split)) for split in splits},
        "exact": {
            "groups": len(groups),
            "faces": group_faces,
            "redundant_faces": group_faces - len(groups),
            "conflict_groups": len(conflict_groups),
            "conflict_faces": sum(len(group) for group in conflict_groups),
            "within": within,
            "across": across,
        },
        "leak": leak,
        "blank": {
            "faces": len(blank_rows),
            "per_split": {split: int(np.sum(usage[blank_rows] == split)) for split in splits},
            "per_class": _per_class(labels[blank_rows], names),
        },
    }
