"""Fixtures of the runner's tests: the synthetic and planted data sets, a registry of the test's own, and
dask scheduler and worker processes."""

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pytest

from fer_bench.datasets import make_synthetic
from fer_bench.estimators import _registry, available_estimators, load_plugin, register_estimator

from .support import SLEEPER


@pytest.fixture(scope="module")
def synthetic():
    return make_synthetic()


@pytest.fixture(scope="module")
def planted():
    from tests.datasets.planted import planted_dataset

    return planted_dataset()


@pytest.fixture
def registry(monkeypatch):
    """A copy of the estimator registry: what the test registers goes with it."""
    monkeypatch.setattr(_registry, "_REGISTRY", dict(available_estimators()))


@pytest.fixture
def sleeper(registry):
    load_plugin(SLEEPER)
    return "sleeper"


class ExplodingClassifier:
    def get_params(self, deep=True):
        return {}

    def fit(self, X, y):
        raise RuntimeError("planted failure")


@pytest.fixture
def exploding(registry):
    register_estimator("exploding", family="classical", framework="test", source="test")(lambda: ExplodingClassifier())
    return "exploding"


@dataclass(frozen=True)
class DaskProcesses:
    """A running dask scheduler's address, its workers' standard error files and their ``TMPDIR``."""

    address: str
    worker_logs: tuple[Path, ...]
    temporary_folder: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dask_processes(tmp_path):
    """``start(threads)``: a ``dask scheduler`` and one ``dask worker`` per entry of ``threads`` (with that many
    threads, no nanny) as processes on 127.0.0.1 at free ports, importing this checkout; returns the
    :class:`DaskProcesses` once the workers are up. Every process started ends with the test."""
    distributed = pytest.importorskip("distributed")
    temporary_folder = tmp_path / "dask-tmp"
    temporary_folder.mkdir()
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "TMPDIR": str(temporary_folder),
           "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    processes = []

    def start(threads: Sequence[int]) -> DaskProcesses:
        port = _free_port()
        processes.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                           "--port", str(port), "--no-dashboard"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        address, logs = f"tcp://127.0.0.1:{port}", tuple(tmp_path / f"dask-worker{i}.log" for i in range(len(threads)))
        for log, count in zip(logs, threads):
            with log.open("w") as stderr:
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", str(count),
                     "--no-nanny", "--no-dashboard", "--memory-limit", "0", "--host", "127.0.0.1"],
                    env=env, stdout=subprocess.DEVNULL, stderr=stderr))
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(len(threads), timeout=60)
        return DaskProcesses(address, logs, temporary_folder)

    yield start
    for process in reversed(processes):
        process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
