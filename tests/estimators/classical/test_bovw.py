"""The bag-of-visual-words SVMs of fer_bench.estimators.classical.bovw: local learning, smoke runs."""

import numpy as np
import pytest

from fer_bench.estimators.classical.bovw import BoVWSVC, LocalBoVWSVC

TINY = {"n_words": 16, "vocabulary_faces": 40, "bin_sizes": (3, 6), "step": 6, "n_jobs": 1, "random_state": 0}


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
