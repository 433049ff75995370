"""A fit's outcome as it reaches the runner: its metrics, then its predictions and model in the run folder."""

from __future__ import annotations

import numpy as np

from ..datasets.label_subset import subset_labels
from ..estimators.persistence import label_model_files
from ..metrics import classification_metrics
from ..results import ResultsStore, RunRecord, seed_stem
from .execution import FitOutcome


def score_outcome(outcome: FitOutcome, y_test: np.ndarray, leaked: np.ndarray | None,
                  class_names: tuple[str, ...], subset: tuple[str, ...] | None = None) -> tuple[RunRecord, np.ndarray]:
    """Metrics (all PrivateTest faces, and those without a Training copy) of one outcome, and the labels scored.

    A model of a label ``subset`` is scored on its classes' faces only, relabelled as it was trained.
    Predictions outside the classes make the record ``failed``.
    """
    record = outcome.record
    if record.status != "ok":
        return record, y_test
    if subset:
        mask, y_test, class_names = subset_labels(y_test, class_names, subset)
        leaked = None if leaked is None else leaked[mask]
        record.class_names = list(class_names)
    try:
        record.metrics = classification_metrics(y_test, outcome.y_pred, class_names)
        if leaked is not None and not leaked.all():
            kept = ~leaked
            record.metrics_deduplicated = classification_metrics(y_test[kept], outcome.y_pred[kept], class_names)
    except ValueError as error:  # predictions outside the classes: the estimator's failure
        record.status, record.error = "failed", f"its PrivateTest predictions cannot be scored: {error}"
    return record, y_test


def store_outcome(record: RunRecord, outcome: FitOutcome, y_scored: np.ndarray, class_names: tuple[str, ...],
                  store: ResultsStore, first_seed: int | None = None) -> None:
    """Write an ok record's predictions and saved model (its record naming the model's classes), under
    :func:`~fer_bench.results.seed_stem` of its seed and the run's ``first_seed``.

    Raises
    ------
    OSError
        If the run directory cannot be written.
    """
    if record.status != "ok":
        return
    stem = seed_stem(record.name, record.seed, first_seed)
    record.predictions_file = store.save_predictions(
        stem, y_scored, outcome.y_pred, outcome.scores, decision=outcome.decision,
        public_y_true=outcome.public_y_true, public_scores=outcome.public_scores, public_decision=outcome.public_decision)
    if outcome.model_files:
        files = label_model_files(outcome.model_files, record.class_names or class_names)
        record.model_dir = store.save_model_files(stem, files)
