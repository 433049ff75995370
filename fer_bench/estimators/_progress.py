"""Progress lines of long fits: the one logger every estimator writes to, and a counter of done work.

Networks write a line per epoch (:mod:`.training.epoch_log`, on :data:`EPOCH_LOGGER`); the
classical estimators write one as their long loops advance (the class pairs of
the one-vs-one SVMs, the grid of a k-NN search, the local SVMs of local
learning), on :data:`PROGRESS_LOGGER`, at most every :data:`MIN_INTERVAL`
seconds. The runner sends both to ``RUN_DIR/logs/NAME.log``, and to the console
unless ``--quiet``; with no handler attached they show nothing.
"""

from __future__ import annotations

import logging
import time

PROGRESS_LOGGER = logging.getLogger("fer_bench.progress")
EPOCH_LOGGER = logging.getLogger("fer_bench.progress.epochs")
MIN_INTERVAL = 10.0
"""Seconds between two lines of one loop (its first and last line are always written)."""


class WorkProgress:
    """Counts the parts of a loop done (by the thread that collects them) and logs ``WHAT: i/n UNIT, elapsed s,
    about T s left``.

    Parameters
    ----------
    what : str
        What is working, e.g. ``"svm rbf on pixels"``.
    total : int
        Parts of the loop.
    unit : str
        What a part is, plural (``"class pairs fitted"``).
    min_interval : float
        Seconds between lines; the first and the last part always write one.
    """

    def __init__(self, what: str, total: int, unit: str, min_interval: float = MIN_INTERVAL):
        self.what, self.total, self.unit, self.min_interval = what, total, unit, min_interval
        self.done = 0
        self._start = self._last = time.perf_counter()

    def advance(self, parts: int = 1) -> None:
        """Count ``parts`` more done, and log a line if it is due."""
        self.done += parts
        now = time.perf_counter()
        if not (self.done == parts or self.done >= self.total or now - self._last >= self.min_interval):
            return
        self._last = now
        elapsed = now - self._start
        left = elapsed / self.done * max(self.total - self.done, 0)
        PROGRESS_LOGGER.info(f"{self.what}: {self.done}/{self.total} {self.unit}, elapsed {elapsed:.1f} s, "
                             f"about {left:.0f} s left")
