"""Where a run's fits go: the joblib backend of a run, and of the joblib calls inside one fit.

Local processes (``loky``), a dask.distributed cluster (``dask``) or Ray
(``ray``). joblib and the cluster libraries are imported when a backend is
entered, so that :data:`BACKENDS` costs nothing to import (the command line's
``--backend`` choices).

A fit's own joblib calls (libsvm's class pairs, grid searches, HOG) never go
back to the cluster: joblib's dask backend would make them tasks that queue
behind other estimators on busy workers, and the fit's seconds would count that
wait. On a dask worker they run in threads of the fit's own task, at most the
worker's ``--nthreads`` (:func:`nested_work_in_this_process`), so a fit's seconds
are its own work on every backend; one estimator never spreads over several workers.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from distributed import Worker

BACKENDS: tuple[str, ...] = ("loky", "dask", "ray")


@contextmanager
def parallel_backend(backend: str = "loky", scheduler: str | None = None, n_jobs: int | None = None) -> Iterator[int]:
    """Make ``backend`` joblib's backend for the block: where the run's fits go (not their own joblib calls).

    Parameters
    ----------
    backend : {"loky", "dask", "ray"}
        ``loky``: local worker processes for the estimators, each estimator's own
        joblib calls as it chooses them; ``dask``: the dask.distributed
        scheduler at ``scheduler`` (or the current default client); ``ray``:
        a Ray cluster (``ray.init`` settings from the environment).
    scheduler : str, optional
        Address of the dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
    n_jobs : int, optional
        Estimators at once; default 1 for ``loky`` (one after another, in this
        process) and -1 (every worker slot of the cluster) for ``dask`` and ``ray``.

    Yields
    ------
    int
        The ``n_jobs`` to give :class:`joblib.Parallel`.

    Raises
    ------
    ValueError
        If ``backend`` is unknown, ``n_jobs`` is 0, ``scheduler`` is given to
        another backend than ``dask``, or ``dask`` has neither a scheduler
        address nor a default client.
    ImportError
        If dask.distributed or Ray is not installed.
    """
    from joblib import parallel_config

    if backend not in BACKENDS:
        raise ValueError(f"--backend {backend!r}: expected one of {', '.join(BACKENDS)}")
    if n_jobs == 0:
        raise ValueError("--n-jobs 0: expected a positive number, or -1 for every worker")
    if scheduler is not None and backend != "dask":
        raise ValueError(f"--scheduler is an address of a dask scheduler; it needs --backend dask, not {backend}")
    if backend == "loky":
        # Local runs impose no backend: the estimators' own joblib calls keep their choice
        # (threads for libsvm's class pairs, which share the faces in memory; processes for HOG).
        yield n_jobs or 1
    elif backend == "dask":
        try:
            from distributed import Client, default_client
        except ImportError as error:
            raise ImportError("--backend dask needs dask.distributed: pip install 'fer_bench[distributed]'") from error
        if scheduler is None:
            try:
                default_client()
            except ValueError as error:
                raise ValueError("--backend dask needs --scheduler ADDRESS (or a running dask Client)") from error
            with parallel_config(backend="dask"):
                yield n_jobs or -1
        else:
            with Client(scheduler) as _, parallel_config(backend="dask"):
                yield n_jobs or -1
    else:
        try:
            from ray.util.joblib import register_ray
        except ImportError as error:
            raise ImportError("--backend ray needs Ray, which is not installed: pip install 'ray[default]'") from error
        register_ray()
        with parallel_config(backend="ray"):
            yield n_jobs or -1


def current_dask_worker() -> Worker | None:
    """The ``distributed.Worker`` running the calling task, or None outside a dask worker's task.

    Imports nothing: a process that has not imported ``distributed`` runs no dask task.
    """
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        return distributed.get_worker()
    except ValueError:  # not in a worker's task
        return None


def dask_worker_threads() -> int | None:
    """Threads of the dask worker running the calling task (its ``--nthreads``); None outside a dask worker's task."""
    worker = current_dask_worker()
    return None if worker is None else worker.state.nthreads


@contextmanager
def nested_work_in_this_process(threads: int | None) -> Iterator[None]:
    """Run the block's joblib calls in at most ``threads`` threads of this process, whatever ``n_jobs`` they ask.

    Inside a dask worker's task this replaces the dask backend that joblib sets
    there, under which the calls would be tasks queued on the cluster. Calls
    nested one level deeper run one after another, as joblib runs them in any
    pool's workers.

    Parameters
    ----------
    threads : int or None
        The most threads at once (e.g. :func:`dask_worker_threads`); None leaves
        joblib's own choice (local runs, Ray).
    """
    if threads is None:
        yield
        return
    from joblib import parallel_config
    from joblib.parallel import ThreadingBackend

    class TaskThreads(ThreadingBackend):
        def effective_n_jobs(self, n_jobs: int | None) -> int:
            return min(super().effective_n_jobs(n_jobs), threads)

    with parallel_config(backend=TaskThreads(nesting_level=1)):
        yield
