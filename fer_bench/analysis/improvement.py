"""Estimators trained with several seeds: the probability that one improves on another, over seeds and
bootstrap resamples of the PrivateTest faces shared by every seed and estimator (:mod:`.bootstrap`).

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

from .bootstrap import percentile_interval

GAMMA = 0.75
"""Bouthillier et al.'s recommended threshold of a meaningful ``P(A > B)``."""
PAIRED = "paired by seed"
ALL_PAIRS = "every seed of A with every seed of B"


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

    Both score arrays must come from the same face resamples (:func:`~.bootstrap.face_resamples`), so that A and B
    are paired on the test faces. Seeds are paired by value when both have the same set of seeds, else
    every seed of A meets every seed of B. ``p`` is the mean over pairs and resamples of 1 (A higher),
    1/2 (equal) or 0. The interval resamples the independent trainings, the unit of Bouthillier et
    al.'s samples: with replacement over the seed pairs when paired, over each side's seeds when not
    (the two-sample bootstrap of a U-statistic), each pair contributing its win rate over the face
    resamples. With few seeds the interval is coarse, as it should be.

    Parameters
    ----------
    scores_a, scores_b : ndarray of float, shape (seeds_a, resamples) and (seeds_b, resamples)
        Each seed's accuracy on each face resample (:func:`~.bootstrap.resampled_accuracy`).
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
