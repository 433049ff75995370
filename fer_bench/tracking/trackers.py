"""The trackers by name, where each logs by default, and the one line a missing library gives.

Imports neither MLflow nor TensorBoard until a tracker is opened, so the command line reads
:data:`TRACKERS` at no cost.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .entries import FitEntry, RunEntry

TRACKERS: dict[str, str] = {"mlflow": "URI", "tensorboard": "DIR"}
"""Tracker name -> what its location is: an MLflow tracking URI, a TensorBoard log folder."""
LIBRARIES: dict[str, str] = {"mlflow": "mlflow", "tensorboard": "tensorboard"}
"""Tracker name -> the top-level module that must import (the extra of the same name installs it)."""
MLFLOW_DATABASE = "mlflow.db"
TENSORBOARD_DIR = "tensorboard"


class Tracker(Protocol):
    """What a tracker does with :mod:`.entries` (:class:`.mlflow_tracker.MLflowTracker`,
    :class:`.tensorboard_tracker.TensorBoardTracker`)."""

    where: str
    """Where it logs, for messages."""
    view_command: str
    """The command that shows what it logged."""

    def connect(self) -> None: ...

    def start_run(self, run: RunEntry) -> str: ...

    def log_fit(self, fit: FitEntry) -> None: ...

    def end_run(self, run: RunEntry | None, status: str) -> None: ...


def default_location(tracker: str, run_dir: str | Path) -> str:
    """Where ``tracker`` logs a run in ``run_dir`` unless told: ``sqlite:///RUN_DIR/../mlflow.db`` (absolute: the
    runs beside each other share it) or ``RUN_DIR/tensorboard``."""
    run_dir = Path(run_dir).resolve()
    if tracker == "mlflow":
        return f"sqlite:///{run_dir.parent / MLFLOW_DATABASE}"
    return str(run_dir / TENSORBOARD_DIR)


def install_command(tracker: str) -> str:
    return f"pip install 'fer_bench[{tracker}]'"


def open_tracker(tracker: str, run_dir: str | Path, location: str | None = None) -> Tracker:
    """The tracker named ``tracker`` for the run in ``run_dir``, at ``location`` (default:
    :func:`default_location`); nothing is written until its ``connect``.

    Raises
    ------
    ValueError
        If ``tracker`` is not one of :data:`TRACKERS`.
    ImportError
        If its library is not installed: one line with the install command.
    """
    if tracker not in TRACKERS:
        raise ValueError(f"tracker {tracker!r}: expected one of {', '.join(TRACKERS)}")
    location = location or default_location(tracker, run_dir)
    try:
        if tracker == "mlflow":
            from .mlflow_tracker import MLflowTracker

            return MLflowTracker(location)
        from .tensorboard_tracker import TensorBoardTracker

        return TensorBoardTracker(location)
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] != LIBRARIES[tracker]:
            raise
        raise ImportError(f"tracking to {tracker} needs the {LIBRARIES[tracker]} package, which is not installed: "
                          f"{install_command(tracker)}") from None
