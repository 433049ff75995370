"""PixelSVC of fer_bench.estimators.classical.svm: scikit-learn's SVC model, its fast paths, its options."""

import importlib.util

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.svm import SVC, LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from fer_bench.estimators.classical.features import make_features
from fer_bench.estimators.classical.svm import PixelSVC, auto_cache_mib

from .striped_faces import faces


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

# scikit-learn's own contract, on tiny configurations. The checks feed 2-D
# tabular data of 1 to 10 features; the pixel and PCA steps flatten any
# trailing shape, so all checks pass. features="hog" cannot take part: its
# 8-pixel cells need images of at least 16 x 16 pixels and every check's data
# is smaller; HOGFeatures itself passes all checks with 1-pixel cells
# (tests/estimators/classical/test_features.py).
@parametrize_with_checks([PixelSVC(kernel="rbf"), PixelSVC(kernel="poly", features="pca", n_components=2),
                          PixelSVC(kernel="linear", solver="liblinear", features="pca", n_components=2)])
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
