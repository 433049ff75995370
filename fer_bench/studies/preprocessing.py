"""Preprocessing study of a model card: its accuracy under the declared preprocessing and under common mistakes.

The mistakes a port of a pretrained network makes most: colour channels swapped (RGB for BGR: with gray faces
repeated into three channels, only the per-channel mean and std change places), the wrong value range ([0, 1],
[0, 255], [-1, 1]), ImageNet's mean and std applied where the model was trained without them, or forgotten
where it was trained with them, and every other interpolation of the resize from 48x48. Each variant is the
card's ``[input]`` with one thing changed; faces of classes the model cannot output are left out. Accuracy has a
percentile bootstrap interval (:func:`fer_bench.analysis.metrics.bootstrap_ci`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .._io import json_safe
from ..cards.card import INTERPOLATIONS, InputSpec
from ..cards.inference import class_probabilities, raw_outputs
from ..datasets import LabelledFaces
from ..labels import FER2013_CLASSES
from ..analysis.metrics import bootstrap_ci
from ..report.figures import figure_data_uri
from .record import record_header, write_record

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
"""ImageNet's per-channel (RGB) statistics of pixels in [0, 1], as torchvision's models use them."""
RANGES: dict[str, tuple[float, float]] = {"[0, 1]": (0.0, 1.0), "[0, 255]": (0.0, 255.0), "[-1, 1]": (-1.0, 1.0)}
PREPROCESSING_JSON = "preprocessing.json"
PREPROCESSING_HTML = "preprocessing.html"


def _imagenet(spec: InputSpec) -> InputSpec:
    """``spec`` with ImageNet's statistics on [0, 1] pixels (their mean over channels for a gray input)."""
    if spec.n_channels == 1:
        return replace(spec, value_range=(0.0, 1.0), mean=(float(np.mean(IMAGENET_MEAN)),),
                       std=(float(np.mean(IMAGENET_STD)),))
    order = slice(None, None, -1) if spec.channels == "bgr" else slice(None)
    return replace(spec, value_range=(0.0, 1.0), mean=IMAGENET_MEAN[order], std=IMAGENET_STD[order])


def variants(spec: InputSpec) -> list[tuple[str, InputSpec]]:
    """The declared ``[input]`` first, then each common mistake that changes it (a mistake that gives the same
    input, e.g. swapped channels of a gray model, is left out).

    Returns
    -------
    list of (str, InputSpec)
        A name for the table, and the input.
    """
    found = [("as declared", spec)]
    if spec.dtype == "float32":
        if len(spec.mean) == 3 or len(spec.std) == 3:
            found.append(("channels swapped (RGB <-> BGR)", replace(spec, mean=spec.mean[::-1], std=spec.std[::-1])))
        found += [(f"range {name}", replace(spec, value_range=value_range))
                  for name, value_range in RANGES.items() if value_range != spec.value_range]
        if any(spec.mean) or any(value != 1 for value in spec.std):
            found.append(("mean/std forgotten", replace(spec, mean=(0.0,), std=(1.0,))))
        else:
            found.append(("ImageNet mean/std applied", _imagenet(spec)))
    found += [(f"interpolation {name}", replace(spec, interpolation=name))
              for name in INTERPOLATIONS if name != spec.interpolation]
    unique: dict[InputSpec, str] = {}
    for name, variant in found:
        unique.setdefault(variant, name)
    return [(name, variant) for variant, name in unique.items()]


def preprocessing_study(model, faces: LabelledFaces, n_resamples: int = 1000, progress=None) -> dict[str, Any]:
    """Score a card's model on ``faces`` under each of :func:`variants`.

    Parameters
    ----------
    model : CardClassifier
        A loaded card (:func:`fer_bench.estimators.card_model.load_card_model`).
    faces : LabelledFaces
        FER-2013 faces (their class names FER-2013's seven).
    n_resamples : int
        Bootstrap resamples of each interval.
    progress : callable, optional
        Called with a line of text after each variant.

    Returns
    -------
    dict
        ``rows``: per variant ``name``, ``input`` (its settings), ``accuracy``, ``accuracy_ci`` ([low, high], 95%),
        ``change`` (accuracy less the declared one's); ``n`` the faces scored, ``left_out`` those of classes the
        model cannot output.

    Raises
    ------
    ValueError
        If the faces' classes are not FER-2013's, or none is of a class the model outputs.
    """
    if tuple(faces.class_names) != FER2013_CLASSES:
        raise ValueError(f"{faces.source}: the preprocessing study scores FER-2013's seven classes, not "
                         f"{', '.join(faces.class_names)}")
    card = model.card_
    labels = np.asarray(card.mapping.labels)
    scored = np.isin(faces.labels, labels)
    if not scored.any():
        raise ValueError(f"{faces.source}: no face is of a class {card.path} can output")
    images, y_true = faces.images[scored], np.searchsorted(labels, faces.labels[scored])
    rows = []
    for name, spec in variants(card.input):
        y_pred = class_probabilities(card, raw_outputs(model.run_, images, spec)).argmax(axis=1)
        accuracy = float(np.mean(y_pred == y_true))
        low, high = bootstrap_ci(y_true, y_pred, "accuracy", n_resamples=n_resamples, n_classes=len(labels))
        rows.append({"name": name, "input": _settings(spec), "accuracy": accuracy, "accuracy_ci": [low, high],
                     "change": accuracy - rows[0]["accuracy"] if rows else 0.0})
        if progress is not None:
            progress(f"{name:<32} {faces.scope} accuracy {accuracy:.2%} [{low:.2%}, {high:.2%}]")
    return {"rows": rows, "n": int(scored.sum()), "left_out": int((~scored).sum())}


