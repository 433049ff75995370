"""A CSV file's bytes: plain, gzip-compressed, or the one CSV inside a tar or zip archive.

Kaggle's ``fer2013.tar.gz`` holds ``fer2013/fer2013.csv`` beside a README and
licence files: it is read as that CSV, named ``ARCHIVE (MEMBER)`` in messages.
An archive with no CSV, or with several (Kaggle's challenge zip), is refused
with the members to choose from. Members are read into memory, never extracted
to disk.
"""

from __future__ import annotations

import gzip
import io
import shlex
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ._dataset import DataError

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_TAR_MAGIC_AT = 257  # "ustar" in a POSIX or GNU tar header
_SHOWN_MEMBERS = 6


@dataclass(frozen=True)
class CsvText:
    """The bytes of a CSV and how to name it.

    Attributes
    ----------
    where : str
        How messages name it: the file, or ``ARCHIVE (MEMBER)``.
    name : str
        The CSV's own file name (the member's, inside an archive), for row ids.
    data : bytes
        Its text, decompressed.
    """

    where: str
    name: str
    data: bytes


def read_csv_file(path: str | Path) -> CsvText:
    """Read a CSV file, decompressed when it starts with gzip's magic bytes, or the one CSV in an archive.

    Raises
    ------
    DataError
        If the file does not exist, is not a readable gzip stream or archive, is an
        archive without exactly one ``.csv`` member, or holds no text.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file does not exist" if not path.exists() else f"{path}: not a file")
    data = path.read_bytes()
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise DataError(f"{path}: not a readable gzip file ({error})") from error
    if data[_TAR_MAGIC_AT:_TAR_MAGIC_AT + 5] == b"ustar":
        text = _tar_member(path, data)
    elif data[:4] == _ZIP_MAGIC:
        text = _zip_member(path, data)
    else:
        text = CsvText(str(path), path.name, data)
    if not text.data or text.data.isspace():
        raise DataError(f"{text.where}: file is empty; expected a header such as 'emotion,pixels,Usage' and rows")
    return text


def _tar_member(path: Path, data: bytes) -> CsvText:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            members = {member.name: member for member in archive.getmembers() if member.isfile()}
            name = _one_csv(path, list(members), "tar -xf")
            return CsvText(f"{path} ({name})", PurePosixPath(name).name, archive.extractfile(members[name]).read())
    except (tarfile.TarError, EOFError, OSError) as error:
        raise DataError(f"{path}: not a readable tar archive ({error})") from error


def _zip_member(path: Path, data: bytes) -> CsvText:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            name = _one_csv(path, [info.filename for info in archive.infolist() if not info.is_dir()], "unzip")
            return CsvText(f"{path} ({name})", PurePosixPath(name).name, archive.read(name))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as error:
        raise DataError(f"{path}: not a readable zip archive ({error})") from error


def _one_csv(path: Path, names: list[str], extract: str) -> str:
    """The one ``.csv`` member of ``names``; else DataError saying which to extract, with the command."""
    csvs = [name for name in names if name.lower().endswith(".csv")]
    if len(csvs) == 1:
        return csvs[0]
    archive = shlex.quote(str(path))
    if csvs:
        raise DataError(f"{path}: an archive of {len(csvs)} CSV files ({_shown(csvs)}); extract the one to use, "
                        f"e.g. {extract} {archive} {shlex.quote(csvs[0])}, and pass it as --data")
    raise DataError(f"{path}: an archive with no .csv file (it holds {_shown(names) or 'no files'}); extract it "
                    f"({extract} {archive}) and pass the CSV or the image folder as --data")


def _shown(names: list[str]) -> str:
    more = f" and {len(names) - _SHOWN_MEMBERS} more" if len(names) > _SHOWN_MEMBERS else ""
    return ", ".join(names[:_SHOWN_MEMBERS]) + more
