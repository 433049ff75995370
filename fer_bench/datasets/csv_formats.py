"""FER-2013's CSV layouts, plain, gzip-compressed or in an archive (see :mod:`.csv_files`).

Three layouts are told apart by their header (names are stripped of spaces and
quotes and compared case-insensitively), as torchvision's ``FER2013`` accepts them:

``fer2013.csv``
    ``emotion,pixels,Usage``: the original Kaggle file.
``icml_face_data.csv``
    ``emotion, Usage, pixels``: the same rows, columns reordered, names with a
    leading space.
Kaggle challenge ``train.csv`` / ``test.csv``
    ``emotion,pixels`` (all rows Training) and ``pixels`` (unlabelled). The
    challenge's ``test.csv`` holds the 7,178 PublicTest and PrivateTest faces in
    FER-2013's order, so its first 3,589 rows become PublicTest and the rest
    PrivateTest; their labels are -1 unless the file has an ``emotion`` column.

The parser works on bytes with numpy: it finds lines and commas, then decodes
the pixel fields with a dozen array passes per chunk of rows. The 300 MB of
text of the full FER-2013 parse in about 1.5 s on one core (plus about 1.4 s
to gunzip), where ``pandas.read_csv`` and ``np.fromstring`` on the joined
pixel fields take 4.5 s. Every check is vectorised; only a failing check looks
for the first bad row, and the earliest bad row of any column is reported.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ..labels import FER2013_CLASSES, SPLITS
from ._dataset import DataError, FERDataset, file_sha256
from .csv_files import CsvText, read_csv_file

N_PIXELS = 48 * 48
PUBLIC_TEST_SIZE = 3589
"""FER-2013's PublicTest size: the first rows of the challenge's ``test.csv``."""

FULL_LAYOUT, TRAIN_LAYOUT, TEST_LAYOUT = "fer2013.csv / icml_face_data.csv", "challenge train.csv", "challenge test.csv"
LAYOUTS: dict[str, tuple[str, ...]] = {
    FULL_LAYOUT: ("emotion", "pixels", "usage"),
    TRAIN_LAYOUT: ("emotion", "pixels"),
    TEST_LAYOUT: ("pixels",),
}
"""Columns of each layout (lower-cased header names)."""
_LAYOUT_KEYS = {FULL_LAYOUT: "usage", TRAIN_LAYOUT: "emotion", TEST_LAYOUT: "pixels"}
"""The column that identifies a layout, checked in this order."""
KNOWN_COLUMNS: frozenset[str] = frozenset(name for names in LAYOUTS.values() for name in names)
"""Every column a FER-2013 layout may have (lower-cased); others are refused, not ignored."""
_WHITESPACE = np.frombuffer(b" \t\r\v\f", dtype=np.uint8)
_SHOWN_CHARACTERS = 120  # of a header in a message: a file without line ends must not be printed whole
_ROWS_PER_CHUNK = 256  # ~2 MB of text: the per-chunk arrays stay in cache and are reused, not mmapped anew
_LABEL_TOKENS = [str(label).encode() for label in range(len(FER2013_CLASSES))]


class _Table:
    """Lines and comma-separated fields of a CSV text, located with numpy.

    Attributes
    ----------
    path, name : str
        How messages name the CSV, and its own file name (see :class:`~fer_bench.datasets.csv_files.CsvText`).
    header : str
        The first non-blank line.
    names : list of str
        Header names, stripped of spaces and quotes.
    columns : list of str
        The same, lower-cased.
    starts, ends : ndarray of int64, shape (n_rows, n_columns)
        Byte span of every data field, without surrounding quotes and ``\\r``.
    lines : ndarray of int64, shape (n_rows,)
        1-based line number of every data row (blank lines are skipped).
    """

    def __init__(self, text: CsvText) -> None:
        data = text.data
        if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):  # a CR alone ends a line too (classic Mac OS)
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        path = self.path = text.where
        self.name, self.data = text.name, data
        buffer = np.frombuffer(data, dtype=np.uint8)
        newlines = np.flatnonzero(buffer == ord("\n"))
        line_starts = np.concatenate([[0], newlines + 1])
        line_ends = np.concatenate([newlines, [len(buffer)]])
        carriage = line_ends > line_starts
        carriage[carriage] = buffer[line_ends[carriage] - 1] == ord("\r")
        line_ends = line_ends - carriage
        line_numbers = np.flatnonzero(line_ends > line_starts)
        # Blank lines, also of spaces and tabs, are skipped; only lines that start with one are looked at in full.
        spaced = line_numbers[np.isin(buffer[line_starts[line_numbers]], _WHITESPACE)]
        blank = [line for line in spaced.tolist() if not data[line_starts[line]:line_ends[line]].strip()]
        line_numbers = np.setdiff1d(line_numbers, blank, assume_unique=True) if blank else line_numbers
        header_line, data_lines = line_numbers[0], line_numbers[1:]
        if b"\0" in data[line_starts[header_line]:line_ends[header_line]]:
            raise DataError(f"{path}: line {header_line + 1}: binary data (NUL bytes), not CSV text; expected a "
                            "header such as 'emotion,pixels,Usage'")
        try:
            self.header = data[line_starts[header_line]:line_ends[header_line]].decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise DataError(f"{path}: line {header_line + 1}: the header is not text ({error})") from error
        self.names = [name.strip().strip('"').strip() for name in self.header.split(",")]
        self.columns = [name.lower() for name in self.names]
        self.lines = data_lines + 1
        self._buffer = buffer
        self._line_spans = line_starts[data_lines], line_ends[data_lines]
        self.starts = self.ends = np.empty((0, 0), dtype=np.int64)  # set by split_fields

    def split_fields(self, layout: str) -> None:
        """Check that the header names ``layout``'s columns, then locate every row's fields.

        Raises
        ------
        DataError
            Naming a column that appears twice, listing expected and found
            columns if one is missing or unknown (a split column other than
            ``Usage`` would be ignored), or naming the first row with another
            number of fields than the header.
        """
        found = _shorten(", ".join(self.columns))
        repeated = list(dict.fromkeys(name for name in self.names if self.columns.count(name.lower()) > 1))
        if repeated:
            raise DataError(f"{self.path}: column(s) {', '.join(repeated)} appear more than once in the header "
                            f"(names compared case-insensitively); found {found}")
        missing = [name for name in LAYOUTS[layout] if name not in self.columns]
        if missing:
            raise DataError(f"{self.path}: missing column(s) {', '.join(missing)}: the {layout} layout needs "
                            f"{', '.join(LAYOUTS[layout])}; found {found}")
        unknown = [name for name in self.names if name.lower() not in KNOWN_COLUMNS]
        if unknown:
            raise DataError(f"{self.path}: unknown column(s) {_shorten(', '.join(unknown))}: FER-2013 files have only "
                            f"the columns emotion, pixels and Usage (the split, under that name); found {found}")
        if len(self) == 0:
            raise DataError(f"{self.path}: no data rows after the header {_shorten(self.header.strip())!r}")
        buffer = self._buffer
        starts, ends = self._line_spans
        commas = np.flatnonzero(buffer == ord(","))
        first_comma = np.searchsorted(commas, starts)
        n_commas = np.searchsorted(commas, ends) - first_comma
        n_fields = len(self.columns)
        wrong = np.flatnonzero(n_commas != n_fields - 1)
        if len(wrong):
            raise self.error(wrong[0], f"expected {n_fields} comma-separated fields ({_shorten(self.header.strip())}), "
                                       f"found {n_commas[wrong[0]] + 1}")
        field_commas = commas[first_comma[:, None] + np.arange(n_fields - 1)]
        self.starts = np.concatenate([starts[:, None], field_commas + 1], axis=1)
        self.ends = np.concatenate([field_commas, ends[:, None]], axis=1)
        quoted = self.ends - self.starts >= 2
        quoted[quoted] = (buffer[self.starts[quoted]] == ord('"')) & (buffer[self.ends[quoted] - 1] == ord('"'))
        self.starts += quoted
        self.ends -= quoted

    def __len__(self) -> int:
        return len(self.lines)

    def error(self, row: int, message: str) -> DataError:
        """A :class:`DataError` naming the file, the 1-based data row and its line; ``row`` is kept on it."""
        error = DataError(f"{self.path}: row {row + 1} (line {self.lines[row]}): {message}")
        error.row = row
        return error

    def texts(self, column: str) -> np.ndarray:
        """Stripped bytes of one short column, ``ndarray of bytes_, shape (n_rows,)``."""
        j = self.columns.index(column)
        data = self.data
        return np.array([data[s:e].strip() for s, e in zip(self.starts[:, j].tolist(), self.ends[:, j].tolist())],
                        dtype=np.bytes_)

    def labels(self) -> np.ndarray:
        """The ``emotion`` column as ``ndarray of int64, shape (n_rows,)``, checked to lie in 0..6."""
        texts = self.texts("emotion")
        valid = np.isin(texts, _LABEL_TOKENS)
        if not valid.all():
            row = int(np.argmin(valid))
            raise self.error(row, f"emotion must be an integer 0..{len(FER2013_CLASSES) - 1} "
                                  f"({', '.join(FER2013_CLASSES)}), found {texts[row].decode(errors='replace')!r}")
        return texts.astype(np.int64)

    def usage(self) -> np.ndarray:
        """The ``usage`` column as ``ndarray of str, shape (n_rows,)``, checked against :data:`SPLITS`."""
        texts = self.texts("usage")
        valid = np.isin(texts, [split.encode() for split in SPLITS])
        if not valid.all():
            row = int(np.argmin(valid))
            raise self.error(row, f"unknown Usage {texts[row].decode(errors='replace')!r}; "
                                  f"expected one of {', '.join(SPLITS)}")
        return texts.astype(str)

    def pixels(self) -> np.ndarray:
        """The ``pixels`` column decoded as ``ndarray of uint8, shape (n_rows, 48, 48)``.

        Each field must hold 2,304 integers 0..255 separated by spaces (or tabs).
        """
        j = self.columns.index("pixels")
        starts, ends = self.starts[:, j], self.ends[:, j]
        images = np.empty((len(self), N_PIXELS), dtype=np.uint8)
        for first in range(0, len(self), _ROWS_PER_CHUNK):
            rows = slice(first, first + _ROWS_PER_CHUNK)
            images[rows] = self._decode_chunk(first, starts[rows].tolist(), ends[rows].tolist())
        return images.reshape(-1, 48, 48)

    def _decode_chunk(self, first: int, starts: list[int], ends: list[int]) -> np.ndarray:
        """Decode the pixel fields at byte spans ``starts``/``ends`` of rows ``first``, ``first + 1``, ..."""
        data = self.data
        # Fields joined by one space, plus a trailing one: every number ends before a non-digit.
        text = np.frombuffer(b" ".join([data[s:e] for s, e in zip(starts, ends)]) + b" ", dtype=np.uint8)
        row_bounds = np.concatenate([[0], np.cumsum(np.subtract(ends, starts) + 1)])
        digits = text - np.uint8(ord("0"))
        is_digit = digits < 10
        last_digit = np.flatnonzero(is_digit[:-1] & ~is_digit[1:])
        row_numbers = np.searchsorted(last_digit, row_bounds)  # index of each row's first number
        # A number has at most 3 digits: its value is read from the digits before its last one.
        # Index -1 and -2 wrap to the trailing space, which is no digit.
        two = is_digit[last_digit - 1]
        three = two & is_digit[last_digit - 2]
        values = (digits[last_digit].astype(np.int32) + 10 * (digits[last_digit - 1] * two).astype(np.int32)
                  + 100 * (digits[last_digit - 2] * three).astype(np.int32))

        problems = []  # (row in chunk, message): the earliest row is reported
        other = ~is_digit & (text != ord(" "))
        if other.any():
            other &= text != ord("\t")  # tabs separate too; rare, so checked only here
        if other.any():
            at = int(np.argmax(other))
            row = int(np.searchsorted(row_bounds, at, side="right")) - 1
            problems.append((row, f"pixels must be {N_PIXELS:,} integers 0..255 separated by spaces; "
                                  f"found {chr(text[at])!r} at character {at - row_bounds[row] + 1}"))
        counts = np.diff(row_numbers)
        if (wrong := np.flatnonzero(counts != N_PIXELS)).size:
            problems.append((wrong[0], f"pixels must be {N_PIXELS:,} integers 0..255; found {counts[wrong[0]]:,} numbers"))
        out_of_range = (values > 255) | (three & is_digit[last_digit - 3])
        if out_of_range.any():
            number = int(np.argmax(out_of_range))
            row = int(np.searchsorted(row_numbers, number, side="right")) - 1
            end = start = int(last_digit[number])
            while start > 0 and is_digit[start - 1]:
                start -= 1
            token = text[start:end + 1].tobytes().decode()
            what = (f"is out of range ({token})" if int(token) > 255 else
                    f"is {token!r}, with leading zeros: write a pixel as a plain integer of at most 3 digits")
            problems.append((row, f"pixels must be {N_PIXELS:,} integers 0..255; "
                                  f"number {number - row_numbers[row] + 1} {what}"))
        if problems:
            row, message = min(problems, key=lambda problem: problem[0])
            raise self.error(first + row, message)
        return values.astype(np.uint8).reshape(-1, N_PIXELS)


def _shorten(text: str) -> str:
    """``text``, cut to its first characters when it is long (for messages)."""
    if len(text) <= _SHOWN_CHARACTERS:
        return text
    return f"{text[:_SHOWN_CHARACTERS]}... ({len(text):,} characters)"


def _read_columns(table: _Table, *readers):
    """Run column readers; if any fails, raise the error of the earliest row."""
    results, errors = [], []
    for reader in readers:
        try:
            results.append(reader())
        except DataError as error:
            errors.append(error)
    if errors:
        raise min(errors, key=lambda error: error.row)
    return results


def _read_table(path: Path) -> tuple[_Table, str]:
    """Parse a CSV file and tell its layout from the header."""
    table = _Table(read_csv_file(path))
    columns = set(table.columns)
    layout = next((name for name, key in _LAYOUT_KEYS.items() if key in columns), None)
    if layout is None:
        known = "; ".join(f"{name}: {', '.join(names)}" for name, names in LAYOUTS.items())
        raise DataError(f"{table.path}: the header {_shorten(table.header.strip())!r} matches no FER-2013 layout; "
                        f"expected {known}")
    table.split_fields(layout)
    return table, layout


def read_fer_csv(path: str | Path, test_path: str | Path | None = None) -> FERDataset:
    """Read FER-2013 in any of its CSV layouts (see the module docstring).

    Parameters
    ----------
    path : path
        ``fer2013.csv``, ``icml_face_data.csv``, ``train.csv`` or ``test.csv``,
        each plain or gzip-compressed (recognised by its magic bytes), or a tar
        or zip archive holding one of them (Kaggle's ``fer2013.tar.gz``).
    test_path : path, optional
        The challenge's ``test.csv`` to go with a ``train.csv``; by default a
        ``test.csv`` or ``test.csv.gz`` beside ``path`` is used when present.

    Returns
    -------
    FERDataset
        ``sha256`` is the digest of the file as given (the archive's, for an
        archive); with a ``test.csv`` it is the sha256 of the two files' hex
        digests joined by a newline. ``ids`` name each face's file (the CSV
        member's, in an archive) and line: ``fer2013.csv:2`` is the first data row.

    Raises
    ------
    DataError
        For a missing, empty or unreadable file, binary data, an archive without
        exactly one CSV (naming its members), a header of no known layout or
        missing columns, a ``test_path`` with another layout than ``train.csv``,
        or the first row whose field count, pixels, emotion or Usage is invalid
        (naming file, row and line).
    """
    path = Path(path)
    table, layout = _read_table(path)
    if test_path is not None and layout != TRAIN_LAYOUT:
        raise DataError(f"{path}: is a {layout} file; a separate test file ({test_path}) "
                        f"goes only with the {TRAIN_LAYOUT}")
    if layout == TEST_LAYOUT:
        images, labels, usage = _test_rows(table)
    elif layout == TRAIN_LAYOUT:
        images, labels = _read_columns(table, table.pixels, table.labels)
        usage = np.full(len(labels), "Training")
    else:
        images, labels, usage = _read_columns(table, table.pixels, table.labels, table.usage)
    if layout == TRAIN_LAYOUT and test_path is None:
        test_path = next((candidate for candidate in (path.with_name("test.csv"), path.with_name("test.csv.gz"))
                          if candidate.is_file() and candidate != path), None)
    ids = _line_ids(table)
    if test_path is None:
        return FERDataset(images=images, labels=labels, usage=usage, source=str(path), sha256=file_sha256(path), ids=ids)

    test_path = Path(test_path)
    test, test_layout = _read_table(test_path)
    if test_layout != TEST_LAYOUT:
        raise DataError(f"{test_path}: expected the {TEST_LAYOUT} layout ({', '.join(LAYOUTS[TEST_LAYOUT])}), "
                        f"found {test_layout}")
    test_images, test_labels, test_usage = _test_rows(test)
    digests = f"{file_sha256(path)}\n{file_sha256(test_path)}".encode()
    return FERDataset(images=np.concatenate([images, test_images]), labels=np.concatenate([labels, test_labels]),
                      usage=np.concatenate([usage, test_usage]), source=f"{path} + {test_path}",
                      sha256=hashlib.sha256(digests).hexdigest(), ids=np.concatenate([ids, _line_ids(test)]))


def _line_ids(table: _Table) -> np.ndarray:
    """``FILE_NAME:LINE`` of every data row (1-based line numbers, header included), str (n_rows,); inside an
    archive the CSV member's own name."""
    return np.char.add(f"{table.name}:", table.lines.astype(str))


def _test_rows(table: _Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images, labels (-1 without an ``emotion`` column) and usage of a challenge ``test.csv``."""
    if "emotion" in table.columns:
        images, labels = _read_columns(table, table.pixels, table.labels)
    else:
        images, labels = table.pixels(), np.full(len(table), -1, dtype=np.int64)
    usage = np.where(np.arange(len(table)) < PUBLIC_TEST_SIZE, "PublicTest", "PrivateTest")
    return images, labels, usage
