import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from fer_bench.estimators.classical import FlattenPixels, GridSearchKNN, PixelSVC, flatten_pixels


def faces(n, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    images = rng.integers(0, 60, size=(n, 48, 48), dtype=np.uint8)
    images[:, :16][labels == 1] += 150  # a learnable cue per class
    images[:, 32:][labels == 2] += 150
    return images, labels


def test_flatten_pixels_scales_to_unit_range():
    X = np.full((2, 48, 48), 255, dtype=np.uint8)
    out = FlattenPixels().fit_transform(X)
    assert out.shape == (2, 2304) and out.dtype == np.float32 and out.max() == 1.0


@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf"])
def test_svc_pipelines_learn_images(kernel):
    X, y = faces(60)
    model = PixelSVC(kernel=kernel).fit(X, y)
    X_test, y_test = faces(30, seed=1)
    assert model.score(X_test, y_test) > 0.9


def test_knn_selects_on_validation_and_refits_on_training():
    X, y = faces(60)
    X_val, y_val = faces(30, seed=1)
    model = GridSearchKNN(param_grid={"n_neighbors": [1, 3], "p": [1, 2], "leaf_size": [10, 30]})
    model.fit(X, y, validation_data=(X_val, y_val))
    assert len(model.search_results_) == 8
    assert all("public_accuracy" in row for row in model.search_results_)
    assert model.best_estimator_.n_samples_fit_ == 60
    assert set(model.best_params_) == {"n_neighbors", "p", "leaf_size"}
    proba = model.predict_proba(X_val)
    assert proba.shape == (30, 3) and np.allclose(proba.sum(axis=1), 1)


def test_knn_validation_scores_match_scikit_learn():
    from sklearn.neighbors import KNeighborsClassifier

    X, y = faces(80)
    X_val, y_val = faces(40, seed=2)
    y_val = y_val.copy()
    y_val[::4] = (y_val[::4] + 1) % 3  # some errors so k matters
    model = GridSearchKNN(param_grid={"n_neighbors": [1, 3, 5], "p": [1, 2], "leaf_size": [30]})
    model.fit(X, y, validation_data=(X_val, y_val))
    flat, flat_val = flatten_pixels(X), flatten_pixels(X_val)
    for row in model.search_results_:
        reference = KNeighborsClassifier(n_neighbors=row["n_neighbors"], p=row["p"]).fit(flat, y)
        assert row["public_accuracy"] == pytest.approx(reference.score(flat_val, y_val))


def test_knn_without_validation_falls_back_to_cross_validation():
    X, y = faces(30)
    model = GridSearchKNN(param_grid={"n_neighbors": [1, 3], "p": [2], "leaf_size": [30]}).fit(X, y)
    assert all("cv_accuracy" in row for row in model.search_results_)


# scikit-learn's own contract, on tiny configurations. The checks feed 2-D
# tabular data; these estimators flatten any trailing shape, so all checks pass.
@parametrize_with_checks([FlattenPixels(), PixelSVC(kernel="rbf"), PixelSVC(kernel="poly"),
                          GridSearchKNN(param_grid={"n_neighbors": [1], "p": [2], "leaf_size": [30]}, cv=2)])
def test_scikit_learn_compliance(estimator, check):
    check(estimator)
