"""Support vector machines on a named feature step of the faces: :class:`PixelSVC` and its pair fitting.

Every estimator takes the same ``uint8 (n, 48, 48)`` faces and owns its feature
step (:mod:`fer_bench.estimators.classical.features`): ``pixels`` (the seeds' setting),
``pca`` (whitened principal components) or ``hog`` (histograms of oriented
gradients). The registered names (:mod:`fer_bench.estimators.classical.zoo`) say
which: ``svc_rbf`` is the seed on pixels, ``svc_rbf_pca`` and ``svc_rbf_hog`` the
same SVM on the other features.

Speed without changing the model:

- kernel SVMs fit their one-vs-one class pairs as independent binary
  problems through :class:`joblib.Parallel` (:mod:`~fer_bench.estimators.classical.ovo`),
  with a kernel cache sized to the free memory (psutil);
- they predict from one float32 kernel matrix against the union of the
  support vectors (one BLAS product, :func:`~fer_bench.estimators.classical.kernels.kernel_matrix`),
  instead of libsvm's per-pair loops;
- linear variants use liblinear (:class:`~sklearn.svm.LinearSVC`), its
  one-vs-rest problems fitted side by side in joblib threads, or solve the
  same model by exact Newton steps on BLAS (``solver="newton"``).

An optional cuML engine (``engine="cuml"``) fits and predicts on a GPU where
cuML is installed; nothing else needs it.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from joblib import effective_n_jobs, parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import SVC, LinearSVC
from sklearn.utils.validation import check_is_fitted, check_X_y

from .._validation import check_option, encode_classes
from .features import FEATURES, make_features
from .kernels import KERNELS, kernel_matrix
from .linear_newton import NewtonLinearSVC
from .ovo import class_pairs, class_scores, fit_pairs, predict_from_scores

SOLVERS: tuple[str, ...] = ("libsvm", "liblinear", "newton")
ENGINES: tuple[str, ...] = ("sklearn", "cuml")


def _fit_pair(Z: np.ndarray, y_index: np.ndarray, first: int, second: int, params: dict, precompute: bool) -> tuple:
    """Binary SVC for one class pair; returns (support rows in Z, dual coefficients, intercept).

    With ``precompute`` the pair's whole kernel matrix is computed once with
    BLAS (:func:`kernel_matrix`, float64) and libsvm reads it instead of
    evaluating each kernel value itself: the same model, far faster on 2,304 pixels.
    """
    rows = np.flatnonzero((y_index == first) | (y_index == second))
    if precompute:
        features = Z[rows]
        kernel = kernel_matrix(features, features, params["kernel"], params["gamma"], params["degree"], params["coef0"])
        svc = SVC(**{**params, "kernel": "precomputed"}).fit(kernel, y_index[rows] == second)
    else:
        svc = SVC(**params).fit(Z[rows], y_index[rows] == second)
    return rows[svc.support_], svc.dual_coef_[0], float(svc.intercept_[0])


def precomputed_kernel_fits(largest_pair: int, workers: int) -> bool:
    """Whether every worker can hold two copies of its pair's float64 kernel matrix in half of the free memory."""
    import psutil

    return 2 * largest_pair ** 2 * 8 * max(workers, 1) <= psutil.virtual_memory().available / 2


def auto_cache_mib(largest_pair: int, workers: int) -> float:
    """Kernel cache per libsvm fit in MiB: the pair's whole kernel matrix if a quarter of the free memory allows.

    libsvm caches kernel columns as float32; more than ``largest_pair ** 2`` values is never used.
    """
    import psutil

    needed = largest_pair ** 2 * 4 / 2 ** 20
    affordable = psutil.virtual_memory().available / 2 ** 20 / 4 / max(workers, 1)
    return float(max(100.0, min(needed, affordable)))


