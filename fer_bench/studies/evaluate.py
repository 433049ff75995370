"""Cross-dataset evaluation: score a saved model on any labelled faces.

The faces (:class:`fer_bench.datasets.LabelledFaces`) come from a FER-2013
layout (any split, FER-2013 or FER+ labels, :func:`~fer_bench.datasets.split_faces`)
or from a folder of class folders such as a CK+ export
(:func:`~fer_bench.datasets.read_class_folder`); classes with no FER-2013
counterpart (CK+ contempt) are counted and left out of the scores.

The metrics are those of ``run`` (:func:`fer_bench.analysis.metrics.classification_metrics`)
plus the macro-F1 over the classes present in the data: a data set without,
say, Neutral faces would otherwise count a Neutral F1 of 0 in the macro-F1.
"""

from __future__ import annotations

import time
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .._io import json_safe
from ..datasets import LabelledFaces
from ..estimators.persistence import saved_class_names
from ..analysis.metrics import classification_metrics, macro_f1_present
from ..analysis.groups import DEFAULT_MIN_GROUP_SIZE, difference_line, group_metrics
from ..report.figures import confusion_overview_figure
from ..results import RESULTS_FILE
from .record import record_header, write_record

EVALUATION_JSON = "evaluation.json"
EVALUATION_HTML = "evaluation.html"


def default_output_dir(model_dir: str | Path, label: str) -> Path:
    """Where a study or evaluation of a saved model goes without ``--out``.

    ``RUN_DIR/studies/<label>/`` for a model in ``RUN_DIR/models/NAME``, beside
    the run it came from; else ``reports/studies/<UTC timestamp>-<label>/``.
    """
    model_dir = Path(model_dir)
    if model_dir.parent.name == "models" and (model_dir.parent.parent / RESULTS_FILE).is_file():
        return model_dir.parent.parent / "studies" / label
    return Path("reports") / "studies" / f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{label}"


def check_model_classes(model, class_names: Sequence[str], trained: Sequence[str] | None, model_dir: str | Path) -> None:
    """Check that a model's labels mean the data's classes.

    Raises
    ------
    ValueError
        If the model was trained on other class names (when known), or its
        ``classes_`` hold labels outside ``0..len(class_names) - 1``.
    """
    if trained is not None and tuple(trained) != tuple(class_names):
        raise ValueError(f"{model_dir}: the model was trained on the classes {', '.join(trained)}, "
                         f"but the data has {', '.join(class_names)}")
    classes = np.asarray(model.classes_)
    if classes.min() < 0 or classes.max() >= len(class_names):
        raise ValueError(f"{model_dir}: the model predicts labels {classes.min()}..{classes.max()}, "
                         f"outside the data's {len(class_names)} classes")


def score_model(model, images: np.ndarray, labels: np.ndarray, class_names: Sequence[str],
                predictions_out: list | None = None) -> dict[str, Any]:
    """Predict faces and score the predictions.

    Parameters
    ----------
    model : fitted classifier taking uint8 (n, 48, 48) faces
    images : ndarray of uint8, shape (n, 48, 48)
    labels : ndarray of int64, shape (n,)
    class_names : sequence of str
    predictions_out : list, optional
        The predictions, ndarray of int64 (n,), are appended to it.

    Returns
    -------
    dict
        :func:`~fer_bench.analysis.metrics.classification_metrics` plus ``macro_f1_present``,
        ``predict_seconds`` (wall time) and ``images_per_second``.
    """
    started = time.perf_counter()
    predictions = np.asarray(model.predict(images))
    seconds = time.perf_counter() - started
    if predictions_out is not None:
        predictions_out.append(predictions)
    with warnings.catch_warnings():  # predicting a class absent from the data is expected across data sets
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true", UserWarning)
        metrics = classification_metrics(labels, predictions, class_names)
    metrics["macro_f1_present"] = macro_f1_present(metrics)
    metrics["predict_seconds"] = seconds
    metrics["images_per_second"] = len(images) / max(seconds, 1e-9)
    return metrics


def evaluate(model, model_dir: str | Path, faces: LabelledFaces, groups: np.ndarray | None = None,
             min_group_size: int = DEFAULT_MIN_GROUP_SIZE) -> dict[str, Any]:
    """Score a loaded model on labelled faces; return the JSON-safe evaluation record.

    With ``groups`` (str (n,), each face's subgroup) the record has ``groups``:
    :func:`fer_bench.analysis.groups.group_metrics` of the predictions.

    Raises
    ------
    ValueError
        If the model's classes do not match the faces' (see :func:`check_model_classes`).
    """
    check_model_classes(model, faces.class_names, saved_class_names(model_dir), model_dir)
    predictions: list = []
    metrics = score_model(model, faces.images, faces.labels, faces.class_names, predictions)
    by_group = None if groups is None else group_metrics(faces.labels, predictions[0], groups, faces.class_names,
                                                         min_group_size)
    return json_safe({**record_header(faces, model=str(model_dir), model_name=Path(model_dir).name,
                                      model_class=type(model).__name__),
                      "metrics": metrics, "groups": by_group})


def summary_text(evaluation: dict[str, Any]) -> str:
    """A few lines for the terminal: faces, accuracy, macro-F1, exclusions."""
    metrics, data = evaluation["metrics"], evaluation["data"]
    lines = [f"model:   {evaluation['model']}", f"data:    {data['source']}" + ("  (SYNTHETIC)" if data["synthetic"] else ""),
             f"faces:   {metrics['n']:,} scored"]
    for name, count in data["excluded"].items():
        lines.append(f"         {count:,} images of {name} excluded: no FER-2013 counterpart")
    if data.get("no_face"):
        lines.append(f"         {data['no_face']:,} images with no face found by the detector: scored whole")
    lines += [f"{data['scope']} accuracy  {metrics['accuracy']:.2%}",
              f"macro-F1                  {metrics['macro_f1']:.2%} (all {len(data['class_names'])} classes), "
              f"{metrics['macro_f1_present']:.2%} (classes present)",
              f"balanced accuracy         {metrics['balanced_accuracy']:.2%}"]
    return "\n".join(lines)


def write_evaluation(evaluation: dict[str, Any], out_dir: str | Path, command: str | None = None) -> tuple[Path, Path]:
    """Write ``evaluation.json`` and the self-contained ``evaluation.html`` to ``out_dir``.

    Returns
    -------
    (json_path, html_path) : tuple of Path
    """
    out_dir = Path(out_dir)
    metrics, data = evaluation["metrics"], evaluation["data"]
    class_names = data["class_names"]
    confusion = confusion_overview_figure({evaluation["model_name"]: metrics["confusion_matrix"]}, class_names,
                                          scope=data["scope"])
    return write_record(
        evaluation, out_dir / EVALUATION_JSON, out_dir / EVALUATION_HTML, "evaluation.html.j2",
        f"{evaluation['model_name']} on {data['source']}",
        {"model": evaluation["model"], "model class": evaluation["model_class"]}, command,
        metrics=metrics, excluded=data["excluded"], n_classes=len(class_names), per_class=metrics["per_class"],
        confusion=confusion,
        groups=[{"name": evaluation["model_name"], "kind": "", "result": evaluation["groups"],
                 "difference_line": difference_line(evaluation["groups"])}] if evaluation.get("groups") else [])
