"""Wall-clock timing with device synchronisation, peak memory, and machine facts.

GPU work is asynchronous: a timer read before ``torch.cuda.synchronize()``
measures only the launch of kernels. :class:`Stopwatch` synchronises at both
ends whenever PyTorch is loaded and a CUDA device is present.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import psutil

LIBRARIES: tuple[str, ...] = ("fer_bench", "numpy", "scikit-learn", "scipy", "pandas", "torch",
                              "tensorflow-cpu", "tensorflow", "keras", "matplotlib", "jinja2", "joblib")


def synchronize_device() -> None:
    """Wait for queued GPU work, if PyTorch is loaded and uses CUDA; otherwise do nothing."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


class Stopwatch:
    """Context manager measuring wall time in seconds, device-synchronised.

    Examples
    --------
    >>> with Stopwatch() as watch:
    ...     pass
    >>> watch.seconds >= 0
    True
    """

    seconds: float = 0.0

    def __enter__(self) -> "Stopwatch":
        synchronize_device()
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc_info) -> None:
        synchronize_device()
        self.seconds = time.perf_counter() - self._start


class PeakMemory:
    """Context manager sampling this process's resident memory (RSS) in a thread.

    ``peak_mib`` is the highest RSS seen during the block minus the RSS at its
    start, in MiB; allocations shorter than ``interval`` seconds may be missed.
    """

    peak_mib: float = 0.0

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self._process = psutil.Process(os.getpid())

    def __enter__(self) -> "PeakMemory":
        self._baseline = self._peak = self._process.memory_info().rss
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._done.wait(self.interval):
            self._peak = max(self._peak, self._process.memory_info().rss)

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        self._thread.join()
        self._peak = max(self._peak, self._process.memory_info().rss)
        self.peak_mib = (self._peak - self._baseline) / 2**20


def cpu_model() -> str:
    """The CPU's model name (from ``/proc/cpuinfo`` on Linux)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def gpu_name() -> str | None:
    """The first CUDA GPU's name, or None. Asks PyTorch only if it is already imported."""
    torch = sys.modules.get("torch")
    if torch is not None:
        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    try:
        output = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                                capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return output.splitlines()[0].strip() if output.strip() else None


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a result depends on (without importing them)."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    return versions


def git_commit() -> str | None:
    """The project's git commit (with ``-dirty`` when the tree has changes), or None outside a checkout."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if dirty else commit


def machine_info() -> dict[str, object]:
    """CPU, cores, memory, GPU, Python, platform, library versions and git commit."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "gpu": gpu_name(),
        "libraries": library_versions(),
        "git_commit": git_commit(),
    }
