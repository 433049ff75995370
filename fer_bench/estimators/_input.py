"""Input checks shared by the estimators (numpy and scikit-learn only: no framework import)."""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

IMAGE_SIZE = 48
"""Side of a FER-2013 face in pixels."""


def as_faces(X) -> np.ndarray:
    """Faces ``uint8 (n, 48, 48)`` from faces ``(n, 48, 48)`` or rows ``(n, 2304)`` of pixels in 0..255.

    Non-``uint8`` input is rounded to the nearest integer.

    Raises
    ------
    ValueError
        If X is empty, has another shape, is complex or not numeric, or holds
        values outside 0..255 (NaN and infinity included).
    """
    X = np.asarray(X)
    if np.iscomplexobj(X):
        raise ValueError(f"X of dtype {X.dtype} is complex; expected real pixel values in 0..255")
    if X.ndim == 2 and X.shape[1] == IMAGE_SIZE * IMAGE_SIZE:
        X = X.reshape(len(X), IMAGE_SIZE, IMAGE_SIZE)
    if X.ndim != 3 or X.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE) or len(X) == 0:
        raise ValueError(f"X has shape {X.shape}; expected faces (n, {IMAGE_SIZE}, {IMAGE_SIZE}) "
                         f"or rows (n, {IMAGE_SIZE * IMAGE_SIZE}) with n >= 1")
    if X.dtype != np.uint8:
        if not np.issubdtype(X.dtype, np.number) or not np.all((X >= 0) & (X <= 255)):
            raise ValueError(f"X of dtype {X.dtype} must hold pixel values in 0..255")
        X = np.rint(X).astype(np.uint8)
    return np.ascontiguousarray(X)


def encode_labels(y, n_faces: int) -> tuple[np.ndarray, np.ndarray]:
    """Class labels of any kind (integers, strings), shape (n,) or (n, 1) -> ``(classes, y_index)``.

    Returns
    -------
    classes : ndarray of shape (k,)
        The sorted distinct labels (what ``classes_`` holds; ``predict`` returns them).
    y_index : ndarray of int64 of shape (n,)
        Each label's position in ``classes``.

    Raises
    ------
    ValueError
        If y is not one label per face, or not class labels (e.g. continuous values).
    """
    y = column_or_1d(y, warn=False)
    if len(y) != n_faces:
        raise ValueError(f"y has {len(y)} labels for {n_faces} faces; expected one label per face")
    check_classification_targets(y)
    classes, y_index = np.unique(y, return_inverse=True)
    return classes, y_index.astype(np.int64)


def encode_classes(y, n_faces: int, owner: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`encode_labels` for an estimator that needs two classes or more.

    Raises
    ------
    ValueError
        As :func:`encode_labels`, or if y holds a single class (the message names ``owner``).
    """
    classes, y_index = encode_labels(y, n_faces)
    if len(classes) < 2:
        raise ValueError(f"{owner} needs at least two classes in y; got 1 class ({classes[0]!r})")
    return classes, y_index


def check_recipe(batch_size: int, weight_decay: float, label_smoothing: float) -> None:
    """Refuse the training settings both network trainers share when out of range.

    Raises
    ------
    ValueError
        Naming the setting: ``batch_size`` below 1, ``weight_decay`` negative, or
        ``label_smoothing`` outside [0, 1).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size={batch_size}: expected at least 1")
    if not weight_decay >= 0:
        raise ValueError(f"weight_decay={weight_decay}: expected 0 or more")
    if not 0 <= label_smoothing < 1:
        raise ValueError(f"label_smoothing={label_smoothing}: expected a value in [0, 1)")


def check_option(name: str, value, allowed, owner: str | None = None) -> None:
    """Refuse a setting outside its choices: ``value`` of parameter ``name`` must be in ``allowed``.

    Raises
    ------
    ValueError
        ``"[owner ]name=value: expected one of a, b, c"``, if ``value`` is not in ``allowed``.
    """
    if value not in allowed:
        prefix = f"{owner} " if owner else ""
        raise ValueError(f"{prefix}{name}={value!r}: expected one of {', '.join(allowed)}")
