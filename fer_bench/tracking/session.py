"""One run fed to a tracker from its store: during the run, each record once ``results.json`` holds it; when
the run ends (or at once, for a run made earlier), the records not logged yet and the run's report.

The run's own store is always written first; a tracker only reads it. During a run the session is
``tolerant``: a tracker that fails says so once and is not called again, and the run goes on.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..results import ResultsStore, RunManifest, RunRecord
from .entries import fit_entry, run_entry
from .trackers import Tracker


class TrackingSession:
    """Logs the run in ``run_dir`` to ``tracker``, as a context manager around the run.

    Entering connects the tracker (its failure raises, before anything is trained). :meth:`fit_stored`
    logs a record the run has just stored. Leaving the block logs the stored records not logged yet and
    ends the tracker's run with the run's report attached; leaving it by an exception ends the tracker's
    run as ``FAILED`` (``KILLED`` for Ctrl-C or SIGTERM) and logs nothing more.

    Parameters
    ----------
    tracker : Tracker
        From :func:`.trackers.open_tracker`.
    run_dir : path
        The run folder; read only.
    tolerant : bool
        Say a tracker's failure once on standard error (with ``retry_hint``, the command that logs the
        run later) and stop tracking, instead of raising it.
    retry_hint : str, optional

    Attributes
    ----------
    logged : int
        Records logged so far.
    run_id : str or None
        The tracker's run (an MLflow run id, a TensorBoard folder), once started.
    failed : bool
        Whether a tolerant session stopped on a tracker's failure.
    """

    def __init__(self, tracker: Tracker, run_dir: str | Path, tolerant: bool = False, retry_hint: str | None = None):
        self.tracker, self.store = tracker, ResultsStore(run_dir)
        self.tolerant, self.retry_hint = tolerant, retry_hint
        self.logged, self.run_id, self.failed = 0, None, False
        self._manifest: RunManifest | None = None
        self._done: set[tuple[str, int]] = set()

    def __enter__(self) -> "TrackingSession":
        """Connect the tracker.

        Raises
        ------
        ValueError
            If it cannot be opened (a store that does not answer or cannot be written), naming where it is.
        """
        try:
            self.tracker.connect()
        except Exception as error:
            raise ValueError(f"cannot track to {self.tracker.where}: {_reason(error)}") from error
        return self

    def fit_stored(self, record: RunRecord) -> None:
        """Log ``record``, which the run's ``results.json`` now holds (its predictions and model stored)."""
        self._guarded(self._log_fit, record)

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None:
            self._guarded(self._finish)
        elif self.run_id is not None:
            self._guarded(self.tracker.end_run, None, "FAILED" if isinstance(error, Exception) else "KILLED")
        return False

    def _log_fit(self, record: RunRecord) -> None:
        if self._manifest is None:
            self._manifest, _ = self.store.load()
            self.run_id = self.tracker.start_run(run_entry(self.store, self._manifest))
        self.tracker.log_fit(fit_entry(self.store, self._manifest, record))
        self._done.add((record.name, record.seed))
        self.logged += 1

    def _finish(self) -> None:
        manifest, records = self.store.load()
        for record in records:
            if (record.name, record.seed) not in self._done:
                self._log_fit(record)
        if self.run_id is None:  # a run without records still gets its parent
            self._manifest = manifest
            self.run_id = self.tracker.start_run(run_entry(self.store, manifest))
        self.tracker.end_run(run_entry(self.store, manifest), "FINISHED")

    def _guarded(self, step, *args) -> None:
        if self.failed:
            return
        try:
            step(*args)
        except Exception as error:
            if not self.tolerant:
                raise
            self.failed = True
            hint = f"; log the run afterwards with: {self.retry_hint}" if self.retry_hint else ""
            print(f"warning: tracking to {self.tracker.where} stopped ({_reason(error)}); "
                  f"the run goes on without it{hint}", file=sys.stderr)


def _reason(error: Exception) -> str:
    """The error's type and the first line of its message."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def track_run(run_dir: str | Path, tracker: Tracker) -> TrackingSession:
    """Log a stored run (any run folder, finished or not) to ``tracker``, from its store alone.

    Returns
    -------
    TrackingSession
        Its ``logged`` records and ``run_id``.

    Raises
    ------
    FileNotFoundError, ValueError
        As :meth:`fer_bench.results.ResultsStore.load` (before the tracker is connected); ValueError
        also if the tracker cannot be opened.
    Exception
        The tracker's own failure (e.g. ``mlflow.exceptions.MlflowException``, ``OSError``).
    """
    ResultsStore(run_dir).load()
    with TrackingSession(tracker, run_dir) as session:
        pass
    return session
