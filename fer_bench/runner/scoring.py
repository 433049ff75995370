"""A fit's outcome as it reaches the runner: its metrics, then its predictions and model in the run folder."""

from __future__ import annotations

import numpy as np

from ..datasets.class_subset import subset_labels
from ..estimators.persistence import label_model_files
from ..analysis.metrics import classification_metrics
from ..results import ResultsStore, RunRecord, seed_stem
from .execution import FitOutcome

_PROBABILITY_SLACK = 1e-5  # float32 rounding of probabilities that sum to 1


def score_outcome(outcome: FitOutcome, y_test: np.ndarray, leaked: np.ndarray | None,
                  class_names: tuple[str, ...], subset: tuple[str, ...] | None = None) -> tuple[RunRecord, np.ndarray]:
    """Metrics (all PrivateTest faces, and those without a Training copy) of one outcome, and the labels scored.

    A model of a label ``subset`` is scored on its classes' faces only, relabelled as it was trained (a card's
    record counts the faces left out, ``pretrained["left_out_test_faces"]``).
    Predictions outside the classes, and probabilities or decision values that are NaN (or probabilities
    outside [0, 1]), make the record ``failed``.
    """
    record = outcome.record
    if record.status != "ok":
        return record, y_test
    unusable = unusable_scores(outcome)
    if unusable:
        record.status, record.error = "failed", f"{record.name}: {unusable}"
        return record, y_test
    if subset:
        mask, y_test, class_names = subset_labels(y_test, class_names, subset)
        leaked = None if leaked is None else leaked[mask]
        record.class_names = list(class_names)
    if record.pretrained is not None:  # a card: the faces of classes it cannot output are not scored
        record.pretrained["left_out_test_faces"] = int((~mask).sum()) if subset else 0
    try:
        record.metrics = classification_metrics(y_test, outcome.y_pred, class_names)
        if leaked is not None and not leaked.all():
            kept = ~leaked
            record.metrics_deduplicated = classification_metrics(y_test[kept], outcome.y_pred[kept], class_names)
    except ValueError as error:  # predictions outside the classes: the estimator's failure
        record.status, record.error = "failed", f"its PrivateTest predictions cannot be scored: {error}"
    return record, y_test


def unusable_scores(outcome: FitOutcome) -> str | None:
    """What is wrong with an outcome's probabilities or decision values: NaN anywhere, probabilities outside
    [0, 1] (infinities too); None when nothing is."""
    for key, what in (("scores", "PrivateTest probabilities"), ("public_scores", "PublicTest probabilities"),
                      ("decision", "PrivateTest decision values"), ("public_decision", "PublicTest decision values")):
        values = getattr(outcome, key)
        if values is None:
            continue
        probabilities = key.endswith("scores")
        bad = np.isnan(values)
        if probabilities:
            bad |= (values < -_PROBABILITY_SLACK) | (values > 1 + _PROBABILITY_SLACK)
        rows = int(bad.reshape(len(values), -1).any(axis=1).sum()) if len(values) else 0
        if rows:
            found, expected = (("NaN or outside [0, 1]", "probabilities in [0, 1]") if probabilities
                               else ("NaN", "numbers"))
            return f"its {what} are {found} for {rows} of {len(values)} faces; expected {expected}"
    return None


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
