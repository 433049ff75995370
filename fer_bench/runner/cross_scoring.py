"""A fitted model on the run's other data sets (``run --also-test``): its predictions, where it was fitted, and
their scores, where the runner stores its record.

Classes are matched by meaning (:func:`fer_bench.labels.same_expression`), as
``evaluate`` scores a model on another data set: the faces of a target class the
model lacks are left out and counted (``left_out``); a model class the target
has no face of stays a possible, always wrong, prediction and is left out of
``macro_f1_present`` (``absent``).
"""

from __future__ import annotations

import time
import warnings
from typing import Sequence

import numpy as np

from ..analysis.metrics import classification_metrics, macro_f1_present
from ..labels import same_expression
from ..results import CrossScore, ResultsStore, RunRecord
from .targets import TargetFaces, file_part


def predict_targets(estimator, target_images: Sequence[np.ndarray]) -> list[tuple[np.ndarray, float]]:
    """A fitted estimator's labels (int64 (n,)) of each target's faces, with the wall seconds each took."""
    predicted = []
    for images in target_images:
        started = time.perf_counter()
        labels = np.asarray(estimator.predict(images), dtype=np.int64)
        predicted.append((labels, time.perf_counter() - started))
    return predicted


def model_labels(target_classes: Sequence[str], model_classes: Sequence[str]) -> np.ndarray:
    """Each target class's label among the model's classes, -1 where the model has none of its meaning.

    Returns
    -------
    ndarray of int64, shape (len(target_classes),)
    """
    return np.array([next((index for index, model_class in enumerate(model_classes)
                           if same_expression(target_class, model_class)), -1) for target_class in target_classes],
                    dtype=np.int64)


def score_targets(record: RunRecord, predicted: Sequence[tuple[np.ndarray, float]], targets: Sequence[TargetFaces],
                  model_classes: Sequence[str], store: ResultsStore, stem: str) -> None:
    """Score an ok record's predictions on every target into ``record.cross_scores``, and store them.

    Parameters
    ----------
    record : RunRecord
    predicted : sequence of (ndarray of int64 (n_target,), float)
        :func:`predict_targets` of the record's model, in ``targets`` order.
    targets : sequence of TargetFaces
    model_classes : sequence of str
        The classes the model's labels index.
    store : ResultsStore
    stem : str
        The record's file stem (:func:`fer_bench.results.seed_stem`).

    Raises
    ------
    OSError
        If the run directory cannot be written.
    """
    if record.status != "ok":
        return
    record.cross_scores = [_score(record, labels, seconds, target, model_classes, store, stem)
                           for (labels, seconds), target in zip(predicted, targets)]


def _score(record: RunRecord, predictions: np.ndarray, seconds: float, target: TargetFaces,
           model_classes: Sequence[str], store: ResultsStore, stem: str) -> CrossScore:
    info = target.info
    mapping = model_labels(info.class_names, model_classes)
    left_out = {**info.excluded, **{name: count for name, count in info.counts.items()
                                    if count and mapping[info.class_names.index(name)] < 0}}
    present = {int(mapping[label]) for label in np.unique(target.labels) if mapping[label] >= 0}
    absent = [name for index, name in enumerate(model_classes) if index not in present]
    score = CrossScore(target=info.name, target_sha256=info.sha256, left_out=left_out, absent=absent,
                       detector=info.detector, no_face=info.no_face, predict_seconds=seconds)
    kept = mapping[target.labels] >= 0
    if not kept.any():
        score.status, score.error = "failed", (f"no face of {info.name} is of a class of {record.name}'s "
                                               f"({', '.join(model_classes)})")
        return score
    y_true, y_pred = mapping[target.labels[kept]], predictions[kept]
    try:
        with warnings.catch_warnings():  # a class the target lacks is a possible prediction across data sets
            warnings.filterwarnings("ignore", "y_pred contains classes not in y_true", UserWarning)
            score.metrics = classification_metrics(y_true, y_pred, list(model_classes))
    except ValueError as error:  # predictions outside the model's classes: the model's failure
        score.status, score.error = "failed", f"its predictions on {info.name} cannot be scored: {error}"
        return score
    score.metrics["macro_f1_present"] = macro_f1_present(score.metrics)
    score.predictions_file = store.save_cross_predictions(stem, file_part(info.name), y_true, y_pred)
    return score
