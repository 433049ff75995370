"""Dense SIFT, the vocabulary and the spatial-pyramid encoding of fer_bench.estimators.classical.visual_words."""

import numpy as np
import pytest

from fer_bench.datasets.synthetic import make_synthetic
from fer_bench.estimators.classical import visual_words as vw


@pytest.fixture(scope="module")
def faces():
    return make_synthetic(n_per_class=6, seed=1).images[:40]


CONFIG = vw.WordsConfig(bin_sizes=(3, 6), step=6, n_words=12, vocabulary_faces=20, random_state=4)


def test_dense_sift_shape_and_unit_rows(faces):
    descriptors = vw.dense_sift(faces[:3], (3, 6), 6)
    centres = vw.descriptor_centres((3, 6), 6)
    assert descriptors.shape == (3, len(centres), 128) and descriptors.dtype == np.float32
    norms = np.linalg.norm(descriptors, axis=-1)
    assert np.allclose(norms[norms > 0], 1, atol=1e-5)


def test_a_flat_face_has_zero_descriptors():
    assert not vw.dense_sift(np.full((1, 48, 48), 128, dtype=np.uint8), (4,), 8).any()


def test_a_descriptor_too_large_for_the_face_is_refused():
    with pytest.raises(ValueError, match="must fit in 48 pixels"):
        vw.grid_corners(13, 4)


def test_vocabulary_and_words_are_deterministic_for_a_seed(faces):
    first = vw.fit_vocabulary(faces, CONFIG)
    again = vw.fit_vocabulary(faces, CONFIG)
    other = vw.fit_vocabulary(faces, vw.WordsConfig(**{**CONFIG.__dict__, "random_state": 5}))
    assert first.shape == (12, 128)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    np.testing.assert_array_equal(vw.words_of(faces, first, CONFIG), vw.words_of(faces, again, CONFIG))


def test_quantize_picks_the_nearest_word():
    rng = np.random.default_rng(0)
    vocabulary = rng.random((7, 128)).astype(np.float32)
    descriptors = rng.random((2, 5, 128)).astype(np.float32)
    nearest = ((descriptors[:, :, None, :] - vocabulary[None, None]) ** 2).sum(-1).argmin(-1)
    np.testing.assert_array_equal(vw.quantize(descriptors, vocabulary), nearest)


@pytest.mark.parametrize("encoding", vw.ENCODINGS)
def test_pyramid_histograms_shape_and_sum(encoding):
    rng = np.random.default_rng(0)
    centres = vw.descriptor_centres((3, 4), 4)
    words = rng.integers(0, 10, size=(4, len(centres)))
    rows = vw.pyramid_histograms(words, centres, 10, levels=(1, 2, 3), encoding=encoding)
    assert rows.shape == (4, 10 * (1 + 4 + 9)) and rows.dtype == np.float32
    if encoding == "histogram":
        np.testing.assert_allclose(rows.sum(axis=1), 3, rtol=1e-5)
        np.testing.assert_allclose(rows[:, :10] * len(centres), np.stack([np.bincount(w, minlength=10) for w in words]), rtol=1e-5)
    else:
        np.testing.assert_allclose((rows ** 2).sum(axis=1), 3, rtol=1e-5)
        np.testing.assert_array_equal(rows[:, :10] > 0, np.stack([np.bincount(w, minlength=10) > 0 for w in words]))


def test_pyramid_cells_follow_the_descriptor_centres():
    centres = np.array([[5.0, 5.0], [5.0, 40.0], [40.0, 5.0]], dtype=np.float32)  # top-left, top-right, bottom-left
    rows = vw.pyramid_histograms(np.array([[0, 1, 2]]), centres, 3, levels=(2,), encoding="histogram")
    cells = rows.reshape(4, 3)  # cell (row-major) x word
    np.testing.assert_allclose(cells, [[1 / 3, 0, 0], [0, 1 / 3, 0], [0, 0, 1 / 3], [0, 0, 0]], rtol=1e-6)


def test_unknown_encoding_is_refused():
    with pytest.raises(ValueError, match="encoding='tfidf'"):
        vw.pyramid_histograms(np.zeros((1, 3), dtype=int), np.zeros((3, 2)), 4, encoding="tfidf")


def test_cache_is_reused_and_written_as_npz(faces, cache_dir, monkeypatch):
    vocabulary = vw.cached_vocabulary(faces, CONFIG)
    words = vw.cached_words(faces, vocabulary, CONFIG)
    stored = sorted(path.name for path in (cache_dir / "bovw").iterdir())
    assert len(stored) == 2 and all(name.endswith(".npz") for name in stored)
    monkeypatch.setattr(vw, "fit_vocabulary", lambda *args: pytest.fail("the cached vocabulary was recomputed"))
    monkeypatch.setattr(vw, "words_of", lambda *args: pytest.fail("the cached words were recomputed"))
    np.testing.assert_array_equal(vw.cached_vocabulary(faces, CONFIG), vocabulary)
    np.testing.assert_array_equal(vw.cached_words(faces, vocabulary, CONFIG), words)


def test_the_vocabulary_and_the_words_show_progress(faces, caplog):
    config = vw.WordsConfig(bin_sizes=(3, 6), step=6, n_words=8, vocabulary_faces=10, random_state=0)
    per_face = len(vw.descriptor_centres(config.bin_sizes, config.step))
    with caplog.at_level("INFO", logger="fer_bench.progress"):
        vocabulary = vw.fit_vocabulary(faces, config)
        vw.words_of(faces, vocabulary, config)
    lines = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("bag of visual words: the vocabulary's descriptors: 10/10 faces described")
               for line in lines)
    assert f"bag of visual words: k-means of {10 * per_face:,} descriptors into 8 words" in lines
    assert any(line.startswith(f"bag of visual words: words: {len(faces)}/{len(faces)} faces described and quantized")
               for line in lines)
