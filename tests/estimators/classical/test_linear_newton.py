import numpy as np
import pytest
from sklearn.svm import LinearSVC

from fer_bench.estimators.classical.linear_newton import NewtonLinearSVC, exact_line_search


def noisy_classes(n, d, k, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    X = rng.normal(size=(n, d))
    X[:, 0] += y  # learnable along one axis, overlapping: many rows on the wrong side of the margin
    return X, y


@pytest.mark.parametrize("k, C", [(2, 0.1), (3, 1.0), (4, 10.0)])
def test_newton_fits_linear_svcs_model(k, C):
    X, y = noisy_classes(400, 30, k)
    model = NewtonLinearSVC(C=C).fit(X, y)
    reference = LinearSVC(C=C, dual=False, tol=1e-10, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-6)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, atol=1e-6)
    assert np.array_equal(model.predict(X), reference.predict(X))
    assert model.decision_function(X).shape == ((400,) if k == 2 else (400, k))


def test_intercept_scaling_is_liblinears():
    X, y = noisy_classes(300, 10, 3, seed=1)
    model = NewtonLinearSVC(C=1.0, intercept_scaling=5.0).fit(X, y)
    reference = LinearSVC(C=1.0, intercept_scaling=5.0, dual=False, tol=1e-10, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, atol=1e-6)


def test_line_search_finds_the_minimum_along_the_direction():
    rng = np.random.default_rng(2)
    margins, slopes = rng.normal(1, 1, 200), rng.normal(0, 1, 200)
    w_dot_d, d_dot_d, C = -30.0, 2.0, 0.5

    def objective(t):
        return w_dot_d * t + 0.5 * d_dot_d * t ** 2 + C * np.sum(np.maximum(0, 1 - margins - t * slopes) ** 2)

    step = exact_line_search(margins, slopes, w_dot_d, d_dot_d, C)
    grid = np.linspace(0, 3 * max(step, 1), 30_001)
    assert objective(step) <= min(objective(t) for t in grid) + 1e-9


def test_one_class_is_refused():
    with pytest.raises(ValueError, match="at least two classes"):
        NewtonLinearSVC().fit(np.zeros((5, 3)), np.zeros(5, dtype=int))
