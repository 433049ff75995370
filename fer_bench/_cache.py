"""The folder every fer_bench cache lives under (audits, decoded face folders, BoVW vocabularies and words)."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV_VAR = "FER_BENCH_CACHE_DIR"
"""fer_bench's cache root (default ``~/.cache/fer_bench``); each cache has its own folder under it."""


def cache_root() -> Path:
    """``$FER_BENCH_CACHE_DIR``, or ``~/.cache/fer_bench`` when the variable is unset."""
    root = os.environ.get(CACHE_ENV_VAR)
    return Path(root) if root else Path.home() / ".cache" / "fer_bench"
