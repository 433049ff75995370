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


DISTRIBUTION_USES: tuple[str, ...] = ("crossentropy", "probability")
"""How a network trains on per-face label distributions (FER+, Barsoum et al. 2016): soft targets of the
cross-entropy loss, or a label drawn from the distribution each time the face is batched."""


def encode_distributions(distributions, classes: np.ndarray, y_index: np.ndarray, use: str) -> np.ndarray:
    """Per-face label distributions -> float32 (n, k), columns in ``classes`` order, rows summing to 1.

    Parameters
    ----------
    distributions : array of shape (n, k), or (n, m) over the integer labels ``0 .. m-1``
        Non-negative weights per face and class; with ``m`` columns (integer ``classes``
        below ``m``), the columns of ``classes`` are kept and renormalised, and a face whose weight
        falls entirely on classes absent from ``y`` keeps its own label.
    classes, y_index
        As :func:`encode_labels` returns them.
    use : str
        One of :data:`DISTRIBUTION_USES`.

    Raises
    ------
    ValueError
        If ``use`` is unknown, the shape does not fit, or a weight is negative or not finite, or a row sums to 0.
    """
    if use not in DISTRIBUTION_USES:
        raise ValueError(f"distribution_use={use!r}: expected one of {', '.join(DISTRIBUTION_USES)}")
    weights = np.asarray(distributions, dtype=np.float64)
    n, k = len(y_index), len(classes)
    integer_labels = np.issubdtype(classes.dtype, np.integer) and classes.min() >= 0
    if weights.ndim != 2 or len(weights) != n or not (
            weights.shape[1] == k or (integer_labels and weights.shape[1] > classes.max())):
        raise ValueError(f"label_distributions has shape {weights.shape}; expected ({n}, {k}): one row per face, "
                         "a column per class of y (or per integer label 0 .. m-1)")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or np.any(weights.sum(axis=1) <= 0):
        raise ValueError("label_distributions: every weight must be finite and non-negative, every row's sum positive")
    if weights.shape[1] != k:
        weights = weights[:, classes]
        lost = weights.sum(axis=1) <= 0
        weights[lost, y_index[lost]] = 1.0
    return (weights / weights.sum(axis=1, keepdims=True)).astype(np.float32)


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
