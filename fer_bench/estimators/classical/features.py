"""Feature steps of the classical estimators: faces ``uint8 (n, 48, 48)`` -> float32 rows.

Three steps, named by :data:`FEATURES`:

``pixels``
    Pixels in [0, 1] (:class:`FlattenPixels`), the seeds' input.
``pca``
    Pixels projected on their leading principal components and whitened
    (:class:`~sklearn.decomposition.PCA`, randomized SVD), the eigenfaces of
    Turk & Pentland (1991).
``hog``
    Histograms of oriented gradients (Dalal & Triggs, 2005) computed by
    :func:`skimage.feature.hog`, one face at a time, spread over joblib
    workers; optionally reduced to their leading principal components.
"""

from __future__ import annotations

import math

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .._validation import check_option

FEATURES: tuple[str, ...] = ("pixels", "pca", "hog")
"""Names of the feature steps, as the estimators' ``features`` parameter takes them."""


def flatten_pixels(X) -> np.ndarray:
    """Faces (n, 48, 48) or rows (n, d) in 0..255 -> rows (n, 2304) or (n, d) in [0, 1].

    Integer pixels (the faces' uint8) give float32 rows; float32 or float64
    input keeps its dtype.

    Raises
    ------
    ValueError
        If X is empty, not numeric, or holds NaN or infinity.
    """
    X = check_array(X, allow_nd=True, dtype=None, ensure_all_finite=True)
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float32)
    return X.reshape(len(X), -1).astype(dtype) / dtype.type(255.0)


class FlattenPixels(TransformerMixin, BaseEstimator):
    """Transformer form of :func:`flatten_pixels` (float32 from faces), remembering the pixel count.

    Raises ``ValueError`` in ``transform`` when the pixel count differs from ``fit``'s.
    """

    def fit(self, X, y=None):
        self.n_features_in_ = flatten_pixels(X).shape[1]
        return self

    def transform(self, X):
        check_is_fitted(self)
        rows = flatten_pixels(X)
        if rows.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {rows.shape[1]} features, but FlattenPixels is expecting {self.n_features_in_} features as input")
        return rows

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def as_images(X) -> np.ndarray:
    """Images (n, h, w) as float32: faces as they are, rows (n, s * s) as square images.

    Rows whose length is not a square are read as one-pixel-high images
    (n, 1, d), i.e. 1-D signals.

    Raises
    ------
    ValueError
        If X is empty, holds NaN or infinity, or has neither 2 nor 3 dimensions.
    """
    X = check_array(X, allow_nd=True, dtype=None, ensure_all_finite=True)
    if X.ndim == 2:
        side = math.isqrt(X.shape[1])
        X = X.reshape((len(X), side, side) if side * side == X.shape[1] else (len(X), 1, X.shape[1]))
    if X.ndim != 3:
        raise ValueError(f"X has shape {X.shape}; HOG needs images (n, h, w) or rows (n, d)")
    return X.astype(np.float32, copy=False)


def _hog_rows(images: np.ndarray, orientations: int, pixels_per_cell: int, cells_per_block: int) -> np.ndarray:
    from skimage.feature import hog

    return np.stack([hog(image, orientations=orientations, pixels_per_cell=(pixels_per_cell, pixels_per_cell),
                         cells_per_block=(cells_per_block, cells_per_block), block_norm="L2-Hys",
                         feature_vector=True) for image in images]).astype(np.float32)


