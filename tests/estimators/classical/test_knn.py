"""GridSearchKNN of fer_bench.estimators.classical.knn: selection on PublicTest, as scikit-learn scores it."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.utils.estimator_checks import parametrize_with_checks

from fer_bench.estimators.classical.features import flatten_pixels
from fer_bench.estimators.classical.knn import GridSearchKNN

from .striped_faces import faces


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


@pytest.mark.parametrize("algorithm", ["brute", "kd_tree"])
def test_knn_validation_scores_match_scikit_learn(algorithm):
    from sklearn.neighbors import KNeighborsClassifier

    X, y = faces(80)
    X_val, y_val = faces(40, seed=2)
    y_val = y_val.copy()
    y_val[::4] = (y_val[::4] + 1) % 3  # some errors so k matters
    model = GridSearchKNN(param_grid={"n_neighbors": [1, 3, 5], "p": [1, 2], "leaf_size": [10, 30]}, algorithm=algorithm)
    model.fit(X, y, validation_data=(X_val, y_val))
    flat, flat_val = flatten_pixels(X), flatten_pixels(X_val)
    for row in model.search_results_:
        reference = KNeighborsClassifier(n_neighbors=row["n_neighbors"], p=row["p"], leaf_size=row["leaf_size"],
                                         algorithm=algorithm).fit(flat, y)
        assert row["public_accuracy"] == pytest.approx(reference.score(flat_val, y_val))


def test_knn_candidates_through_joblib_equal_sequential_search():
    X, y = faces(60)
    X_val, y_val = faces(30, seed=1)
    grid = {"n_neighbors": [1, 3], "p": [1, 2], "leaf_size": [30]}
    sequential = GridSearchKNN(features="pca", n_components=10, param_grid=grid, random_state=0, n_jobs=1)
    sequential.fit(X, y, validation_data=(X_val, y_val))
    with parallel_config(backend="loky", n_jobs=2):
        parallel = GridSearchKNN(features="pca", n_components=10, param_grid=grid, random_state=0)
        parallel.fit(X, y, validation_data=(X_val, y_val))
    assert parallel.search_results_ == sequential.search_results_


def test_knn_without_validation_falls_back_to_cross_validation():
    X, y = faces(30)
    model = GridSearchKNN(param_grid={"n_neighbors": [1, 3], "p": [2], "leaf_size": [30]}).fit(X, y)
    assert all("cv_accuracy" in row for row in model.search_results_)
# scikit-learn's own contract, on tiny configurations (see test_svm.py: features="hog" cannot take part)
@parametrize_with_checks([GridSearchKNN(param_grid={"n_neighbors": [1], "p": [2], "leaf_size": [30]}, cv=2),
                          GridSearchKNN(features="pca", n_components=2, param_grid={"n_neighbors": [1], "p": [1], "leaf_size": [30]}, cv=2)])
def test_scikit_learn_compliance(estimator, check):
    check(estimator)
