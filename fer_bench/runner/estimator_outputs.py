"""What a fitted estimator gives the run besides its labels: probabilities or decision values over all of the
run's classes (an estimator may have seen fewer in Training), on PrivateTest and on PublicTest."""

from __future__ import annotations

import numpy as np


def scores_for_all_classes(estimator, proba: np.ndarray, n_classes: int, fill: float = 0.0) -> np.ndarray:
    """Spread ``predict_proba`` (or decision) columns (ordered as ``classes_``) over all ``n_classes`` labels."""
    full = np.full((len(proba), n_classes), fill, dtype=np.float32)
    full[:, np.asarray(estimator.classes_, dtype=np.int64)] = proba
    return full


def decision_values(estimator, X: np.ndarray, n_classes: int) -> np.ndarray | None:
    """``decision_function`` of ``X`` over all labels (-inf for classes absent from fit); None without one."""
    if not hasattr(estimator, "decision_function"):
        return None
    values = np.asarray(estimator.decision_function(X), dtype=np.float32)
    if values.ndim == 1:  # two classes, positive for classes_[1]: softmax of (-d/2, d/2) is the sigmoid of d
        values = np.column_stack([-values, values]) / 2
    return scores_for_all_classes(estimator, values, n_classes, fill=-np.inf)


def public_test_outputs(estimator, public: tuple[np.ndarray, np.ndarray], n_classes: int) -> dict[str, np.ndarray]:
    """``public_y_true`` and ``public_scores`` (probabilities) or ``public_decision`` of a labelled PublicTest."""
    X_public, y_public = public
    if not len(y_public) or np.any(y_public < 0):
        return {}
    if hasattr(estimator, "predict_proba"):
        scored = {"public_scores": scores_for_all_classes(estimator, estimator.predict_proba(X_public), n_classes)}
    else:
        decision = decision_values(estimator, X_public, n_classes)
        scored = {} if decision is None else {"public_decision": decision}
    return {"public_y_true": np.asarray(y_public, dtype=np.int64), **scored} if scored else {}
