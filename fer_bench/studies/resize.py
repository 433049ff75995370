"""Resolution study: how a saved model's accuracy falls as faces lose resolution.

The seed's study: every test face is down-sampled from 48x48 to ``size x size``
pixels (48, 40, 32, 24, 16, 12) and back up to 48x48, both ways with the same
OpenCV interpolation (``cv2.resize`` with INTER_CUBIC, INTER_LINEAR,
INTER_LANCZOS4 or INTER_AREA), and the model predicts the degraded faces. Size
48 is the untouched faces, shared by every interpolation.

Each setting resizes all faces (two ``cv2.resize`` calls per 48x48 face, tens of
microseconds each) and predicts them in one batched call; prediction dominates
the time. OpenCV's resize is applied face by face on purpose: stacking faces as
the channels of one image is not bit-identical to resizing them one by one for
some sizes (cubic 48->40), and INTER_AREA takes at most 4 channels.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure

from .._io import json_safe
from ..datasets import LabelledFaces
from ..estimators.persistence import saved_class_names
from ..pipeline import import_cv2 as _cv2
from ..report.figures import figure_data_uri
from .evaluate import check_model_classes, score_model
from .record import record_header, write_record

SIZES: tuple[int, ...] = (48, 40, 32, 24, 16, 12)
"""Side lengths, in pixels, the faces are down-sampled to."""
INTERPOLATIONS: dict[str, str] = {"cubic": "INTER_CUBIC", "linear": "INTER_LINEAR", "lanczos4": "INTER_LANCZOS4",
                                  "area": "INTER_AREA"}
"""Study name -> OpenCV interpolation flag."""
FACE_SIZE = 48
RESIZE_JSON = "resize.json"
RESIZE_HTML = "resize.html"


def degrade(faces: np.ndarray, size: int, interpolation: str) -> np.ndarray:
    """Down-sample faces to ``size x size`` and back to 48x48 with one interpolation.

    Parameters
    ----------
    faces : ndarray of uint8, shape (n, 48, 48)
    size : int
        Side length in pixels, 1..48; 48 returns a copy.
    interpolation : str
        A key of :data:`INTERPOLATIONS`.

    Returns
    -------
    ndarray of uint8, shape (n, 48, 48)

    Raises
    ------
    ValueError
        If ``size`` or ``interpolation`` is invalid, or ``faces`` is not uint8 (n, 48, 48).
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"interpolation {interpolation!r}: expected one of {', '.join(INTERPOLATIONS)}")
    if not 1 <= size <= FACE_SIZE:
        raise ValueError(f"size {size}: expected 1..{FACE_SIZE} pixels")
    faces = np.asarray(faces)
    if faces.dtype != np.uint8 or faces.shape[1:] != (FACE_SIZE, FACE_SIZE):
        raise ValueError(f"faces must be uint8 (n, 48, 48), got {faces.dtype} {faces.shape}")
    if size == FACE_SIZE:
        return faces.copy()
    cv2 = _cv2()
    flag = getattr(cv2, INTERPOLATIONS[interpolation])
    degraded = np.empty_like(faces)
    for index, face in enumerate(faces):
        small = cv2.resize(face, (size, size), interpolation=flag)
        degraded[index] = cv2.resize(small, (FACE_SIZE, FACE_SIZE), interpolation=flag)
    return degraded


def resize_study(model, faces: LabelledFaces, sizes: Sequence[int] = SIZES,
                 interpolations: Sequence[str] = tuple(INTERPOLATIONS), progress=None) -> dict[str, Any]:
    """Score a model on faces degraded at every size and interpolation.

    Parameters
    ----------
    model : fitted classifier taking uint8 (n, 48, 48) faces
    faces : LabelledFaces
        The test faces (PrivateTest by default in the CLI).
    sizes : sequence of int
        Side lengths in pixels.
    interpolations : sequence of str
        Keys of :data:`INTERPOLATIONS`.
    progress : callable, optional
        Called with a line of text after each setting.

    Returns
    -------
    dict
        ``sizes``, ``interpolations``, and ``accuracy``, ``macro_f1``,
        ``balanced_accuracy``: lists of rows (one per size) of floats (one per
        interpolation); ``resize_seconds`` and ``predict_seconds``: total wall times.
    """
    tables = {key: [[0.0] * len(interpolations) for _ in sizes] for key in ("accuracy", "macro_f1", "balanced_accuracy")}
    resize_seconds = predict_seconds = 0.0
    untouched = None
    for row, size in enumerate(sizes):
        for column, interpolation in enumerate(interpolations):
            if size == FACE_SIZE and untouched is not None:
                metrics = untouched  # the untouched faces, whatever the interpolation
            else:
                started = time.perf_counter()
                degraded = degrade(faces.images, size, interpolation)
                resize_seconds += time.perf_counter() - started
                metrics = score_model(model, degraded, faces.labels, faces.class_names)
                predict_seconds += metrics["predict_seconds"]
                if size == FACE_SIZE:
                    untouched = metrics
            for key, table in tables.items():
                table[row][column] = metrics[key]
            if progress is not None:
                progress(f"{size:>2} px {interpolation:<8} {faces.scope} accuracy {metrics['accuracy']:.2%}")
    return {"sizes": list(sizes), "interpolations": list(interpolations), **tables,
            "resize_seconds": resize_seconds, "predict_seconds": predict_seconds}


