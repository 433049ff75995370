"""Per-face CSV tables: one row per face, a key (``file`` or ``row``) and a value (a subject, a group).

``file`` is a path relative to the data folder (``happy/S005_001_00000011.png``)
or a bare file name where that is unique; ``row`` is a FER-2013 row number
(0-based, the order of ``fer2013.csv``'s data lines).
"""

from __future__ import annotations

import csv
from pathlib import Path, PurePosixPath

import numpy as np

from ._dataset import DataError

_SHOWN = 5  # names listed in an error


def _shown(names: list[str]) -> str:
    more = f" and {len(names) - _SHOWN:,} more" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


def read_face_table(path: str | Path, column: str, files: np.ndarray | None = None,
                    rows: np.ndarray | None = None) -> np.ndarray:
    """The ``column`` value of each face, from a CSV with a ``file`` or ``row`` key column.

    Parameters
    ----------
    path : path
        The CSV file (header row first).
    column : str
        The value column, e.g. ``"subject"`` or ``"group"``.
    files : ndarray of str, shape (n,), optional
        The faces' relative paths (folder data), matched against ``file``.
    rows : ndarray of int, shape (n,), optional
        The faces' FER-2013 row numbers, matched against ``row``.

    Returns
    -------
    ndarray of str, shape (n,)
        The values, in the order of ``files`` / ``rows``. Table rows for faces
        that are not given are ignored (a table may cover more faces).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    DataError
        If the header lacks the columns, a face is named twice (naming the CSV
        lines), a key is not a row number, or faces are missing (naming them).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    key_column = "file" if files is not None else "row"
    faces = [str(file) for file in files] if files is not None else [str(int(row)) for row in rows]
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        if key_column not in header or column not in header:
            raise DataError(f"{path}: expected the columns {key_column},{column}, found {','.join(header) or 'none'}")
        table: dict[str, tuple[int, str]] = {}
        for line, entry in enumerate(reader, start=2):
            key = (entry[key_column] or "").strip()
            if key_column == "row" and not key.isdigit():
                raise DataError(f"{path}, line {line}: row {key!r} is not a FER-2013 row number (0, 1, ...)")
            key = str(int(key)) if key_column == "row" else PurePosixPath(key.replace("\\", "/")).as_posix()
            if key in table:
                raise DataError(f"{path}, lines {table[key][0]} and {line}: {key_column} {key} is named twice")
            table[key] = (line, (entry[column] or "").strip())
    by_name: dict[str, list[str]] = {}
    if files is not None:
        for face in faces:
            by_name.setdefault(PurePosixPath(face).name, []).append(face)
    values, missing = [], []
    for face in faces:
        found = table.get(face)
        if found is None and files is not None and len(by_name[PurePosixPath(face).name]) == 1:
            found = table.get(PurePosixPath(face).name)
        if found is None or not found[1]:
            missing.append(face)
            continue
        values.append(found[1])
    if missing:
        raise DataError(f"{path}: no {column} for {len(missing):,} of {len(faces):,} faces "
                        f"({key_column} {_shown(missing)})")
    return np.array(values)


def split_row_numbers(dataset, split: str) -> np.ndarray:
    """FER-2013 row numbers (0-based data rows) of one split's faces, in the split's order.

    From ``dataset.ids`` (``FILE:LINE``, the header on line 1) where the loader
    recorded them; else the faces' positions in the data set.
    """
    positions = np.flatnonzero(dataset.usage == split)
    if dataset.ids is None:
        return positions
    return np.array([int(str(ident).rsplit(":", 1)[1]) - 2 for ident in dataset.ids[positions]], dtype=np.int64)
