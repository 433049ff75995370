"""Exit statuses, the one ``error:`` line a failure prints, and the lines of a command Ctrl-C or SIGTERM stopped.

Errors in the user's input (a bad data or model file, an unknown estimator or
profile) exit with status 2, any other failure with 1; Ctrl-C with 130, SIGTERM with 143.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

EXIT_USAGE = 2
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

INPUT_ERRORS = (ValueError, KeyError, FileNotFoundError, ImportError)
"""Failures caused by the user's input (DataError is a ValueError): exit status 2; any other: 1."""

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class Terminated(BaseException):
    """SIGTERM, raised where the program is, as Ctrl-C raises ``KeyboardInterrupt``: cleanups run on the way out."""


def error_line(error: BaseException) -> str:
    """One line for a failure: its message, which names the culprit file or argument.

    Errors of fer_bench's own making and input errors carry their whole message,
    its control characters escaped (a file name may hold a line break); an
    ``OSError`` gets its file name (``error.filename``); any other exception its
    type and the first line of its message (``--debug`` shows the rest).
    """
    if isinstance(error, KeyError) and error.args:
        message = str(error.args[0])
    elif isinstance(error, OSError) and error.filename is not None and error.strerror:
        message = f"{error.filename}: {error.strerror}"
    else:
        message = str(error)
    own = type(error).__module__.startswith("fer_bench.")
    foreign = not (own or isinstance(error, INPUT_ERRORS + (OSError,)))
    if foreign:  # another library's failure: its first line
        message = next((line for line in message.splitlines() if line.strip()), "")
    message = escape_controls(message.strip())
    if foreign or not message:
        kind = f"{type(error).__module__}.{type(error).__qualname__}".removeprefix("builtins.")
        message = f"{kind}: {message}" if message else kind
    return f"error: {message}"


def escape_controls(text: str) -> str:
    """``text`` with each character that is not printable escaped: ``\\n``, ``\\x1b``, ``\\u2028``; a byte
    that a file name could not decode (``\\udce9``, Python's surrogate escape) as that byte, ``\\xe9``."""
    if text.isprintable():
        return text
    return "".join(character if character.isprintable() else _escape(character) for character in text)


def _escape(character: str) -> str:
    if character in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[character]
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:
        code -= 0xDC00
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """For the block, a first SIGTERM raises :class:`Terminated` and a second ends the process at once (in the
    main thread: elsewhere SIGTERM keeps its handler)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def stopped_lines(stop: BaseException, kept: Callable[[], list[str]] | None) -> tuple[int, list[str]]:
    """The exit status and the lines of a command stopped by Ctrl-C or SIGTERM: what stopped it, what it kept.

    ``kept`` gives the command's own lines (see :func:`fer_bench.cli.main`); without it the line says that no
    file was left half-written (every file is written atomically).
    """
    lines = kept() if kept is not None else ["stopped before it finished; no file was left half-written"]
    terminated = isinstance(stop, Terminated)
    lines[0] = f"{'terminated (SIGTERM)' if terminated else 'interrupted'}: {lines[0]}"
    return (EXIT_TERMINATED if terminated else EXIT_INTERRUPTED), lines
