"""The audit itself: exact groups by pixel bytes, perceptual hashes, near-duplicate pairs, blank faces and counts."""

from __future__ import annotations

import time
from typing import Any

import imagehash
import numpy as np
from PIL import Image

from ...labels import SPLITS
from .._dataset import FERDataset
from .result import HASH_SIZE, DataAudit

TRAINING = "Training"
TEST_SPLITS: tuple[str, ...] = ("PublicTest", "PrivateTest")
DEFAULT_NEAR_THRESHOLD = 4
DEFAULT_BLANK_STD = 2.0
HISTOGRAM_MAX_DISTANCE = 8
"""Near-pair counts are reported per Hamming distance 0..max(this, threshold)."""
_CHUNK_BYTES = 1 << 26  # bound on the XOR block of one Hamming-distance chunk


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
    conflict_groups = _conflicts(groups, labels)
    blank = pixel_std(dataset.images) < blank_std
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


def label_conflict_groups(images: np.ndarray, labels: np.ndarray) -> list[np.ndarray]:
    """Rows of identical images (uint8 (n, h, w)) that carry different labels (int (n,); -1 unlabelled),
    one int64 array per group, in order of first row."""
    return _conflicts(_exact_groups(images)[1], np.asarray(labels, dtype=np.int64))


def _conflicts(groups: list[np.ndarray], labels: np.ndarray) -> list[np.ndarray]:
    return [group for group in groups if len(np.unique(labels[group][labels[group] >= 0])) > 1]


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


def pixel_std(images: np.ndarray, chunk: int = 4096) -> np.ndarray:
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
