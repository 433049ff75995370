import numpy as np
import pytest

from fer_bench.analysis.bootstrap import face_resamples, resampled_accuracy
from fer_bench.analysis.improvement import (ALL_PAIRS, GAMMA, PAIRED, pairwise_improvement, probability_of_improvement,
                                          verdict)


@pytest.fixture(scope="module")
def faces():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 7, 400)
    return y_true, face_resamples(len(y_true), 500, seed=3)


def test_identical_estimators_have_a_probability_of_one_half(faces):
    y_true, counts = faces
    y_pred = np.stack([np.where(np.arange(400) % k == 0, (y_true + 1) % 7, y_true) for k in (3, 4)])
    scores = resampled_accuracy(y_true, y_pred, counts)
    test = probability_of_improvement(scores, scores.copy(), [0, 1], [0, 1])
    assert (test.p, test.low, test.high, test.verdict) == (0.5, 0.5, 0.5, "tie")
    assert test.pairing == PAIRED and test.n_pairs == 2


def test_a_dominating_estimator_is_better_with_probability_one(faces):
    y_true, counts = faces
    good = resampled_accuracy(y_true, np.stack([y_true, y_true]), counts)
    bad = resampled_accuracy(y_true, np.stack([(y_true + 1) % 7, np.where(y_true > 3, y_true, 0)]), counts)
    test = probability_of_improvement(good, bad, [4, 7], [4, 7])
    assert (test.p, test.low, test.high, test.verdict) == (1.0, 1.0, 1.0, "better")
    mirrored = test.reversed()
    assert (mirrored.p, mirrored.low, mirrored.high, mirrored.verdict) == (0.0, 0.0, 0.0, "worse")
    assert probability_of_improvement(bad, good, [4, 7], [4, 7]) == mirrored


def test_ties_count_one_half_and_the_probability_must_exceed_gamma():
    a = np.array([[0.6, 0.6, 0.5, 0.5]])
    b = np.array([[0.5, 0.5, 0.5, 0.5]])  # A higher on 2 resamples, equal on 2
    test = probability_of_improvement(a, b, [0], [0])
    assert test.p == pytest.approx(0.75) and (test.low, test.high) == pytest.approx((0.75, 0.75))
    assert test.verdict == "tie"  # P = gamma is not above it
    assert GAMMA == 0.75 and verdict(0.76, 0.51, 0.9) == "better" and verdict(0.9, 0.5, 1.0) == "tie"
    assert verdict(0.2, 0.1, 0.49) == "worse" and verdict(0.2, 0.1, 0.5) == "tie"


def test_seeds_are_paired_by_value_else_every_combination():
    a = np.array([[0.5], [0.9]])  # seeds 1 and 0
    b = np.array([[0.8], [0.4]])  # seeds 0 and 1
    paired = probability_of_improvement(a, b, [1, 0], [0, 1])
    assert paired.p == 1.0 and paired.pairing == PAIRED  # 0.9 > 0.8 (seed 0), 0.5 > 0.4 (seed 1)
    crossed = probability_of_improvement(a, b, [1, 0], [2, 3])
    assert crossed.p == pytest.approx(0.75) and crossed.pairing == ALL_PAIRS and crossed.n_pairs == 4
    assert 0.0 <= crossed.low <= crossed.p <= crossed.high <= 1.0


def test_the_interval_resamples_the_seed_pairs():
    a = np.array([[0.9, 0.9], [0.1, 0.1]])
    b = np.array([[0.5, 0.5], [0.5, 0.5]])  # A wins every resample of pair 1 and loses every one of pair 2
    test = probability_of_improvement(a, b, [0, 1], [0, 1], n_resamples=4000)
    assert test.p == 0.5 and (test.low, test.high) == (0.0, 1.0) and test.verdict == "tie"


def test_bad_arguments_are_refused():
    a = np.zeros((2, 5))
    with pytest.raises(ValueError, match="share their resamples"):
        probability_of_improvement(a, np.zeros((2, 4)), [0, 1], [0, 1])
    with pytest.raises(ValueError, match="one distinct seed a row"):
        probability_of_improvement(a, a, [0, 0], [0, 1])
    with pytest.raises(ValueError, match="one distinct seed a row"):
        probability_of_improvement(a, a, [0], [0, 1])
    with pytest.raises(ValueError, match="gamma"):
        probability_of_improvement(a, a, [0, 1], [0, 1], gamma=0.4)


def test_pairwise_matrix_is_mirrored():
    scores = [np.array([[0.9, 0.8]]), np.array([[0.5, 0.85]]), np.array([[0.1, 0.2]])]
    tests = pairwise_improvement(scores, [[0], [0], [0]])
    assert tests[0][0] is None and tests[0][1].p == pytest.approx(0.5) and tests[1][0].p == pytest.approx(0.5)
    assert tests[0][2].p == 1.0 and tests[2][0].p == 0.0 and tests[2][0] == tests[0][2].reversed()
