"""The progress lines of one fit (a network's epochs, a classical loop's parts) into its log file and onto the
console, above the run's progress bar."""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..estimators import PROGRESS_LOGGER


class _ConsoleLines(logging.Handler):
    """Log lines to stderr through ``tqdm.write``, above the run's progress bar instead of after it."""

    def emit(self, record: logging.LogRecord) -> None:
        from tqdm.auto import tqdm

        tqdm.write(self.format(record), file=sys.stderr)


@contextmanager
def progress_lines_into(log_file: str | None, console: bool) -> Iterator[None]:
    """Append the progress lines of the fit inside (a network's epochs, a classical loop's parts) to
    ``log_file`` (its folder created) if one is given, and, with ``console``, write a classical fit's
    lines to stderr too (a network prints its own)."""
    handlers: list[logging.Handler] = []
    if log_file is not None:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
        handlers[-1].setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    if console:
        handlers.append(_ConsoleLines())
        handlers[-1].addFilter(lambda entry: entry.name == PROGRESS_LOGGER.name)
    for handler in handlers:
        PROGRESS_LOGGER.addHandler(handler)
    PROGRESS_LOGGER.setLevel(logging.INFO)
    try:
        yield
    finally:
        for handler in handlers:
            PROGRESS_LOGGER.removeHandler(handler)
            handler.close()
