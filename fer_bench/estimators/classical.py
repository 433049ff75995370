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
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.validation import check_is_fitted

from ..profiles import Profile
from ._registry import register_estimator


class FlattenPixels(TransformerMixin, BaseEstimator):
    """Flatten faces to pixel rows scaled to [0, 1].

    ``transform(X)``: X of shape (n, 48, 48) or (n, d), any numeric dtype, in
    0..255; returns float32 of shape (n, 2304) (or (n, d)).
    """

    def fit(self, X, y=None):
        self.n_features_in_ = int(np.prod(np.shape(X)[1:]))
        return self

    def transform(self, X):
        X = np.asarray(X)
        return X.reshape(len(X), -1).astype(np.float32) / np.float32(255.0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


def svc_pipeline(**svc_params: Any) -> Pipeline:
    """Pixels in [0, 1], standardised per pixel, then :class:`sklearn.svm.SVC`.

    Scores come from ``decision_function``: ``probability=True`` would run an
    internal 5-fold cross-validation (about 5x the fit time).
    """
    return Pipeline([("pixels", FlattenPixels()), ("scale", StandardScaler()), ("svc", SVC(**svc_params))])


SVC_DEFAULTS: dict[str, Any] = {"C": 1.0, "gamma": "scale", "cache_size": 1000}


@register_estimator("svc_linear", family="classical", framework="sklearn", source="seed: SVM, linear kernel, on scaled pixels")
def svc_linear(profile: Profile) -> Pipeline:
    return svc_pipeline(kernel="linear", **profile.params("svc_linear", {"C": 1.0, "cache_size": 1000}))


@register_estimator("svc_poly", family="classical", framework="sklearn", source="seed: SVM, polynomial kernel (degree 3), on scaled pixels")
def svc_poly(profile: Profile) -> Pipeline:
    return svc_pipeline(kernel="poly", **profile.params("svc_poly", {"degree": 3, **SVC_DEFAULTS}))


@register_estimator("svc_rbf", family="classical", framework="sklearn", source="seed: SVM, RBF kernel, on scaled pixels")
def svc_rbf(profile: Profile) -> Pipeline:
    return svc_pipeline(kernel="rbf", **profile.params("svc_rbf", SVC_DEFAULTS))


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
        pixels = FlattenPixels()
        X_flat = pixels.transform(X)
        y = np.asarray(y)
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
        self.n_features_in_ = X_flat.shape[1]
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
        return self.best_estimator_.predict(FlattenPixels().transform(X))

    def predict_proba(self, X):
        """Neighbour vote shares, shape (n, k), float64."""
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(FlattenPixels().transform(X))


@register_estimator("knn", family="classical", framework="sklearn",
                    source="seed: k-nearest neighbours grid-searched over n_neighbors, p, leaf_size")
def knn(profile: Profile) -> GridSearchKNN:
    return GridSearchKNN(**profile.params("knn", {"param_grid": {"n_neighbors": [1, 3, 5], "p": [1, 2], "leaf_size": [30]}}))
