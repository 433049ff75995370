"""PrivateTest metrics: classification reports, bootstrap confidence intervals and
significance tests between estimators.

Labels are FER-2013 class indices ``0..k-1``; every function takes the true
labels and predictions as 1-D integer arrays of the same length, one entry per
scored face.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from scipy.stats import binom, binomtest, norm
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score,
                             precision_recall_fscore_support)

from .bootstrap import face_resamples, resampled_interval

BOOTSTRAP_METRICS: tuple[str, ...] = ("accuracy", "macro_f1")
CALIBRATION_BINS = 15


def _check_labels(y_true: Any, y_pred: Any, n_classes: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return both label arrays as int64, after checking shapes and (given ``n_classes``) range."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape:
        raise ValueError(f"labels must be two 1-D arrays of one length; got shapes {y_true.shape} and {y_pred.shape}")
    if len(y_true) == 0:
        raise ValueError("no faces to score: the label arrays are empty")
    y_true, y_pred = y_true.astype(np.int64), y_pred.astype(np.int64)
    if n_classes is not None:
        low, high = min(y_true.min(), y_pred.min()), max(y_true.max(), y_pred.max())
        if low < 0 or high >= n_classes:
            raise ValueError(f"labels span {low}..{high}, outside the {n_classes} classes 0..{n_classes - 1}")
    return y_true, y_pred


def classification_metrics(y_true: Any, y_pred: Any, class_names: Sequence[str]) -> dict[str, Any]:
    """Score predictions against true labels.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (n,)
        True and predicted class indices in ``0..len(class_names) - 1``.
    class_names : sequence of str
        Name of each class index.

    Returns
    -------
    dict
        Plain Python numbers (JSON-safe):

        - ``n`` : int, faces scored;
        - ``accuracy`` : float in [0, 1];
        - ``macro_f1`` : float, unweighted mean of the per-class F1 over *all*
          classes, a class with neither true nor predicted faces counting 0;
        - ``balanced_accuracy`` : float, mean recall over the classes present in ``y_true``;
        - ``per_class`` : ``{name: {"precision", "recall", "f1", "support"}}``
          (an undefined precision or recall counts 0);
        - ``confusion_matrix`` : list of k lists of k ints, true labels on rows,
          predicted labels on columns, over every class even if absent.

    Raises
    ------
    ValueError
        If the arrays are empty, differ in shape, or hold labels outside the classes.
    """
    labels = list(range(len(class_names)))
    y_true, y_pred = _check_labels(y_true, y_pred, len(labels))
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "n": int(len(y_true)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "per_class": {str(name): {"precision": float(precision[index]), "recall": float(recall[index]),
                                  "f1": float(f1[index]), "support": int(support[index])}
                      for index, name in enumerate(class_names)},
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def macro_f1_present(metrics: dict[str, Any]) -> float:
    """Mean F1 over the classes with at least one true face (:func:`classification_metrics` output): a data set
    without, say, Neutral faces would otherwise count a Neutral F1 of 0 in the macro-F1."""
    rows = [row for row in metrics["per_class"].values() if row["support"] > 0]
    return float(np.mean([row["f1"] for row in rows]))


def report_averages(per_class: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """The ``macro avg`` and ``weighted avg`` rows of a classification report.

    Parameters
    ----------
    per_class : dict
        ``classification_metrics(...)["per_class"]``.

    Returns
    -------
    dict
        ``{"macro avg": row, "weighted avg": row}``, each row with ``precision``,
        ``recall``, ``f1`` (unweighted or support-weighted means over the classes)
        and ``support`` (all faces), as in :func:`sklearn.metrics.classification_report`.
    """
    rows = list(per_class.values())
    support = np.array([row["support"] for row in rows], dtype=float)
    total = int(support.sum())
    averages = {}
    for label, weights in (("macro avg", np.ones_like(support)), ("weighted avg", support)):
        averages[label] = {key: float(np.average([row[key] for row in rows], weights=weights))
                           if weights.sum() > 0 else 0.0 for key in ("precision", "recall", "f1")}
        averages[label]["support"] = total
    return averages


def bootstrap_ci(y_true: Any, y_pred: Any, metric: str = "accuracy", n_resamples: int = 1000,
                 confidence: float = 0.95, seed: int = 0, n_classes: int | None = None) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of a metric, resampling faces (:mod:`.bootstrap`, the one engine:
    the report draws its resamples once and shares them; this draws its own).

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (n,)
        True and predicted class indices.
    metric : {"accuracy", "macro_f1"}
    n_resamples : int
        Bootstrap resamples.
    confidence : float
        Coverage of the interval, in (0, 1).
    seed : int
        Seed of the resampling.
    n_classes : int, optional
        Classes the macro-F1 averages over (absent ones count 0, as in
        :func:`classification_metrics`); default: the largest label + 1.

    Returns
    -------
    (low, high) : tuple of float
        Interval bounds in the metric's units (fractions in [0, 1]).

    Raises
    ------
    ValueError
        If ``metric`` or ``confidence`` is invalid, ``n_resamples < 1``, or the labels are invalid.
    """
    if metric not in BOOTSTRAP_METRICS:
        raise ValueError(f"metric={metric!r}: expected one of {', '.join(BOOTSTRAP_METRICS)}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence}: expected a fraction in (0, 1)")
    if n_resamples < 1:
        raise ValueError(f"n_resamples={n_resamples}: expected at least 1")
    y_true, y_pred = _check_labels(y_true, y_pred, n_classes)
    k = n_classes or int(max(y_true.max(), y_pred.max())) + 1
    return resampled_interval(y_true, y_pred, face_resamples(len(y_true), n_resamples, seed), metric, k, confidence)


