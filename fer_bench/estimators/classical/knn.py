"""k-nearest neighbours on a named feature step of the faces, grid-searched on PublicTest: :class:`GridSearchKNN`.

kNN searches brute force (BLAS for ``p=2``) and dispatches its grid candidates
through joblib; the feature steps are those of :mod:`fer_bench.estimators.classical.features`.
"""

from __future__ import annotations

from itertools import product

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils.validation import check_array, check_is_fitted, check_X_y

from .._progress import WorkProgress
from .features import make_features


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

    Raises
    ------
    ValueError
        In ``fit``: an unknown ``features``, or X and y that do not match.
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
        """Search the grid and refit the best setting on ``(X, y)``; returns self.

        Parameters
        ----------
        X : ndarray of shape (n, 48, 48) or (n, d)
        y : ndarray of int of shape (n,)
        validation_data : tuple (X_val, y_val) or None
            PublicTest faces and labels to select on.
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
        progress = WorkProgress(f"k-NN search ({self.features})", len(distinct), "neighbour searches of PublicTest")
        computed = []
        for found in Parallel(n_jobs=self.n_jobs, prefer="threads", return_as="generator")(
                delayed(_neighbours)(Z, y, Z_val, k_max, p, 30 if leaf_size is None else leaf_size, self.algorithm)
                for p, leaf_size in distinct):
            computed.append(found)
            progress.advance()
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
