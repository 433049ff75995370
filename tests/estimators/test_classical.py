import importlib.util

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.metrics.pairwise import pairwise_kernels
from sklearn.svm import SVC, LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from fer_bench.estimators._registry import available_estimators
from fer_bench.estimators.classical import GridSearchKNN, PixelSVC, auto_cache_mib, kernel_matrix
from fer_bench.estimators.features import flatten_pixels, make_features
from fer_bench.profiles import load_profile
from fer_bench.estimators import create_estimator


def faces(n, seed=0, n_classes=3):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % n_classes
    images = rng.integers(0, 60, size=(n, 48, 48), dtype=np.uint8)
    images[labels == 1, :, ::6] += 150  # a learnable cue per class: vertical or horizontal stripes
    images[labels == 2, ::6, :] += 150
    return images, labels


@pytest.mark.parametrize("kernel, solver", [("linear", "libsvm"), ("linear", "liblinear"), ("linear", "newton"), ("poly", "libsvm"), ("rbf", "libsvm")])
@pytest.mark.parametrize("features", ["pixels", "pca", "hog"])
def test_svms_learn_images(kernel, solver, features):
    X, y = faces(60)
    model = PixelSVC(features=features, kernel=kernel, solver=solver, coef0=1.0,
                     n_components=None if features == "pixels" else 10).fit(X, y)
    X_test, y_test = faces(30, seed=1)
    assert model.score(X_test, y_test) > 0.9
    assert model.decision_function(X_test).shape == (30, 3)


@pytest.mark.parametrize("precompute_kernel", [False, True])
@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf"])
def test_pairwise_svc_is_scikit_learns_svc(kernel, precompute_kernel):
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 256, size=(200, 48, 48), dtype=np.uint8), rng.integers(0, 4, size=200)  # noise: many support vectors
    model = PixelSVC(kernel=kernel, precompute_kernel=precompute_kernel).fit(X, y)
    rows = make_features("pixels", scale=True).fit_transform(X)
    reference = SVC(kernel=kernel, decision_function_shape="ovr", break_ties=True).fit(rows, y)
    assert model.gamma_ == pytest.approx(reference._gamma)
    assert len(model.support_vectors_) == reference.n_support_.sum()
    np.testing.assert_allclose(model.decision_function(X), reference.decision_function(rows), atol=1e-4)
    assert np.array_equal(model.predict(X), reference.predict(rows))


def test_two_classes_give_one_signed_score_like_svc():
    X, y = faces(40, n_classes=2)
    model = PixelSVC().fit(X, y)
    rows = make_features("pixels", scale=True).fit_transform(X)
    np.testing.assert_allclose(model.decision_function(X), SVC().fit(rows, y).decision_function(rows), atol=1e-4)


def test_liblinear_one_vs_rest_in_threads_is_linear_svcs_model():
    X, y = faces(120, n_classes=3)
    X[::7] = np.random.default_rng(3).integers(0, 256, size=X[::7].shape)  # noise: not separable
    model = PixelSVC(kernel="linear", solver="liblinear", features="pca", n_components=20, random_state=0, n_jobs=2).fit(X, y)
    rows = model.features_.transform(X)
    reference = LinearSVC(C=model.C, random_state=0).fit(rows, y)
    np.testing.assert_allclose(model.decision_function(X), reference.decision_function(rows), atol=1e-3)
    assert np.array_equal(model.predict(X), reference.predict(rows))


def test_class_pairs_through_joblib_equal_sequential_fit():
    X, y = faces(90)
    sequential = PixelSVC(kernel="rbf", features="pca", n_components=20, random_state=0, n_jobs=1).fit(X, y)
    threads = PixelSVC(kernel="rbf", features="pca", n_components=20, random_state=0, n_jobs=2).fit(X, y)
    with parallel_config(backend="loky", n_jobs=2):
        processes = PixelSVC(kernel="rbf", features="pca", n_components=20, random_state=0).fit(X, y)
    for model in (threads, processes):
        assert np.array_equal(model.support_vectors_, sequential.support_vectors_)
        assert np.array_equal(model.dual_coef_, sequential.dual_coef_)
        assert np.array_equal(model.decision_function(X), sequential.decision_function(X))


@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf"])
def test_kernel_matrix_matches_scikit_learn(kernel):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(5, 7)).astype(np.float32), rng.normal(size=(4, 7)).astype(np.float32)
    expected = pairwise_kernels(X.astype(np.float64), Y.astype(np.float64), metric=kernel, filter_params=True,
                                gamma=0.1, degree=3, coef0=1.0)
    np.testing.assert_allclose(kernel_matrix(X, Y, kernel, gamma=0.1, degree=3, coef0=1.0), expected, rtol=1e-4, atol=1e-5)


