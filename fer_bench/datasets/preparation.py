"""From a loaded data set to the faces a run uses: optional cleaning, the
profile's stratified subset, and which PrivateTest faces also occur in Training."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._dataset import FERDataset
from .audit import DEFAULT_BLANK_STD, DataAudit, blank_mask, test_leak_mask, training_leak_mask
from .stratified_subsets import stratified_mask


@dataclass(frozen=True)
class PreparedData:
    """The faces of one run.

    Attributes
    ----------
    dataset : FERDataset
        Cleaned and subset faces.
    private_leaked : ndarray of bool, shape (n_private,) or None
        Aligned with ``dataset.split("PrivateTest")``: True where the face has an
        exact or near duplicate in the full Training split; None without an audit.
    private_exact : ndarray of bool, shape (n_private,) or None
        The same for pixel-identical Training copies only (a subset of
        ``private_leaked``); None without an audit.
    dropped : dict of str to int
        Faces removed by each cleaning option that was asked for
        (``dedupe_train``, ``drop_blank``), before subsetting; a face both
        would remove counts under ``dedupe_train``.
    """

    dataset: FERDataset
    private_leaked: np.ndarray | None
    private_exact: np.ndarray | None
    dropped: dict[str, int] = field(default_factory=dict)


def prepare_data(dataset: FERDataset, sizes: dict[str, int], seed: int, audit: DataAudit | None = None,
                 dedupe_train: bool = False, drop_blank: bool = False) -> PreparedData:
    """Clean, subset and flag leaked test faces.

    Parameters
    ----------
    dataset : FERDataset
        All faces of the source.
    sizes : dict of str to int
        Subset size per split (see :func:`~fer_bench.datasets.stratified_subset`).
    seed : int
        Seed of the subset.
    audit : DataAudit, optional
        Audit of ``dataset``; needed for ``private_leaked`` and ``dedupe_train``.
    dedupe_train : bool
        Drop Training faces that duplicate (exactly or nearly) a PublicTest or
        PrivateTest face, before subsetting.
    drop_blank : bool
        Drop near-blank faces (pixel standard deviation below the audit's
        threshold, 2.0 without an audit) from every split, before subsetting.

    Returns
    -------
    PreparedData

    Raises
    ------
    ValueError
        If ``dedupe_train`` is asked without an audit, if the audit is of other
        data, or if ``sizes`` names an unknown split.
    """
    if dedupe_train and audit is None:
        raise ValueError("dedupe_train needs an audit of the data set")
    keep = np.ones(len(dataset), dtype=bool)
    dropped = {}
    if dedupe_train:
        leaked_training = np.zeros(len(dataset), dtype=bool)
        leaked_training[dataset.usage == "Training"] = training_leak_mask(dataset, audit)
        dropped["dedupe_train"] = int(leaked_training.sum())
        keep &= ~leaked_training
    if drop_blank:
        blank = blank_mask(dataset, audit.blank_std if audit is not None else DEFAULT_BLANK_STD)
        dropped["drop_blank"] = int((blank & keep).sum())
        keep &= ~blank
    rows = np.flatnonzero(keep)
    cleaned = dataset.select(rows)
    subset = stratified_mask(cleaned, sizes, seed)
    rows, used = rows[subset], cleaned.select(subset)
    if audit is None:
        return PreparedData(used, None, None, dropped)
    is_private = dataset.usage == "PrivateTest"
    leaked = np.zeros(len(dataset), dtype=bool)
    leaked[is_private] = test_leak_mask(dataset, audit, "PrivateTest")
    exact = np.zeros(len(dataset), dtype=bool)
    exact[audit.leak_rows.get("PrivateTest", {}).get("exact", np.empty(0, dtype=np.int64))] = True
    scored = rows[is_private[rows]]
    return PreparedData(used, leaked[scored], exact[scored], dropped)


def missing_public_test(dataset: FERDataset) -> str | None:
    """The warning for faces without a PublicTest split, else None.

    Without PublicTest (an image folder without ``PublicTest_`` files, a CSV of
    Training and PrivateTest only), estimators cannot select on it:
    :func:`fer_bench.runner.execution.fit_and_predict` passes them no validation data,
    so grid searches cross-validate on Training and networks keep their last
    epoch instead of their best one.
    """
    if np.any(dataset.usage == "PublicTest"):
        return None
    return (f"{dataset.source}: no PublicTest faces: model selection falls back to cross-validation on Training, "
            "and networks keep their last epoch instead of the best PublicTest one")
