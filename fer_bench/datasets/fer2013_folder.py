"""FER-2013's image-folder export: ``ROOT/{train,test}/<emotion>/<Split>_<id>.<ext>``.

The split comes from the file-name prefix (``Training_``, ``PublicTest_``,
``PrivateTest_``); a file without one is Training under ``train/`` and
PrivateTest under ``test/`` (the held-out test set, where headline numbers come
from). The label comes from the emotion folder's name, case-insensitively
(``happy/`` -> 3). Images of any size and mode become 48x48 grayscale faces
as :func:`fer_bench.datasets.image_files.to_face` makes them; an image over
``max_pixels`` pixels is refused before decoding, one under 8 pixels on a side
as too small, and a folder that is a symbolic link loop as unreadable.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..labels import FER2013_CLASSES, SPLITS, class_index
from ._dataset import DataError, FERDataset
from .folder_listing import IMAGE_SUFFIXES, images_in, subfolders
from .image_files import MAX_PIXELS, entry_kind, read_face_files

FOLDER_SPLITS: dict[str, str] = {"train": "Training", "test": "PrivateTest"}
"""Top-level folders and the split of their files that carry no split prefix."""


def _split_of(name: str, default: str) -> str:
    """The split named by a file name's ``<Split>_`` prefix, else ``default``."""
    prefix, underscore, _ = name.partition("_")
    return prefix if underscore and prefix in SPLITS else default


def _outside_an_emotion_folder(image: Path) -> str:
    return (f"{image}: an image outside an emotion folder; expected "
            f"{image.parent}/<emotion>/{image.name} with <emotion> one of {', '.join(FER2013_CLASSES)}")


def _image_files(root: Path) -> list[tuple[str, int, str]]:
    """``(relative path, label, split)`` of every image, sorted by relative path.

    Raises
    ------
    DataError
        If neither ``train/`` nor ``test/`` exists, a folder is not an
        expression, an image lies outside an emotion folder, a folder or image is
        a symbolic link loop (or a link to nothing), or there is no image.
    """
    tops = {child.name.lower(): child for child in root.iterdir() if child.is_dir() or child.name.lower() in FOLDER_SPLITS}
    if not tops.keys() & FOLDER_SPLITS.keys():
        raise DataError(f"{root}: expected image folders train/<emotion>/ and/or test/<emotion>/, "
                        f"found {', '.join(sorted(tops)) or 'no folders'}")
    entries = []
    for top, default_split in FOLDER_SPLITS.items():
        if top not in tops or entry_kind(tops[top]) != "dir":
            continue
        for child in subfolders(tops[top], _outside_an_emotion_folder):
            try:
                label = class_index(child.name)
            except KeyError as error:
                raise DataError(f"{child}: folder name is not an expression; expected one of "
                                f"{', '.join(FER2013_CLASSES)} (any case)") from error
            entries.extend((relative, label, _split_of(relative.rsplit("/", 1)[-1], default_split))
                           for relative in images_in(root, child, recursive=False))
    if not entries:
        raise DataError(f"{root}: no images ({', '.join(sorted(IMAGE_SUFFIXES))}) under train/<emotion>/ or test/<emotion>/")
    return sorted(entries)


def read_image_folder(root: str | Path, max_pixels: int = MAX_PIXELS) -> FERDataset:
    """Read an image-folder export of FER-2013 (see the module docstring).

    Parameters
    ----------
    root : path
        The folder holding ``train/`` and/or ``test/``.
    max_pixels : int
        Largest accepted image, in pixels (checked before decoding).

    Returns
    -------
    FERDataset
        Faces ordered by split (Training, PublicTest, PrivateTest), then by
        relative path; ``ids`` holds the relative paths. ``sha256`` is the digest
        over every image file in sorted relative-path order (see
        :func:`~fer_bench.datasets.image_files.read_face_files`).

    Raises
    ------
    DataError
        If the layout is wrong (see :func:`_image_files`) or a file is not a
        readable image, is over ``max_pixels`` or under 8 pixels on a side
        (naming the file).
    """
    root = Path(root)
    entries = _image_files(root)
    images, sha256 = read_face_files(root, [relative for relative, _, _ in entries], max_pixels=max_pixels)
    paths, labels, usage = (np.array(column) for column in zip(*entries))
    order = np.argsort([SPLITS.index(split) for split in usage], kind="stable")
    return FERDataset(images=images[order], labels=labels[order].astype(np.int64), usage=usage[order],
                      source=str(root), sha256=sha256, ids=paths[order])
