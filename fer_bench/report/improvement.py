"""Estimators trained with several seeds: bootstrap resamples of the PrivateTest faces shared by every seed
and estimator, the bootstrap interval of the seed-mean accuracy, and the probability of improvement.

The probability of improvement follows Bouthillier et al. (2021), "Accounting for variance in machine
learning benchmarks", Proceedings of Machine Learning and Systems 3, 747-769 (arXiv:2103.03098): each
benchmark sample randomises the sources of variation together (here the training seed, which draws the
Training subset, initial weights, shuffling and augmentation, and a bootstrap resample of the test faces),
A and B are paired on the same sources ("in doubt, it is better to pair"), ``P(A > B)`` is the share of
samples where A scores higher, its confidence interval is a percentile bootstrap, and A is declared better
than B only when the interval's lower bound exceeds 0.5 (statistically significant) and ``P(A > B)``
exceeds ``gamma`` (meaningful; the paper recommends ``gamma = 0.75`` and notes that detecting it reliably
takes about 29 samples).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GAMMA = 0.75
"""Bouthillier et al.'s recommended threshold of a meaningful ``P(A > B)``."""
PAIRED = "paired by seed"
ALL_PAIRS = "every seed of A with every seed of B"
_CHUNK = 256


@dataclass(frozen=True)
class Improvement:
    """``P(A > B)`` of two estimators over seeds and test-face resamples.

    Attributes
    ----------
    p : float
        Share of (seed pair, resample) samples where A's accuracy is higher (ties count 1/2), in [0, 1].
    low, high : float
        Percentile bootstrap interval of ``p``.
    verdict : str
        ``better`` (``p > gamma`` and ``low > 0.5``), ``worse`` (the same rule for B over A:
        ``p < 1 - gamma`` and ``high < 0.5``) or ``tie`` (neither).
    pairing : str
        :data:`PAIRED` (both have the same seeds, seed K of A against seed K of B) or :data:`ALL_PAIRS`.
    n_pairs : int
        Seed pairs compared.
    """

    p: float
    low: float
    high: float
    verdict: str
    pairing: str
    n_pairs: int

    def reversed(self) -> "Improvement":
        """``P(B > A)``: the same samples and bootstrap replicates seen from B (``1 - p``, interval mirrored)."""
        verdict = {"better": "worse", "worse": "better"}.get(self.verdict, self.verdict)
        return Improvement(1.0 - self.p, 1.0 - self.high, 1.0 - self.low, verdict, self.pairing, self.n_pairs)


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
    """Macro-F1 (over all ``n_classes``, as :func:`fer_bench.metrics.classification_metrics`) of each seed on each resample.

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


def percentile_interval(statistics: np.ndarray, confidence: float) -> tuple[float, float]:
    """The central ``confidence`` percentile interval of bootstrap statistics (1-D)."""
    tail = (1 - confidence) / 2
    low, high = np.quantile(np.asarray(statistics, dtype=float), [tail, 1 - tail])
    return float(low), float(high)


def verdict(p: float, low: float, high: float, gamma: float = GAMMA) -> str:
    """Bouthillier et al.'s decision: ``better`` when ``p > gamma`` and ``low > 0.5``; ``worse`` when
    ``p < 1 - gamma`` and ``high < 0.5``; otherwise ``tie``."""
    if p > gamma and low > 0.5:
        return "better"
    if p < 1 - gamma and high < 0.5:
        return "worse"
    return "tie"


def probability_of_improvement(scores_a: np.ndarray, scores_b: np.ndarray, seeds_a: list[int], seeds_b: list[int],
                               gamma: float = GAMMA, confidence: float = 0.95, n_resamples: int = 2000,
                               seed: int = 0) -> Improvement:
    """``P(A > B)`` over seed pairs and test-face resamples, with a percentile bootstrap interval.

    Both score arrays must come from the same face resamples (:func:`face_resamples`), so that A and B
    are paired on the test faces. Seeds are paired by value when both have the same set of seeds, else
    every seed of A meets every seed of B. ``p`` is the mean over pairs and resamples of 1 (A higher),
    1/2 (equal) or 0. The interval resamples the independent trainings, the unit of Bouthillier et
    al.'s samples: with replacement over the seed pairs when paired, over each side's seeds when not
    (the two-sample bootstrap of a U-statistic), each pair contributing its win rate over the face
    resamples. With few seeds the interval is coarse, as it should be.

    Parameters
    ----------
    scores_a, scores_b : ndarray of float, shape (seeds_a, resamples) and (seeds_b, resamples)
        Each seed's accuracy on each face resample (:func:`resampled_accuracy`).
    seeds_a, seeds_b : list of int
        The seed of each row.
    gamma : float
        Threshold of a meaningful improvement, in [0.5, 1).
    confidence : float
        Coverage of the interval, in (0, 1).
    n_resamples : int
        Bootstrap replicates of the interval.
    seed : int
        Seed of those replicates.

    Returns
    -------
    Improvement

    Raises
    ------
    ValueError
        If the arrays disagree in resamples, a side has no seed, its seeds repeat or do not match its rows,
        or ``gamma``/``confidence`` are out of range.
    """
    scores_a, scores_b = np.atleast_2d(np.asarray(scores_a, dtype=float)), np.atleast_2d(np.asarray(scores_b, dtype=float))
    if scores_a.ndim != 2 or scores_b.ndim != 2 or scores_a.shape[1] != scores_b.shape[1]:
        raise ValueError(f"scores must share their resamples; got shapes {scores_a.shape} and {scores_b.shape}")
    for scores, seeds, side in ((scores_a, seeds_a, "A"), (scores_b, seeds_b, "B")):
        if not len(seeds) or len(seeds) != len(scores) or len(set(seeds)) != len(seeds):
            raise ValueError(f"{side}: {len(scores)} rows of scores and seeds {list(seeds)}: "
                             "expected one distinct seed a row")
    if not 0.5 <= gamma < 1 or not 0 < confidence < 1:
        raise ValueError(f"gamma={gamma}, confidence={confidence}: expected gamma in [0.5, 1) and confidence in (0, 1)")
    rng = np.random.default_rng(seed)
    if sorted(seeds_a) == sorted(seeds_b):
        order_a, order_b = np.argsort(seeds_a), np.argsort(seeds_b)
        wins = _wins(scores_a[order_a], scores_b[order_b]).mean(axis=1)  # (pairs,)
        picks = rng.integers(0, len(wins), (n_resamples, len(wins)))
        replicates, pairing, n_pairs = wins[picks].mean(axis=1), PAIRED, len(wins)
    else:
        wins = _wins(scores_a[:, None, :], scores_b[None, :, :]).mean(axis=2)  # (seeds_a, seeds_b)
        rows = rng.integers(0, wins.shape[0], (n_resamples, wins.shape[0]))
        columns = rng.integers(0, wins.shape[1], (n_resamples, wins.shape[1]))
        replicates = wins[rows[:, :, None], columns[:, None, :]].mean(axis=(1, 2))
        pairing, n_pairs = ALL_PAIRS, wins.size
    p = float(wins.mean())
    low, high = percentile_interval(replicates, confidence)
    return Improvement(p, low, high, verdict(p, low, high, gamma), pairing, n_pairs)


def _wins(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a > b) + 0.5 * (a == b)


def pairwise_improvement(scores: list[np.ndarray], seeds: list[list[int]], gamma: float = GAMMA,
                         confidence: float = 0.95, n_resamples: int = 2000,
                         seed: int = 0) -> list[list[Improvement | None]]:
    """:func:`probability_of_improvement` of every ordered pair of estimators scored on the same resamples.

    Parameters
    ----------
    scores : list of m ndarrays of float, shapes (seeds_i, resamples)
    seeds : list of m lists of int
        The seed of each row of ``scores[i]``.

    Returns
    -------
    list of m lists of m
        Entry ``[i][j]`` is ``P(estimator i > estimator j)``; None on the diagonal. Each unordered pair is
        computed once and mirrored (:meth:`Improvement.reversed`), every pair with bootstrap seed ``seed``.
    """
    m = len(scores)
    tests: list[list[Improvement | None]] = [[None] * m for _ in range(m)]
    for i in range(m):
        for j in range(i + 1, m):
            tests[i][j] = probability_of_improvement(scores[i], scores[j], seeds[i], seeds[j], gamma, confidence,
                                                     n_resamples, seed)
            tests[j][i] = tests[i][j].reversed()
    return tests
