"""The epoch bookkeeping of the network trainers (PyTorch and Keras): history, best epoch, early stopping, epoch lines.

The step loop (:mod:`.loop`) reports each epoch to an :class:`EpochLog`;
the log keeps the ``history_`` rows both estimators expose, says whether the
epoch's PublicTest accuracy is the best so far (so that the trainer keeps its
weights), and whether ``patience`` epochs have passed without improvement.

Every epoch line also goes to the logger :data:`~._progress.EPOCH_LOGGER` (level INFO), where
the runner attaches the run's log file; with no handler attached it shows nothing.
"""

from __future__ import annotations

from typing import Callable

from .budget import StepPlan
from .._progress import EPOCH_LOGGER


class EpochLog:
    """History of one training run.

    Parameters
    ----------
    name : str
        What the epoch lines call the network (its architecture).
    write : callable or None
        Where a line per epoch goes (``print``, ``tqdm.write``); None writes nothing.

    Attributes
    ----------
    history : list of dict
        Per epoch: ``epoch`` (from 1), ``train_loss``, ``public_accuracy`` (None without
        validation data), ``seconds``, ``images`` (faces trained on: fewer in a partial
        last epoch), ``steps``, ``images_per_second``.

    Each epoch's line reads ``NAME epoch i/E: loss L, PublicTest accuracy A,
    N images/s, s s, elapsed T s, about R s left``, where ``E`` is the planned
    epochs and ``R`` assumes the planned steps left run as fast as those so far.
    """

    def __init__(self, name: str, write: Callable[[str], object] | None = None):
        self.name, self.write = name, write
        self.history: list[dict] = []
        self._best_accuracy, self._best_epoch = -1.0, None

    def record(self, train_loss: float, public_accuracy: float | None, seconds: float, images: int, steps: int,
               plan: StepPlan | None) -> bool:
        """Append the next epoch (``images`` faces in ``steps`` steps, of ``plan``: None while a time budget's
        warm-up has not planned it yet); True when its ``public_accuracy`` beats every earlier epoch's (keep its weights)."""
        epoch = len(self.history) + 1
        self.history.append({"epoch": epoch, "train_loss": train_loss, "public_accuracy": public_accuracy,
                             "seconds": seconds, "images": images, "steps": steps,
                             "images_per_second": images / seconds if seconds > 0 else None})
        self.note(self.line(plan))
        improved = public_accuracy is not None and public_accuracy > self._best_accuracy
        if improved:
            self._best_accuracy, self._best_epoch = public_accuracy, epoch
        return improved

    def line(self, plan: StepPlan | None) -> str:
        """The line of the last epoch recorded (``plan`` None: still in a time budget's warm-up)."""
        last = self.history[-1]
        elapsed = sum(row["seconds"] for row in self.history)
        steps_done = sum(row["steps"] for row in self.history)
        public = "" if last["public_accuracy"] is None else f", PublicTest accuracy {last['public_accuracy']:.4f}"
        rate = "" if last["images_per_second"] is None else f", {last['images_per_second']:.0f} images/s"
        if plan is None:
            epochs, left = "?", "time left measured by the warm-up"
        else:
            epochs, left = plan.epochs, f"about {elapsed / steps_done * max(plan.steps - steps_done, 0):.0f} s left"
        return (f"{self.name} epoch {last['epoch']}/{epochs}: loss {last['train_loss']:.4f}{public}{rate}, "
                f"{last['seconds']:.1f} s, elapsed {elapsed:.1f} s, {left}")

    @property
    def steps_run(self) -> int:
        return sum(row["steps"] for row in self.history)

    @property
    def images_run(self) -> int:
        return sum(row["images"] for row in self.history)

    @property
    def seconds(self) -> float:
        return sum(row["seconds"] for row in self.history)

    def note(self, line: str) -> None:
        """A line that is no epoch's (a fit going on from a checkpoint), where the epoch lines go."""
        EPOCH_LOGGER.info(line)
        if self.write is not None:
            self.write(line)

    def state(self) -> dict:
        """The history and the best epoch so far, for a checkpoint (:mod:`.checkpoint`)."""
        return {"history": self.history, "best_accuracy": self._best_accuracy, "best_epoch": self._best_epoch}

    def load_state(self, state: dict) -> None:
        """Go on from a :meth:`state`."""
        self.history = list(state["history"])
        self._best_accuracy, self._best_epoch = state["best_accuracy"], state["best_epoch"]

    def patience_spent(self, patience: int | None) -> bool:
        """Whether ``patience`` epochs have passed since the best PublicTest accuracy (never with None or no validation)."""
        return patience is not None and self._best_epoch is not None and len(self.history) - self._best_epoch >= patience

    @property
    def best_epoch(self) -> int:
        """The epoch of the best PublicTest accuracy; the last epoch recorded without validation data."""
        return self._best_epoch or len(self.history)
