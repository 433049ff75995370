"""Where a run's fits go: the joblib backend of a run.

Local processes (``loky``), a dask.distributed cluster (``dask``) or Ray
(``ray``). joblib and the cluster libraries are imported when a backend is
entered, so that :data:`BACKENDS` costs nothing to import (the command line's
``--backend`` choices).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

BACKENDS: tuple[str, ...] = ("loky", "dask", "ray")


@contextmanager
def parallel_backend(backend: str = "loky", scheduler: str | None = None, n_jobs: int | None = None) -> Iterator[int]:
    """Make ``backend`` joblib's backend for the block (for a cluster, also for grid searches inside estimators).

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
