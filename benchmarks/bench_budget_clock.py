"""The time budget's clocks under a competing program: wall time against the CPU-time clock, side by side.

A network trains a fixed number of steps (the same faces, seed and settings) twice per
OpenMP wait policy: once on a quiet machine, once while a plain CPU-bound Python loop
(one process, normal priority) takes one core. Each side reads the wall clock and
fer_bench's CPU-time budget clock (:mod:`fer_bench.estimators._clock`: the process's
CPU time over torch's threads). The ratios busy/quiet say how much each clock counts the
other program's load: a clock that measures the network's own work stays near 1.0.

OpenMP reads ``OMP_WAIT_POLICY`` when torch loads it, so each policy runs in a child
process: ``ACTIVE`` (threads spin while they wait, OpenMP's default) and ``PASSIVE``
(they sleep: what ``python -m fer_bench`` sets unless the user chose a policy).
Random faces are used: the work does not depend on pixel values.

Usage::

    python -m benchmarks.bench_budget_clock                        # ResNet-9 at width 0.5, 24 steps of 128
    python -m benchmarks.bench_budget_clock --network shallow_cnn --steps 80
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

BURNER = "while True: pass"
POLICIES: tuple[str, ...] = ("ACTIVE", "PASSIVE")


def _train(network: str, steps: int) -> tuple[float, float]:
    """Wall seconds and CPU-clock seconds of ``steps`` training steps (after two untimed ones)."""
    import numpy as np
    import torch

    from fer_bench.estimators._clock import BudgetClock
    from fer_bench.estimators.torch import zoo

    rng = np.random.default_rng(0)
    faces, labels = rng.integers(0, 256, (4000, 48, 48), dtype=np.uint8), rng.integers(0, 7, 4000)
    model = getattr(zoo, network)().set_params(steps=steps + 2, warmup_steps=1, batch_size=128, width=0.5)
    clock = BudgetClock("cpu", torch.get_num_threads(), on_gpu=False, synchronize=lambda: None)
    start = time.perf_counter()
    clock.resume()
    model.fit(faces, labels)
    return time.perf_counter() - start, clock.seconds()


def _child(network: str, steps: int) -> None:
    """Print one JSON line: quiet and busy (wall, CPU clock) seconds under this process's wait policy."""
    _train(network, 2)  # first-time costs of the process
    quiet = _train(network, steps)
    burner = subprocess.Popen([sys.executable, "-c", BURNER])
    try:
        busy = _train(network, steps)
    finally:
        burner.kill()
        burner.wait()
    print(json.dumps({"quiet": quiet, "busy": busy}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="resnet9", help="a PyTorch network of the zoo (default resnet9)")
    parser.add_argument("--steps", type=int, default=24, help="timed training steps of 128 faces (default 24)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.network, args.steps)
        return
    print(f"{args.network}, {args.steps} steps of 128 faces; {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.2f}; busy = one CPU-bound Python process beside the training")
    print(f"{'OMP_WAIT_POLICY':<16}{'quiet wall s':>13}{'busy wall s':>12}{'ratio':>7}"
          f"{'quiet CPU-clock s':>19}{'busy CPU-clock s':>18}{'ratio':>7}")
    for policy in POLICIES:
        environment = {**os.environ, "OMP_WAIT_POLICY": policy}
        output = subprocess.run([sys.executable, "-m", "benchmarks.bench_budget_clock", "--child",
                                 "--network", args.network, "--steps", str(args.steps)],
                                env=environment, capture_output=True, text=True, check=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        (quiet_wall, quiet_cpu), (busy_wall, busy_cpu) = result["quiet"], result["busy"]
        print(f"{policy:<16}{quiet_wall:>13.1f}{busy_wall:>12.1f}{busy_wall / quiet_wall:>7.2f}"
              f"{quiet_cpu:>19.1f}{busy_cpu:>18.1f}{busy_cpu / quiet_cpu:>7.2f}")


if __name__ == "__main__":
    main()
