"""FER+ as users have it on disk: the folders Microsoft's ``generate_training_data.py`` writes.

``FER2013Train/``, ``FER2013Valid/`` and ``FER2013Test/`` (Training, PublicTest and
PrivateTest) each hold PNG files ``fer0000000.png`` (48x48 grayscale, one per row of the
original ``fer2013.csv`` that FER+ kept) and a headerless ``label.csv`` whose rows are the
file name, optionally the face box ``(left, top, right, bottom)``, and the ten votes in
``fer2013new.csv``'s column order (Microsoft/FERPlus, ``src/generate_training_data.py`` and
``src/ferplus.py``). The votes become labels in any mode of :mod:`.ferplus_modes` (or
``plurality``), exactly as the CSV pair's do.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
from pathlib import Path

import numpy as np

from ..labels import FERPLUS_CLASSES
from ._dataset import DataError, FERDataset
from .ferplus import VOTE_COLUMNS, label_votes, parse_votes, relabelling
from .ferplus_modes import check_label_mode
from .image_files import MAX_PIXELS, open_image, to_face

FERPLUS_FOLDERS: dict[str, str] = {"FER2013Train": "Training", "FER2013Valid": "PublicTest",
                                   "FER2013Test": "PrivateTest"}
LABEL_FILE = "label.csv"


def is_ferplus_folder(path: str | Path) -> bool:
    """Whether ``path`` holds at least one of :data:`FERPLUS_FOLDERS` with its ``label.csv``."""
    return any((Path(path) / folder / LABEL_FILE).is_file() for folder in FERPLUS_FOLDERS)


def read_ferplus_folder(root: str | Path, mode: str = "majority",
                        max_pixels: int = MAX_PIXELS) -> tuple[FERDataset, dict[str, int]]:
    """Read FER+ folders: the faces kept in ``mode`` (one of :data:`~.ferplus_modes.LABEL_MODES`) with FER+'s eight
    classes, and the faces dropped per reason, as :func:`.ferplus.apply_ferplus_labels` labels the CSV pair.

    Returns
    -------
    dataset : FERDataset
        ``images`` uint8 (n, 48, 48) in folder then ``label.csv`` order, ``labels`` indices into
        :data:`~fer_bench.labels.FERPLUS_CLASSES`; ``sha256`` of the label files, the images and the mode;
        ``targets`` and ``target_mode`` under ``probability`` and ``crossentropy`` (:func:`.ferplus.label_votes`).
    dropped : dict of str to int

    Raises
    ------
    DataError
        If no split folder holds a ``label.csv``, a row is malformed (naming the file and row), a row's
        image is missing, an image has no row, or a face box falls outside its image.
    ValueError
        If ``mode`` is not one of :data:`~.ferplus_modes.LABEL_MODES`.
    """
    check_label_mode(mode)
    root = Path(root)
    digest = hashlib.sha256(mode.encode())
    images, votes, usage = [], [], []
    for folder, split in FERPLUS_FOLDERS.items():
        if not (root / folder / LABEL_FILE).is_file():
            continue
        for face, row_votes in _read_split(root / folder, digest, max_pixels):
            images.append(face)
            votes.append(row_votes)
            usage.append(split)
    if not images:
        raise DataError(f"{root}: no {', '.join(f'{folder}/{LABEL_FILE}' for folder in FERPLUS_FOLDERS)}; "
                        "not a FER+ folder")
    votes_array, usage_array = np.array(votes, dtype=np.int64), np.array(usage)
    # the folders hold kept faces only: every row has an image
    labels, targets, dropped = label_votes(votes_array, np.ones(len(votes_array), dtype=bool), usage_array, mode)
    keep = labels >= 0
    dataset = FERDataset(images=np.stack(images)[keep], labels=labels[keep], usage=usage_array[keep],
                         class_names=FERPLUS_CLASSES, source=f"{root} (FER+ folders, {mode})",
                         sha256=digest.hexdigest(), targets=None if targets is None else targets[keep],
                         target_mode=mode if targets is not None else "",
                         relabelling=relabelling(root, mode, int(keep.sum()), dropped))
    return dataset, dropped


def _read_split(folder: Path, digest, max_pixels: int):
    """(face, votes) of every row of ``folder/label.csv``, in its order; every image must have a row."""
    label_file = folder / LABEL_FILE
    text = label_file.read_bytes()
    digest.update(text)
    named = set()
    for number, row in enumerate(csv.reader(io.StringIO(text.decode("utf-8-sig", errors="replace"))), start=1):
        if not row:
            continue
        name, box, row_votes = _parse_row(row, label_file, number)
        image_path = folder / name
        if not image_path.is_file():
            raise DataError(f"{label_file}: row {number}: its image {image_path} does not exist")
        named.add(name)
        data = image_path.read_bytes()
        digest.update(name.encode() + b"\0" + data)
        yield _face(data, image_path, box, label_file, number, max_pixels), row_votes
    stray = sorted(path.name for path in folder.glob("*.png") if path.name not in named)
    if stray:
        raise DataError(f"{folder / stray[0]}: an image without a row in {label_file} "
                        f"({len(stray)} such image{'s' if len(stray) > 1 else ''})")


def _parse_row(row: list[str], label_file: Path, number: int) -> tuple[str, tuple[int, ...] | None, list[int]]:
    expected = len(VOTE_COLUMNS) + 1
    if len(row) not in (expected, expected + 1):
        raise DataError(f"{label_file}: row {number}: expected the image name, optionally its face box, and "
                        f"{len(VOTE_COLUMNS)} vote counts ({', '.join(VOTE_COLUMNS)}); found {len(row)} fields")
    box = None
    if len(row) == expected + 1:
        try:
            box = tuple(int(value) for value in ast.literal_eval(row[1].strip()))
        except (ValueError, SyntaxError, TypeError) as error:
            raise DataError(f"{label_file}: row {number}: face box {row[1]!r}: expected (left, top, right, "
                            "bottom)") from error
        if len(box) != 4:
            raise DataError(f"{label_file}: row {number}: face box {row[1]!r}: expected 4 numbers")
    return row[0].strip(), box, parse_votes(row[-len(VOTE_COLUMNS):], f"{label_file}: row {number}")


def _face(data: bytes, image_path: Path, box, label_file: Path, number: int, max_pixels: int) -> np.ndarray:
    with open_image(data, str(image_path), max_pixels) as image:
        if box is not None:
            left, top, right, bottom = box
            if not (0 <= left < right <= image.width and 0 <= top < bottom <= image.height):
                raise DataError(f"{label_file}: row {number}: face box {box} falls outside {image_path.name} "
                                f"({image.width}x{image.height})")
            image = image.crop(box)
        return to_face(image)