def run_resize_study(model, model_dir: str | Path, faces: LabelledFaces, progress=None) -> dict[str, Any]:
    """Check the model against the faces' classes, run :func:`resize_study`, return the JSON-safe record.

    Raises
    ------
    ValueError
        If the model's classes do not match the faces' (see
        :func:`~fer_bench.studies.evaluate.check_model_classes`).
    """
    check_model_classes(model, faces.class_names, saved_class_names(model_dir), model_dir)
    return json_safe({**record_header(faces, model=str(model_dir), model_name=Path(model_dir).name,
                                      model_class=type(model).__name__),
                      "interpolation_flags": dict(INTERPOLATIONS), **resize_study(model, faces, progress=progress)})


def table_text(study: dict[str, Any], metric: str = "accuracy") -> str:
    """One metric as a text table: a row per size, a column per interpolation, percentages."""
    columns = study["interpolations"]
    lines = ["size  " + "".join(f"{name:>10}" for name in columns)]
    for size, row in zip(study["sizes"], study[metric]):
        lines.append(f"{size:>2} px " + "".join(f"{value:>10.2%}" for value in row))
    return "\n".join(lines)


def _plot(study: dict[str, Any]) -> tuple[str, str]:
    """Accuracy against size, one line per interpolation; returns (data URI, alt text)."""
    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.subplots()
    sizes = study["sizes"]
    scope = study["data"]["scope"]
    for column, name in enumerate(study["interpolations"]):
        axes.plot(sizes, [100 * row[column] for row in study["accuracy"]], marker="o", label=name)
    axes.set_xlabel("Side length after down-sampling (pixels)")
    axes.set_ylabel(f"{scope} accuracy (%)")
    axes.set_xticks(sizes)
    axes.invert_xaxis()
    axes.grid(alpha=0.3)
    axes.legend(title="interpolation")
    worst = {name: study["accuracy"][-1][column] for column, name in enumerate(study["interpolations"])}
    alt = (f"{scope} accuracy of {study['model_name']} against the side length the faces were down-sampled to, "
           f"from {sizes[0]} to {sizes[-1]} pixels, one line per interpolation. At {sizes[0]} pixels "
           f"{study['accuracy'][0][0]:.1%}; at {sizes[-1]} pixels "
           + ", ".join(f"{name} {value:.1%}" for name, value in worst.items()) + ".")
    return figure_data_uri(figure), alt


def write_resize_study(study: dict[str, Any], out_dir: str | Path, command: str | None = None) -> tuple[Path, Path]:
    """Write ``resize.json`` and the self-contained ``resize.html`` (tables and plot) to ``out_dir``.

    Returns
    -------
    (json_path, html_path) : tuple of Path
    """
    out_dir = Path(out_dir)
    plot_src, plot_alt = _plot(study)
    flags = ", ".join(f"{name} = cv2.{flag}" for name, flag in study["interpolation_flags"].items())
    return write_record(
        study, out_dir / RESIZE_JSON, out_dir / RESIZE_HTML, "resize.html.j2",
        f"Resolution study of {study['model_name']}", {"model": study["model"], "model class": study["model_class"]},
        command, {"interpolations": flags,
                  "seconds": f"resizing {study['resize_seconds']:.1f} s, predicting {study['predict_seconds']:.1f} s"},
        study=study, plot_src=plot_src, plot_alt=plot_alt,
        tables=[(f"{study['data']['scope']} accuracy", study["accuracy"]), ("macro-F1", study["macro_f1"])])
