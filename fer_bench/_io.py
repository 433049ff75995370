"""Atomic file writes and safe readers of ``.npz``, JSON and TOML files; imports nothing from fer_bench.

Every file fer_bench writes goes through :func:`atomic_write_bytes`: readers see
the old file or the new one, never a part, and the file gets the mode a plain
``open(path, "w")`` would give it. Every JSON or TOML file it reads goes through
:func:`parse_within_depth`: one nested thousands deep is refused as corrupt.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import zipfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

MAX_NESTING = 100
"""The deepest nesting of lists and tables in a JSON or TOML file fer_bench reads (its own files nest fewer
than 10 deep): a deeper file is corrupt, refused before recursive code (``json_safe``, ``asdict``) meets it."""


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    The file gets the mode a plain ``open(path, "w")`` would give it (0666 less the umask).

    Raises
    ------
    OSError
        If the folder cannot be created or written; ``path`` is then unchanged.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:  # os.open, not tempfile.mkstemp: mkstemp makes files 0600 whatever the umask
        temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, value: Any) -> None:
    """``value`` as indented JSON with a final newline, written atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, (json.dumps(value, indent=2) + "\n").encode())


def atomic_save_npz(path: Path, compressed: bool = True, **arrays: np.ndarray) -> None:
    """``np.savez_compressed`` (or plain ``np.savez`` with ``compressed=False``) written atomically."""
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def read_npz(path: str | Path, required: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Every array of a ``.npz`` file, read without unpickling (``allow_pickle=False``).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        Naming the file as corrupt if it is not a readable ``.npz`` (truncated,
        overwritten, a damaged member) or lacks an array of ``required``.
    """
    if Path(path).is_file() and not zipfile.is_zipfile(path):  # else np.load would speak of pickled data
        raise ValueError(f"{path}: corrupt .npz file, not a zip archive of numpy arrays (truncated or overwritten?)")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, AttributeError) as error:
        raise ValueError(f"{path}: corrupt .npz file, not readable as numpy arrays ({error})") from None
    missing = [key for key in required if key not in arrays]
    if missing:
        raise ValueError(f"{path}: corrupt .npz file, it lacks the array(s) {', '.join(missing)}")
    return arrays


def parse_within_depth(parse: Callable[[Any], Any], content: str | bytes, source: str | Path) -> Any:
    """``parse(content)`` (``json.loads``, ``tomllib.loads``), refusing a value nested deeper than :data:`MAX_NESTING`.

    Raises
    ------
    ValueError
        Naming ``source`` as corrupt, if the value nests lists and tables more than :data:`MAX_NESTING`
        deep (or deep enough to exhaust the parser's recursion). The parser's own errors pass unchanged.
    """
    too_deep = ValueError(f"{source}: nested too deeply to be a fer_bench file; the file is corrupt")
    try:
        value = parse(content)
    except RecursionError:
        raise too_deep from None
    stack = [(value, 1)]  # iterative: TOML's dotted keys nest 10,000 deep without recursing
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_NESTING:
                raise too_deep
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return value


def read_json_object(path: Path) -> dict:
    """The JSON object in ``path``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        Naming the file as corrupt: not UTF-8 JSON, nested too deeply (:func:`parse_within_depth`), or
        not an object.
    """
    def parse(data: bytes) -> Any:
        try:
            return json.loads(data)
        except ValueError as error:  # not UTF-8, not JSON, or a number too long to convert
            raise ValueError(f"{path}: not valid JSON, the file is corrupt ({error})") from error

    value = parse_within_depth(parse, Path(path).read_bytes(), path)
    if not isinstance(value, dict):
        raise ValueError(f"{path}: expected a JSON object, found {type(value).__name__}")
    return value


def json_safe(value: Any) -> Any:
    """Turn params and numpy values into JSON types; anything else becomes its ``repr``."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)
