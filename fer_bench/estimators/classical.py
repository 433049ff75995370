"""Classical estimators: SVMs with three kernels and a grid-searched kNN, each on a named feature step.

Every estimator takes the same ``uint8 (n, 48, 48)`` faces and owns its feature
step (:mod:`fer_bench.estimators.features`): ``pixels`` (the seeds' setting),
``pca`` (whitened principal components) or ``hog`` (histograms of oriented
gradients). The registered names say which: ``svc_rbf`` is the seed on pixels,
``svc_rbf_pca`` and ``svc_rbf_hog`` the same SVM on the other features.

Speed without changing the model:

- kernel SVMs fit their one-vs-one class pairs as independent binary
  problems through :class:`joblib.Parallel` (libsvm releases the GIL, so
  threads suffice; a ``joblib.parallel_config`` set by the caller wins), with
  a kernel cache sized to the free memory (psutil);
- they predict from one float32 kernel matrix against the union of the
  support vectors (one BLAS product), instead of libsvm's per-pair loops;
- linear variants use liblinear (:class:`~sklearn.svm.LinearSVC`), its
  one-vs-rest problems fitted side by side in joblib threads, or solve the
  same model by exact Newton steps on BLAS (``solver="newton"``);
- kNN searches brute force (BLAS for ``p=2``) and dispatches its grid
  candidates through joblib.

An optional cuML engine (``engine="cuml"``) fits and predicts on a GPU where
cuML is installed; nothing else needs it.
"""

from __future__ import annotations

from itertools import combinations, product
from typing import Any

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs, parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GridSearchCV
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC, LinearSVC
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, check_X_y

from ._registry import register_estimator
from .features import FEATURES, make_features
from .linear_newton import NewtonLinearSVC

KERNELS: tuple[str, ...] = ("linear", "poly", "rbf")
SOLVERS: tuple[str, ...] = ("libsvm", "liblinear", "newton")
ENGINES: tuple[str, ...] = ("sklearn", "cuml")


def kernel_matrix(X: np.ndarray, Y: np.ndarray, kernel: str, gamma: float, degree: int = 3, coef0: float = 0.0) -> np.ndarray:
    """Kernel values between rows of X (n, d) and Y (m, d), in X's float dtype, shape (n, m).

    ``linear``: x.y; ``poly``: (gamma x.y + coef0) ** degree; ``rbf``:
    exp(-gamma |x - y|^2), the distances expanded as |x|^2 + |y|^2 - 2 x.y so
    the work is one matrix product (BLAS).

    Raises
    ------
    ValueError
        If ``kernel`` is not one of :data:`KERNELS`.
    """
    if kernel not in KERNELS:
        raise ValueError(f"kernel={kernel!r}: expected one of {', '.join(KERNELS)}")
    values = X @ Y.T  # every step below works in place: one (n, m) buffer
    if kernel == "poly":
        values *= gamma
        values += coef0
        values **= degree
    elif kernel == "rbf":
        values *= -2
        values += np.einsum("ij,ij->i", X, X)[:, None]
        values += np.einsum("ij,ij->i", Y, Y)[None, :]
        np.maximum(values, 0, out=values)
        values *= -gamma
        np.exp(values, out=values)
    return values


