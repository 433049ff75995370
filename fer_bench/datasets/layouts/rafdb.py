"""RAF-DB basic: ``EmoLabel/list_patition_label.txt`` and the aligned faces in ``Image/aligned/``.

Li et al. (2017) give one line per image, ``train_00001.jpg 5``, codes 1-7 in
the order of :data:`fer_bench.labels.RAFDB_CODES` (1 Surprise, 2 Fear,
3 Disgust, 4 Happiness, 5 Sadness, 6 Anger, 7 Neutral); the aligned 100x100
face of ``train_00001.jpg`` is ``Image/aligned/train_00001_aligned.jpg``. The
``train_``/``test_`` prefix is the data set's own partition (Training and
PrivateTest here). RAF-DB has no subject ids.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ...labels import RAFDB_CODES, RAFDB_TO_FER2013, class_index
from .._dataset import DataError
from ..folder_listing import images_in
from .listing import FaceListing, LabelledImage, code_number, inside, label_lines, listing_of

LABEL_FILE = "EmoLabel/list_patition_label.txt"
IMAGES_DIR = "Image/aligned"
PARTITIONS = {"train": "Training", "test": "PrivateTest"}
_KNOWN = ", ".join(f"{code} {name}" for code, name in RAFDB_CODES.items())


def is_rafdb(root: Path) -> bool:
    """Whether ``root`` holds RAF-DB's label file."""
    return (root / LABEL_FILE).is_file()


def list_rafdb(root: Path) -> FaceListing:
    """Every labelled aligned face of RAF-DB basic, in the label file's order.

    Raises
    ------
    DataError
        Naming the label file and line: a line that is not ``<image> <code>``, an unknown code, an image named
        twice or neither ``train_`` nor ``test_``, a label whose aligned image is missing; or naming an aligned
        image that no line labels.
    """
    label_path = root / LABEL_FILE
    if not (root / IMAGES_DIR).is_dir():
        raise DataError(f"{root / IMAGES_DIR}: no such folder; expected RAF-DB's aligned faces "
                        f"({IMAGES_DIR}/train_00001_aligned.jpg)")
    rows, seen = [], {}
    for number, origin, fields in label_lines(label_path):
        if len(fields) != 2:
            raise DataError(f"{origin}: {' '.join(fields)[:80]!r}; expected '<image> <code>' (train_00001.jpg 5)")
        name = inside(root, fields[0], origin)
        partition = PARTITIONS.get(name.split("_", 1)[0])
        if partition is None:
            raise DataError(f"{origin}: {name} is neither a train_ nor a test_ image")
        if name in seen:
            raise DataError(f"{origin}: {name} is labelled again (first on line {seen[name]})")
        seen[name] = number
        native = RAFDB_CODES[code_number(fields[1], range(1, 8), origin, _KNOWN)]
        path = f"{IMAGES_DIR}/{PurePosixPath(name).stem}_aligned.jpg"
        if not (root / path).is_file():
            raise DataError(f"{origin}: its image {root / path} is missing")
        rows.append(LabelledImage(path, native, class_index(RAFDB_TO_FER2013[native]), origin, partition=partition))
    labelled = {row.path for row in rows}
    unlabelled = [path for path in images_in(root, root / IMAGES_DIR, recursive=False) if path not in labelled]
    if unlabelled:
        raise DataError(f"{root / unlabelled[0]}: an image without a label: no line of {label_path} names it "
                        f"({len(unlabelled):,} such images)")
    return listing_of(rows, root, [LABEL_FILE])
