"""The one bootstrap engine: resamples of the test faces, drawn once and shared by every estimator and seed
scored on them, so that intervals and comparisons come from the same resamples (percentile bootstrap;
Efron & Tibshirani 1993, "An Introduction to the Bootstrap", chapter 13)."""

from __future__ import annotations

import numpy as np

_CHUNK = 256
"""Resamples drawn at once (memory: ``_CHUNK`` x faces indices)."""


def face_resamples(n: int, n_resamples: int, seed: int) -> np.ndarray:
    """How often each of ``n`` faces is drawn in each of ``n_resamples`` bootstrap resamples (with replacement).

    Returns
    -------
    ndarray of float32, shape (n_resamples, n)
        Whole counts (exact in float32 below 2**24 faces, kept as floats for matrix products); each row sums to ``n``.

    Raises
    ------
    ValueError
        If ``n`` or ``n_resamples`` is below 1.
    """
    if n < 1 or n_resamples < 1:
        raise ValueError(f"n={n}, n_resamples={n_resamples}: expected at least one face and one resample")
    rng = np.random.default_rng(seed)
    counts = np.empty((n_resamples, n), dtype=np.float32)
    for start in range(0, n_resamples, _CHUNK):
        rows = min(_CHUNK, n_resamples - start)
        draws = rng.integers(0, n, (rows, n)) + n * np.arange(rows)[:, None]
        counts[start:start + rows] = np.bincount(draws.ravel(), minlength=rows * n).reshape(rows, n)
    return counts


def _checked(y_true: np.ndarray, y_pred: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = np.asarray(y_true, dtype=np.int64), np.atleast_2d(np.asarray(y_pred, dtype=np.int64))
    if y_true.ndim != 1 or y_pred.shape[1:] != y_true.shape or counts.shape[1:] != y_true.shape:
        raise ValueError(f"expected y_true (n,), predictions (seeds, n) and resample counts (resamples, n); "
                         f"got {y_true.shape}, {y_pred.shape} and {counts.shape}")
    return y_true, y_pred


def resampled_accuracy(y_true: np.ndarray, y_pred: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Accuracy of each seed on each resample of the faces.

    Parameters
    ----------
    y_true : ndarray of int, shape (n,)
    y_pred : ndarray of int, shape (seeds, n)
        Each seed's predictions on the same faces.
    counts : ndarray of float32, shape (resamples, n)
        From :func:`face_resamples`.

    Returns
    -------
    ndarray of float, shape (seeds, resamples)
        Fractions; equal correct counts give exactly equal accuracies (ties are exact).

    Raises
    ------
    ValueError
        If the shapes disagree.
    """
    y_true, y_pred = _checked(y_true, y_pred, counts)
    correct = (y_pred == y_true).astype(np.float32)
    return (counts @ correct.T).T.astype(np.float64) / len(y_true)  # whole numbers below 2**24: exact in float32


def resampled_macro_f1(y_true: np.ndarray, y_pred: np.ndarray, counts: np.ndarray, n_classes: int) -> np.ndarray:
    """Macro-F1 (over all ``n_classes``, as :func:`fer_bench.analysis.metrics.classification_metrics`) of each seed on each resample.

    Per class, F1 = 2 TP / (true + predicted faces), 0 for a class with neither; from one matrix product
    of the resample counts with the faces' class indicators.

    Parameters and errors as :func:`resampled_accuracy` (labels in ``0..n_classes - 1``); returns float (seeds, resamples).
    """
    y_true, y_pred = _checked(y_true, y_pred, counts)
    (seeds, n), k, resamples = y_pred.shape, n_classes, len(counts)
    classes = np.arange(k)
    truth = (y_true[:, None] == classes).astype(np.float32)  # (n, k)
    predicted = (y_pred[:, :, None] == classes).astype(np.float32)  # (seeds, n, k)
    indicators = np.concatenate([truth] + [part.transpose(1, 0, 2).reshape(n, seeds * k)
                                           for part in (predicted, predicted * truth)], axis=1)
    sums = (counts @ indicators).astype(np.float64)  # whole numbers, exact in float32
    true_faces = sums[:, None, :k]
    predicted_faces, true_positives = (sums[:, k + part * seeds * k:k + (part + 1) * seeds * k].reshape(resamples, seeds, k)
                                       for part in (0, 1))
    faces = true_faces + predicted_faces
    f1 = np.divide(2.0 * true_positives, faces, out=np.zeros(faces.shape), where=faces > 0)
    return f1.mean(axis=2).T


def resampled_interval(y_true: np.ndarray, y_pred: np.ndarray, counts: np.ndarray, metric: str, n_classes: int,
                       confidence: float) -> tuple[float, float]:
    """Percentile interval of one estimator's ``accuracy`` or ``macro_f1`` (``y_pred`` int (n,)) over the face
    resamples ``counts`` (:func:`face_resamples`); raises ValueError as :func:`resampled_accuracy`."""
    if metric == "accuracy":
        statistics = resampled_accuracy(y_true, y_pred[None], counts)[0]
    else:
        statistics = resampled_macro_f1(y_true, y_pred[None], counts, n_classes)[0]
    return percentile_interval(statistics, confidence)


def percentile_interval(statistics: np.ndarray, confidence: float) -> tuple[float, float]:
    """The central ``confidence`` percentile interval of bootstrap statistics (1-D)."""
    tail = (1 - confidence) / 2
    low, high = np.quantile(np.asarray(statistics, dtype=float), [tail, 1 - tail])
    return float(low), float(high)