def _votes_and_confidences(decisions: np.ndarray, n_classes: int) -> np.ndarray:
    """One-vs-one decisions (n, pairs), positive for the second class of a pair -> class scores (n, k).

    Votes plus the summed confidences squashed into (-1/3, 1/3), so ties in
    votes go to the more confident class (scikit-learn's ``decision_function_shape="ovr"``).
    """
    votes = np.zeros((len(decisions), n_classes))
    confidences = np.zeros((len(decisions), n_classes))
    for pair, (first, second) in enumerate(combinations(range(n_classes), 2)):
        wins_second = decisions[:, pair] > 0
        votes[:, second] += wins_second
        votes[:, first] += ~wins_second
        confidences[:, second] += decisions[:, pair]
        confidences[:, first] -= decisions[:, pair]
    return votes + confidences / (3 * (np.abs(confidences) + 1))


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

    Faces go through :func:`~fer_bench.estimators.features.make_features`
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
      (:class:`~fer_bench.estimators.linear_newton.NewtonLinearSVC`): on all
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
            if value not in allowed:
                raise ValueError(f"PixelSVC {name}={value!r}: expected one of {', '.join(allowed)}")
        if self.solver != "libsvm" and self.kernel != "linear":
            raise ValueError(f"PixelSVC solver={self.solver!r} fits linear SVMs only, not kernel={self.kernel!r}")
        if self.precompute_kernel not in ("auto", True, False):
            raise ValueError(f"PixelSVC precompute_kernel={self.precompute_kernel!r}: expected 'auto', True or False")

    def fit(self, X, y):
        """Fit on faces X (n, 48, 48) or rows (n, d) with labels y (n,); returns self."""
        self._check_options()
        X, y = check_X_y(X, y, allow_nd=True, dtype=None)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"PixelSVC needs at least two classes in y; got 1 class ({self.classes_[0]!r})")
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
        pairs = list(combinations(range(len(self.classes_)), 2))
        counts = np.bincount(y_index)
        sizes = [counts[first] + counts[second] for first, second in pairs]
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
        largest_first = np.argsort(sizes)[::-1]  # long pairs start first: workers finish together
        fitted = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(_fit_pair)(Z, y_index, *pairs[pair], params, bool(precompute)) for pair in largest_first)
        by_pair = dict(zip(largest_first, fitted))
        support = np.unique(np.concatenate([by_pair[pair][0] for pair in range(len(pairs))]))
        self.support_vectors_ = Z[support].astype(self._dtype_)
        self.dual_coef_ = np.zeros((len(support), len(pairs)), dtype=self._dtype_)
        self.intercept_ = np.empty(len(pairs))
        for pair in range(len(pairs)):
            rows, coefficients, intercept = by_pair[pair]
            self.dual_coef_[np.searchsorted(support, rows), pair] = coefficients
            self.intercept_[pair] = intercept

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
        decisions = self._pair_decisions(Z)
        return decisions[:, 0] if len(self.classes_) == 2 else _votes_and_confidences(decisions, len(self.classes_))

    def predict(self, X) -> np.ndarray:
        """Labels of faces X, shape (n,)."""
        scores = self.decision_function(X)
        winners = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[winners]


SVC_DEFAULTS: dict[str, Any] = {"C": 1.0, "gamma": "scale", "cache_size": "auto", "n_jobs": -1}
PCA_DEFAULTS: dict[str, Any] = {"features": "pca", "n_components": 100, "whiten": True}
HOG_DEFAULTS: dict[str, Any] = {"features": "hog", "n_components": 100, "whiten": True}
POLY_DEFAULTS: dict[str, Any] = {"degree": 3, "coef0": 1.0, **SVC_DEFAULTS}  # with whitened inputs, (gamma x.y)^3 alone fails
LIBLINEAR_DEFAULTS: dict[str, Any] = {"C": 0.1, "solver": "liblinear", "n_jobs": -1}


@register_estimator(family="classical", framework="sklearn", source="seed: SVM, linear kernel, on scaled pixels")
def svc_linear() -> PixelSVC:
    return PixelSVC(kernel="linear", **SVC_DEFAULTS)


@register_estimator(family="classical", framework="sklearn", source="seed: SVM, polynomial kernel (degree 3), on scaled pixels")
def svc_poly() -> PixelSVC:
    return PixelSVC(kernel="poly", degree=3, **SVC_DEFAULTS)


@register_estimator(family="classical", framework="sklearn", source="seed: SVM, RBF kernel, on scaled pixels")
def svc_rbf() -> PixelSVC:
    return PixelSVC(kernel="rbf", **SVC_DEFAULTS)


@register_estimator(family="classical", framework="sklearn",
                    source="linear SVM (liblinear, one-vs-rest) on 100 whitened principal components of the pixels")
def svc_linear_pca() -> PixelSVC:
    return PixelSVC(kernel="linear", **{**LIBLINEAR_DEFAULTS, **PCA_DEFAULTS})


@register_estimator(family="classical", framework="sklearn",
                    source="linear SVM (liblinear, one-vs-rest) on HOG features (scikit-image, 8x8-pixel cells) reduced to 100 whitened principal components")
def svc_linear_hog() -> PixelSVC:
    return PixelSVC(kernel="linear", **{**LIBLINEAR_DEFAULTS, **HOG_DEFAULTS})


@register_estimator(family="classical", framework="sklearn",
                    source="SVM, polynomial kernel (degree 3, coef0 1), on 100 whitened principal components of the pixels")
def svc_poly_pca() -> PixelSVC:
    return PixelSVC(kernel="poly", **{**POLY_DEFAULTS, **PCA_DEFAULTS})


