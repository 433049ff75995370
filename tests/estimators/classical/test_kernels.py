"""Kernel matrices of fer_bench.estimators.classical.kernels: the pixel SVMs' kernels and the histogram kernels."""

import numpy as np
import pytest
from sklearn.metrics.pairwise import pairwise_kernels

from fer_bench.estimators.classical import kernels
from fer_bench.estimators.classical.kernels import gram_matrix, histogram_kernel, kernel_matrix


@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf"])
def test_kernel_matrix_matches_scikit_learn(kernel):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(5, 7)).astype(np.float32), rng.normal(size=(4, 7)).astype(np.float32)
    expected = pairwise_kernels(X.astype(np.float64), Y.astype(np.float64), metric=kernel, filter_params=True,
                                gamma=0.1, degree=3, coef0=1.0)
    np.testing.assert_allclose(kernel_matrix(X, Y, kernel, gamma=0.1, degree=3, coef0=1.0), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kernel, direct", [
    ("linear", lambda x, y: float(np.sum(x * y))),
    ("hellinger", lambda x, y: float(np.sum(np.sqrt(x * y)))),
    ("intersection", lambda x, y: float(np.sum(np.minimum(x, y))))])
def test_kernels_equal_a_direct_computation(kernel, direct):
    rng = np.random.default_rng(0)
    X, Y = rng.random((5, 9)).astype(np.float32), rng.random((4, 9)).astype(np.float32)
    expected = np.array([[direct(x, y) for y in Y] for x in X])
    np.testing.assert_allclose(histogram_kernel(X, Y, kernel), expected, rtol=1e-5)
    np.testing.assert_allclose(gram_matrix(X, kernel), [[direct(a, b) for b in X] for a in X], rtol=1e-5)


def test_blocked_gram_matrix_covers_every_block(monkeypatch):
    monkeypatch.setattr(kernels, "BLOCK_ROWS", 3)
    Z = np.random.default_rng(1).random((10, 4)).astype(np.float32)
    np.testing.assert_allclose(gram_matrix(Z, "linear"), Z @ Z.T, rtol=1e-6)


def test_unknown_kernel_is_refused():
    with pytest.raises(ValueError, match="kernel='rbf'"):
        histogram_kernel(np.ones((1, 2)), np.ones((1, 2)), "rbf")
