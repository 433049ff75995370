"""One network estimator at a time per machine: a file lock that says who holds it.

Network estimators take the whole machine (its GPU, or all its cores), so two
never fit at once on one machine, and their timings stay their own. The lock is
``fcntl.flock`` on a file in the temporary folder (held across the processes
and threads of one machine, released by the kernel when its holder dies; where
``fcntl`` is missing, as on Windows, only within one process). Its holder writes
pid, host, estimator and start time into a side file, so a waiter can say who it
waits for. Waiting polls, so that it stays interruptible (Ctrl-C) and can end at
a deadline (``--time-limit``); on a dask worker the waiting task leaves the
worker's thread pool (``distributed.secede``), so that other tasks run meanwhile.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from .._io import atomic_write_bytes
from .backends import current_dask_worker

NETWORK_LOCK_FILE = f"fer_bench-{getpass.getuser()}-network.lock"
"""In the temporary folder of the machine that fits: held while a network estimator fits."""
HOLDER_SUFFIX = ".holder.json"
"""The side file beside the lock: ``pid``, ``host``, ``estimator`` and ``since`` (ISO 8601, UTC) of the holder."""
POLL_SECONDS = 0.2
"""How often a waiter tries the lock again."""
REPORT_SECONDS = 60.0
"""How often a waiter repeats whom it waits for."""

_process_lock = threading.Lock()  # where fcntl is missing


class NetworkLockTimeout(TimeoutError):
    """The deadline passed while waiting for the network lock; the message names the holder."""


def lock_path() -> Path:
    """This machine's network lock file (in :func:`tempfile.gettempdir`, which ``TMPDIR`` sets)."""
    return Path(tempfile.gettempdir()) / NETWORK_LOCK_FILE


def _holder_path(path: Path) -> Path:
    return path.with_name(path.name + HOLDER_SUFFIX)


def describe_holder(path: Path | None = None) -> str:
    """Who holds the lock at ``path``, as its side file says, e.g.
    ``"shallow_cnn (pid 4242 on host1, since 2026-12-01T20:45:01+00:00, 35 s ago)"``."""
    path = lock_path() if path is None else path
    try:
        holder = json.loads(_holder_path(path).read_text())
        since = datetime.fromisoformat(holder["since"])
        held = (datetime.now(timezone.utc) - since).total_seconds()
        return (f"{holder['estimator']} (pid {holder['pid']} on {holder['host']}, since {holder['since']}, "
                f"{held:.0f} s ago)")
    except (OSError, ValueError, KeyError, TypeError):
        return f"another process (no readable {_holder_path(path).name})"


def _write_holder(path: Path, estimator: str) -> None:
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "estimator": estimator,
              "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    atomic_write_bytes(_holder_path(path), json.dumps(holder).encode())


def _log(message: str) -> None:
    from tqdm.auto import tqdm

    tqdm.write(message, file=sys.stderr)


def _secede_from_dask_worker() -> bool:
    """Leave the dask worker's thread pool if this runs in one of its tasks; whether it did."""
    if current_dask_worker() is None:
        return False
    sys.modules["distributed"].secede()
    return True


def _wait(try_lock: Callable[[], bool], path: Path, estimator: str, deadline: float | None,
          log: Callable[[str], None]) -> None:
    """Poll ``try_lock`` until it succeeds, saying whom it waits for; raise NetworkLockTimeout at ``deadline``."""
    seceded = _secede_from_dask_worker()
    try:
        next_report = time.monotonic()
        while not try_lock():
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise NetworkLockTimeout(f"the network lock {path} was held by {describe_holder(path)} "
                                         "for the whole time limit")
            if now >= next_report:
                log(f"{estimator}: waiting for this machine's network lock {path}, held by {describe_holder(path)}")
                next_report = now + REPORT_SECONDS
            time.sleep(POLL_SECONDS if deadline is None else max(0.0, min(POLL_SECONDS, deadline - now)))
    finally:
        if seceded:
            sys.modules["distributed"].rejoin()


@contextmanager
def network_slot(family: str, estimator: str = "", deadline: float | None = None,
                 log: Callable[[str], None] = _log) -> Iterator[float]:
    """Hold this machine's network lock while a ``network`` estimator fits; other families pass freely.

    Parameters
    ----------
    family : str
        The estimator's family; only ``network`` takes the lock.
    estimator : str
        Its name, written to the holder's side file and the waiting messages.
    deadline : float or None
        :func:`time.monotonic` time after which waiting gives up; None waits as long as it takes.
    log : callable
        Receives the waiting messages (default: standard error, beside progress bars).

    Yields
    ------
    float
        Seconds waited for the lock (0 for other families).

    Raises
    ------
    NetworkLockTimeout
        If ``deadline`` passes before the lock is free.
    """
    if family != "network":
        yield 0.0
        return
    started, path = time.monotonic(), lock_path()
    with ExitStack() as stack:
        try_lock, unlock = _lock_functions(path, stack)
        _wait(try_lock, path, estimator, deadline, log)
        try:
            _write_holder(path, estimator)
            yield time.monotonic() - started
        finally:
            _holder_path(path).unlink(missing_ok=True)
            unlock()


def _lock_functions(path: Path, stack: ExitStack) -> tuple[Callable[[], bool], Callable[[], None]]:
    """``(try_lock, unlock)`` of the lock at ``path``: a non-blocking ``flock``, or a process lock without fcntl."""
    try:
        import fcntl
    except ImportError:
        return (lambda: _process_lock.acquire(blocking=False)), _process_lock.release
    handle = stack.enter_context(open(path, "a"))

    def try_lock() -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    return try_lock, lambda: fcntl.flock(handle, fcntl.LOCK_UN)
