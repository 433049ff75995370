"""What a layout's reader lists: every face of a data folder with its label, box, subject and partition, no
image read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterator, NamedTuple

from ...labels import FER2013_CLASSES
from .._dataset import DataError


class LabelledImage(NamedTuple):
    """One labelled face as a layout reads it from its label file or file name.

    ``label`` is its FER-2013 index, None where the class has no counterpart (``native`` names it then);
    ``box`` is ``(left, top, right, bottom)`` in pixels, None for the whole image; ``origin`` names the label
    file and line (or the file) in messages; ``name`` is the face's name where an image holds several faces.
    """

    path: str
    native: str
    label: int | None
    origin: str
    box: tuple[int, int, int, int] | None = None
    subject: str | None = None
    partition: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class FaceListing:
    """The faces of a data folder in one layout, in the layout's order.

    Attributes
    ----------
    paths : list of str
        Each face's image file, a POSIX path relative to the folder.
    names : list of str
        Each face's name: its path, with ``#<face id>`` where one image holds several labelled faces (ExpW).
    labels : list of int
        Indices into ``class_names``.
    class_names : tuple of str
        The classes present: folder names as they are, or FER-2013's names in FER-2013's order once mapped.
    excluded : dict of str to int
        Faces left out per native class with no FER-2013 counterpart (contempt; AffectNet's none, uncertain, non-face).
    boxes : list of (int, int, int, int) or None, or None
        Each face's box in its image (left, top, right, bottom, pixels); None where the layout has none.
    origins : list of str
        Where each label came from (``label.lst: line 12``), for messages.
    subjects, partition : list of str, or None
        Each face's subject, and its split of the data set's own partition (Training or PrivateTest); None
        where the data has none.
    label_files : list of str
        The label files read, relative to the folder (their size and modification time key the face cache).
    """

    paths: list[str]
    names: list[str]
    labels: list[int]
    class_names: tuple[str, ...]
    excluded: dict[str, int] = field(default_factory=dict)
    boxes: list[tuple[int, int, int, int] | None] | None = None
    origins: list[str] = field(default_factory=list)
    subjects: list[str] | None = None
    partition: list[str] | None = None
    label_files: list[str] = field(default_factory=list)


def listing_of(rows: list[LabelledImage], root: Path, label_files: list[str] = ()) -> FaceListing:
    """The listing of rows labelled with FER-2013 indices: classes renumbered to those present, the rest counted.

    Raises
    ------
    DataError
        If no row has a FER-2013 class.
    """
    kept = [row for row in rows if row.label is not None]
    excluded: dict[str, int] = {}
    for row in rows:
        if row.label is None:
            excluded[row.native] = excluded.get(row.native, 0) + 1
    if not kept:
        raise DataError(f"{root}: no face with a FER-2013 class" + (f"; excluded {excluded}" if excluded else ""))
    present = sorted({row.label for row in kept})
    return FaceListing(
        paths=[row.path for row in kept], names=[row.name or row.path for row in kept],
        labels=[present.index(row.label) for row in kept], class_names=tuple(FER2013_CLASSES[i] for i in present),
        excluded=excluded, boxes=[row.box for row in kept] if any(row.box for row in kept) else None,
        origins=[row.origin for row in kept],
        subjects=[row.subject for row in kept] if all(row.subject is not None for row in kept) else None,
        partition=[row.partition for row in kept] if all(row.partition is not None for row in kept) else None,
        label_files=list(label_files))


def label_lines(path: Path) -> Iterator[tuple[int, str, list[str]]]:
    """Each non-blank line of a label file as its line number, how messages name it (``FILE: line N``) and its
    whitespace-separated fields."""
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
        if line.strip():
            yield number, f"{path}: line {number}", line.split()


def inside(root: Path, relative: str, origin: str) -> str:
    """``relative`` as a POSIX path under ``root``, checked to stay inside it.

    Raises
    ------
    DataError
        Naming ``origin`` for an absolute path or one that climbs out with ``..``.
    """
    path = PurePosixPath(relative.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise DataError(f"{origin}: image path {relative!r} leaves {root}; expected a path inside it")
    return path.as_posix()


def box_from_sides(left: str, top: str, right: str, bottom: str, origin: str) -> tuple[int, int, int, int]:
    """A face box from its four sides' text (pixels, rounded).

    Raises
    ------
    DataError
        Naming ``origin`` if a side is not a number or the box is empty.
    """
    try:
        box = tuple(round(float(side)) for side in (left, top, right, bottom))
    except ValueError:
        raise DataError(f"{origin}: face box ({left}, {top}, {right}, {bottom}) is not four numbers") from None
    if box[2] <= box[0] or box[3] <= box[1]:
        raise DataError(f"{origin}: face box (left {box[0]}, top {box[1]}, right {box[2]}, bottom {box[3]}) is empty")
    return box


def code_number(text: str, codes: range, origin: str, known: str) -> int:
    """An integer label code (``5``, ``5.0``, ``5.0000000e+00``) that is one of ``codes``.

    Raises
    ------
    DataError
        Naming ``origin``: an unknown code, with the ``known`` codes.
    """
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not value.is_integer() or int(value) not in codes:
        raise DataError(f"{origin}: unknown code {text!r}; expected {known}")
    return int(value)
