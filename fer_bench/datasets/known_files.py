"""Data files fer_bench recognises by their content, as torchvision's datasets check theirs by checksum.

:data:`KNOWN_FILES` maps the md5 of a file's content (a gzip's, decompressed) to what the file
is. The original Kaggle ``fer2013.csv`` (Goodfellow et al., ICONIP 2013) has the md5 that
torchvision's ``FER2013`` dataset lists for it; the copy rebuilt from the widely shared JPEG
image-folder export has other pixels and its rows sorted by file id, so numbers measured on it
are not those of the file published results were measured on. Any other file is unknown, which
is fine: it is reported as such.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

ORIGINAL, REENCODED = "original", "reencoded"
KNOWN_FILES: dict[str, tuple[str, str]] = {
    "f8428a1edbd21e88f42c73edd2a14f95": (ORIGINAL, "the original Kaggle fer2013.csv"),
    "fe0e4f42f2aa0d4d2bc02dddb8a1928d": (REENCODED, "a re-encoded copy of fer2013.csv (JPEG image-folder export)"),
}
"""md5 of the (decompressed) content -> (key, what the file is)."""
UNKNOWN = "a file fer_bench does not know (not the original Kaggle fer2013.csv)"


def content_md5(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Hex md5 of a file's content; a ``.gz`` file's decompressed content.

    Raises
    ------
    OSError
        If the file cannot be read (``gzip.BadGzipFile`` for a ``.gz`` that is not gzip).
    """
    path = Path(path)
    digest = hashlib.md5(usedforsecurity=False)
    with (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as stream:
        while chunk := stream.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def identify_file(path: str | Path) -> dict | None:
    """What a data file is: ``{"md5": ..., "known": "original" | "reencoded" | None, "name": ...}``; None for
    a path that is not a readable file (a folder, generated data)."""
    try:
        md5 = content_md5(path)
    except (OSError, EOFError):
        return None
    known, name = KNOWN_FILES.get(md5, (None, UNKNOWN))
    return {"md5": md5, "known": known, "name": name}


def identify_faces(dataset) -> dict | None:
    """:func:`identify_file` of the file a :class:`~._dataset.FERDataset`'s faces were read from: its source, or,
    for faces relabelled by FER+ votes, the faces' file their relabelling records (``relabelling["data"]``, as
    the source then names both files); None for generated data."""
    if dataset.synthetic:
        return None
    return identify_file(dataset.relabelling.get("data") or dataset.source)
