"""The registered classical estimators of fer_bench.estimators.classical.zoo: names, feature steps, profiles."""

import pytest

from fer_bench import get_estimator_spec
from fer_bench.estimators import available_estimators, create_estimator
from fer_bench.profiles import load_profile


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


@pytest.mark.parametrize("name", ["bovw_svc", "bovw_hog_svc", "bovw_local_svc"])
def test_registered_with_the_smoke_profile(name, synthetic):
    (X, y), (X_test, y_test) = synthetic
    spec = get_estimator_spec(name)
    assert spec.family == "classical" and spec.source
    model = create_estimator(spec.name, load_profile("smoke")).estimator.set_params(n_jobs=1)
    assert model.get_params()["n_words"] == 16
    assert model.fit(X, y).predict(X_test).shape == y_test.shape
