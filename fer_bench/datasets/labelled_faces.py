"""Labelled faces to score a saved model on: one split of a FER-2013 layout, a folder of class folders, or a data
folder in another layout (:func:`folder_faces`).

A folder of class folders, ``DIR/<class name>/**/*.png|jpg|...``, such as a CK+
export, is read in FER-2013's label space: folder names are FER-2013 class
names (any case) or, with a label map (``ck+``), the other data set's names;
classes with no FER-2013 counterpart (CK+ contempt) are counted and left out.
Images of any size and colour become 48x48 grayscale faces, read with the
limits of :mod:`fer_bench.datasets.image_files` (too many pixels, too small).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..labels import FER2013_CLASSES, class_index, mapped_class_index
from ._dataset import DataError
from .class_folder import FolderFaces
from .folder_listing import IMAGE_SUFFIXES, images_in, subfolders
from .image_files import MAX_PIXELS, read_face_files
from .layouts.class_folders import outside_a_class_folder


@dataclass(frozen=True)
class LabelledFaces:
    """Faces to score and where they came from.

    Attributes
    ----------
    images : ndarray of uint8, shape (n, 48, 48)
    labels : ndarray of int64, shape (n,)
        Indices into ``class_names``.
    class_names : tuple of str
    source : str
        The data path, with the split for FER-2013 layouts.
    sha256 : str
        Digest of the source data.
    scope : str
        What the faces are, for captions: ``"PrivateTest"``, ``"CK+ folder"``, ...
    excluded : dict of str to int
        Images left out per folder name (classes without a counterpart).
    synthetic : bool
        True for the embedded synthetic data set.
    files : ndarray of str, shape (n,), or None
        Each face's name in a folder (its relative path; see :class:`~.class_folder.FolderFaces`), for
        ``--groups`` files; None for FER-2013 splits.
    no_face : int
        Images where a face detector found no face (used whole).
    """

    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    source: str
    sha256: str
    scope: str
    excluded: dict[str, int] = field(default_factory=dict)
    synthetic: bool = False
    files: np.ndarray | None = None
    no_face: int = 0


def split_faces(dataset, split: str = "PrivateTest") -> LabelledFaces:
    """One labelled split of a :class:`~fer_bench.datasets.FERDataset`.

    Raises
    ------
    KeyError
        If ``split`` is not a FER-2013 split name.
    DataError
        If the split is empty or unlabelled.
    """
    images, labels = dataset.split(split)
    if len(images) == 0:
        raise DataError(f"{dataset.source}: the {split} split is empty")
    if np.any(labels < 0):
        raise DataError(f"{dataset.source}: the {split} split is unlabelled; evaluation needs labels")
    return LabelledFaces(images, labels, tuple(dataset.class_names), f"{dataset.source} ({split})",
                         dataset.sha256, split, synthetic=dataset.synthetic)


def read_class_folder(root: str | Path, label_map: str | None = None, max_pixels: int = MAX_PIXELS) -> LabelledFaces:
    """Read a folder of class folders, ``root/<class name>/**/<image>``, as FER-2013-labelled faces.

    Parameters
    ----------
    root : path
    label_map : str, optional
        A key of :data:`fer_bench.labels.LABEL_MAPS` (``"ck+"``) for folder names
        that are not FER-2013's; FER-2013 names (any case) are always accepted.
    max_pixels : int
        Largest accepted image, in pixels (checked before decoding).

    Returns
    -------
    LabelledFaces
        Faces in sorted relative-path order, FER-2013 labels; ``excluded`` counts
        the images of folders with no FER-2013 counterpart. ``sha256`` covers every
        image file read or excluded (relative path, NUL, 8-byte size, bytes).

    Raises
    ------
    DataError
        If ``root`` is not a folder, a class folder's name is unknown (naming the
        folder), a class folder or image is a symbolic link loop or a link to
        nothing, an image lies outside a class folder, a file is not a readable
        image, is over ``max_pixels`` or under 8 pixels on a side (naming it),
        or no image is left to score.
    KeyError
        If ``label_map`` is not a known map.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such folder; expected {root}/<class name>/<images>")
    entries: list[tuple[str, int | None]] = []
    for child in subfolders(root, outside_a_class_folder):
        try:
            label = mapped_class_index(child.name, label_map)
        except KeyError as error:
            hint = ("; for FER-2013's train/ and test/ export give DIR/test, or DIR with --data"
                    if child.name.lower() in ("train", "test") else
                    "" if label_map else " (another data set's names need --label-map, e.g. ck+)")
            raise DataError(f"{child}: folder name is not a known class: {error.args[0]}{hint}") from None
        entries.extend((relative, label) for relative in images_in(root, child))
    scored = [(relative, label) for relative, label in entries if label is not None]
    excluded: dict[str, int] = {}
    for relative, label in entries:
        if label is None:
            folder = relative.split("/", 1)[0]
            excluded[folder] = excluded.get(folder, 0) + 1
    if not scored:
        raise DataError(f"{root}: no images ({', '.join(sorted(IMAGE_SUFFIXES))}) to score under {root}/<class name>/"
                        + (f"; excluded {excluded}" if excluded else ""))
    images, sha256 = read_face_files(root, [relative for relative, _ in entries],
                                     [label is not None for _, label in entries], max_pixels)
    labels = np.array([label for _, label in scored], dtype=np.int64)
    scope = f"{label_map.upper()} folder" if label_map else "image folder"
    return LabelledFaces(images, labels, FER2013_CLASSES, str(root), sha256, scope, excluded,
                         files=np.array([relative for relative, _ in scored]))


def folder_faces(faces: FolderFaces, split: str = "PrivateTest") -> LabelledFaces:
    """A data folder's faces (:func:`~.class_folder.read_face_folder`) in FER-2013's label space, to score a model on.

    Parameters
    ----------
    faces : FolderFaces
    split : str
        Where the data set has a partition of its own (RAF-DB, AffectNet): its ``Training`` or
        ``PrivateTest`` part; otherwise every face is scored and ``split`` is not used.

    Returns
    -------
    LabelledFaces
        ``sha256`` is the folder's listing key; ``scope`` names the layout (and the part).

    Raises
    ------
    DataError
        If a class name is not a FER-2013 class (class folders without a label map), or the partition has no
        ``split`` part.
    """
    try:
        fer_labels = np.array([class_index(name) for name in faces.class_names], dtype=np.int64)
    except KeyError as error:
        raise DataError(f"{faces.source}: {error.args[0]} (another data set's names need --label-map)") from None
    rows = np.arange(len(faces.labels))
    scope = f"{faces.layout} folder"
    if faces.partition is not None:
        rows = np.flatnonzero(faces.partition == split)
        if len(rows) == 0:
            raise DataError(f"{faces.source}: the {faces.layout} partition has no {split} part; expected --split "
                            f"{' or '.join(sorted(set(faces.partition.tolist())))}")
        scope = f"{faces.layout} {split}"
    return LabelledFaces(faces.images[rows], fer_labels[faces.labels[rows]], FER2013_CLASSES, faces.source,
                         faces.sha256, scope, faces.excluded, files=faces.files[rows], no_face=faces.no_face)
