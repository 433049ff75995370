"""Stratified random subsets, as the profiles ask for them."""

from __future__ import annotations

import numpy as np

from ..labels import SPLITS
from ._dataset import FERDataset


def _allocate(counts: np.ndarray, size: int) -> np.ndarray:
    """Per-class sizes summing to ``size`` (< ``counts.sum()``), proportional to ``counts``
    by largest remainder, with at least one per class when ``size >= len(counts)``."""
    exact = size * counts / counts.sum()
    sizes = np.floor(exact).astype(np.int64)
    if size >= len(counts):
        sizes = np.maximum(sizes, 1)
    while sizes.sum() > size:  # the minimum of one overshot: take from the most over-served class above one
        surplus = np.where(sizes > 1, sizes - exact, -np.inf)
        sizes[np.argmax(surplus)] -= 1
    shortfall = size - sizes.sum()
    remainder = np.where(sizes < counts, exact - sizes, -np.inf)
    sizes[np.argsort(-remainder, kind="stable")[:shortfall]] += 1
    return sizes


def stratified_indices(labels: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Indices of a stratified random subset, in their original order.

    Parameters
    ----------
    labels : ndarray of int, shape (n,)
        Class of every item (-1, unlabelled, is a class like any other).
    size : int
        How many to keep; 0, negative or ``>= n`` keeps all.
    seed : int
        Seed of the draw: the same labels, size and seed give the same indices.

    Returns
    -------
    ndarray of int64, shape (min(size, n),)
        Sorted indices into ``labels``. Each class keeps a share proportional to
        its count (largest remainder), and at least one item when ``size`` is at
        least the number of classes present.
    """
    labels = np.asarray(labels)
    if size <= 0 or size >= len(labels):
        return np.arange(len(labels), dtype=np.int64)
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    rng = np.random.default_rng(seed)
    members = np.argsort(inverse, kind="stable")
    groups = np.split(members, np.cumsum(counts)[:-1])
    chosen = [rng.choice(group, keep, replace=False) for group, keep in zip(groups, _allocate(counts, size))]
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def stratified_mask(dataset: FERDataset, sizes: dict[str, int], seed: int) -> np.ndarray:
    """Which faces a stratified random subset of each split keeps.

    Parameters
    ----------
    dataset : FERDataset
    sizes : dict of str to int
        Faces to keep per split name (``Training``, ``PublicTest``, ``PrivateTest``);
        a split that is missing, 0, or smaller than its size is kept whole.
    seed : int
        Seed of the draw (see :func:`stratified_indices`).

    Returns
    -------
    ndarray of bool, shape (n,)
        True for the kept faces.

    Raises
    ------
    ValueError
        If ``sizes`` names something other than a FER-2013 split.
    """
    unknown = set(sizes) - set(SPLITS)
    if unknown:
        raise ValueError(f"subset sizes for unknown split(s) {', '.join(sorted(unknown))}; "
                         f"expected {', '.join(SPLITS)}")
    keep = np.ones(len(dataset), dtype=bool)
    for split in SPLITS:
        members = np.flatnonzero(dataset.usage == split)
        size = int(sizes.get(split) or 0)
        if 0 < size < len(members):
            keep[members] = False
            keep[members[stratified_indices(dataset.labels[members], size, seed)]] = True
    return keep


def stratified_subset(dataset: FERDataset, sizes: dict[str, int], seed: int) -> FERDataset:
    """Keep a stratified random subset of each split.

    Parameters
    ----------
    dataset : FERDataset
    sizes : dict of str to int
        As :func:`stratified_mask`.
    seed : int
        Seed of the draw (see :func:`stratified_indices`).

    Returns
    -------
    FERDataset
        The kept faces in their original order, with the source's ``sha256``.

    Raises
    ------
    ValueError
        If ``sizes`` names something other than a FER-2013 split.
    """
    keep = stratified_mask(dataset, sizes, seed)
    return dataset if keep.all() else dataset.select(keep)
