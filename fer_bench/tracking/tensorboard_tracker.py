"""A run logged for TensorBoard: one log folder per estimator and seed, ``DIR/RUN/STEM/``, with its epoch
scalars and its final metrics as hyperparameters and metrics (the HParams tab compares them)."""

from __future__ import annotations

import shlex
import sys
import types
from pathlib import Path

# TensorBoard imports all of TensorFlow, when it is installed, only to write event files, which its own stub
# writes as well; this marker module is how TensorBoard's builds ask for the stub (tensorboard.compat.tf).
sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))
from torch.utils.tensorboard import SummaryWriter  # noqa: E402

from .entries import FitEntry, RunEntry

EPOCH_PREFIX = "epoch/"
"""Scalar tags per epoch: ``epoch/train_loss``, ``epoch/publictest_accuracy``, ``epoch/images_per_second``."""
FINAL_PREFIX = "final/"
"""The final metrics' tags (``final/privatetest_accuracy``, ...): kept apart from the epoch scalars, as
``add_hparams`` asks."""
DESCRIPTION_KEYS: tuple[str, ...] = ("fer_bench.estimator", "fer_bench.family", "fer_bench.framework",
                                     "fer_bench.status")
"""Tags that become hyperparameters (without the prefix), so that the HParams tab names each estimator."""


class TensorBoardTracker:
    """Writes :mod:`.entries` as TensorBoard event files under ``log_dir``.

    Parameters
    ----------
    log_dir : path
        The folder ``tensorboard --logdir`` reads; each fer_bench run goes to a folder of its name
        inside it, so that several runs can share it.
    """

    def __init__(self, log_dir: str | Path):
        self.log_dir = Path(log_dir)
        self._run_dir: Path | None = None

    @property
    def where(self) -> str:
        return f"TensorBoard {self.log_dir}"

    @property
    def view_command(self) -> str:
        return f"tensorboard --logdir {shlex.quote(str(self.log_dir))}"

    def connect(self) -> None:
        """Create the log folder.

        Raises
        ------
        OSError
            If it cannot be created.
        """
        self.log_dir.mkdir(parents=True, exist_ok=True)

    def start_run(self, run: RunEntry) -> str:
        """Choose the run's folder, ``log_dir/NAME``; return it."""
        self._run_dir = self.log_dir / run.name
        return str(self._run_dir)

    def log_fit(self, fit: FitEntry) -> None:
        """The fit's epoch scalars at their epoch and, when it has final metrics, its hyperparameters with them;
        nothing for a fit that has neither (one that failed at once)."""
        if not fit.epochs and not fit.final:
            return
        with SummaryWriter(log_dir=str(self._run_dir / fit.stem)) as writer:
            for epoch, values in fit.epochs:
                for name, value in values.items():
                    writer.add_scalar(EPOCH_PREFIX + name, value, epoch)
            if fit.final:
                described = {key.removeprefix("fer_bench."): fit.tags[key] for key in DESCRIPTION_KEYS}
                hparams = {**described, **{name: _hparam(value) for name, value in fit.params.items()}}
                writer.add_hparams(hparams, {FINAL_PREFIX + name: value for name, value in fit.final.items()},
                                   run_name=".")  # "." keeps them in the fit's own folder, beside its scalars

    def end_run(self, run: RunEntry | None, status: str) -> None:
        """Nothing more to write: each fit's writer is closed once it is logged."""


def _hparam(value):
    """``add_hparams`` takes numbers, text and booleans: anything else (None) as text."""
    return value if isinstance(value, (bool, int, float, str)) else str(value)