class PixelSVC(ClassifierMixin, BaseEstimator):
    """A support vector machine on a face feature step; ``features="pixels"`` is the seeds' SVM.

    Faces go through :func:`~fer_bench.estimators.classical.features.make_features`
    (standardised pixels, whitened principal components, or standardised HOG)
    and then an SVM:

    - ``solver="libsvm"``: :class:`sklearn.svm.SVC` with its one-vs-one
      scheme, each of the k (k - 1) / 2 class pairs fitted as its own binary
      SVC in a joblib worker. The model is the one ``SVC`` fits (same pairs, C,
      kernel, and ``gamma`` resolved on all faces as ``SVC`` does); ties in
      votes are broken by confidence, as ``SVC(break_ties=True)``.
    - ``solver="liblinear"``: :class:`sklearn.svm.LinearSVC` (one-vs-rest,
      squared hinge loss), for the linear kernel only; far faster than libsvm's
      linear kernel and a slightly different model. Its k one-vs-rest
      problems are fitted in joblib threads (liblinear releases the GIL)
      through :class:`~sklearn.multiclass.OneVsRestClassifier`: the model
      ``LinearSVC`` fits on its own, class by class.
    - ``solver="newton"``: the same model as ``"liblinear"`` (one-vs-rest
      squared hinge), solved exactly by Newton steps on BLAS
      (:class:`~fer_bench.estimators.classical.linear_newton.NewtonLinearSVC`): on all
      FER-2013 pixels far faster than liblinear, which walks rows one by one.

    Scores come from ``decision_function``: ``probability=True`` would run an
    internal 5-fold cross-validation (about 5x the fit time).

    Parameters
    ----------
    features : {"pixels", "pca", "hog"}
    kernel : {"linear", "poly", "rbf"}
    C : float
    degree : int
        Degree of the polynomial kernel.
    gamma : {"scale", "auto"} or float
        As :class:`~sklearn.svm.SVC`; resolved on all training features.
    coef0 : float
        Constant term of the polynomial kernel.
    solver : {"libsvm", "liblinear", "newton"}
    n_components : int or None
        Principal components kept after ``pca`` (None: 100) or ``hog`` (None: no PCA); ignored by ``pixels``.
    whiten : bool
        Whiten the principal components.
    cache_size : float or "auto"
        libsvm kernel cache per pair in MiB; ``"auto"`` sizes it with :func:`auto_cache_mib`.
    precompute_kernel : bool or "auto"
        Compute each pair's kernel matrix with BLAS and fit libsvm on it
        (``kernel="precomputed"``): the same model, several times faster on raw
        pixels, at ``8 * pair_size ** 2`` bytes per worker; ``"auto"`` does so
        when twice that fits in half of the free memory (:func:`precomputed_kernel_fits`).
    n_jobs : int or None
        Joblib workers for the class pairs and HOG (-1: all cores).
    engine : {"sklearn", "cuml"}
        ``"cuml"`` fits ``cuml.svm.SVC`` on a GPU (cuML must be installed).
    random_state : int or None
        Seeds the randomized SVD of ``pca``, liblinear and libsvm (an int leaves NumPy's global generator untouched).

    Attributes
    ----------
    classes_ : ndarray of shape (k,)
    features_ : Pipeline
        The fitted feature step.
    support_vectors_ : ndarray of shape (n_sv, n_features_out)
        Union of the pairs' support vectors (libsvm), in the features' dtype
        (float32 from uint8 faces).
    dual_coef_ : ndarray of shape (n_sv, k (k - 1) / 2)
        Pair p's dual coefficients in column p, zero where a vector is not p's.
    intercept_ : ndarray of shape (k (k - 1) / 2,)
    gamma_ : float
        The resolved kernel coefficient.
    model_ : OneVsRestClassifier of LinearSVC, NewtonLinearSVC or cuml.svm.SVC
        With ``solver="liblinear"``, ``solver="newton"`` or ``engine="cuml"``, the fitted model.

    Raises
    ------
    ValueError
        In ``fit``: fewer than two classes, an unknown option, or ``solver="liblinear"``
        or ``"newton"`` with a kernel other than linear.
    """

    def __init__(self, features: str = "pixels", kernel: str = "rbf", C: float = 1.0, degree: int = 3, gamma="scale",
                 coef0: float = 0.0, solver: str = "libsvm", n_components: int | None = None, whiten: bool = True,
                 cache_size="auto", precompute_kernel="auto", n_jobs: int | None = None, engine: str = "sklearn",
                 random_state=None):
        self.features = features
        self.kernel = kernel
        self.C = C
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.solver = solver
        self.n_components = n_components
        self.whiten = whiten
        self.cache_size = cache_size
        self.precompute_kernel = precompute_kernel
        self.n_jobs = n_jobs
        self.engine = engine
        self.random_state = random_state

    def _check_options(self) -> None:
        for name, value, allowed in (("features", self.features, FEATURES), ("kernel", self.kernel, KERNELS),
                                     ("solver", self.solver, SOLVERS), ("engine", self.engine, ENGINES)):
            check_option(name, value, allowed, "PixelSVC")
        if self.solver != "libsvm" and self.kernel != "linear":
            raise ValueError(f"PixelSVC solver={self.solver!r} fits linear SVMs only, not kernel={self.kernel!r}")
        if self.precompute_kernel not in ("auto", True, False):
            raise ValueError(f"PixelSVC precompute_kernel={self.precompute_kernel!r}: expected 'auto', True or False")

    def fit(self, X, y):
        """Fit on faces X (n, 48, 48) or rows (n, d) with labels y (n,); returns self."""
        self._check_options()
        X, y = check_X_y(X, y, allow_nd=True, dtype=None)
        self.classes_, y_index = encode_classes(y, len(X), "PixelSVC")
        self.features_ = make_features(self.features, scale=True, n_components=self.n_components, whiten=self.whiten,
                                       random_state=self.random_state, n_jobs=self.n_jobs).fit(X)
        self.n_features_in_ = self.features_[0].n_features_in_
        Z = self.features_.transform(X)
        self._dtype_ = Z.dtype  # float32 from faces: the kernel matrix of predict is float32 BLAS
        self.gamma_ = self._resolve_gamma(Z)
        if self.engine == "cuml":
            self.model_ = self._fit_cuml(Z, y_index)
        elif self.solver == "liblinear":
            with parallel_config(prefer="threads"):  # a hint: a backend set by the caller still wins
                self.model_ = OneVsRestClassifier(LinearSVC(C=self.C, random_state=self.random_state),
                                                  n_jobs=self.n_jobs).fit(Z, y_index)
        elif self.solver == "newton":
            self.model_ = NewtonLinearSVC(C=self.C).fit(Z, y_index)
        else:
            self._fit_pairs(Z.astype(np.float64), y_index)
        return self

    def _resolve_gamma(self, Z: np.ndarray) -> float:
        if self.gamma == "scale":
            variance = float(Z.astype(np.float64).var())
            return 1.0 / (Z.shape[1] * variance) if variance > 0 else 1.0
        if self.gamma == "auto":
            return 1.0 / Z.shape[1]
        return float(self.gamma)

    def _fit_pairs(self, Z: np.ndarray, y_index: np.ndarray) -> None:
        pairs, sizes = class_pairs(y_index, len(self.classes_))
        workers = effective_n_jobs(self.n_jobs)
        cache = self.cache_size
        if cache == "auto":
            cache = auto_cache_mib(max(sizes), workers)
        precompute = self.precompute_kernel
        if precompute == "auto":
            precompute = precomputed_kernel_fits(max(sizes), workers)
        params = {"kernel": self.kernel, "C": self.C, "degree": self.degree, "gamma": self.gamma_,
                  "coef0": self.coef0, "cache_size": cache,
                  "random_state": self.random_state}  # an int: libsvm's seed without drawing from NumPy's global RNG
        fit_pair = partial(_fit_pair, Z, y_index, params=params, precompute=bool(precompute))
        support, self.dual_coef_, self.intercept_ = fit_pairs(fit_pair, pairs, sizes, self.n_jobs, self._dtype_,
                                                              f"SVM ({self.kernel} kernel, {self.features})")
        self.support_vectors_ = Z[support].astype(self._dtype_)

    def _fit_cuml(self, Z: np.ndarray, y_index: np.ndarray):
        try:
            from cuml.svm import SVC as CumlSVC
        except ImportError as error:
            raise ImportError(f"PixelSVC engine='cuml' needs cuML and a CUDA GPU ({error}); use engine='sklearn'") from error
        return CumlSVC(kernel=self.kernel, C=self.C, degree=self.degree, gamma=self.gamma_, coef0=self.coef0,
                       multiclass_strategy="ovo").fit(Z, y_index)

    def _pair_decisions(self, Z: np.ndarray) -> np.ndarray:
        """(n, pairs) one-vs-one decisions, in row chunks that keep the kernel matrix near 256 MiB."""
        chunk = max(1, 2 ** 26 // max(len(self.support_vectors_), 1))
        out = np.empty((len(Z), len(self.intercept_)))
        for start in range(0, len(Z), chunk):
            kernel = kernel_matrix(Z[start:start + chunk], self.support_vectors_, self.kernel, self.gamma_, self.degree, self.coef0)
            out[start:start + chunk] = kernel @ self.dual_coef_ + self.intercept_
        return out

    def decision_function(self, X) -> np.ndarray:
        """Class scores of faces X: (n, k) one-vs-one votes plus confidences, or (n,) for two classes; float64.

        With two classes a positive score means ``classes_[1]``.
        """
        check_is_fitted(self)
        Z = self.features_.transform(X).astype(self._dtype_, copy=False)
        if hasattr(self, "model_"):
            scores = self.model_.decision_function(Z)
            return np.asarray(scores.get() if hasattr(scores, "get") else scores, dtype=np.float64)
        return class_scores(self._pair_decisions(Z), len(self.classes_))

    def predict(self, X) -> np.ndarray:
        """Labels of faces X, shape (n,)."""
        scores = self.decision_function(X)  # first: it raises NotFittedError before fit
        return predict_from_scores(self.classes_, scores)
