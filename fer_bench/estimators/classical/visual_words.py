"""Bag-of-visual-words features of faces: dense SIFT, a k-means vocabulary, spatial-pyramid histograms.

After Ionescu, Popescu and Grozea (2013), "Local learning to improve bag of
visual words model for facial expression recognition" (ICML 2013 Workshop on
Challenges in Representation Learning), in three steps:

1. :func:`dense_sift` - SIFT descriptors (Lowe, 2004: 4 x 4 spatial bins of 8
   orientations, L2-normalised, clipped at 0.2, renormalised) on a regular grid
   at several bin sizes, as VLFeat's ``vl_phow`` computes them (``vl_dsift``
   with a flat window, the image smoothed by a Gaussian of sigma bin / 6). They
   are computed for a batch of faces at once with numpy and scipy. OpenCV's
   ``SIFT.compute`` at given keypoints took 9.3 ms per face for 363
   descriptors and gained nothing from joblib threads (2 shared cores); this
   batch version took about 5 ms per face for 230 descriptors and their words
   on the same, more loaded, machine (all 28,709 Training faces in ~3 min).
2. :func:`fit_vocabulary` - :class:`~sklearn.cluster.MiniBatchKMeans`, seeded,
   over a seeded sample of Training descriptors; :func:`quantize` maps every
   descriptor to its nearest word (one matrix product per chunk, BLAS).
3. :func:`pyramid_histograms` - word counts of each cell of a spatial pyramid
   (level ``L`` cuts the face into ``L x L`` cells), concatenated level by level.

:func:`cached_words` keeps the vocabulary and the word maps on disk, named by
the sha256 of the faces and every parameter, so that the estimators of one run
(and later runs) compute them once. Arrays are stored as ``.npz`` and read with
``allow_pickle=False``.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from ..._cache import cache_root
from ..._io import atomic_save_npz, read_npz
from .._validation import IMAGE_SIZE, as_faces, check_option
from .._progress import PROGRESS_LOGGER, WorkProgress

ENCODINGS: tuple[str, ...] = ("presence", "histogram")
"""``presence``: which words occur (0/1), each level scaled to unit L2 norm (the paper's normalised presence vectors);
``histogram``: word counts, each level scaled to sum 1."""
CACHE_VERSION = 1
_CHUNK = 1024  # faces per dense-SIFT batch: about 80 MB of orientation planes


@dataclass(frozen=True)
class WordsConfig:
    """Everything the visual words of a face depend on (and the cache key is made of).

    Attributes
    ----------
    bin_sizes : tuple of int
        Side in pixels of one of the 4 x 4 spatial bins of a descriptor; a
        descriptor covers ``4 * bin`` pixels square. One grid per size.
    step : int
        Grid step in pixels between descriptor corners.
    n_words : int
        Vocabulary size (k of k-means).
    vocabulary_faces : int
        Training faces (a seeded sample) whose descriptors the k-means sees.
    random_state : int
        Seeds the face sample and k-means.
    """

    bin_sizes: tuple[int, ...] = (3, 4, 6)
    step: int = 4
    n_words: int = 1000
    vocabulary_faces: int = 500
    random_state: int = 0

    def key(self) -> str:
        return hashlib.sha256(json.dumps({**asdict(self), "v": CACHE_VERSION}, sort_keys=True).encode()).hexdigest()[:16]


def grid_corners(bin_size: int, step: int, side: int = IMAGE_SIZE) -> np.ndarray:
    """Top-left pixel offsets (m,) of the descriptors along one axis, the grid centred in the image.

    Raises
    ------
    ValueError
        If a descriptor (``4 * bin_size`` pixels) does not fit in ``side`` pixels, or step < 1.
    """
    extent = 4 * bin_size
    if extent > side or bin_size < 1 or step < 1:
        raise ValueError(f"bin_size={bin_size}, step={step}: a descriptor of {extent} pixels must fit in {side} pixels")
    last = side - extent
    return np.arange(0, last + 1, step) + (last % step) // 2


def descriptor_centres(bin_sizes, step: int) -> np.ndarray:
    """Centres (y, x) in pixels of every dense-SIFT descriptor, float32 (P, 2), in :func:`dense_sift`'s order."""
    centres = []
    for size in bin_sizes:
        corners = grid_corners(size, step) + 2 * size - 0.5
        ys, xs = np.meshgrid(corners, corners, indexing="ij")
        centres.append(np.stack([ys.ravel(), xs.ravel()], axis=1))
    return np.concatenate(centres).astype(np.float32)


def _sift_one_size(images: np.ndarray, bin_size: int, step: int) -> np.ndarray:
    """Descriptors (n, m * m, 128) of float images (n, 48, 48) in [0, 1] for one bin size."""
    from scipy.ndimage import convolve1d, gaussian_filter  # here, not at import: `list` loads this module

    smooth = gaussian_filter(images, sigma=(0, bin_size / 6, bin_size / 6), mode="nearest")
    gy, gx = np.gradient(smooth, axis=(1, 2))
    magnitude = np.hypot(gx, gy)
    position = (np.arctan2(gy, gx) % (2 * np.pi)) * (8 / (2 * np.pi))
    lower = np.floor(position).astype(np.int64) % 8
    upper_weight = position - np.floor(position)
    planes = np.zeros((len(images), 8) + images.shape[1:], dtype=np.float32)
    for orientation in range(8):  # each gradient votes for its two nearest orientations, linearly
        planes[:, orientation] = magnitude * np.where(lower == orientation, 1 - upper_weight, 0)
        planes[:, orientation] += magnitude * np.where((lower + 1) % 8 == orientation, upper_weight, 0)
    tent = 1 - np.abs(np.arange(-bin_size + 1, bin_size)) / bin_size  # bilinear spatial binning
    planes = convolve1d(convolve1d(planes, tent, axis=2, mode="constant"), tent, axis=3, mode="constant")
    corners = grid_corners(bin_size, step)
    bins = corners[:, None] + (bin_size - 1) // 2 + bin_size * np.arange(4)[None, :]  # (m, 4) bin centres
    rows = bins[:, None, :, None]  # (m, 1, 4, 1): descriptor row, -, bin row, -
    cols = bins[None, :, None, :]  # (1, m, 1, 4)
    values = planes[:, :, rows, cols]  # (n, 8, m, m, 4, 4)
    values = values.transpose(0, 2, 3, 4, 5, 1).reshape(len(images), len(corners) ** 2, 128)
    return values


def _normalise_sift(descriptors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(descriptors, axis=-1, keepdims=True)
    descriptors = np.minimum(descriptors / np.maximum(norms, 1e-12), 0.2)
    return descriptors / np.maximum(np.linalg.norm(descriptors, axis=-1, keepdims=True), 1e-12)


def dense_sift(faces, bin_sizes=(3, 4, 6), step: int = 4) -> np.ndarray:
    """Dense SIFT descriptors of faces ``uint8 (n, 48, 48)``: float32 (n, P, 128), rows of unit L2 norm.

    P = sum over bin sizes of m^2 with m = len(:func:`grid_corners`); the
    defaults give 10^2 + 9^2 + 7^2 = 230 descriptors per face. Flat patches
    (no gradient) give zero rows. Centres: :func:`descriptor_centres`.

    Raises
    ------
    ValueError
        As :func:`~fer_bench.estimators._validation.as_faces`, or for a bin size whose descriptor does not fit.
    """
    images = as_faces(faces).astype(np.float32) / np.float32(255)
    out = np.concatenate([_sift_one_size(images, size, step) for size in bin_sizes], axis=1)
    return _normalise_sift(out).astype(np.float32)


def fit_vocabulary(faces, config: WordsConfig) -> np.ndarray:
    """Visual words float32 (n_words, 128): MiniBatchKMeans centres of a seeded sample of the faces' descriptors.

    The descriptors of ``config.vocabulary_faces`` faces drawn at random (all
    faces if there are fewer), with k capped at the number of descriptors.
    """
    faces = as_faces(faces)
    rng = np.random.default_rng(config.random_state)
    chosen = np.sort(rng.choice(len(faces), size=min(config.vocabulary_faces, len(faces)), replace=False))
    progress = WorkProgress("bag of visual words: the vocabulary's descriptors", len(chosen), "faces described")
    sample = np.concatenate([_described(faces[chosen[start:start + _CHUNK]], config, progress)
                             for start in range(0, len(chosen), _CHUNK)]).reshape(-1, 128)
    from sklearn.cluster import MiniBatchKMeans

    n_words, start = min(config.n_words, len(sample)), time.perf_counter()
    PROGRESS_LOGGER.info(f"bag of visual words: k-means of {len(sample):,} descriptors into {n_words:,} words")
    kmeans = MiniBatchKMeans(n_clusters=n_words, batch_size=4096, n_init=1, max_iter=10,
                             random_state=config.random_state).fit(sample)
    PROGRESS_LOGGER.info(f"bag of visual words: k-means done in {time.perf_counter() - start:.1f} s")
    return kmeans.cluster_centers_.astype(np.float32)


def _described(faces: np.ndarray, config: WordsConfig, progress: WorkProgress) -> np.ndarray:
    """:func:`dense_sift` of a batch of faces, counted on ``progress``."""
    descriptors = dense_sift(faces, config.bin_sizes, config.step)
    progress.advance(len(faces))
    return descriptors


def quantize(descriptors: np.ndarray, vocabulary: np.ndarray) -> np.ndarray:
    """Index of the nearest word of every descriptor: (n, P, 128) -> int (n, P), squared Euclidean distance."""
    flat = descriptors.reshape(-1, descriptors.shape[-1])
    distances = flat @ (-2 * vocabulary.T)
    distances += np.einsum("ij,ij->i", vocabulary, vocabulary)[None, :]
    return distances.argmin(axis=1).astype(np.uint16).reshape(descriptors.shape[:-1])


def words_of(faces, vocabulary: np.ndarray, config: WordsConfig) -> np.ndarray:
    """Visual word of every descriptor of every face, uint16 (n, P), computed in batches of faces."""
    faces = as_faces(faces)
    progress = WorkProgress("bag of visual words: words", len(faces), "faces described and quantized")
    return np.concatenate([quantize(_described(faces[start:start + _CHUNK], config, progress), vocabulary)
                           for start in range(0, len(faces), _CHUNK)])


def pyramid_histograms(words: np.ndarray, centres: np.ndarray, n_words: int, levels=(1, 2, 4),
                       encoding: str = "presence") -> np.ndarray:
    """Spatial-pyramid encoding of word maps (n, P): float32 (n, n_words * sum(L^2 for L in levels)).

    Columns run level by level, cell by cell (row-major), word by word. A
    descriptor falls in the cell of its centre (``centres`` (P, 2) in pixels of
    a 48 x 48 face). ``encoding="presence"``: 1 where a word occurs in a cell,
    each level scaled to unit L2 norm, so every row has squared norm
    ``len(levels)``; ``"histogram"``: counts, each level scaled to sum 1, so
    every row sums to ``len(levels)``. A linear kernel on these rows is the sum
    of one kernel per level, the levels weighted equally.

    Raises
    ------
    ValueError
        For an unknown encoding, or words and centres that do not match.
    """
    check_option("encoding", encoding, ENCODINGS)
    if words.ndim != 2 or words.shape[1] != len(centres):
        raise ValueError(f"words of shape {words.shape} do not match {len(centres)} descriptor centres")
    n = len(words)
    blocks = []
    for level in levels:
        cells = np.minimum((centres * level / IMAGE_SIZE).astype(np.int64), level - 1)
        cell = cells[:, 0] * level + cells[:, 1]  # (P,)
        index = (np.arange(n)[:, None] * level * level + cell[None, :]) * n_words + words.astype(np.int64)
        counts = np.bincount(index.ravel(), minlength=n * level * level * n_words).reshape(n, -1).astype(np.float32)
        if encoding == "presence":
            counts = (counts > 0).astype(np.float32)
            counts /= np.maximum(np.linalg.norm(counts, axis=1, keepdims=True), 1e-12)
        else:
            counts /= np.maximum(counts.sum(axis=1, keepdims=True), 1e-12)
        blocks.append(counts)
    return np.hstack(blocks)


def default_cache_dir() -> Path:
    """``$FER_BENCH_CACHE_DIR/bovw``, or ``~/.cache/fer_bench/bovw`` when the variable is unset."""
    return cache_root() / "bovw"


def _digest(faces: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(faces).tobytes()).hexdigest()[:24]


def _load(path: Path, name: str) -> np.ndarray | None:
    try:
        return read_npz(path, (name,))[name]
    except (OSError, ValueError):
        return None  # absent or unreadable: recompute


def cached_vocabulary(training_faces, config: WordsConfig, cache: bool = True) -> np.ndarray:
    """:func:`fit_vocabulary`, read from / written to :func:`default_cache_dir` when ``cache``.

    The file is named by the sha256 of the Training faces and ``config``; it is written atomically.
    """
    faces = as_faces(training_faces)
    path = default_cache_dir() / f"vocabulary-{_digest(faces)}-{config.key()}.npz"
    vocabulary = _load(path, "vocabulary") if cache else None
    if vocabulary is None or vocabulary.shape[1:] != (128,):
        vocabulary = fit_vocabulary(faces, config)
        if cache:
            atomic_save_npz(path, vocabulary=vocabulary)
    return vocabulary


def cached_words(faces, vocabulary: np.ndarray, config: WordsConfig, cache: bool = True) -> np.ndarray:
    """:func:`words_of`, cached like :func:`cached_vocabulary` (named by the faces, vocabulary and ``config``)."""
    faces = as_faces(faces)
    path = default_cache_dir() / f"words-{_digest(faces)}-{_digest(vocabulary)}-{config.key()}.npz"
    words = _load(path, "words") if cache else None
    if words is None or words.shape != (len(faces), len(descriptor_centres(config.bin_sizes, config.step))):
        words = words_of(faces, vocabulary, config)
        if cache:
            atomic_save_npz(path, words=words)
    return words
