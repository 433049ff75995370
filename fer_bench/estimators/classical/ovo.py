"""One-vs-one SVMs from binary pairs: the pairs fitted in joblib threads, their support vectors merged, votes.

Shared by :class:`~fer_bench.estimators.classical.svm.PixelSVC` and
:class:`~fer_bench.estimators.classical.bovw.BoVWSVC`: each fits the k (k - 1) / 2
class pairs as independent binary libsvm problems (libsvm releases the GIL, so
threads suffice; a ``joblib.parallel_config`` set by the caller wins) and
predicts from one kernel matrix against the union of the pairs' support vectors.
"""

from __future__ import annotations

from itertools import combinations
from typing import Callable

import numpy as np
from joblib import Parallel, delayed

from .._progress import WorkProgress

PairFit = Callable[[int, int], tuple]
"""``fit_pair(first, second) -> (support rows, dual coefficients (n_sv,), intercept)`` of one class pair."""


def class_pairs(y_index: np.ndarray, n_classes: int) -> tuple[list[tuple[int, int]], list]:
    """The class pairs (first < second) in scikit-learn's order, and how many faces each holds."""
    pairs = list(combinations(range(n_classes), 2))
    counts = np.bincount(y_index, minlength=n_classes)
    return pairs, [counts[first] + counts[second] for first, second in pairs]


def _fit_one(fit_pair: PairFit, pair: int, first: int, second: int) -> tuple[int, tuple]:
    return pair, fit_pair(first, second)


def fit_pairs(fit_pair: PairFit, pairs: list[tuple[int, int]], sizes: list, n_jobs: int | None,
              dtype, what: str = "one-vs-one SVM") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit every pair in joblib threads, largest first; merge them into one model. Progress lines
    (:mod:`.._progress`) name ``what`` and count the pairs fitted.

    Returns
    -------
    support : ndarray of int of shape (n_sv,)
        Sorted training rows that are a support vector of some pair.
    dual_coef : ndarray of ``dtype``, shape (n_sv, pairs)
        Pair p's dual coefficients in column p, zero where a vector is not p's.
    intercept : ndarray of float64, shape (pairs,)
    """
    largest_first = np.argsort(sizes)[::-1]  # long pairs start first: workers finish together
    progress = WorkProgress(what, len(pairs), "class pairs fitted")
    by_pair = {}
    for pair, fitted_pair in Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator_unordered")(
            delayed(_fit_one)(fit_pair, pair, *pairs[pair]) for pair in largest_first):
        by_pair[pair] = fitted_pair  # counted as it finishes, not in the order started
        progress.advance()
    support = np.unique(np.concatenate([by_pair[pair][0] for pair in range(len(pairs))]))
    dual_coef = np.zeros((len(support), len(pairs)), dtype=dtype)
    intercept = np.empty(len(pairs))
    for pair in range(len(pairs)):
        rows, coefficients, pair_intercept = by_pair[pair]
        dual_coef[np.searchsorted(support, rows), pair] = coefficients
        intercept[pair] = pair_intercept
    return support, dual_coef, intercept


def votes_and_confidences(decisions: np.ndarray, n_classes: int) -> np.ndarray:
    """One-vs-one decisions (n, pairs), positive for the second class of a pair -> class scores (n, k), float64.

    Votes plus the summed confidences squashed into (-1/3, 1/3), so ties in
    votes go to the more confident class (scikit-learn's ``decision_function_shape="ovr"``).
    """
    votes = np.zeros((len(decisions), n_classes))
    confidences = np.zeros((len(decisions), n_classes))
    for pair, (first, second) in enumerate(combinations(range(n_classes), 2)):
        wins_second = decisions[:, pair] > 0
        votes[:, second] += wins_second
        votes[:, first] += ~wins_second
        confidences[:, second] += decisions[:, pair]
        confidences[:, first] -= decisions[:, pair]
    return votes + confidences / (3 * (np.abs(confidences) + 1))


def class_scores(decisions: np.ndarray, n_classes: int) -> np.ndarray:
    """Pair decisions (n, pairs) -> what ``decision_function`` returns: (n,) for two classes, else (n, k)."""
    return decisions[:, 0] if n_classes == 2 else votes_and_confidences(decisions, n_classes)


def predict_from_scores(classes: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Labels (n,) from ``decision_function`` scores: (n,) positive for ``classes[1]``, or (n, k) argmax."""
    winners = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
    return classes[winners]
