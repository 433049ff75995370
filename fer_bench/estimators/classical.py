"""Classical estimators of the seeds: SVC with three kernels and a grid-searched kNN.

Every estimator takes the same ``uint8 (n, 48, 48)`` faces and owns its feature
step: :class:`FlattenPixels` turns faces into ``float32 (n, 2304)`` rows in [0, 1].
"""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.validation import check_array, check_is_fitted, check_X_y

from ..profiles import Profile
from ._registry import register_estimator


def flatten_pixels(X) -> np.ndarray:
    """Faces (n, 48, 48) or rows (n, d) in 0..255 -> float32 rows (n, 2304) or (n, d) in [0, 1].

    Raises
    ------
    ValueError
        If X is empty, not numeric, or holds NaN or infinity.
    """
    X = check_array(X, allow_nd=True, dtype=None, ensure_all_finite=True)
    return X.reshape(len(X), -1).astype(np.float32) / np.float32(255.0)


class FlattenPixels(TransformerMixin, BaseEstimator):
    """Transformer form of :func:`flatten_pixels`, remembering the pixel count.

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
        tags.transformer_tags.preserves_dtype = ["float32"]  # always float32, whatever comes in
        return tags


class PixelSVC(ClassifierMixin, BaseEstimator):
    """:class:`sklearn.svm.SVC` on standardised pixels, the seeds' SVM setting.

    Faces are flattened to pixels in [0, 1] (:func:`flatten_pixels`) and
    standardised per pixel (:class:`~sklearn.preprocessing.StandardScaler`)
    before the SVC. Scores come from ``decision_function``: ``probability=True``
    would run an internal 5-fold cross-validation (about 5x the fit time).

    Parameters
    ----------
    kernel : {"linear", "poly", "rbf"}
    C : float
    degree : int
        Degree of the polynomial kernel.
    gamma : {"scale", "auto"} or float
    cache_size : float
        Kernel cache in MiB.

    Attributes
    ----------
    classes_ : ndarray of shape (k,)
    scaler_ : StandardScaler
    svc_ : SVC
    """

    def __init__(self, kernel: str = "rbf", C: float = 1.0, degree: int = 3, gamma="scale", cache_size: float = 1000):
        self.kernel = kernel
        self.C = C
        self.degree = degree
        self.gamma = gamma
        self.cache_size = cache_size

    def fit(self, X, y):
        """Fit on faces X (n, 48, 48) or rows (n, d) with labels y (n,); returns self."""
        rows, y = check_X_y(flatten_pixels(X), y)
        self.scaler_ = StandardScaler().fit(rows)
        self.svc_ = SVC(kernel=self.kernel, C=self.C, degree=self.degree, gamma=self.gamma,
                        cache_size=self.cache_size).fit(self.scaler_.transform(rows), y)
        self.classes_ = self.svc_.classes_
        self.n_features_in_ = rows.shape[1]
        return self

    def _rows(self, X) -> np.ndarray:
        check_is_fitted(self)
        rows = flatten_pixels(X)
        if rows.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {rows.shape[1]} features, but PixelSVC is expecting {self.n_features_in_} features as input")
        return self.scaler_.transform(rows)

    def decision_function(self, X) -> np.ndarray:
        """One-vs-one aggregated class scores, shape (n, k) (or (n,) for two classes), float64."""
        rows = self._rows(X)
        return self.svc_.decision_function(rows)

    def predict(self, X) -> np.ndarray:
        """Labels of faces X, shape (n,)."""
        rows = self._rows(X)
        return self.svc_.predict(rows)


SVC_DEFAULTS: dict[str, Any] = {"C": 1.0, "gamma": "scale", "cache_size": 1000}


@register_estimator("svc_linear", family="classical", framework="sklearn", source="seed: SVM, linear kernel, on scaled pixels")
def svc_linear(profile: Profile) -> PixelSVC:
    return PixelSVC(kernel="linear", **profile.params("svc_linear", SVC_DEFAULTS))


@register_estimator("svc_poly", family="classical", framework="sklearn", source="seed: SVM, polynomial kernel (degree 3), on scaled pixels")
def svc_poly(profile: Profile) -> PixelSVC:
    return PixelSVC(kernel="poly", **profile.params("svc_poly", {"degree": 3, **SVC_DEFAULTS}))


@register_estimator("svc_rbf", family="classical", framework="sklearn", source="seed: SVM, RBF kernel, on scaled pixels")
def svc_rbf(profile: Profile) -> PixelSVC:
    return PixelSVC(kernel="rbf", **profile.params("svc_rbf", SVC_DEFAULTS))


class GridSearchKNN(ClassifierMixin, BaseEstimator):
    """k-nearest neighbours on raw pixels, grid-searched on PublicTest.

    The seed's search over ``n_neighbors``, ``p`` and ``leaf_size`` (it found
    n_neighbors=1, p=1 best, at 41% PrivateTest accuracy). With validation data
    the grid is scored on it (a predefined split, as FER-2013 intends) and the
    best setting is refitted on the training faces; without it, ``cv``-fold
    cross-validation over the training faces is used (``GridSearchCV``).

    Neighbours are computed once per distinct ``(p, leaf_size)`` at the largest
    ``n_neighbors`` and every smaller ``n_neighbors`` is scored from them; when
    scikit-learn picks brute force (it does for 2,304 features), ``leaf_size``
    has no effect and its candidates share one computation.

    Parameters
    ----------
    param_grid : dict
        Lists of ``n_neighbors``, ``p`` and ``leaf_size`` candidates.
    cv : int
        Folds of the fallback cross-validation.
    n_jobs : int or None
        Passed to :class:`~sklearn.neighbors.KNeighborsClassifier`.

    Attributes
    ----------
    best_params_ : dict
    search_results_ : list of dict
        Every candidate with its ``public_accuracy`` (or ``cv_accuracy``).
    best_estimator_ : KNeighborsClassifier
        Refitted on the training faces.
    classes_ : ndarray of shape (k,)
    """

    def __init__(self, param_grid: dict | None = None, cv: int = 3, n_jobs: int | None = None):
        self.param_grid = param_grid
        self.cv = cv
        self.n_jobs = n_jobs

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
        """
        pixels = FlattenPixels().fit(X)
        X_flat, y = check_X_y(pixels.transform(X), y)
        grid = self._grid()
        if validation_data is None:
            search = GridSearchCV(KNeighborsClassifier(n_jobs=self.n_jobs), grid, cv=self.cv)
            search.fit(X_flat, y)
            self.best_params_ = dict(search.best_params_)
            self.search_results_ = [{**params, "cv_accuracy": float(score)} for params, score in
                                    zip(search.cv_results_["params"], search.cv_results_["mean_test_score"])]
        else:
            self._search_on_validation(X_flat, y, pixels.transform(validation_data[0]), np.asarray(validation_data[1]), grid)
        self.best_estimator_ = KNeighborsClassifier(n_jobs=self.n_jobs, **self.best_params_).fit(X_flat, y)
        self.classes_ = self.best_estimator_.classes_
        self.pixels_ = pixels
        self.n_features_in_ = pixels.n_features_in_
        return self

    def _search_on_validation(self, X, y, X_val, y_val, grid) -> None:
        ks = sorted(grid["n_neighbors"])
        classes, y_index = np.unique(y, return_inverse=True)
        results, neighbours_by_setting = [], {}
        for p, leaf_size in product(grid["p"], grid["leaf_size"]):
            model = KNeighborsClassifier(n_neighbors=min(ks[-1], len(X)), p=p, leaf_size=leaf_size, n_jobs=self.n_jobs).fit(X, y)
            key = (p, None if model._fit_method == "brute" else leaf_size)
            if key not in neighbours_by_setting:
                neighbours_by_setting[key] = model.kneighbors(X_val, return_distance=False)
            neighbours = y_index[neighbours_by_setting[key]]
            for k in ks:
                votes = np.zeros((len(X_val), len(classes)), dtype=np.int64)
                np.add.at(votes, (np.arange(len(X_val))[:, None], neighbours[:, :k]), 1)
                accuracy = float(np.mean(classes[votes.argmax(axis=1)] == y_val))  # ties -> smallest label, as sklearn
                results.append({"n_neighbors": k, "p": p, "leaf_size": leaf_size, "public_accuracy": accuracy})
        best = max(results, key=lambda row: row["public_accuracy"])  # first best in grid order
        self.best_params_ = {key: best[key] for key in ("n_neighbors", "p", "leaf_size")}
        self.search_results_ = results

    def predict(self, X):
        """Labels of faces X, shape (n,), int64."""
        check_is_fitted(self)
        return self.best_estimator_.predict(self.pixels_.transform(X))

    def predict_proba(self, X):
        """Neighbour vote shares, shape (n, k), float64."""
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(self.pixels_.transform(X))


@register_estimator("knn", family="classical", framework="sklearn",
                    source="seed: k-nearest neighbours grid-searched over n_neighbors, p, leaf_size")
def knn(profile: Profile) -> GridSearchKNN:
    return GridSearchKNN(**profile.params("knn", {"param_grid": {"n_neighbors": [1, 3, 5], "p": [1, 2], "leaf_size": [30]}}))
