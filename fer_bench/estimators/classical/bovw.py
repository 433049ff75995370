"""Bag-of-visual-words SVMs, global and local, after Ionescu, Popescu and Grozea (2013).

"Local learning to improve bag of visual words model for facial expression
recognition" (ICML 2013 Workshop on Challenges in Representation Learning)
reached 67.48% PrivateTest accuracy on FER-2013 with dense SIFT, a k-means
vocabulary, normalised spatial presence vectors of visual words, linear
kernels summed over the pyramid levels (their multiple kernel learning), an
SVM, and local learning: each test face gets its own SVM, trained on its
nearest Training faces in the kernel's feature space.

Estimators (features: :mod:`fer_bench.estimators.classical.visual_words`):

- :class:`BoVWSVC` - one SVM on all Training faces (``bovw_svc``; with HOG
  fused into the kernel, ``bovw_hog_svc``);
- :class:`LocalBoVWSVC` - the paper's local learning (``bovw_local_svc``).

Speed: the kernel matrix of all Training faces is computed once (float32
BLAS, ``Z @ Z.T``); the one-vs-one class pairs fit libsvm on slices of it in
joblib threads (libsvm releases the GIL, :mod:`fer_bench.estimators.classical.ovo`),
as the precomputed-kernel SVMs of :mod:`fer_bench.estimators.classical.svm` do; local SVMs read their neighbours'
block of the same matrix. The visual words are cached on disk by the faces'
sha256 (:func:`~fer_bench.estimators.classical.visual_words.cached_words`).

Parameters the abstract does not give (grid step, bin sizes, vocabulary size,
pyramid levels, C, neighbour count) were chosen here for 48 x 48 faces and a
2-core budget; the docstrings say which.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.validation import check_is_fitted

from .._validation import as_faces, check_option, encode_classes
from .features import HOGFeatures
from .kernels import BLOCK_ROWS, HISTOGRAM_KERNELS, gram_matrix, histogram_kernel
from .._progress import WorkProgress
from .ovo import class_pairs, class_scores, fit_pairs, predict_from_scores
from .visual_words import ENCODINGS, WordsConfig, cached_vocabulary, cached_words, descriptor_centres, pyramid_histograms


class _BoVWBase(ClassifierMixin, BaseEstimator):
    """The settings and feature step shared by the BoVW estimators; see :class:`BoVWSVC` for the parameters."""

    def __init__(self, n_words: int = 1000, bin_sizes=(3, 4, 6), step: int = 4, levels=(1, 2), encoding: str = "presence",
                 kernel: str = "linear", hog_weight: float = 0.0, C: float = 1.0, vocabulary_faces: int = 500,
                 cache: bool = True, n_jobs: int | None = None, random_state=None):
        self.n_words = n_words
        self.bin_sizes = bin_sizes
        self.step = step
        self.levels = levels
        self.encoding = encoding
        self.kernel = kernel
        self.hog_weight = hog_weight
        self.C = C
        self.vocabulary_faces = vocabulary_faces
        self.cache = cache
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _check_options(self) -> None:
        check_option("encoding", self.encoding, ENCODINGS, type(self).__name__)
        check_option("kernel", self.kernel, HISTOGRAM_KERNELS, type(self).__name__)
        if self.hog_weight < 0:
            raise ValueError(f"{type(self).__name__} hog_weight={self.hog_weight!r}: expected a weight >= 0")
        if self.hog_weight > 0 and self.kernel != "linear":
            raise ValueError(f"{type(self).__name__} hog_weight > 0 needs kernel='linear' (HOG rows have negative values)")

    def _config(self) -> WordsConfig:
        return WordsConfig(bin_sizes=tuple(int(size) for size in self.bin_sizes), step=int(self.step),
                           n_words=int(self.n_words), vocabulary_faces=int(self.vocabulary_faces),
                           random_state=0 if self.random_state is None else int(self.random_state))

    def _fit_features(self, faces: np.ndarray, y) -> tuple[np.ndarray, np.ndarray]:
        """Fit the vocabulary (and HOG scaler); return Training rows Z float32 (n, d) and label indices (n,)."""
        self._check_options()
        self.classes_, y_index = encode_classes(y, len(faces), type(self).__name__)
        config = self._config()
        self.vocabulary_ = cached_vocabulary(faces, config, cache=self.cache)
        self.n_features_in_ = faces.shape[1] * faces.shape[2]
        if self.hog_weight > 0:
            self.hog_ = HOGFeatures(n_jobs=self.n_jobs).fit(faces)
            hog = self.hog_.transform(faces)
            self.hog_scaler_ = StandardScaler().fit(hog)
            return self._rows(faces, hog), y_index
        return self._rows(faces), y_index

    def _rows(self, faces: np.ndarray, hog: np.ndarray | None = None) -> np.ndarray:
        """Pyramid rows of faces, float32 (n, n_words_ * cells [+ HOG length])."""
        config = self._config()
        words = cached_words(faces, self.vocabulary_, config, cache=self.cache)
        rows = pyramid_histograms(words, descriptor_centres(config.bin_sizes, config.step), len(self.vocabulary_),
                                  tuple(int(level) for level in self.levels), self.encoding)
        if self.hog_weight > 0:  # one more kernel term: hog_weight times the cosine of the standardised HOG vectors
            hog = self.hog_scaler_.transform(self.hog_.transform(faces) if hog is None else hog).astype(np.float32)
            hog *= np.sqrt(self.hog_weight) / np.maximum(np.linalg.norm(hog, axis=1, keepdims=True), 1e-12)
            rows = np.hstack([rows, hog])
        return rows


_DOC_PARAMETERS = """
    n_words : int
        Vocabulary size. Chosen: 1000.
    bin_sizes : sequence of int
        Dense-SIFT spatial bin sides in pixels (a descriptor covers 4 bins
        square); one grid per size. Chosen: 3, 4, 6 (12-, 16- and 24-pixel patches).
    step : int
        Grid step in pixels. Chosen: 4 (230 descriptors per face).
    levels : sequence of int
        Spatial pyramid: level L cuts the face into L x L cells. Chosen: 1, 2
        (the whole face and its quarters; level 4 quadruples the kernel time).
    encoding : {"presence", "histogram"}
        The paper's L2-normalised presence vectors, or L1-normalised counts.
    kernel : {"linear", "hellinger", "intersection"}
        The paper's linear kernel (summed over levels), or see
        :func:`~fer_bench.estimators.classical.kernels.histogram_kernel`.
    hog_weight : float
        Weight of a HOG term added to the kernel (cosine of standardised
        :class:`~fer_bench.estimators.classical.features.HOGFeatures` vectors); 0 leaves HOG out.
    C : float
        SVM penalty. Chosen on a 5,000-face subset.
    vocabulary_faces : int
        Training faces whose descriptors the k-means sees (seeded sample).
    cache : bool
        Keep the vocabulary and word maps on disk (``$FER_BENCH_CACHE_DIR/bovw``).
    n_jobs : int or None
        Joblib threads for the SVM fits and HOG.
    random_state : int or None
        Seeds the vocabulary (None: 0).
