"""Masks from an audit: test faces with a copy in Training, Training faces with a copy in a test split, blank faces."""

from __future__ import annotations

import numpy as np

from ...labels import SPLITS
from .._dataset import FERDataset
from .compute import DEFAULT_BLANK_STD, TEST_SPLITS, TRAINING, pixel_std
from .result import DataAudit


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
    dataset, audit
        The audited data set and its audit, as for :func:`test_leak_mask`.

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
        return pixel_std(dataset.images) < blank_std
    if split not in SPLITS:
        raise KeyError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    return pixel_std(dataset.images[np.asarray(dataset.usage) == split]) < blank_std


def _check_match(dataset: FERDataset, audit: DataAudit) -> None:
    if audit.n_faces != len(dataset) or audit.sha256 != dataset.sha256:
        raise ValueError(f"the audit ({audit.n_faces} faces, sha256 {audit.sha256[:12]!r}) is not of this data set "
                         f"({len(dataset)} faces, sha256 {dataset.sha256[:12]!r})")