def mcnemar_exact(y_true: Any, pred_a: Any, pred_b: Any) -> dict[str, float | int]:
    """Exact two-sided McNemar test: do two classifiers err on the same faces equally often?

    Parameters
    ----------
    y_true, pred_a, pred_b : array-like of int, shape (n,)
        True labels and the two classifiers' predictions on the same faces.

    Returns
    -------
    dict
        ``b`` (faces A gets right and B wrong), ``c`` (A wrong, B right) and
        ``p_value``, the two-sided binomial test of ``b`` out of ``b + c`` at 1/2
        (1.0 when ``b + c == 0``).

    Raises
    ------
    ValueError
        If the arrays are empty or differ in shape.
    """
    y_true, pred_a = _check_labels(y_true, pred_a)
    _, pred_b = _check_labels(y_true, pred_b)
    right_a, right_b = pred_a == y_true, pred_b == y_true
    b, c = int(np.sum(right_a & ~right_b)), int(np.sum(~right_a & right_b))
    p_value = 1.0 if b + c == 0 else float(binomtest(b, b + c, 0.5).pvalue)
    return {"b": b, "c": c, "p_value": p_value}


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (step-down, family-wise error rate).

    Parameters
    ----------
    p_values : sequence of float, shape (m,)

    Returns
    -------
    ndarray of float, shape (m,)
        Adjusted p-values in the input order: the i-th smallest is multiplied by
        ``m - i`` (i from 0), made non-decreasing in that order, and capped at 1.
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"p_values must be 1-D; got shape {p.shape}")
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def _exact_two_sided(b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Exact two-sided binomial test of ``b`` successes in ``b + c`` trials at 1/2 (1.0 when ``b + c == 0``)."""
    b, c = np.asarray(b), np.asarray(c)
    return np.minimum(1.0, 2.0 * binom.cdf(np.minimum(b, c), b + c, 0.5))


def pairwise_mcnemar(y_true: Any, predictions: Sequence[Any]) -> dict[str, np.ndarray]:
    """Exact McNemar tests between every pair of classifiers scored on the same faces, Holm-adjusted.

    Parameters
    ----------
    y_true : array-like of int, shape (n,)
        True labels.
    predictions : sequence of m array-likes of int, each shape (n,)
        Each classifier's predictions on the same faces, in the same order.

    Returns
    -------
    dict
        ``only_right`` : ndarray of int, shape (m, m); entry ``[i, j]`` counts the
        faces classifier ``i`` gets right and ``j`` wrong (zero diagonal);
        ``p_value`` : ndarray of float, shape (m, m); symmetric exact two-sided
        McNemar p-values (as :func:`mcnemar_exact`), NaN on the diagonal;
        ``p_holm`` : the same, Holm-adjusted over the ``m (m - 1) / 2`` pairs.

    Raises
    ------
    ValueError
        If the arrays are empty or differ in shape.
    """
    correct = np.array([_check_labels(y_true, pred)[1] == np.asarray(y_true) for pred in predictions], dtype=np.int64)
    m = len(correct)
    only_right = correct @ (1 - correct).T if m else np.zeros((0, 0), dtype=np.int64)
    p_value = _exact_two_sided(only_right, only_right.T).astype(float)
    upper = np.triu_indices(m, k=1)
    p_holm = np.full((m, m), np.nan)
    p_holm[upper] = holm(p_value[upper])
    p_holm.T[upper] = p_holm[upper]
    np.fill_diagonal(p_value, np.nan)
    return {"only_right": only_right, "p_value": p_value, "p_holm": p_holm}


def two_proportion_test(correct_a: int, n_a: int, correct_b: int, n_b: int) -> dict[str, float]:
    """Two-sided two-proportion z-test (pooled variance) of two accuracies on different faces.

    For classifiers scored on *different* test faces, where McNemar's paired
    test does not apply.

    Parameters
    ----------
    correct_a, n_a, correct_b, n_b : int
        Faces right and faces scored of each classifier.

    Returns
    -------
    dict
        ``z`` (positive when B is more accurate) and ``p_value`` (1.0 when the
        pooled accuracy is 0 or 1, so there is no variance).

    Raises
    ------
    ValueError
        If a count is negative or exceeds its number of faces, or a number of faces is 0.
    """
    for correct, n, which in ((correct_a, n_a, "A"), (correct_b, n_b, "B")):
        if n < 1 or not 0 <= correct <= n:
            raise ValueError(f"run {which}: {correct} correct out of {n} faces is not a valid count")
    pooled = (correct_a + correct_b) / (n_a + n_b)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if spread == 0:
        return {"z": 0.0, "p_value": 1.0}
    z = (correct_b / n_b - correct_a / n_a) / spread
    return {"z": float(z), "p_value": float(2 * norm.sf(abs(z)))}


def calibration(y_true: Any, scores: Any, n_bins: int = CALIBRATION_BINS) -> dict[str, Any]:
    """Reliability of the top-class probability and its expected calibration error (ECE).

    Faces are binned by confidence (the largest probability) into ``n_bins``
    equal-width bins of [0, 1]; ECE is the face-weighted mean of
    ``|accuracy - mean confidence|`` over the bins (Guo et al., "On Calibration
    of Modern Neural Networks", ICML 2017).

    Parameters
    ----------
    y_true : array-like of int, shape (n,)
        True class indices.
    scores : array-like of float, shape (n, k)
        Class probabilities (rows summing to 1); the prediction is the argmax.
    n_bins : int
        Number of confidence bins.

    Returns
    -------
    dict
        ``ece`` : float in [0, 1]; ``bins`` : list of ``n_bins`` dicts with
        ``low``, ``high`` (bin edges), ``count`` (faces), ``confidence`` and
        ``accuracy`` (means over the bin's faces; None for an empty bin).

    Raises
    ------
    ValueError
        If the shapes disagree, there are no faces, or ``n_bins < 1``.
    """
    scores = np.asarray(scores, dtype=float)
    y_true = np.asarray(y_true)
    if scores.ndim != 2 or y_true.shape != (len(scores),) or len(scores) == 0:
        raise ValueError(f"expected scores (n, k) and labels (n,) with n > 0; got {scores.shape} and {y_true.shape}")
    if n_bins < 1:
        raise ValueError(f"n_bins={n_bins}: expected at least 1")
    confidence = scores.max(axis=1)
    correct = (scores.argmax(axis=1) == y_true).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.searchsorted(edges, confidence, side="right") - 1, 0, n_bins - 1)
    counts = np.bincount(which, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(which, confidence, n_bins) / counts
        accuracy = np.bincount(which, correct, n_bins) / counts
    filled = counts > 0
    ece = float(np.sum(counts[filled] * np.abs(accuracy[filled] - mean_confidence[filled])) / len(scores))
    bins = [{"low": float(edges[index]), "high": float(edges[index + 1]), "count": int(counts[index]),
             "confidence": float(mean_confidence[index]) if filled[index] else None,
             "accuracy": float(accuracy[index]) if filled[index] else None} for index in range(n_bins)]
    return {"ece": ece, "bins": bins}


def pareto_optimal(costs: Sequence[float], values: Sequence[float]) -> np.ndarray:
    """Which points no other point beats: no lower-or-equal cost with higher-or-equal value, one of them strictly.

    Parameters
    ----------
    costs, values : sequence of float, shape (m,)
        E.g. training seconds and PrivateTest accuracy.

    Returns
    -------
    ndarray of bool, shape (m,)
    """
    costs, values = np.asarray(costs, dtype=float), np.asarray(values, dtype=float)
    no_worse = (costs[None, :] <= costs[:, None]) & (values[None, :] >= values[:, None])
    better = (costs[None, :] < costs[:, None]) | (values[None, :] > values[:, None])
    return ~np.any(no_worse & better, axis=1)
