"""The bag-of-visual-words SVMs of fer_bench.estimators.bovw: kernels, local learning, smoke runs."""

import numpy as np
import pytest

from fer_bench import get_estimator_spec
from fer_bench.datasets.synthetic import make_synthetic
from fer_bench.estimators.bovw import BoVWSVC, LocalBoVWSVC, gram_matrix, histogram_kernel
from fer_bench.profiles import load_profile
from fer_bench.estimators import create_estimator

TINY = {"n_words": 16, "vocabulary_faces": 40, "bin_sizes": (3, 6), "step": 6, "n_jobs": 1, "random_state": 0}


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FER_BENCH_CACHE_DIR", str(tmp_path))


@pytest.fixture(scope="module")
def synthetic():
    dataset = make_synthetic(n_per_class=40, seed=0)
    return dataset.split("Training"), dataset.split("PrivateTest")


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
    from fer_bench.estimators import bovw

    monkeypatch.setattr(bovw, "_BLOCK", 3)
    Z = np.random.default_rng(1).random((10, 4)).astype(np.float32)
    np.testing.assert_allclose(gram_matrix(Z, "linear"), Z @ Z.T, rtol=1e-6)


def test_unknown_kernel_is_refused():
    with pytest.raises(ValueError, match="kernel='rbf'"):
        histogram_kernel(np.ones((1, 2)), np.ones((1, 2)), "rbf")


@pytest.mark.parametrize("model", [BoVWSVC(**TINY), BoVWSVC(**TINY, hog_weight=1.0),
                                   BoVWSVC(**TINY, encoding="histogram", kernel="hellinger"),
                                   LocalBoVWSVC(**TINY, n_neighbors=60)])
def test_smoke_fit_and_predict_beat_chance(model, synthetic):
    (X, y), (X_test, y_test) = synthetic
    predicted = model.fit(X, y).predict(X_test)
    assert predicted.shape == y_test.shape and set(predicted) <= set(y)
    assert np.mean(predicted == y_test) > 1 / len(np.unique(y))


def test_local_learning_uses_only_training_faces(synthetic):
    (X, y), (X_test, _) = synthetic
    model = LocalBoVWSVC(**TINY, n_neighbors=30).fit(X, y)
    indices = model.local_training_indices(X_test[:20])
    assert indices.shape == (20, 30) and indices.min() >= 0 and indices.max() < len(X)
    assert model.gram_.shape == (len(X), len(X))
    # a Training face is its own nearest neighbour; its local model sees Training labels only
    assert all(i in row for i, row in enumerate(model.local_training_indices(X[:10])))
    # test faces never train a model: one at a time or in a batch, the same labels
    batch = model.predict(X_test[:12])
    single = np.concatenate([model.predict(X_test[i:i + 1]) for i in range(12)])
    np.testing.assert_array_equal(batch, single)


def test_one_class_is_refused(synthetic):
    (X, y), _ = synthetic
    with pytest.raises(ValueError, match="at least two classes"):
        BoVWSVC(**TINY).fit(X[:10], np.zeros(10, dtype=int))


def test_hog_fusion_needs_the_linear_kernel(synthetic):
    (X, y), _ = synthetic
    with pytest.raises(ValueError, match="hog_weight > 0 needs kernel='linear'"):
        BoVWSVC(**TINY, kernel="hellinger", hog_weight=1.0).fit(X, y)


@pytest.mark.parametrize("name", ["bovw_svc", "bovw_hog_svc", "bovw_local_svc"])
def test_registered_with_the_smoke_profile(name, synthetic):
    (X, y), (X_test, y_test) = synthetic
    spec = get_estimator_spec(name)
    assert spec.family == "classical" and spec.source
    model = create_estimator(spec.name, load_profile("smoke")).estimator.set_params(n_jobs=1)
    assert model.get_params()["n_words"] == 16
    assert model.fit(X, y).predict(X_test).shape == y_test.shape
