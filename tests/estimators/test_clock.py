import subprocess
import sys
from time import perf_counter, thread_time

import pytest

from fer_bench.estimators.training import clock as clock_module
from fer_bench.estimators.training.clock import BudgetClock, usable_cores

BURNER = "while True: pass"


def _work(clock: BudgetClock) -> tuple[float, float, float]:
    """A fixed pure-Python loop (one thread): its seconds on ``clock``, on the wall and on this thread's CPU.

    The thread's CPU seconds are the work's own, measured at the same time: this virtual machine's speed drifts
    by half over seconds, so a comparison with an earlier measurement would test the machine, not the clock.
    """
    start, cpu = perf_counter(), thread_time()
    clock.resume()
    total = 0
    for value in range(6_000_000):
        total += value % 7
    seconds = clock.seconds()
    return seconds, perf_counter() - start, thread_time() - cpu


def _clock_of(kind: str) -> BudgetClock:
    return BudgetClock(kind, threads=1, on_gpu=False, synchronize=lambda: None)


@pytest.mark.parametrize("kind", ["own", "cpu"])
def test_the_own_clock_is_unaffected_by_a_busy_competing_process(kind, monkeypatch):
    """``own`` subtracts the run-queue wait; ``cpu`` (where the kernel has no run-queue times) counts CPU time."""
    if kind == "cpu":
        monkeypatch.setattr(clock_module, "thread_times", lambda: None)
    assert _clock_of("own").name == kind
    _work(_clock_of("own"))  # warm the interpreter's caches
    quiet, _, quiet_cpu = _work(_clock_of("own"))
    burners = [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(usable_cores() + 1)]
    try:
        busy, busy_wall, busy_cpu = _work(_clock_of("own"))
        on_the_wall, _, wall_cpu = _work(_clock_of("wall"))
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    assert busy_wall > 1.2 * busy_cpu  # the burners took a share of this process's core ...
    assert busy == pytest.approx(busy_cpu, rel=0.15)  # ... which this clock did not count
    assert on_the_wall > 1.2 * wall_cpu  # the wall clock counts it
    assert quiet == pytest.approx(quiet_cpu, rel=0.15)  # on a quiet machine: the work's own time


def test_the_own_clock_leaves_out_the_run_queue_wait_and_the_hosts_steal(monkeypatch):
    """4 s of wall with 1 s in the run queue: 3 s on or for a CPU; the host stole a quarter of each of the 2 CPUs'
    time (2 s over both), so the network had 3 * 0.75 s and the host 3 * 0.25 s."""
    readings = iter([(10.0, {"7": (0, 0)}, 100.0), (14.0, {"7": (2_000_000_000, 1_000_000_000)}, 102.0)])

    def reading():
        wall, tasks, steal = next(readings)
        monkeypatch.setattr(clock_module, "thread_times", lambda: tasks)
        monkeypatch.setattr(clock_module, "host_steal", lambda: steal)
        return wall

    monkeypatch.setattr(clock_module.os, "cpu_count", lambda: 2)
    clock = _clock_of("own")
    monkeypatch.setattr(clock_module, "perf_counter", reading)
    clock.resume()
    clock.pause()
    assert clock.seconds() == pytest.approx(2.25) and clock.stolen_seconds == pytest.approx(0.75)


def test_host_steal_reads_proc_stat_or_gives_zero(tmp_path, monkeypatch):
    stat = tmp_path / "stat"
    stat.write_text("cpu  10 0 5 900 1 0 2 250 0 0\ncpu0 5 0 2 450 0 0 1 125 0 0\n")
    monkeypatch.setattr(clock_module, "STAT", stat)
    assert clock_module.host_steal() == pytest.approx(250 / clock_module.os.sysconf("SC_CLK_TCK"))
    monkeypatch.setattr(clock_module, "STAT", tmp_path / "absent")
    assert clock_module.host_steal() == 0.0


def test_the_clock_counts_only_while_running_and_names_itself():
    clock = BudgetClock("own", threads=64, on_gpu=False, synchronize=lambda: None)
    assert clock.name in ("own", "cpu") and clock.seconds() == 0.0 and not clock.reached(1e-9)
    clock.resume()
    sum(range(200_000))
    clock.pause()
    paused = clock.seconds()
    sum(range(2_000_000))
    assert paused > 0 and clock.seconds() == paused and clock.reached(paused) and not clock.reached(2 * paused)
    assert BudgetClock("own", 2, on_gpu=True, synchronize=lambda: None).name == "wall (GPU)"
    assert BudgetClock("wall", 2, on_gpu=False, synchronize=lambda: None).name == "wall"
    with pytest.raises(ValueError, match="budget_clock='gpu': expected one of 'own', 'wall'"):
        BudgetClock("gpu", 2, False, lambda: None)
