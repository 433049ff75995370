"""The time budget's clocks under a competing program: wall time, the ``own`` clock and CPU time, side by side.

A network trains a fixed number of steps (the same faces, seed and settings) in rounds per
OpenMP wait policy: each round once on a quiet machine, once while a plain CPU-bound Python
loop (one process, normal priority) takes one core. Quiet and busy alternate, so a drift of
the machine's own speed (a shared virtual machine's cores slow down and speed up over
minutes) falls on both sides alike; the table gives the median over rounds and the range
of the per-round ratios. Each side reads three clocks: wall time,
fer_bench's ``own`` budget clock (:mod:`fer_bench.estimators.training.clock`: wall time less the
run-queue wait of torch's compute threads and the host's steal) and the process's CPU time over torch's
threads (the clock's stand-in where the kernel has no run-queue times). The ratios
busy/quiet say how much each clock counts the other program's load: a clock that
measures the network's own work stays near 1.0; on a quiet machine ``own`` is wall time.

A control runs in every round beside them: half as many of the same network's steps on one
thread, whose wall time is its CPU time and involves no clock's choices. Its busy/quiet ratio
is how much the machine itself sped up or slowed down for that work while the other program
ran (a shared virtual machine's cores do both); where it moves as the clocks do, so do the
steps a budget buys.

OpenMP reads ``OMP_WAIT_POLICY`` when torch loads it, so each policy runs in a child
process: OpenMP's default (threads spin a while before they sleep) and ``PASSIVE``
(they sleep at once: what ``python -m fer_bench`` sets unless the user chose a policy).
Random faces are used: the work does not depend on pixel values.

Usage::

    python -m benchmarks.bench_budget_clock                        # ResNet-9 at width 0.5, 3 rounds of 12 steps of 128
    python -m benchmarks.bench_budget_clock --network shallow_cnn --steps 40 --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

BURNER = "while True: pass"
POLICIES: tuple[str, ...] = ("", "PASSIVE")
"""OpenMP's default (unset), and sleeping waits."""


def _train(network: str, steps: int, threads: int | None = None) -> tuple[float, float, float]:
    """Wall, ``own``-clock and CPU-over-threads seconds of ``steps`` training steps (on ``threads`` threads; all by
    default)."""
    import torch

    from fer_bench.estimators.training.clock import BudgetClock
    from fer_bench.estimators.torch import zoo

    rng = np.random.default_rng(0)
    faces, labels = rng.integers(0, 256, (4000, 48, 48), dtype=np.uint8), rng.integers(0, 7, 4000)
    model = getattr(zoo, network)().set_params(steps=steps, warmup_steps=1, batch_size=128, width=0.5)
    everyone = torch.get_num_threads()
    torch.set_num_threads(threads or everyone)
    try:
        own = BudgetClock("own", torch.get_num_threads(), on_gpu=False, synchronize=lambda: None)
        start, cpu = time.perf_counter(), time.process_time()
        own.resume()
        model.fit(faces, labels)
        return time.perf_counter() - start, own.seconds(), (time.process_time() - cpu) / torch.get_num_threads()
    finally:
        torch.set_num_threads(everyone)


def _round(network: str, steps: int) -> list[float]:
    """Wall, own and CPU/threads seconds of the steps on all threads, then the control's wall seconds on one."""
    return [*_train(network, steps), _train(network, max(2, steps // 2), threads=1)[0]]


def _child(network: str, steps: int, rounds: int) -> None:
    """Print one JSON line: each round's quiet and busy (wall, own, CPU/threads, control) seconds under this process's
    wait policy."""
    _train(network, 2)  # first-time costs of the process
    _train(network, 2, threads=1)
    quiet, busy = [], []
    for _ in range(rounds):
        quiet.append(_round(network, steps))
        burner = subprocess.Popen([sys.executable, "-c", BURNER])
        try:
            busy.append(_round(network, steps))
        finally:
            burner.kill()
            burner.wait()
    print(json.dumps({"quiet": quiet, "busy": busy}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="resnet9", help="a PyTorch network of the zoo (default resnet9)")
    parser.add_argument("--steps", type=int, default=12, help="timed training steps of 128 faces a round (default 12)")
    parser.add_argument("--rounds", type=int, default=3, help="quiet and busy rounds, alternated (default 3)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.network, args.steps, args.rounds)
        return
    print(f"{args.network}, {args.rounds} rounds of {args.steps} steps of 128 faces; {os.cpu_count()} cores, load "
          f"average {os.getloadavg()[0]:.2f}; busy = one CPU-bound Python process beside the training; seconds are "
          "medians over rounds, ratio = median of the rounds' busy/quiet (lowest-highest); control = half the steps "
          "on one thread, wall time: the machine's own change of speed")
    print(f"{'OMP_WAIT_POLICY':<16}" + "".join(f"{f'{clock} quiet s':>20}{'busy s':>8}{'ratio':>18}"
                                                for clock in ("wall", "own", "CPU/threads", "control")))
    for policy in POLICIES:
        environment = {key: value for key, value in os.environ.items() if key != "OMP_WAIT_POLICY"}
        if policy:
            environment["OMP_WAIT_POLICY"] = policy
        output = subprocess.run([sys.executable, "-m", "benchmarks.bench_budget_clock", "--child",
                                 "--network", args.network, "--steps", str(args.steps), "--rounds", str(args.rounds)],
                                env=environment, capture_output=True, text=True, check=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        quiet, busy = np.array(result["quiet"]), np.array(result["busy"])  # (rounds, clocks)
        ratios = busy / quiet
        print(f"{policy or '(default)':<16}" + "".join(
            f"{q:>20.1f}{b:>8.1f}{f'{np.median(r):.2f} ({r.min():.2f}-{r.max():.2f})':>18}"
            for q, b, r in zip(np.median(quiet, 0), np.median(busy, 0), ratios.T)))


if __name__ == "__main__":
    main()