class HOGFeatures(TransformerMixin, BaseEstimator):
    """Histograms of oriented gradients of each face, float32 rows.

    :func:`skimage.feature.hog` with L2-Hys block normalisation (Dalal &
    Triggs, 2005). A 48 x 48 face with the defaults (8 x 8-pixel cells, blocks
    of 2 x 2 cells, 9 orientations) gives 5 * 5 * 2 * 2 * 9 = 900 features.
    Faces are processed in chunks through :class:`joblib.Parallel`, so a
    ``joblib.parallel_config`` around ``fit``/``transform`` picks the backend.

    Parameters
    ----------
    orientations : int
        Orientation bins per cell.
    pixels_per_cell : int
        Side of a square cell in pixels.
    cells_per_block : int
        Side of a square normalisation block in cells.
    n_jobs : int or None
        Joblib workers; None means 1 unless a ``parallel_config`` says otherwise.

    Attributes
    ----------
    image_shape_ : tuple of int
        (h, w) of the images seen in ``fit``.
    n_features_in_ : int
        h * w.
    n_features_out_ : int
        Length of one HOG vector.

    Raises
    ------
    ValueError
        In ``fit``/``transform``, for input that is not images (see :func:`as_images`),
        images smaller than one block, or, in ``transform``, images of another shape than in ``fit``.

    Notes
    -----
    2-D input is read by :func:`as_images`: rows of 2,304 pixels are 48 x 48
    faces; rows that are not a square are 1-D signals, which lets the
    scikit-learn estimator checks (tabular data) run on tiny configurations.
    """

    CHUNK = 2048
    """Faces per joblib task."""

    def __init__(self, orientations: int = 9, pixels_per_cell: int = 8, cells_per_block: int = 2, n_jobs: int | None = None):
        self.orientations = orientations
        self.pixels_per_cell = pixels_per_cell
        self.cells_per_block = cells_per_block
        self.n_jobs = n_jobs

    def fit(self, X, y=None):
        images = as_images(X)
        block = self.pixels_per_cell * self.cells_per_block
        if min(images.shape[1:]) < block:  # skimage would return an empty vector
            raise ValueError(f"images of {images.shape[1]} x {images.shape[2]} pixels are smaller than one HOG block "
                             f"({self.cells_per_block} cells of {self.pixels_per_cell} pixels = {block} pixels)")
        self.image_shape_ = images.shape[1:]
        self.n_features_in_ = images.shape[1] * images.shape[2]
        self.n_features_out_ = self._hog(images[:1]).shape[1]
        return self

    def transform(self, X):
        """HOG rows float32 (n, n_features_out_) of faces X (n, h, w) or rows (n, h * w)."""
        check_is_fitted(self)
        images = as_images(X)
        if images.shape[1] * images.shape[2] != self.n_features_in_:
            raise ValueError(f"X has {images.shape[1] * images.shape[2]} features, but HOGFeatures is expecting "
                             f"{self.n_features_in_} features as input")
        if images.shape[1:] != self.image_shape_:
            raise ValueError(f"X has images of shape {images.shape[1:]}, but HOGFeatures was fitted on {self.image_shape_}")
        return self._hog(images)

    def _hog(self, images: np.ndarray) -> np.ndarray:
        args = (self.orientations, self.pixels_per_cell, self.cells_per_block)
        if len(images) <= self.CHUNK or effective_n_jobs(self.n_jobs) == 1:
            return _hog_rows(images, *args)
        chunks = Parallel(n_jobs=self.n_jobs)(delayed(_hog_rows)(images[start:start + self.CHUNK], *args)
                                              for start in range(0, len(images), self.CHUNK))
        return np.concatenate(chunks)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def make_features(features: str, *, scale: bool, n_components: int | None = None, whiten: bool = True,
                  random_state=None, n_jobs: int | None = None) -> Pipeline:
    """An unfitted feature pipeline: faces ``uint8 (n, 48, 48)`` -> float32 rows (float64 rows from float64 input).

    Parameters
    ----------
    features : {"pixels", "pca", "hog"}
        The step (see the module docstring).
    scale : bool
        Standardise every feature of ``pixels``, and of ``hog`` without PCA
        (what SVMs want; kNN on the seed's raw pixels does without).
    n_components : int or None
        Principal components kept after ``pca`` (None: 100) or ``hog`` (None:
        no PCA); capped at the number of faces and features; ignored by ``pixels``.
    whiten : bool
        Scale the principal components to unit variance.
    random_state : int, RandomState or None
        Seeds the randomized SVD.
    n_jobs : int or None
        Joblib workers of ``hog``.

    Returns
    -------
    Pipeline

    Raises
    ------
    ValueError
        If ``features`` is not one of :data:`FEATURES`.
    """
    check_option("features", features, FEATURES)
    if features == "pixels":
        n_components = None
    elif features == "pca" and n_components is None:
        n_components = 100
    steps = [("hog", HOGFeatures(n_jobs=n_jobs))] if features == "hog" else [("pixels", FlattenPixels())]
    if n_components is not None:
        steps.append(("pca", CappedPCA(n_components=n_components, whiten=whiten, random_state=random_state)))
    elif scale:
        steps.append(("scale", StandardScaler()))
    return Pipeline(steps)


class CappedPCA(TransformerMixin, BaseEstimator):
    """:class:`~sklearn.decomposition.PCA` (randomized SVD) keeping at most ``n_components``.

    The cap at ``min(n_samples, n_features)`` lets one setting serve both the
    full data set and a few hundred smoke-test faces.

    Parameters
    ----------
    n_components : int
    whiten : bool
    random_state : int, RandomState or None

    Attributes
    ----------
    pca_ : PCA
    n_features_in_ : int
    """

    def __init__(self, n_components: int = 100, whiten: bool = True, random_state=None):
        self.n_components = n_components
        self.whiten = whiten
        self.random_state = random_state

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=[np.float32, np.float64])
        n_components = max(1, min(self.n_components, *X.shape))
        solver = "randomized" if n_components < 0.8 * min(X.shape) else "full"
        self.pca_ = PCA(n_components=n_components, whiten=self.whiten, svd_solver=solver,
                        random_state=self.random_state).fit(X)
        return self

    def transform(self, X):
        """Components (n, k) in X's float dtype."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float32, np.float64], reset=False)
        return self.pca_.transform(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
