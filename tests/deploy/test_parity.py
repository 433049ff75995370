"""The parity check's arithmetic and its tolerances."""

import numpy as np
import pytest

from fer_bench.deploy.parity import MAX_ABS_DIFFERENCE, compare, reference_probabilities, softmax


def test_compare_counts_agreement_and_the_largest_difference():
    reference = np.array([[0.7, 0.3], [0.4, 0.6], [0.5, 0.5 - 1e-9], [0.1, 0.9]])
    candidate = reference + np.array([[0.0, 0.0], [0.2, -0.2], [0.0, 0.0], [-5e-5, 5e-5]])
    parity = compare(reference, candidate)
    assert parity.faces == 4 and parity.argmax_agreement == 0.75
    assert parity.max_abs_probability_difference == pytest.approx(0.2)
    assert not parity.passed and "argmax agreement 75.0000%" in parity.text()


def test_parity_passes_within_the_tolerances_only():
    reference = softmax(np.random.default_rng(0).normal(size=(2000, 7)))
    assert compare(reference, reference + MAX_ABS_DIFFERENCE / 2).passed
    assert not compare(reference, reference + 2 * MAX_ABS_DIFFERENCE).passed



@pytest.mark.parametrize("disagreeing, passed", [(2, True), (3, False)])
def test_argmax_agreement_must_reach_999_in_1000(disagreeing, passed):
    reference = np.tile([0.9, 0.1], (2000, 1))
    reference[:disagreeing] = [0.5 + 1e-6, 0.5 - 1e-6]  # near ties that flip within the difference tolerance
    candidate = reference.copy()
    candidate[:disagreeing] = reference[:disagreeing, ::-1]
    parity = compare(reference, candidate)
    assert parity.max_abs_probability_difference < MAX_ABS_DIFFERENCE
    assert parity.argmax_agreement == (2000 - disagreeing) / 2000 and parity.passed is passed


def test_a_shape_mismatch_is_named():
    with pytest.raises(ValueError, match=r"shape \(2, 5\), the original \(2, 7\)"):
        compare(np.zeros((2, 7)), np.zeros((2, 5)))


def test_scores_without_probabilities_are_compared_through_softmax():
    class Scores:
        def decision_function(self, X):
            return np.array([[1.0, 2.0, 0.0]] * len(X))

    probabilities = reference_probabilities(Scores(), np.zeros((2, 48, 48), np.uint8))
    expected = np.exp([1.0, 2.0, 0.0]) / np.exp([1.0, 2.0, 0.0]).sum()
    assert np.allclose(probabilities, expected) and probabilities.shape == (2, 3)
