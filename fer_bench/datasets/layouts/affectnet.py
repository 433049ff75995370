"""AffectNet: ``training.csv`` and ``validation.csv``, one face box and expression code per image.

Mollahosseini et al. (2017) give one row per image: ``subDirectory_filePath``
(under ``Manually_Annotated_Images/``), the face box ``face_x``, ``face_y``,
``face_width``, ``face_height`` (pixels), ``facial_landmarks``, ``expression``
(0-10, :data:`fer_bench.labels.AFFECTNET_CODES`), ``valence`` and ``arousal``.
The face box is cropped; landmarks, valence and arousal are not used. Codes 8-10
(none, uncertain, non-face) and 7 (contempt) have no FER-2013 class: they are
counted and left out, unchecked. ``training.csv`` is the Training partition and
``validation.csv`` (the set papers report on) PrivateTest. No subject ids.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ...labels import AFFECTNET_CODES, AFFECTNET_TO_FER2013, class_index
from .._dataset import DataError
from .listing import FaceListing, LabelledImage, box_from_sides, code_number, inside, listing_of

CSV_FILES = {"training.csv": "Training", "validation.csv": "PrivateTest"}
LIST_FOLDERS = ("", "Manually_Annotated_file_lists")
"""Where the CSV files are looked for, in order: the folder itself, then the distribution's list folder."""
IMAGE_FOLDERS = ("Manually_Annotated_Images", "Manually_Annotated/Manually_Annotated_Images", "")
"""Where ``subDirectory_filePath`` starts, the first that is a folder."""
COLUMNS = ("subDirectory_filePath", "face_x", "face_y", "face_width", "face_height", "expression")
_KNOWN = ", ".join(f"{code} {name}" for code, name in enumerate(AFFECTNET_CODES))


def affectnet_files(root: Path) -> list[Path]:
    """AffectNet's CSV files in ``root`` or its ``Manually_Annotated_file_lists/``; empty when there are none."""
    for folder in LIST_FOLDERS:
        found = [root / folder / name for name in CSV_FILES if (root / folder / name).is_file()]
        if found:
            return found
    return []


def _fer_label(native: str) -> int | None:
    target = AFFECTNET_TO_FER2013[native]
    return None if target is None else class_index(target)


def list_affectnet(root: Path) -> FaceListing:
    """Every face of AffectNet's CSV files with a FER-2013 class, in file and row order.

    Raises
    ------
    DataError
        Naming the CSV file and line: a header without AffectNet's columns, a short row, an unknown code, a face
        box that is not numbers or empty, or a kept row whose image is missing; or if there is no CSV file.
    """
    files = affectnet_files(root)
    if not files:
        raise DataError(f"{root}: no training.csv or validation.csv (nor in Manually_Annotated_file_lists/)")
    images = next(root / folder for folder in IMAGE_FOLDERS if (root / folder).is_dir())
    prefix = images.relative_to(root).as_posix()
    rows = []
    for path in files:
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader, [])]
            missing = [name for name in COLUMNS if name not in header]
            if missing:
                raise DataError(f"{path}: line 1: the header lacks {', '.join(missing)}; expected AffectNet's "
                                f"{','.join(COLUMNS)},...")
            column = {name: header.index(name) for name in COLUMNS}
            for fields in reader:
                if not fields:
                    continue
                origin = f"{path}: line {reader.line_num}"
                if len(fields) < len(header):
                    raise DataError(f"{origin}: {len(fields)} fields; expected {len(header)} ({','.join(header)})")
                native = AFFECTNET_CODES[code_number(fields[column["expression"]], range(len(AFFECTNET_CODES)),
                                                     origin, _KNOWN)]
                label = _fer_label(native)
                relative = inside(images, fields[column["subDirectory_filePath"]].strip(), origin)
                relative = relative if prefix == "." else f"{prefix}/{relative}"
                if label is None:
                    rows.append(LabelledImage(relative, native, None, origin))
                    continue
                x, y, width, height = (fields[column[name]] for name in COLUMNS[1:5])
                try:
                    right, bottom = float(x) + float(width), float(y) + float(height)
                except ValueError:
                    raise DataError(f"{origin}: face box (x {x}, y {y}, width {width}, height {height}) is not "
                                    "four numbers") from None
                box = box_from_sides(x, y, str(right), str(bottom), origin)
                if not (root / relative).is_file():
                    raise DataError(f"{origin}: its image {root / relative} is missing")
                rows.append(LabelledImage(relative, native, label, origin, box, partition=CSV_FILES[path.name]))
    return listing_of(rows, root, [path.relative_to(root).as_posix() for path in files])
