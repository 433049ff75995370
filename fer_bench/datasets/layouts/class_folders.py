"""A folder of class folders, ``ROOT/<class>/**/<image>``: its images and labels, without reading them."""

from __future__ import annotations

from pathlib import Path

from ...labels import FER2013_CLASSES, LABEL_MAPS, mapped_class_index
from .._dataset import DataError
from ..folder_listing import IMAGE_SUFFIXES, images_in, subfolders

SPLIT_FOLDERS: frozenset[str] = frozenset({"train", "test", "val", "validation"})
"""Folder names refused as classes: they hold class folders of a split."""


def outside_a_class_folder(image: Path) -> str:
    """The error message of an image file directly in the root of a class folder."""
    return f"{image}: an image outside a class folder; expected {image.parent}/<class name>/{image.name}"


def list_class_folder(root: str | Path, label_map: str | None = None
                      ) -> tuple[list[tuple[str, int]], tuple[str, ...], dict[str, int]]:
    """The images of ``root/<class>/**`` with their labels, without reading them.

    Class names are the folder names as they are (CK+'s ``anger``, ``contempt``, ... stay native), sorted;
    with a label map (:data:`fer_bench.labels.LABEL_MAPS`, e.g. ``ck+``) they become FER-2013's names, in
    FER-2013's order, and folders with no counterpart (CK+ ``contempt``) are counted and left out.

    Returns
    -------
    (entries, class_names, excluded)
        ``entries``: ``(relative path, label)``, class folders in sorted order and
        each folder's files in sorted-path order; ``excluded``:
        images per folder that the label map leaves out.

    Raises
    ------
    DataError
        If ``root`` is not a folder, an image lies outside a class folder, a
        folder name is not in the label map, a folder or image is a symbolic
        link loop or a link to nothing, or no image is left.
    KeyError
        If ``label_map`` is not a known map.
    """
    root = Path(root)
    if label_map is not None and label_map not in LABEL_MAPS:
        raise KeyError(f"--label-map {label_map!r}: expected one of {', '.join(LABEL_MAPS)}")
    if not root.is_dir():
        raise DataError(f"{root}: no such folder; expected {root}/<class name>/<images>")
    folders: dict[str, list[str]] = {}
    for child in subfolders(root, outside_a_class_folder):
        if child.name.lower() in SPLIT_FOLDERS:
            raise DataError(f"{child}: a split folder, not a class; give {child} itself as the class folder "
                            f"(FER-2013's train/ and test/ export), or use --data {root} for its own splits")
        folders[child.name] = images_in(root, child)
    if label_map is None:
        class_names = tuple(name for name, files in folders.items() if files)
        labels = {name: class_names.index(name) for name in class_names}
        excluded: dict[str, int] = {}
    else:
        fer_labels: dict[str, int | None] = {}
        for name in folders:
            try:
                fer_labels[name] = mapped_class_index(name, label_map)
            except KeyError as error:
                raise DataError(f"{root / name}: folder name is not a known class: {error.args[0]}") from None
        present = sorted({label for name, label in fer_labels.items() if label is not None and folders[name]})
        class_names = tuple(FER2013_CLASSES[label] for label in present)
        labels = {name: present.index(label) for name, label in fer_labels.items() if label is not None}
        excluded = {name: len(folders[name]) for name, label in fer_labels.items() if label is None and folders[name]}
    # Folder by folder, each in sorted-path order: the order of labelled_faces.read_class_folder.
    entries = [(relative, labels[name]) for name, files in folders.items() if name in labels for relative in files]
    if not entries:
        raise DataError(f"{root}: no images ({', '.join(sorted(IMAGE_SUFFIXES))}) under {root}/<class name>/"
                        + (f"; excluded {excluded}" if excluded else ""))
    return entries, class_names, excluded
