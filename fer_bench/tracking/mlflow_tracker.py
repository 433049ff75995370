"""A run logged to MLflow: one parent run per fer_bench run, one nested run per estimator and seed.

Everything goes through :class:`mlflow.MlflowClient` with explicit run ids, never through the active-run
state of ``mlflow.start_run``, so logging leaves the process's own MLflow runs alone.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path

from mlflow import MlflowClient
from mlflow.entities import Metric, Param
from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID
from mlflow.utils.validation import MAX_PARAM_VAL_LENGTH, MAX_TAG_VAL_LENGTH

from .entries import FitEntry, RunEntry

EXPERIMENT = "fer_bench"
"""The MLflow experiment every run goes to, in any store."""
ARTIFACTS_DIR = "mlartifacts"
"""Beside a SQLite store's file: the artifacts of the experiment it creates (else MLflow's default, ./mlruns)."""
SQLITE_PREFIX = "sqlite:///"
FIT_STATUS: dict[str, str] = {"ok": "FINISHED", "failed": "FAILED", "timed_out": "KILLED", "skipped": "KILLED"}
"""A record's status -> its MLflow run's (``fer_bench.status`` keeps the record's own)."""


class MLflowTracker:
    """Logs :mod:`.entries` to the MLflow store at ``uri``.

    Parameters
    ----------
    uri : str
        An MLflow tracking URI: ``sqlite:///PATH.db`` (a relative PATH is from the current folder),
        ``http://HOST:PORT``, ...
    """

    def __init__(self, uri: str):
        self.uri = uri
        self._client: MlflowClient | None = None
        self._experiment_id: str | None = None
        self._run_id: str | None = None

    @property
    def where(self) -> str:
        return f"MLflow {self.uri}, experiment {EXPERIMENT}"

    @property
    def view_command(self) -> str:
        return f"mlflow ui --backend-store-uri {shlex.quote(self.uri)}"

    def connect(self) -> None:
        """Open the store (a SQLite file and its folder are created) and the experiment :data:`EXPERIMENT`.

        Raises
        ------
        mlflow.exceptions.MlflowException, OSError
            If the store cannot be opened.
        """
        self._client = MlflowClient(tracking_uri=self.uri)  # opens the store at once
        artifacts = None
        if self.uri.startswith(SQLITE_PREFIX):
            artifacts = (Path(self.uri.removeprefix(SQLITE_PREFIX)).resolve().parent / ARTIFACTS_DIR).as_uri()
        experiment = self._client.get_experiment_by_name(EXPERIMENT)
        self._experiment_id = (experiment.experiment_id if experiment is not None
                               else self._client.create_experiment(EXPERIMENT, artifact_location=artifacts))

    def start_run(self, run: RunEntry) -> str:
        """Create the parent run (after :meth:`connect`); return its id."""
        self._run_id = self._client.create_run(self._experiment_id, tags=_fitting(run.tags),
                                               run_name=run.name).info.run_id
        return self._run_id

    def log_fit(self, fit: FitEntry) -> None:
        """One nested run: parameters, epoch metrics at their epoch, final metrics, artifacts, status."""
        run_id = self._client.create_run(self._experiment_id,
                                         tags={**_fitting(fit.tags), MLFLOW_PARENT_RUN_ID: self._run_id},
                                         run_name=fit.label).info.run_id
        now = int(time.time() * 1000)
        metrics = [Metric(name, value, now, epoch) for epoch, values in fit.epochs for name, value in values.items()]
        metrics += [Metric(name, value, now, 0) for name, value in fit.final.items()]
        params = [Param(name, str(value)[:MAX_PARAM_VAL_LENGTH]) for name, value in fit.params.items()]
        self._client.log_batch(run_id, metrics=metrics, params=params)
        for name, path in fit.artifacts.items():
            if path.is_dir():
                self._client.log_artifacts(run_id, str(path), name)
            else:
                self._client.log_artifact(run_id, str(path))
        self._client.set_terminated(run_id, FIT_STATUS.get(fit.status, "FAILED"))

    def end_run(self, run: RunEntry | None, status: str) -> None:
        """Attach ``run``'s artifacts (when given) to the parent run and end it with ``status``
        (``FINISHED``, ``FAILED`` or ``KILLED``)."""
        for path in (run.artifacts.values() if run is not None else ()):
            self._client.log_artifact(self._run_id, str(path))
        self._client.set_terminated(self._run_id, status)


def _fitting(tags: dict[str, str]) -> dict[str, str]:
    """Tags cut to MLflow's longest value (an error's traceback lines, a long command)."""
    return {key: value[:MAX_TAG_VAL_LENGTH] for key, value in tags.items()}