@register_estimator(family="classical", framework="sklearn",
                    source="SVM, polynomial kernel (degree 3, coef0 1), on HOG features (scikit-image, 8x8-pixel cells) reduced to 100 whitened principal components")
def svc_poly_hog() -> PixelSVC:
    return PixelSVC(kernel="poly", **{**POLY_DEFAULTS, **HOG_DEFAULTS})


@register_estimator(family="classical", framework="sklearn",
                    source="SVM, RBF kernel, on 100 whitened principal components of the pixels")
def svc_rbf_pca() -> PixelSVC:
    return PixelSVC(kernel="rbf", **{**SVC_DEFAULTS, **PCA_DEFAULTS})


@register_estimator(family="classical", framework="sklearn",
                    source="SVM, RBF kernel, on HOG features (scikit-image, 8x8-pixel cells) reduced to 100 whitened principal components")
def svc_rbf_hog() -> PixelSVC:
    return PixelSVC(kernel="rbf", **{**SVC_DEFAULTS, **HOG_DEFAULTS})


def _neighbours(X: np.ndarray, y: np.ndarray, X_val: np.ndarray, k: int, p: int, leaf_size: int, algorithm: str) -> np.ndarray:
    """Indices (n_val, k) of the k nearest training rows of every validation row."""
    model = KNeighborsClassifier(n_neighbors=k, p=p, leaf_size=leaf_size, algorithm=algorithm).fit(X, y)
    return model.kneighbors(X_val, return_distance=False)


