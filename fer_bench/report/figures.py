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
from matplotlib.ticker import MaxNLocator

DPI = 100
CMAP = "Blues"


class EmbeddedFigure(NamedTuple):
    """A figure ready for ``<img src=... alt=...>``."""

    src: str
    """``data:image/png;base64,...``."""
    alt: str
    """What the figure shows, in words."""


def _data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _matrix_panel(axes, values: np.ndarray, class_names: Sequence[str], title: str,
                  cell_text: list[str], vmax: float) -> None:
    axes.imshow(values, cmap=CMAP, vmin=0, vmax=vmax)
    ticks = np.arange(len(class_names))
    axes.set_xticks(ticks, class_names, rotation=45, ha="right")
    axes.set_yticks(ticks, class_names)
    axes.set_xlabel("Predicted label")
    axes.set_ylabel("True label")
    axes.set_title(title)
    for (row, column), text in zip(np.ndindex(values.shape), cell_text):
        dark = values[row, column] > vmax / 2
        axes.text(column, row, text, ha="center", va="center", fontsize=8, color="white" if dark else "black")


def confusion_figure(matrix: Sequence[Sequence[int]], class_names: Sequence[str], name: str) -> EmbeddedFigure:
    """Confusion matrix of one estimator: counts and row-normalised rates side by side.

    Parameters
    ----------
    matrix : (k, k) array-like of int
        Counts, true labels on rows, predicted labels on columns.
    class_names : sequence of str, length k
    name : str
        The estimator, for the alt text.

    Returns
    -------
    EmbeddedFigure
    """
    counts = np.asarray(matrix, dtype=np.int64)
    totals = counts.sum(axis=1, keepdims=True)
    rates = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    figure = Figure(figsize=(10, 4.6), layout="constrained")
    left, right = figure.subplots(1, 2)
    _matrix_panel(left, counts, class_names, "Counts", [str(value) for value in counts.ravel()],
                  vmax=max(int(counts.max()), 1))
    _matrix_panel(right, rates, class_names, "Row-normalised (share of each true class)",
                  [f"{value:.0%}" for value in rates.ravel()], vmax=1.0)

    recalls = ", ".join(f"{class_name} {rates[index, index]:.0%}" for index, class_name in enumerate(class_names)
                        if totals[index, 0] > 0)
    off_diagonal = counts - np.diag(np.diag(counts))
    true_index, predicted_index = np.unravel_index(np.argmax(off_diagonal), counts.shape)
    confusion = (f" Most frequent confusion: {class_names[true_index]} predicted as {class_names[predicted_index]}"
                 f" ({off_diagonal[true_index, predicted_index]} faces)." if off_diagonal.any() else "")
    alt = (f"Confusion matrices of {name} on {int(counts.sum())} PrivateTest faces, true labels on rows and predicted"
           f" labels on columns: counts (left) and row-normalised shares (right). Recall per class: {recalls}.{confusion}")
    return EmbeddedFigure(_data_uri(figure), alt)


def learning_curve_figure(history: Sequence[dict[str, Any]], name: str) -> EmbeddedFigure:
    """Training loss and PublicTest accuracy per epoch of one network.

    Parameters
    ----------
    history : sequence of dict
        ``RunRecord.history``: ``epoch``, ``train_loss``, ``public_accuracy``
        (fraction; may be missing or None when no PublicTest faces were given).
    name : str
        The estimator, for the alt text.

    Returns
    -------
    EmbeddedFigure
    """
    def series(key: str, scale: float = 1.0) -> tuple[list[float], list[float]]:
        pairs = [(entry.get("epoch", index + 1), entry[key] * scale) for index, entry in enumerate(history)
                 if entry.get(key) is not None]
        return [epoch for epoch, _ in pairs], [value for _, value in pairs]

    loss_epochs, losses = series("train_loss")
    accuracy_epochs, accuracies = series("public_accuracy", 100.0)
    figure = Figure(figsize=(9, 3), layout="constrained")
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    for axes, epochs, values, label in ((loss_axes, loss_epochs, losses, "Training loss"),
                                        (accuracy_axes, accuracy_epochs, accuracies, "PublicTest accuracy (%)")):
        axes.plot(epochs, values, marker="o")
        axes.set_xlabel("Epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel(label)
        axes.grid(alpha=0.3)
        if not values:
            axes.text(0.5, 0.5, "not recorded", transform=axes.transAxes, ha="center", va="center")

    parts = [f"Learning curve of {name} over {len(history)} epochs."]
    if losses:
        parts.append(f"Training loss from {losses[0]:.3f} to {losses[-1]:.3f}.")
    if accuracies:
        best = int(np.argmax(accuracies))
        parts.append(f"PublicTest accuracy from {accuracies[0]:.1f}% to {accuracies[-1]:.1f}%,"
                     f" best {accuracies[best]:.1f}% at epoch {accuracy_epochs[best]}.")
    return EmbeddedFigure(_data_uri(figure), " ".join(parts))