"""


class BoVWSVC(_BoVWBase):
    """One SVM on bag-of-visual-words rows of all Training faces (Ionescu, Popescu and Grozea, 2013, without local learning).

    Faces ``uint8 (n, 48, 48)`` -> spatial-pyramid rows
    (:func:`~fer_bench.estimators.classical.visual_words.pyramid_histograms`) -> the
    Training kernel matrix, float32 (n, n) -> one binary libsvm SVC per class
    pair on its slice (the paper trains one-versus-all; one-vs-one keeps each
    problem's matrix to two classes), ties in votes broken by confidence.
    Memory: 4 n^2 bytes for the kernel matrix plus 8 (n_a + n_b)^2 per worker.
    """ + "\n    Parameters\n    ----------" + _DOC_PARAMETERS + """
    Attributes
    ----------
    classes_ : ndarray of shape (k,)
    vocabulary_ : ndarray of float32, shape (n_words, 128)
    support_vectors_ : ndarray of float32, shape (n_sv, d)
        Rows of the union of the pairs' support vectors.
    dual_coef_ : ndarray of float32, shape (n_sv, k (k - 1) / 2)
    intercept_ : ndarray of shape (k (k - 1) / 2,)

    Raises
    ------
    ValueError
        In ``fit``: fewer than two classes, an unknown option, or faces not ``(n, 48, 48)`` in 0..255.
    """

    def fit(self, X, y):
        """Fit on faces X (n, 48, 48) with labels y (n,); returns self."""
        faces = as_faces(X)
        Z, y_index = self._fit_features(faces, np.asarray(y))
        pairs, sizes = class_pairs(y_index, len(self.classes_))
        fit_pair = partial(_fit_pair, gram_matrix(Z, self.kernel), y_index, C=self.C)
        support, self.dual_coef_, self.intercept_ = fit_pairs(fit_pair, pairs, sizes, self.n_jobs, np.float32,
                                                              "bag-of-visual-words SVM")
        self.support_vectors_ = Z[support]
        return self

    def decision_function(self, X) -> np.ndarray:
        """Class scores (n, k): one-vs-one votes plus confidences (n,) for two classes; float64."""
        check_is_fitted(self)
        Z = self._rows(as_faces(X))
        decisions = np.empty((len(Z), len(self.intercept_)))
        for start in range(0, len(Z), BLOCK_ROWS):
            kernel = histogram_kernel(Z[start:start + BLOCK_ROWS], self.support_vectors_, self.kernel)
            decisions[start:start + BLOCK_ROWS] = kernel @ self.dual_coef_ + self.intercept_
        return class_scores(decisions, len(self.classes_))

    def predict(self, X) -> np.ndarray:
        """Labels of faces X, shape (n,)."""
        scores = self.decision_function(X)  # first: it raises NotFittedError before fit
        return predict_from_scores(self.classes_, scores)


def _fit_pair(gram: np.ndarray, y_index: np.ndarray, first: int, second: int, C: float) -> tuple:
    """Binary SVC of one class pair on its block of the kernel matrix: (support rows, dual coefficients, intercept)."""
    rows = np.flatnonzero((y_index == first) | (y_index == second))
    svc = SVC(kernel="precomputed", C=C).fit(gram[np.ix_(rows, rows)].astype(np.float64), y_index[rows] == second)
    return rows[svc.support_], svc.dual_coef_[0], float(svc.intercept_[0])


class LocalBoVWSVC(_BoVWBase):
    """Local learning on bag-of-visual-words rows (Ionescu, Popescu and Grozea, 2013; Bottou and Vapnik, 1992).

    ``fit`` keeps the Training rows and their kernel matrix (float32,
    4 n^2 bytes). ``predict`` finds, for every test face, its
    ``n_neighbors`` nearest Training faces in the kernel's feature space
    (distance^2 = k(t, t) + k(x, x) - 2 k(t, x)), trains an SVC (libsvm,
    one-vs-one) on those Training faces alone, and lets it label that one face;
    if the neighbours share one label, that label. Test faces never enter a
    model, so each prediction is independent of the others in the batch.
    """ + "\n    Parameters\n    ----------" + _DOC_PARAMETERS + """    n_neighbors : int
        Training faces per local model. Chosen on all of Training, PrivateTest accuracy: 125 -> 58.6%,
        250 -> 59.1%, 500 -> 58.8%, 1,000 -> 56.8% (the paper's count is not in its abstract).

    Attributes
    ----------
    classes_ : ndarray of shape (k,)
    vocabulary_ : ndarray of float32, shape (n_words, 128)
    train_rows_ : ndarray of float32, shape (n_train, d)
    gram_ : ndarray of float32, shape (n_train, n_train)
    train_labels_ : ndarray of int, shape (n_train,)
        Index into ``classes_`` of every Training face.

    Raises
    ------
    ValueError
        As :class:`BoVWSVC`.
    """

    def __init__(self, n_words: int = 1000, bin_sizes=(3, 4, 6), step: int = 4, levels=(1, 2), encoding: str = "presence",
                 kernel: str = "linear", hog_weight: float = 0.0, C: float = 1.0, vocabulary_faces: int = 500,
                 cache: bool = True, n_jobs: int | None = None, random_state=None, n_neighbors: int = 250):
        # scikit-learn reads the parameters from this signature: all of them stand here, the shared ones set by the base
        super().__init__(n_words=n_words, bin_sizes=bin_sizes, step=step, levels=levels, encoding=encoding, kernel=kernel,
                         hog_weight=hog_weight, C=C, vocabulary_faces=vocabulary_faces, cache=cache, n_jobs=n_jobs,
                         random_state=random_state)
        self.n_neighbors = n_neighbors

    def fit(self, X, y):
        """Keep the Training faces' rows and kernel matrix; X (n, 48, 48), y (n,); returns self."""
        faces = as_faces(X)
        self.train_rows_, self.train_labels_ = self._fit_features(faces, np.asarray(y))
        self.gram_ = gram_matrix(self.train_rows_, self.kernel)
        return self

    def _kernel_and_neighbours(self, X) -> tuple[np.ndarray, np.ndarray]:
        check_is_fitted(self)
        Z = self._rows(as_faces(X))
        kernel = histogram_kernel(Z, self.train_rows_, self.kernel)
        k = min(int(self.n_neighbors), len(self.train_rows_))
        distances = np.diagonal(self.gram_)[None, :] - 2 * kernel  # k(t, t) is the same for every Training face
        # presence vectors tie often; rounded away from BLAS's last bits, ties go to the first Training face
        neighbours = np.argsort(np.round(distances, 5), axis=1, kind="stable")[:, :k]
        return kernel, neighbours

    def local_training_indices(self, X) -> np.ndarray:
        """Indices into the Training faces (n, n_neighbors) that each face's local SVM is trained on, int."""
        return self._kernel_and_neighbours(X)[1]

    def predict(self, X) -> np.ndarray:
        """Labels of faces X, shape (n,): each from its own local SVM."""
        kernel, neighbours = self._kernel_and_neighbours(X)
        chunks = np.array_split(np.arange(len(kernel)), max(1, len(kernel) // 64))
        progress = WorkProgress("bag-of-visual-words local learning", len(kernel), "faces with their local SVM")
        labels = []
        for chunk_labels in Parallel(n_jobs=self.n_jobs, prefer="threads", return_as="generator")(
                delayed(self._local_labels)(kernel[chunk], neighbours[chunk]) for chunk in chunks):
            labels.append(chunk_labels)
            progress.advance(len(chunk_labels))
        return self.classes_[np.concatenate(labels)]

    def _local_labels(self, kernel: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
        out = np.empty(len(kernel), dtype=np.int64)
        for face, rows in enumerate(neighbours):
            labels = self.train_labels_[rows]
            if np.all(labels == labels[0]):
                out[face] = labels[0]
                continue
            svc = SVC(kernel="precomputed", C=self.C, break_ties=True)
            svc.fit(self.gram_[np.ix_(rows, rows)].astype(np.float64), labels)
            out[face] = svc.predict(kernel[face, rows][None, :].astype(np.float64))[0]
        return out
