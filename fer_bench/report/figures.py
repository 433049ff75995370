"""Figures of the report as PNG data URIs, each with its alt text.

Drawn with matplotlib's object API (:class:`matplotlib.figure.Figure`, which
saves PNG through the Agg renderer) rather than pyplot: no display, no global
backend switch that would change a notebook's backend, no figures left open.
"""

from __future__ import annotations

import base64
import io
from typing import Any, NamedTuple, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

DPI = 100
CMAP = "Blues"


class EmbeddedFigure(NamedTuple):
    """A figure ready for ``<img src=... alt=...>``."""

    src: str
    """``data:image/png;base64,...``."""
    alt: str
    """What the figure shows, in words."""


def figure_data_uri(figure: Figure) -> str:
    """A matplotlib figure as a ``data:image/png;base64,...`` URI (PNG at :data:`DPI` dots per inch, no metadata)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def heat_colours(values: np.ndarray, vmax: float) -> tuple[list[str], list[bool]]:
    """Background colours (``#rrggbb``, the report's colour map) of cells scaled to ``[0, vmax]``,
    and whether each needs light text; both flat, in ``values.ravel()`` order."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    scaled = np.clip(np.asarray(values, dtype=float).ravel() / max(vmax, 1e-12), 0, 1)
    return [to_hex(colour) for colour in colormaps[CMAP](scaled)], [bool(value > 0.55) for value in scaled]


def _panels(count: int, columns: int, panel: float, margins: tuple[float, float, float, float] = (0.8, 1.1, 0.9, 0.5),
            gap: tuple[float, float] = (0.7, 1.0)) -> tuple[Figure, np.ndarray]:
    """A figure of ``count`` square panels, at most ``columns`` a row, laid out by fixed inches.

    Constrained layout costs seconds on a dozen panels; small multiples have a
    known geometry, so the margins (left, right, bottom, top) and gaps
    (between columns, rows) are given in inches. Unused panels are hidden.
    """
    columns = max(1, min(columns, count))
    rows = -(-count // columns)
    left, right, bottom, top = margins
    width = left + right + columns * panel + (columns - 1) * gap[0]
    height = bottom + top + rows * panel + (rows - 1) * gap[1]
    figure = Figure(figsize=(width, height))
    axes = figure.subplots(rows, columns, squeeze=False, gridspec_kw={
        "left": left / width, "right": 1 - right / width, "bottom": bottom / height, "top": 1 - top / height,
        "wspace": gap[0] / panel, "hspace": gap[1] / panel}).ravel()
    for unused in axes[count:]:
        unused.set_axis_off()
    return figure, axes[:count]


def _outer(index: int, count: int, columns: int) -> tuple[bool, bool]:
    """Whether panel ``index`` of :func:`_panels` is in the left column, and has no panel below it."""
    columns = max(1, min(columns, count))
    return index % columns == 0, index + columns >= count


def confusion_overview_figure(matrices: dict[str, Sequence[Sequence[int]]],
                              class_names: Sequence[str], scope: str = "PrivateTest") -> EmbeddedFigure:
    """Row-normalised confusion matrices of several estimators side by side, on one scale.

    Parameters
    ----------
    matrices : dict of str to (k, k) array-like of int
        Counts per estimator (true labels on rows), all over the same k classes.
    class_names : sequence of str, length k
    scope : str
        The faces scored, as the alt text names them.

    Returns
    -------
    EmbeddedFigure
    """
    figure, axes_grid = _panels(len(matrices), 4, panel=2.4)
    recalls = []
    ticks, short_names = np.arange(len(class_names)), [name[:3] for name in class_names]
    for index, (axes, (name, matrix)) in enumerate(zip(axes_grid, matrices.items())):
        counts = np.asarray(matrix, dtype=float)
        totals = counts.sum(axis=1, keepdims=True)
        rates = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
        image = axes.imshow(rates, cmap=CMAP, vmin=0, vmax=1)
        left, bottom = _outer(index, len(matrices), 4)
        axes.set_xticks(ticks, short_names if bottom else [], rotation=90, fontsize=7)
        axes.set_yticks(ticks, short_names if left else [], fontsize=7)
        axes.set_title(name, fontsize=9)
        recalls.append(f"{name}: " + ", ".join(f"{class_name} {rates[index, index]:.0%}"
                                               for index, class_name in enumerate(class_names)))
    colour_axes = figure.add_axes((1 - 0.75 / figure.get_figwidth(), 0.3, 0.15 / figure.get_figwidth(), 0.4))
    figure.colorbar(image, cax=colour_axes, label="Share of the true class")
    figure.supxlabel("Predicted label", fontsize=9, y=0.01)
    figure.supylabel("True label", fontsize=9, x=0.01)
    alt = (f"Row-normalised {scope} confusion matrices of " + ", ".join(matrices) + ", side by side, true labels"
           " on rows. Diagonal (recall per class): " + "; ".join(recalls) + ".")
    return EmbeddedFigure(figure_data_uri(figure), alt)


def per_class_f1_figure(f1: dict[str, dict[str, float]], class_names: Sequence[str]) -> EmbeddedFigure:
    """Heatmap of PrivateTest F1 per class (columns) and estimator (rows).

    Parameters
    ----------
    f1 : dict of str to dict of str to float
        ``{estimator: {class name: F1}}``; a class an estimator did not score is left blank.
    class_names : sequence of str
        Columns, in order.

    Returns
    -------
    EmbeddedFigure
    """
    names = list(f1)
    values = np.array([[f1[name].get(class_name, np.nan) for class_name in class_names] for name in names], dtype=float)
    figure = Figure(figsize=(1.1 * len(class_names) + 2.8, 0.42 * len(names) + 1.6), layout="constrained")
    axes = figure.subplots()
    image = axes.imshow(np.ma.masked_invalid(values), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    axes.set_xticks(np.arange(len(class_names)), class_names, rotation=30, ha="right")
    axes.set_yticks(np.arange(len(names)), names)
    for (row, column), value in np.ndenumerate(values):
        text = "—" if np.isnan(value) else f"{value:.2f}"
        axes.text(column, row, text, ha="center", va="center", fontsize=8,
                  color="black" if np.isnan(value) or value > 0.6 else "white")
    figure.colorbar(image, ax=axes, label="F1")
    axes.set_xlabel("True class")
    worst = np.nanmean(values, axis=0)
    hardest = class_names[int(np.nanargmin(worst))] if np.isfinite(worst).any() else None
    alt = ("Heatmap of PrivateTest F1 per class (columns) for " + ", ".join(names) + " (rows). "
           + " ".join(f"{name}: " + ", ".join(f"{class_name} {value:.2f}" for class_name, value in zip(class_names, row)
                                             if not np.isnan(value)) + "." for name, row in zip(names, values))
           + (f" Hardest class on average: {hardest}." if hardest else ""))
    return EmbeddedFigure(figure_data_uri(figure), alt)


def learning_curves_figure(histories: dict[str, Sequence[dict[str, Any]]]) -> EmbeddedFigure:
    """Training loss and PublicTest accuracy per epoch of several networks, overlaid.

    Parameters
    ----------
    histories : dict of str to sequence of dict
        ``RunRecord.history`` per network (see :func:`learning_curve_figure`).

    Returns
    -------
    EmbeddedFigure
    """
    figure = Figure(figsize=(10, 3.4), layout="constrained")
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    parts = []
    for name, history in histories.items():
        epochs = [entry.get("epoch", index + 1) for index, entry in enumerate(history)]
        losses = [(epoch, entry["train_loss"]) for epoch, entry in zip(epochs, history)
                  if entry.get("train_loss") is not None]
        accuracies = [(epoch, 100 * entry["public_accuracy"]) for epoch, entry in zip(epochs, history)
                      if entry.get("public_accuracy") is not None]
        line = None
        if losses:
            (line,) = loss_axes.plot(*zip(*losses), marker="o", markersize=3, label=name)
        if accuracies:
            accuracy_axes.plot(*zip(*accuracies), marker="o", markersize=3, label=name,
                               color=line.get_color() if line else None)
            best = max(accuracies, key=lambda pair: pair[1])
            parts.append(f"{name}: best PublicTest accuracy {best[1]:.1f}% at epoch {best[0]} of {len(history)}.")
        else:
            parts.append(f"{name}: {len(history)} epochs, no PublicTest accuracy recorded.")
    for axes, label in ((loss_axes, "Training loss"), (accuracy_axes, "PublicTest accuracy (%)")):
        axes.set_xlabel("Epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel(label)
        axes.grid(alpha=0.3)
    loss_axes.legend(fontsize=8)
    return EmbeddedFigure(figure_data_uri(figure), "Learning curves of the networks: training loss (left) and PublicTest"
                                             " accuracy (right) per epoch. " + " ".join(parts))


def cost_benefit_figure(points: dict[str, tuple[float, float]], frontier: Sequence[str],
                        what: str = "training time", unit: str = "s") -> EmbeddedFigure:
    """PrivateTest accuracy against a cost (log axis): training time, or the latency of inference; Pareto frontier marked.

    Parameters
    ----------
    points : dict of str to (float, float)
        ``{estimator: (cost, PrivateTest accuracy as a fraction)}``; costs > 0, e.g. fit seconds.
    frontier : sequence of str
        The Pareto-optimal estimators (no other is both cheaper and at least as accurate).
    what, unit : str
        The cost and its unit, for the axis and the description.

    Returns
    -------
    EmbeddedFigure
    """
    figure = Figure(figsize=(8, 4.2), layout="constrained")
    axes = figure.subplots()
    for name, (seconds, accuracy) in points.items():
        optimal = name in frontier
        axes.scatter(seconds, 100 * accuracy, s=60 if optimal else 30, marker="D" if optimal else "o",
                     color="#cf222e" if optimal else "#59636e", zorder=3)
        axes.annotate(name, (seconds, 100 * accuracy), textcoords="offset points", xytext=(5, 4), fontsize=8)
    front = sorted(points[name] for name in frontier)
    if len(front) > 1:
        axes.step([seconds for seconds, _ in front], [100 * accuracy for _, accuracy in front], where="post",
                  color="#cf222e", alpha=0.6, label="Pareto frontier")
        axes.legend(fontsize=8, loc="lower right")
    axes.set_xscale("log")
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axes.margins(x=0.15, y=0.12)
    axes.set_xlabel(f"{what[:1].upper()}{what[1:]} ({unit}, log scale)")
    axes.set_ylabel("PrivateTest accuracy (%)")
    axes.grid(alpha=0.3, which="both")
    described = "; ".join(f"{name} {accuracy:.1%} in {cost:.3g} {unit}" for name, (cost, accuracy) in points.items())
    alt = (f"Scatter plot of PrivateTest accuracy against {what} on a log scale: {described}. "
           f"Pareto frontier (no estimator both faster and more accurate): {', '.join(frontier) or 'none'}.")
    return EmbeddedFigure(figure_data_uri(figure), alt)


def reliability_figure(calibrations: dict[str, dict[str, Any]]) -> EmbeddedFigure:
    """Reliability diagrams: accuracy against confidence per bin, one panel per estimator.

    Parameters
    ----------
    calibrations : dict of str to dict
        :func:`fer_bench.analysis.metrics.calibration` results per estimator.

    Returns
    -------
    EmbeddedFigure
    """
    figure, axes_grid = _panels(len(calibrations), 4, panel=2.4, margins=(0.7, 0.3, 0.6, 0.6), gap=(0.7, 1.1))
    for index, (axes, (name, result)) in enumerate(zip(axes_grid, calibrations.items())):
        bins = [entry for entry in result["bins"] if entry["count"]]
        centres = [(entry["low"] + entry["high"]) / 2 for entry in bins]
        width = result["bins"][0]["high"] - result["bins"][0]["low"]
        axes.bar(centres, [entry["accuracy"] for entry in bins], width=width * 0.95, color="#4c72b0",
                 edgecolor="white", label="Accuracy")
        axes.bar(centres, [entry["confidence"] - entry["accuracy"] for entry in bins], width=width * 0.95,
                 bottom=[entry["accuracy"] for entry in bins], color="#cf222e", alpha=0.3, label="Gap")
        axes.plot([0, 1], [0, 1], color="black", linestyle="--", linewidth=1)
        axes.set(xlim=(0, 1), ylim=(0, 1))
        left, bottom = _outer(index, len(calibrations), 4)
        axes.set_xlabel("Confidence" if bottom else "")
        axes.set_ylabel("Accuracy" if left else "")
        axes.set_title(f"{name}\nECE {result['ece']:.1%}", fontsize=9)
    axes_grid[0].legend(fontsize=7, loc="upper left")
    alt = ("Reliability diagrams on PrivateTest: accuracy of the faces in each confidence bin against the bin's"
           " confidence; a calibrated estimator follows the diagonal. Expected calibration error: "
           + ", ".join(f"{name} {result['ece']:.1%}" for name, result in calibrations.items()) + ".")
    return EmbeddedFigure(figure_data_uri(figure), alt)


def face_data_uri(face: np.ndarray) -> str:
    """One ``uint8 (48, 48)`` grey face as a PNG data URI (lossless, a few hundred bytes)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(face, dtype=np.uint8)).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