class GridSearchKNN(ClassifierMixin, BaseEstimator):
    """k-nearest neighbours on a face feature step, grid-searched on PublicTest.

    The seed's search over ``n_neighbors``, ``p`` and ``leaf_size`` (on raw
    pixels it found n_neighbors=1, p=1 best, at 41% PrivateTest accuracy). With
    validation data the grid is scored on it (a predefined split, as FER-2013
    intends) and the best setting is refitted on the training faces; without
    it, ``cv``-fold cross-validation over the training faces is used
    (``GridSearchCV``).

    Neighbours are computed once per distinct ``(p, leaf_size)`` at the largest
    ``n_neighbors``, each in a joblib task, and every smaller ``n_neighbors`` is
    scored from them. With brute force (the default, and what scikit-learn picks
    for hundreds of features) ``leaf_size`` has no effect and its candidates
    share one computation; ``p=2`` distances are then matrix products (BLAS).

    Parameters
    ----------
    features : {"pixels", "pca", "hog"}
        Raw pixels in [0, 1] (the seed), principal components, or HOG features.
    param_grid : dict
        Lists of ``n_neighbors``, ``p`` and ``leaf_size`` candidates.
    cv : int
        Folds of the fallback cross-validation.
    n_components : int or None
        Principal components kept after ``pca`` (None: 100) or ``hog`` (None: no PCA); ignored by ``pixels``.
    whiten : bool
        Whiten the principal components.
    algorithm : {"brute", "auto", "ball_tree", "kd_tree"}
        Neighbour search of :class:`~sklearn.neighbors.KNeighborsClassifier`.
    n_jobs : int or None
        Joblib workers for the grid candidates, HOG and the neighbour queries.
    random_state : int or None
        Seeds the randomized SVD of ``pca``.

    Attributes
    ----------
    best_params_ : dict
    search_results_ : list of dict
        Every candidate with its ``public_accuracy`` (or ``cv_accuracy``).
    best_estimator_ : KNeighborsClassifier
        Refitted on the training faces.
    features_ : Pipeline
        The fitted feature step.
    classes_ : ndarray of shape (k,)
    """

    def __init__(self, features: str = "pixels", param_grid: dict | None = None, cv: int = 3, n_components: int | None = None,
                 whiten: bool = False, algorithm: str = "brute", n_jobs: int | None = None, random_state=None):
        self.features = features
        self.param_grid = param_grid
        self.cv = cv
        self.n_components = n_components
        self.whiten = whiten
        self.algorithm = algorithm
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _grid(self) -> dict[str, list]:
        grid = {"n_neighbors": [1], "p": [1, 2], "leaf_size": [30]}
        grid.update({key: list(value) for key, value in (self.param_grid or {}).items()})
        return grid

    def fit(self, X, y, validation_data=None):
        """Search the grid and refit the best setting on ``(X, y)``.

        Parameters
        ----------
        X : ndarray of shape (n, 48, 48) or (n, d)
        y : ndarray of int of shape (n,)
        validation_data : tuple (X_val, y_val) or None
            PublicTest faces and labels to select on.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If ``features`` is unknown, or X and y do not match.
        """
        X, y = check_X_y(X, y, allow_nd=True, dtype=None)
        self.features_ = make_features(self.features, scale=False, n_components=self.n_components, whiten=self.whiten,
                                       random_state=self.random_state, n_jobs=self.n_jobs).fit(X)
        Z = self.features_.transform(X)
        grid = self._grid()
        if validation_data is None:
            search = GridSearchCV(KNeighborsClassifier(algorithm=self.algorithm), grid, cv=self.cv, n_jobs=self.n_jobs)
            search.fit(Z, y)
            self.best_params_ = dict(search.best_params_)
            self.search_results_ = [{**params, "cv_accuracy": float(score)} for params, score in
                                    zip(search.cv_results_["params"], search.cv_results_["mean_test_score"])]
        else:
            X_val = check_array(validation_data[0], allow_nd=True, dtype=None)
            self._search_on_validation(Z, y, self.features_.transform(X_val), np.asarray(validation_data[1]), grid)
        self.best_estimator_ = KNeighborsClassifier(algorithm=self.algorithm, n_jobs=self.n_jobs, **self.best_params_).fit(Z, y)
        self.classes_ = self.best_estimator_.classes_
        self.n_features_in_ = self.features_[0].n_features_in_
        return self

    def _search_on_validation(self, Z, y, Z_val, y_val, grid) -> None:
        ks = sorted(grid["n_neighbors"])
        k_max = min(ks[-1], len(Z))
        classes, y_index = np.unique(y, return_inverse=True)
        settings = list(product(grid["p"], grid["leaf_size"]))
        # leaf_size only shapes trees: under brute force its candidates are one computation
        brute = KNeighborsClassifier(n_neighbors=k_max, algorithm=self.algorithm).fit(Z, y)._fit_method == "brute"
        keys = {(p, leaf_size): (p, None if brute else leaf_size) for p, leaf_size in settings}
        distinct = list(dict.fromkeys(keys.values()))
        computed = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(_neighbours)(Z, y, Z_val, k_max, p, 30 if leaf_size is None else leaf_size, self.algorithm)
            for p, leaf_size in distinct)
        neighbours_by_key = dict(zip(distinct, computed))
        results = []
        for p, leaf_size in settings:
            neighbours = y_index[neighbours_by_key[keys[p, leaf_size]]]
            for k in ks:
                votes = np.zeros((len(Z_val), len(classes)), dtype=np.int64)
                np.add.at(votes, (np.arange(len(Z_val))[:, None], neighbours[:, :k]), 1)
                accuracy = float(np.mean(classes[votes.argmax(axis=1)] == y_val))  # ties -> smallest label, as sklearn
                results.append({"n_neighbors": k, "p": p, "leaf_size": leaf_size, "public_accuracy": accuracy})
        best = max(results, key=lambda row: row["public_accuracy"])  # first best in grid order
        self.best_params_ = {key: best[key] for key in ("n_neighbors", "p", "leaf_size")}
        self.search_results_ = results

    def predict(self, X):
        """Labels of faces X, shape (n,), int64."""
        check_is_fitted(self)
        return self.best_estimator_.predict(self.features_.transform(X))

    def predict_proba(self, X):
        """Neighbour vote shares, shape (n, k), float64."""
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(self.features_.transform(X))


KNN_GRID: dict[str, Any] = {"param_grid": {"n_neighbors": [1, 3, 5], "p": [1, 2], "leaf_size": [30]}, "n_jobs": -1}


@register_estimator(family="classical", framework="sklearn",
                    source="seed: k-nearest neighbours grid-searched over n_neighbors, p, leaf_size, on raw pixels")
def knn() -> GridSearchKNN:
    return GridSearchKNN(**{"algorithm": "auto", **KNN_GRID})


@register_estimator(family="classical", framework="sklearn",
                    source="k-nearest neighbours (brute force) grid-searched over n_neighbors, p, on 100 principal components of the pixels")
def knn_pca() -> GridSearchKNN:
    return GridSearchKNN(**{**KNN_GRID, "features": "pca"})


@register_estimator(family="classical", framework="sklearn",
                    source="k-nearest neighbours (brute force) grid-searched over n_neighbors, p, on HOG features (scikit-image, 8x8-pixel cells)")
def knn_hog() -> GridSearchKNN:
    return GridSearchKNN(**{**KNN_GRID, "features": "hog"})
