import subprocess
import sys
from time import perf_counter

import pytest

from fer_bench.estimators._clock import BudgetClock, usable_cores

BURNER = "while True: pass"


def _work(clock: BudgetClock) -> tuple[float, float]:
    """A fixed pure-Python loop (one thread): its seconds on ``clock`` and on the wall."""
    start = perf_counter()
    clock.resume()
    total = 0
    for value in range(3_000_000):
        total += value % 7
    seconds = clock.seconds()
    return seconds, perf_counter() - start


def test_the_cpu_clock_is_unaffected_by_a_busy_competing_process():
    clock = lambda kind: BudgetClock(kind, threads=1, on_gpu=False, synchronize=lambda: None)  # noqa: E731
    _work(clock("cpu"))  # warm the interpreter's caches
    quiet_cpu, quiet_wall = _work(clock("cpu"))
    burners = [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(usable_cores() + 1)]
    try:
        busy_cpu, busy_wall = _work(clock("cpu"))
        busy_wall_clock, _ = _work(clock("wall"))
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    assert busy_cpu < 0.95 * busy_wall  # the burners took a share of this process's core ...
    assert busy_cpu == pytest.approx(quiet_cpu, rel=0.25)  # ... which the CPU clock did not count
    assert busy_wall_clock > 1.05 * quiet_cpu  # the wall clock counts it


def test_the_clock_counts_only_while_running_and_names_itself():
    clock = BudgetClock("cpu", threads=64, on_gpu=False, synchronize=lambda: None)
    assert clock.name == "cpu" and clock.seconds() == 0.0
    clock.resume()
    sum(range(200_000))
    clock.pause()
    paused = clock.seconds()
    sum(range(2_000_000))
    assert paused > 0 and clock.seconds() == paused
    assert BudgetClock("cpu", 2, on_gpu=True, synchronize=lambda: None).name == "wall (GPU)"
    assert BudgetClock("wall", 2, on_gpu=False, synchronize=lambda: None).name == "wall"
    with pytest.raises(ValueError, match="budget_clock='gpu': expected one of 'cpu', 'wall'"):
        BudgetClock("gpu", 2, False, lambda: None)
