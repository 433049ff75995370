"""The clock a network's time budget is spent on (:mod:`.budget`).

- ``own`` (the default): on the CPU, wall time less the time the training's compute
  threads waited for a CPU that other programs held (their run-queue wait, from Linux's
  ``/proc/self/task/*/schedstat``: the mean over the ``threads`` threads that computed
  most), and less the share of the rest that the virtual machine's host took for itself
  (its steal time, from ``/proc/stat``: the fraction of each CPU's time stolen over the
  segment). On a quiet machine it is wall time less that steal; when another program takes a core, the
  network still gets its full share of computation and only the wall time grows. Where
  the kernel gives no run-queue wait, the process's CPU time over its compute threads
  stands in (named ``cpu``). On a GPU it is device-synchronised wall time.
- ``wall``: wall time, device-synchronised.

Threads that spin while they wait would hold CPUs the network shares with other
programs: PyTorch's OpenMP threads spin by default, and ``python -m fer_bench`` sets
``OMP_WAIT_POLICY=PASSIVE`` (unless the user chose a policy), under which they sleep.
Measured on 2 cores with one CPU-bound process beside ResNet-9 steps
(``benchmarks/bench_budget_clock.py``, 4 alternating rounds of 10 steps, 2026-12-07): this
clock read 10% more than on the quiet machine (median; rounds 0.82 to 1.53 times, as the
virtual machine's own speed drifted), wall time 67% more; with OpenMP's default spinning,
28% and 97%. On the quiet machine it reads wall time to 1%. (Measured before the host's steal was
subtracted; on this virtual machine the host took 5% of the CPUs' time over a day.)
"""

from __future__ import annotations

import os
from pathlib import Path
from time import perf_counter, process_time
from typing import Callable

CLOCKS: tuple[str, ...] = ("own", "wall")
TASKS = Path("/proc/self/task")
STAT = Path("/proc/stat")


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def thread_times() -> dict[str, tuple[int, int]] | None:
    """Nanoseconds on a CPU and waiting in a run queue of each thread of this process; None where Linux's
    ``schedstat`` is not available."""
    times = {}
    try:
        tasks = list(TASKS.iterdir())
    except OSError:
        return None
    for task in tasks:
        try:
            on_cpu, waiting, _ = (task / "schedstat").read_text().split()
        except (OSError, ValueError):
            continue  # a thread that ended meanwhile
        times[task.name] = (int(on_cpu), int(waiting))
    return times or None


def host_steal() -> float:
    """Seconds the virtual machine's host took from this machine's CPUs (``/proc/stat``'s steal time, summed over
    the CPUs); 0.0 where the kernel gives none (not a virtual machine, or not Linux)."""
    try:
        fields = STAT.read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


class BudgetClock:
    """Seconds of a budget, counted only while running (:meth:`resume` to :meth:`pause`).

    Parameters
    ----------
    kind : {"own", "wall"}
        See the module's docstring; ``own`` is wall time on a GPU.
    threads : int
        Threads the framework computes with (PyTorch's ``torch.get_num_threads()``).
    on_gpu : bool
        The network trains on a GPU: the clock is synchronised wall time.
    synchronize : callable
        Waits for the device's queued work before a reading that needs it.

    Attributes
    ----------
    name : str
        What the record states: ``own``, ``cpu`` (``own`` without run-queue times), ``wall``, or
        ``wall (GPU)``.
    """

    def __init__(self, kind: str, threads: int, on_gpu: bool, synchronize: Callable[[], None]):
        if kind not in CLOCKS:
            raise ValueError(f"budget_clock={kind!r}: expected one of {', '.join(map(repr, CLOCKS))}")
        self._threads = max(1, min(threads, usable_cores()))
        self._synchronize = synchronize
        self._spent, self._stolen, self._since = 0.0, 0.0, None
        if kind == "wall" or on_gpu:
            self.name = "wall (GPU)" if on_gpu else "wall"
        else:
            self.name = "own" if thread_times() is not None else "cpu"

    def _now(self) -> tuple:
        """Wall time, and what the clock subtracts from it: threads' times and the host's steal (``own``), CPU
        seconds (``cpu``)."""
        if self.name == "own":
            return perf_counter(), (thread_times() or {}, host_steal())
        return perf_counter(), process_time() if self.name == "cpu" else None

    def _segment(self, now: tuple) -> tuple[float, float]:
        """Budget seconds from the last :meth:`resume` to ``now``, and the seconds of them the host took (``own``)."""
        (wall, then), (start, before) = now, self._since
        if self.name == "cpu":
            return (then - before) / self._threads, 0.0
        if self.name != "own":
            return wall - start, 0.0
        (tasks, steal), (tasks_before, steal_before) = then, before
        deltas = sorted(((on_cpu - tasks_before.get(task, (0, 0))[0], waiting - tasks_before.get(task, (0, 0))[1])
                         for task, (on_cpu, waiting) in tasks.items()), reverse=True)
        waited = sum(waiting for _, waiting in deltas[:self._threads]) / self._threads / 1e9
        elapsed = wall - start
        stolen_share = (steal - steal_before) / (os.cpu_count() or 1) / elapsed if elapsed > 0 else 0.0
        running = max(elapsed - waited, 0.0)
        stolen = running * min(max(stolen_share, 0.0), 1.0)
        return running - stolen, stolen

    def resume(self) -> None:
        """Start (again) counting, from the device's queued work done."""
        self._synchronize()
        self._since = self._now()

    def pause(self) -> None:
        """Stop counting (evaluation, for example, is not spent from the budget)."""
        if self._since is not None:
            self._synchronize()
            spent, stolen = self._segment(self._now())
            self._spent, self._stolen = self._spent + spent, self._stolen + stolen
        self._since = None

    @property
    def stolen_seconds(self) -> float:
        """Seconds the virtual machine's host took while the clock counted, up to the last :meth:`pause`
        (left out of ``own``; 0.0 on the other clocks)."""
        return self._stolen

    def seconds(self) -> float:
        """Budget seconds spent so far (waits for the device)."""
        if self._since is None:
            return self._spent
        self._synchronize()
        return self._spent + self._segment(self._now())[0]

    def reached(self, mark: float) -> bool:
        """Whether ``mark`` budget seconds are spent; cheap while the unsynchronised wall time since the last
        :meth:`resume` says they cannot be (every clock runs at most as fast as the wall)."""
        if self._since is None:
            return self._spent >= mark
        if self._spent + perf_counter() - self._since[0] < mark:
            return False
        return self.seconds() >= mark