def test_auto_cache_holds_a_pair_kernel_within_free_memory():
    assert auto_cache_mib(largest_pair=10, workers=2) == 100.0  # never below libsvm's useful minimum
    assert 100.0 < auto_cache_mib(largest_pair=20_000, workers=1) <= 20_000 ** 2 * 4 / 2 ** 20


@pytest.mark.parametrize("options, message", [({"kernel": "sigmoid"}, "kernel='sigmoid'"),
                                              ({"features": "sift"}, "features='sift'"),
                                              ({"kernel": "rbf", "solver": "liblinear"}, "linear SVMs only"),
                                              ({"precompute_kernel": "always"}, "precompute_kernel='always'")])
def test_svc_rejects_unknown_options(options, message):
    X, y = faces(12)
    with pytest.raises(ValueError, match=message):
        PixelSVC(**options).fit(X, y)


HAS_CUML = importlib.util.find_spec("cuml") is not None


@pytest.mark.skipif(HAS_CUML, reason="cuML is installed: test_cuml_engine_fits_on_a_gpu covers the engine")
def test_cuml_engine_without_cuml_names_the_fix():
    X, y = faces(12)
    with pytest.raises(ImportError, match="engine='sklearn'"):
        PixelSVC(engine="cuml").fit(X, y)


@pytest.mark.skipif(not HAS_CUML, reason="cuML (and a CUDA GPU) not installed")
def test_cuml_engine_fits_on_a_gpu():
    X, y = faces(60)
    model = PixelSVC(engine="cuml", features="pca", n_components=10).fit(X, y)
    X_test, y_test = faces(30, seed=1)
    assert model.score(X_test, y_test) > 0.9


# feature step and solver in the quick profile (where the seed's linear SVM is LinearSVC's model, by Newton steps)
SVC_VARIANTS = {"svc_linear": ("pixels", "newton"), "svc_poly": ("pixels", "libsvm"), "svc_rbf": ("pixels", "libsvm"),
                "svc_linear_pca": ("pca", "liblinear"), "svc_linear_hog": ("hog", "liblinear"),
                "svc_poly_pca": ("pca", "libsvm"), "svc_poly_hog": ("hog", "libsvm"),
                "svc_rbf_pca": ("pca", "libsvm"), "svc_rbf_hog": ("hog", "libsvm")}
KNN_VARIANTS = {"knn": "pixels", "knn_pca": "pca", "knn_hog": "hog"}
FEATURE_WORDS = {"pixels": "pixels", "pca": "principal components", "hog": "HOG"}


@pytest.mark.parametrize("name", list(SVC_VARIANTS) + list(KNN_VARIANTS))
def test_variants_are_registered_with_their_feature_step(name):
    spec = available_estimators()[name]
    estimator = create_estimator(spec.name, load_profile("quick")).estimator
    features = KNN_VARIANTS.get(name) or SVC_VARIANTS[name][0]
    assert estimator.features == features
    assert FEATURE_WORDS[features] in spec.source
    assert spec.source.startswith("seed:") == (features == "pixels")
    if name in SVC_VARIANTS:
        assert estimator.solver == SVC_VARIANTS[name][1]
        assert estimator.kernel in name


def test_seed_svms_default_to_libsvm():
    for name in ("svc_linear", "svc_poly", "svc_rbf"):
        assert create_estimator(name, load_profile("full")).estimator.solver == "libsvm"


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


# scikit-learn's own contract, on tiny configurations. The checks feed 2-D
# tabular data of 1 to 10 features; the pixel and PCA steps flatten any
# trailing shape, so all checks pass. features="hog" cannot take part: its
# 8-pixel cells need images of at least 16 x 16 pixels and every check's data
# is smaller; HOGFeatures itself passes all checks with 1-pixel cells
# (tests/estimators/test_features.py).
@parametrize_with_checks([PixelSVC(kernel="rbf"), PixelSVC(kernel="poly", features="pca", n_components=2),
                          PixelSVC(kernel="linear", solver="liblinear", features="pca", n_components=2),
                          GridSearchKNN(param_grid={"n_neighbors": [1], "p": [2], "leaf_size": [30]}, cv=2),
                          GridSearchKNN(features="pca", n_components=2, param_grid={"n_neighbors": [1], "p": [1], "leaf_size": [30]}, cv=2)])
def test_scikit_learn_compliance(estimator, check):
    check(estimator)


@pytest.mark.parametrize("kernel", ["linear", "rbf"])
def test_libsvm_pairs_leave_the_global_rng_alone_when_seeded(kernel):
    X, y = faces(30)
    np.random.seed(11)
    expected = np.random.rand(3)
    np.random.seed(11)
    PixelSVC(kernel=kernel, solver="libsvm", random_state=0, n_jobs=1).fit(X, y)
    np.testing.assert_array_equal(np.random.rand(3), expected)
