"""The clock a network's time budget is spent on (:mod:`._budget`).

- ``cpu`` (the default): on the CPU, the training process's CPU time divided by the
  threads the framework computes with (at most the cores this process may run on). On a
  quiet machine it runs at about the pace of wall time; when another program takes a
  core, the network still gets its full share of computation and only the wall time
  grows. On a GPU it is device-synchronised wall time.
- ``wall``: wall time, device-synchronised.

The CPU clock counts CPU time that waiting threads spin away. PyTorch's OpenMP threads
spin by default, which under a competing CPU-bound process inflated the clock by 15%
for ResNet-9 on 2 cores; with ``OMP_WAIT_POLICY=PASSIVE`` (which the command line sets,
see :mod:`fer_bench.cli`) by 1.4% (``benchmarks/bench_budget_clock.py`` measures it).
"""

from __future__ import annotations

import os
from time import perf_counter, process_time
from typing import Callable

CLOCKS: tuple[str, ...] = ("cpu", "wall")


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class BudgetClock:
    """Seconds of a budget, counted only while running (:meth:`resume` to :meth:`pause`).

    Parameters
    ----------
    kind : {"cpu", "wall"}
        See the module's docstring; ``cpu`` falls back to wall time when ``on_gpu``.
    threads : int
        Threads the framework computes with (PyTorch's ``torch.get_num_threads()``).
    on_gpu : bool
        The network trains on a GPU: the clock is synchronised wall time.
    synchronize : callable
        Waits for the device's queued work before a reading that needs it.

    Attributes
    ----------
    name : str
        ``cpu``, ``wall``, or ``wall (GPU)`` for a CPU clock on a GPU: what the record states.
    """

    def __init__(self, kind: str, threads: int, on_gpu: bool, synchronize: Callable[[], None]):
        if kind not in CLOCKS:
            raise ValueError(f"budget_clock={kind!r}: expected one of {', '.join(map(repr, CLOCKS))}")
        self.uses_cpu_time = kind == "cpu" and not on_gpu
        self.name = "cpu" if self.uses_cpu_time else "wall (GPU)" if on_gpu else "wall"
        self._threads = max(1, min(threads, usable_cores()))
        self._synchronize = synchronize
        self._spent, self._since = 0.0, None

    def _now(self) -> float:
        return process_time() / self._threads if self.uses_cpu_time else perf_counter()

    def resume(self) -> None:
        """Start (again) counting, from the device's queued work done."""
        self._synchronize()
        self._since = self._now()

    def pause(self) -> None:
        """Stop counting (evaluation, for example, is not spent from the budget)."""
        self._spent = self.seconds(synchronize=True)
        self._since = None

    def seconds(self, synchronize: bool = True) -> float:
        """Budget seconds spent so far; ``synchronize=False`` skips waiting for the device (a cheap
        reading that may lag on a GPU)."""
        if self._since is None:
            return self._spent
        if synchronize:
            self._synchronize()
        return self._spent + self._now() - self._since
