"""Keeping a subset of the classes: for models of fewer expressions than the data set has.

The second seed's Keras CNN, for one, knows five of FER-2013's seven
expressions; it is trained and scored on the faces of those five only, their
labels renumbered ``0 .. 4`` in the order the model names them.
"""

from __future__ import annotations

import numpy as np


def subset_labels(labels: np.ndarray, class_names: tuple[str, ...],
                  keep: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Which labels belong to ``keep``, and their new labels.

    Parameters
    ----------
    labels : ndarray of int, shape (n,)
        Indices into ``class_names``.
    class_names : tuple of str
        The data set's classes, index = label.
    keep : tuple of str
        Classes to keep, matched case-insensitively; new label ``i`` is ``keep[i]``.

    Returns
    -------
    mask : ndarray of bool, shape (n,)
        True where the label is one of ``keep``.
    relabelled : ndarray of int64, shape (mask.sum(),)
        The kept labels renumbered ``0 .. len(keep) - 1``.
    names : tuple of str
        ``keep``, spelt as in ``class_names``.

    Raises
    ------
    KeyError
        If a class of ``keep`` is not in ``class_names``.
    """
    lowered = [name.lower() for name in class_names]
    missing = [name for name in keep if name.lower() not in lowered]
    if missing:
        raise KeyError(f"classes {', '.join(missing)} are not in the data set's classes ({', '.join(class_names)})")
    old_labels = np.array([lowered.index(name.lower()) for name in keep])
    relabel = np.full(len(class_names), -1, dtype=np.int64)
    relabel[old_labels] = np.arange(len(keep))
    mask = np.isin(labels, old_labels)
    return mask, relabel[labels[mask]], tuple(class_names[i] for i in old_labels)


def restrict_to_classes(splits: dict[str, tuple[np.ndarray, np.ndarray]], class_names: tuple[str, ...],
                        keep: tuple[str, ...]) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], tuple[str, ...]]:
    """Keep the faces whose class is in ``keep`` and relabel them by their position in ``keep``.

    Parameters
    ----------
    splits : dict of str to (images, labels)
        Per split (Training, PublicTest, PrivateTest): uint8 images (n, 48, 48)
        and int labels (n,) indexing ``class_names``.
    class_names : tuple of str
        The data set's classes, index = label.
    keep : tuple of str
        Classes to keep (see :func:`subset_labels`).

    Returns
    -------
    splits : dict of str to (images, labels)
        The same splits, with only the kept faces (a copy) and int64 labels in ``0 .. len(keep) - 1``.
    class_names : tuple of str
        ``keep``, spelt as in ``class_names``.

    Raises
    ------
    KeyError
        If a class of ``keep`` is not in ``class_names``.
    """
    restricted, names = {}, tuple(keep)
    for split, (images, labels) in splits.items():
        mask, relabelled, names = subset_labels(labels, class_names, keep)
        restricted[split] = (images[mask], relabelled)
    return restricted, names