def _settings(spec: InputSpec) -> str:
    """An input's settings in a line: ``64x64 gray nhwc, range [-1, 1], mean 0, std 1, bilinear``."""
    def numbers(values) -> str:
        return ", ".join(f"{value:g}" for value in values)

    text = f"{spec.height}x{spec.width} {spec.channels} {spec.layout}, "
    if spec.dtype == "uint8":
        return text + f"uint8 pixels, {spec.interpolation}"
    return text + (f"range [{numbers(spec.value_range)}], mean {numbers(spec.mean)}, std {numbers(spec.std)}, "
                   f"{spec.interpolation}")


def run_preprocessing_study(model, card_path: str | Path, faces: LabelledFaces, progress=None) -> dict[str, Any]:
    """:func:`preprocessing_study` with what the page and JSON say of it (model, data, when); JSON-safe."""
    return json_safe({**record_header(faces, model=str(card_path), model_name=model.card_.name),
                      **preprocessing_study(model, faces, progress=progress)})


def table_text(study: dict[str, Any]) -> str:
    """The study as a text table: a row per variant, accuracy, its interval and the change from the declared."""
    lines = [f"{'preprocessing':<32} {'accuracy':>9} {'95% interval':>18} {'change':>8}"]
    for row in study["rows"]:
        low, high = row["accuracy_ci"]
        lines.append(f"{row['name']:<32} {row['accuracy']:>9.2%} {f'{low:.1%} - {high:.1%}':>18} "
                     f"{100 * row['change']:>+7.1f}")
    return "\n".join(lines)


def _plot(study: dict[str, Any]) -> tuple[str, str]:
    """Accuracy per variant with its interval, the declared one first; returns (data URI, alt text)."""
    rows = study["rows"]
    figure = Figure(figsize=(7, 0.4 * len(rows) + 1.2), layout="constrained")
    axes = figure.subplots()
    positions = np.arange(len(rows))[::-1]
    accuracy = np.array([100 * row["accuracy"] for row in rows])
    errors = np.array([[accuracy[i] - 100 * row["accuracy_ci"][0], 100 * row["accuracy_ci"][1] - accuracy[i]]
                       for i, row in enumerate(rows)]).T
    axes.barh(positions, accuracy, xerr=errors, color=["#2a6f97"] + ["#9aa5b1"] * (len(rows) - 1), capsize=3)
    axes.set_yticks(positions, [row["name"] for row in rows])
    axes.set_xlabel(f"{study['data']['scope']} accuracy (%), 95% bootstrap interval")
    axes.grid(axis="x", alpha=0.3)
    worst = min(rows, key=lambda row: row["accuracy"])
    alt = (f"{study['data']['scope']} accuracy of {study['model_name']} under its declared preprocessing, "
           f"{rows[0]['accuracy']:.1%}, and under {len(rows) - 1} common mistakes; the worst, {worst['name']}, "
           f"gives {worst['accuracy']:.1%}.")
    return figure_data_uri(figure), alt


def write_preprocessing_study(study: dict[str, Any], out_dir: str | Path,
                              command: str | None = None) -> tuple[Path, Path]:
    """Write ``preprocessing.json`` and the self-contained ``preprocessing.html`` (table and plot) to ``out_dir``.

    Returns
    -------
    (json_path, html_path) : tuple of Path
    """
    out_dir = Path(out_dir)
    plot_src, plot_alt = _plot(study)
    return write_record(study, out_dir / PREPROCESSING_JSON, out_dir / PREPROCESSING_HTML, "preprocessing.html.j2",
                        f"Preprocessing study of {study['model_name']}", {"model card": study["model"]}, command,
                        study=study, plot_src=plot_src, plot_alt=plot_alt)
