import numpy as np
import pytest
from joblib import parallel_config
from sklearn.utils.estimator_checks import parametrize_with_checks

from fer_bench.estimators.classical.features import CappedPCA, FlattenPixels, HOGFeatures, as_images, make_features


def test_flatten_pixels_scales_to_unit_range():
    X = np.full((2, 48, 48), 255, dtype=np.uint8)
    out = FlattenPixels().fit_transform(X)
    assert out.shape == (2, 2304) and out.dtype == np.float32 and out.max() == 1.0


def test_hog_of_a_face_has_900_float32_features():
    faces = np.random.default_rng(0).integers(0, 256, size=(3, 48, 48), dtype=np.uint8)
    hog = HOGFeatures().fit(faces)
    out = hog.transform(faces)
    assert out.shape == (3, 900) == (3, hog.n_features_out_) and out.dtype == np.float32
    assert np.array_equal(out, hog.transform(faces.reshape(3, 2304)))  # rows of a square image are faces


def test_hog_in_joblib_chunks_equals_one_pass(monkeypatch):
    faces = np.random.default_rng(1).integers(0, 256, size=(7, 48, 48), dtype=np.uint8)
    sequential = HOGFeatures().fit_transform(faces)
    monkeypatch.setattr(HOGFeatures, "CHUNK", 2)
    parallel = HOGFeatures(n_jobs=2).fit_transform(faces)
    with parallel_config(backend="threading", n_jobs=2):
        configured = HOGFeatures().fit_transform(faces)
    assert np.array_equal(sequential, parallel) and np.array_equal(sequential, configured)


def test_as_images_reads_rows_as_square_images_or_signals():
    assert as_images(np.zeros((2, 2304))).shape == (2, 48, 48)
    assert as_images(np.zeros((2, 5))).shape == (2, 1, 5)
    with pytest.raises(ValueError, match="HOG needs images"):
        as_images(np.zeros((2, 4, 4, 3)))


def test_hog_rejects_images_smaller_than_a_block():
    with pytest.raises(ValueError, match="smaller than one HOG block"):
        HOGFeatures().fit(np.zeros((2, 12, 12)))


@pytest.mark.parametrize("features, n_components, steps, width", [
    ("pixels", None, ["pixels", "scale"], 2304),
    ("pca", None, ["pixels", "pca"], 100),
    ("pca", 30, ["pixels", "pca"], 30),
    ("hog", None, ["hog", "scale"], 900),
    ("hog", 20, ["hog", "pca"], 20),
])
def test_make_features_names_its_steps(features, n_components, steps, width):
    faces = np.random.default_rng(2).integers(0, 256, size=(150, 48, 48), dtype=np.uint8)
    pipeline = make_features(features, scale=True, n_components=n_components, random_state=0)
    out = pipeline.fit_transform(faces)
    assert [name for name, _ in pipeline.steps] == steps
    assert out.shape == (150, width) and out.dtype == np.float32


def test_make_features_rejects_unknown_features():
    with pytest.raises(ValueError, match="features='sift'"):
        make_features("sift", scale=True)


def test_pixels_ignore_n_components_and_keep_float64():
    pipeline = make_features("pixels", scale=False, n_components=10)
    assert [name for name, _ in pipeline.steps] == ["pixels"]
    assert pipeline.fit_transform(np.zeros((2, 2304))).dtype == np.float64


def test_capped_pca_keeps_at_most_the_rank():
    X = np.random.default_rng(3).normal(size=(5, 8)).astype(np.float32)
    assert CappedPCA(n_components=100).fit(X).transform(X).shape == (5, 5)


# The checks feed tabular rows; HOG reads them as 1-D signals (see as_images), so all checks pass.
@parametrize_with_checks([FlattenPixels(), CappedPCA(n_components=2), HOGFeatures(pixels_per_cell=1, cells_per_block=1)])
def test_scikit_learn_compliance(estimator, check):
    check(estimator)
