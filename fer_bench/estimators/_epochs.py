"""The epoch bookkeeping of the network trainers (PyTorch and Keras): history, best epoch, early stopping, epoch lines.

A trainer runs its own epoch loop and reports each epoch to an :class:`EpochLog`;
the log keeps the ``history_`` rows both estimators expose, says whether the
epoch's PublicTest accuracy is the best so far (so that the trainer keeps its
weights), and whether ``patience`` epochs have passed without improvement.

Every epoch line also goes to the logger :data:`EPOCH_LOGGER` (level INFO), where
the runner attaches the run's log file; with no handler attached it shows nothing.
"""

from __future__ import annotations

import logging
from typing import Callable

EPOCH_LOGGER = logging.getLogger("fer_bench.epochs")


class EpochLog:
    """History of one training run.

    Parameters
    ----------
    name : str
        What the epoch lines call the network (its architecture).
    epochs : int
        Epochs planned, for the lines' ``epoch i/epochs``.
    n_images : int
        Training faces per epoch, for ``images_per_second``.
    write : callable or None
        Where a line per epoch goes (``print``, ``tqdm.write``); None writes nothing.

    Attributes
    ----------
    history : list of dict
        Per epoch: ``epoch`` (from 1), ``train_loss``, ``public_accuracy`` (None without
        validation data), ``seconds``, ``images_per_second``.

    Each epoch's line reads ``NAME epoch i/epochs: loss L, PublicTest accuracy A,
    N images/s, s s, elapsed E s, about T s left``; the time left assumes the
    remaining epochs take as long as the mean epoch so far.
    """

    def __init__(self, name: str, epochs: int, n_images: int, write: Callable[[str], object] | None = None):
        self.name, self.epochs, self.n_images, self.write = name, epochs, n_images, write
        self.history: list[dict] = []
        self._best_accuracy, self._best_epoch = -1.0, None

    def record(self, train_loss: float, public_accuracy: float | None, seconds: float) -> bool:
        """Append the next epoch; True when its ``public_accuracy`` beats every earlier epoch's (keep its weights)."""
        epoch = len(self.history) + 1
        self.history.append({"epoch": epoch, "train_loss": train_loss, "public_accuracy": public_accuracy,
                             "seconds": seconds, "images_per_second": self.n_images / seconds})
        line = self.line()
        EPOCH_LOGGER.info(line)
        if self.write is not None:
            self.write(line)
        improved = public_accuracy is not None and public_accuracy > self._best_accuracy
        if improved:
            self._best_accuracy, self._best_epoch = public_accuracy, epoch
        return improved

    def line(self) -> str:
        """The line of the last epoch recorded."""
        last = self.history[-1]
        elapsed = sum(row["seconds"] for row in self.history)
        left = elapsed / len(self.history) * (self.epochs - len(self.history))
        public = "" if last["public_accuracy"] is None else f", PublicTest accuracy {last['public_accuracy']:.4f}"
        return (f"{self.name} epoch {last['epoch']}/{self.epochs}: loss {last['train_loss']:.4f}{public}, "
                f"{last['images_per_second']:.0f} images/s, {last['seconds']:.1f} s, elapsed {elapsed:.1f} s, "
                f"about {left:.0f} s left")

    def patience_spent(self, patience: int | None) -> bool:
        """Whether ``patience`` epochs have passed since the best PublicTest accuracy (never with None or no validation)."""
        return patience is not None and self._best_epoch is not None and len(self.history) - self._best_epoch >= patience

    @property
    def best_epoch(self) -> int:
        """The epoch of the best PublicTest accuracy; the last epoch recorded without validation data."""
        return self._best_epoch or len(self.history)
