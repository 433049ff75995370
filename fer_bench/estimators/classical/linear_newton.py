"""LinearSVC's model solved by an exact Newton method on BLAS, for dense features with few columns.

The problem is liblinear's L2-regularised L2-loss (squared hinge) support
vector machine, one-vs-rest, with the intercept as a regularised feature of
value ``intercept_scaling`` (scikit-learn's ``LinearSVC`` defaults)::

    min_w  1/2 |w|^2 + C * sum_i max(0, 1 - y_i w.x_i)^2

solved by the modified finite Newton method of Keerthi and DeCoste (JMLR 6,
2005): with the active rows I (margin below 1) the Hessian is
``I + 2C X_I^T X_I``, a (d + 1) x (d + 1) matrix formed once from the Gram
matrix of all rows and then updated with only the rows that enter or leave I;
each Newton direction comes from its Cholesky factor, and an exact line search
follows the piecewise-quadratic objective. With d = 2,304 pixels and 28,709
faces this is matrix products where liblinear walks rows one by one.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from sklearn.base import BaseEstimator
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.utils.validation import validate_data

from .._validation import encode_classes


def exact_line_search(margins: np.ndarray, slopes: np.ndarray, w_dot_d: float, d_dot_d: float, C: float) -> float:
    """Step t > 0 minimising 1/2 |w + t d|^2 + C sum_i max(0, 1 - margins_i - t slopes_i)^2.

    ``margins`` is y * X w and ``slopes`` y * X d, float64 (n,); the derivative
    in t is piecewise linear and non-decreasing, so the minimum is the root of
    the first piece that holds its own root, found over the sorted breakpoints.
    """
    active = (margins < 1) | ((margins == 1) & (slopes < 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        breakpoints = (1 - margins) / slopes
    leaving = active & (slopes > 0)
    entering = ~active & (slopes < 0) & (breakpoints > 0)
    events = np.flatnonzero(leaving | entering)
    order = events[np.argsort(breakpoints[events])]
    sign = np.where(leaving[order], -1.0, 1.0)
    linear = np.concatenate([[np.sum(slopes[active] * (1 - margins[active]))],
                             sign * slopes[order] * (1 - margins[order])]).cumsum()
    quadratic = np.concatenate([[np.sum(slopes[active] ** 2)], sign * slopes[order] ** 2]).cumsum()
    roots = (2 * C * linear - w_dot_d) / (d_dot_d + 2 * C * quadratic)
    upper = np.append(breakpoints[order], np.inf)
    return float(roots[np.argmax(roots <= upper)])


def newton_squared_hinge(X: np.ndarray, y: np.ndarray, gram: np.ndarray, C: float, tol: float,
                         max_iter: int) -> tuple[np.ndarray, int]:
    """Weights (d,) minimising the squared-hinge SVM objective for labels y in {-1, +1}, and the iterations run.

    ``X`` float64 (n, d), ``gram`` its X^T X (d, d). Stops when the gradient's
    norm is at most ``tol`` times its norm at w = 0, or after ``max_iter`` steps.
    """
    w, outputs = np.zeros(X.shape[1]), np.zeros(len(X))
    active = np.ones(len(X), dtype=bool)  # at w = 0 every margin is 0 < 1
    hessian = np.eye(X.shape[1]) + 2 * C * gram
    for iteration in range(max_iter):
        gradient = w + 2 * C * (X.T @ np.where(active, outputs - y, 0.0))
        norm = float(np.linalg.norm(gradient))
        if iteration == 0:
            first_norm = norm  # at w = 0
        if norm <= tol * first_norm:
            return w, iteration
        direction = -cho_solve(cho_factor(hessian, check_finite=False), gradient, check_finite=False)
        change = X @ direction
        step = exact_line_search(y * outputs, y * change, float(w @ direction), float(direction @ direction), C)
        w += step * direction
        outputs += step * change
        now_active = y * outputs < 1
        for rows, sign in ((now_active & ~active, 2 * C), (active & ~now_active, -2 * C)):
            if rows.any():
                hessian += sign * (X[rows].T @ X[rows])
        active = now_active
    return w, max_iter


class NewtonLinearSVC(LinearClassifierMixin, BaseEstimator):
    """``LinearSVC(loss="squared_hinge", penalty="l2")``'s model, fitted by an exact Newton method (BLAS).

    One-vs-rest over the classes (one problem for two classes), each solved
    by :func:`newton_squared_hinge`; the Gram matrix of the rows is computed once
    and shared. Memory: the rows in float64 plus two (d + 1)^2 matrices;
    for 2,304 pixels about 130 MB beyond the rows. Suits dense features with
    up to a few thousand columns; liblinear suits sparse or very wide ones.

    Parameters
    ----------
    C : float
        Weight of the squared hinge losses against 1/2 |w|^2.
    intercept_scaling : float
        Value of the constant feature whose (regularised) weight gives the intercept.
    tol : float
        Stop when the gradient's norm falls to ``tol`` times its norm at w = 0.
    max_iter : int
        Newton steps per class at most.

    Attributes
    ----------
    classes_ : ndarray of shape (k,)
    coef_ : ndarray of shape (k, d), or (1, d) for two classes; float64
    intercept_ : ndarray of shape (k,) or (1,)
    n_iter_ : int
        Most Newton steps any class needed.

    Raises
    ------
    ValueError
        In ``fit``: fewer than two classes, or X and y do not match.
    """

    def __init__(self, C: float = 1.0, intercept_scaling: float = 1.0, tol: float = 1e-6, max_iter: int = 100):
        self.C = C
        self.intercept_scaling = intercept_scaling
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X, y):
        """Fit on X (n, d) and labels y (n,); returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        self.classes_, y_index = encode_classes(y, len(X), "NewtonLinearSVC")
        rows = np.hstack([X, np.full((len(X), 1), float(self.intercept_scaling))])
        gram = rows.T @ rows
        targets = [1] if len(self.classes_) == 2 else range(len(self.classes_))
        fitted = [newton_squared_hinge(rows, np.where(y_index == target, 1.0, -1.0), gram, self.C, self.tol, self.max_iter)
                  for target in targets]
        weights = np.array([w for w, _ in fitted])
        self.coef_ = weights[:, :-1]
        self.intercept_ = weights[:, -1] * self.intercept_scaling
        self.n_iter_ = max(iterations for _, iterations in fitted)
        return self
