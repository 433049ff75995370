"""Exit statuses and the one ``error:`` line a failure prints.

Errors in the user's input (a bad data or model file, an unknown estimator or
profile) exit with status 2, any other failure with 1.
"""

from __future__ import annotations

EXIT_USAGE = 2
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130

INPUT_ERRORS = (ValueError, KeyError, FileNotFoundError, ImportError)
"""Failures caused by the user's input (DataError is a ValueError): exit status 2; any other: 1."""


def error_line(error: BaseException) -> str:
    """One line for a failure: its message, which names the culprit file or argument.

    Errors of fer_bench's own making carry their message; an ``OSError`` gets its
    file name (``error.filename``); any other exception its type and the first
    line of its message.
    """
    if isinstance(error, KeyError) and error.args:
        message = str(error.args[0])
    elif isinstance(error, OSError) and error.filename is not None and error.strerror:
        message = f"{error.filename}: {error.strerror}"
    else:
        message = str(error)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    message = lines[0] if lines else ""
    own = type(error).__module__.startswith("fer_bench.")
    if not (own or isinstance(error, INPUT_ERRORS + (OSError,))) or not message:
        kind = f"{type(error).__module__}.{type(error).__qualname__}".removeprefix("builtins.")
        message = f"{kind}: {message}" if message else kind
    return f"error: {message}"
