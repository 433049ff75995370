"""A folder of class folders, ``ROOT/<class>/**/<image>``, read for training, decoded in parallel and cached.

Class names are the folder names as they are (CK+'s ``anger``, ``contempt``,
... stay native), sorted; with a label map (:data:`fer_bench.labels.LABEL_MAPS`,
e.g. ``ck+``) they become FER-2013's names, in FER-2013's order, and folders
with no counterpart (CK+ ``contempt``) are counted and left out. Every image
becomes a 48x48 grayscale face through :func:`~.image_files.face_from_bytes` (or, with a
``crop`` step such as a face detector's, the face it finds).

Decoded faces are cached as uncompressed ``.npz`` (never pickles), written atomically, under
``$FER_BENCH_CACHE_DIR/folders/`` (default ``~/.cache/fer_bench/folders/``,
beside the audit cache), named by a sha256 **key of the folder's listing**:
every image's relative path, size in bytes and modification time in
nanoseconds, the label map and the decoding settings. Listing is cheap (no
image is read), so a second run on an unchanged folder loads in seconds;
touching, adding, removing or renaming an image changes the key. A corrupt cache
file is decoded again and rewritten, saying so in one line.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
from PIL import UnidentifiedImageError

from ..labels import FER2013_CLASSES, LABEL_MAPS, mapped_class_index
from .._io import atomic_save_npz, read_npz
from ._dataset import DataError
from .folder_listing import IMAGE_SUFFIXES, images_in, subfolders
from .image_files import face_from_bytes

FaceCrop = Callable[[bytes], "np.ndarray | None"]
"""A picklable step from an image file's bytes to its uint8 (48, 48) face, or None where it finds none."""

CACHE_SCHEMA = 1
"""Bumped when the cached arrays or the decoding change, so old cache files are not read."""
CACHE_SUBDIR = "folders"
SPLIT_FOLDERS: frozenset[str] = frozenset({"train", "test", "val", "validation"})
"""Folder names refused as classes: they hold class folders of a split."""
_CHUNK = 256  # images per parallel decoding task


@dataclass(frozen=True)
class FolderFaces:
    """Decoded faces of a class folder.

    ``images``, ``labels``, ``class_names`` and ``excluded`` are as in
    :class:`~.labelled_faces.LabelledFaces`, but in the folder's own label space
    (folder names, or the label map's FER-2013 classes that are present).

    Attributes
    ----------
    files : ndarray of str, shape (n,)
        Path of each face relative to ``source`` (the folder), POSIX-style, in :func:`list_class_folder` order.
    sha256 : str
        The cache key (see the module docstring).
    no_face : int
        Images where the face detector found no face (decoded whole instead); 0 without detection.
    """

    images: np.ndarray
    labels: np.ndarray
    files: np.ndarray
    class_names: tuple[str, ...]
    source: str
    sha256: str
    excluded: dict[str, int] = field(default_factory=dict)
    no_face: int = 0

    def class_counts(self) -> dict[str, int]:
        """Faces per class name."""
        return {name: int(np.sum(self.labels == i)) for i, name in enumerate(self.class_names)}


def outside_a_class_folder(image: Path) -> str:
    """The error message of an image file directly in the root of a class folder."""
    return f"{image}: an image outside a class folder; expected {image.parent}/<class name>/{image.name}"


def list_class_folder(root: str | Path, label_map: str | None = None
                      ) -> tuple[list[tuple[str, int]], tuple[str, ...], dict[str, int]]:
    """The images of ``root/<class>/**`` with their labels, without reading them.

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


def _decode_chunk(root: Path, relatives: list[str], crop: FaceCrop | None) -> tuple[np.ndarray, int]:
    """Faces of some files of ``root`` (one parallel task) and how many had no detected face."""
    faces = np.empty((len(relatives), 48, 48), dtype=np.uint8)
    no_face = 0
    for position, relative in enumerate(relatives):
        path = root / relative
        try:
            content = path.read_bytes()
            face = None if crop is None else crop(content)
            if crop is not None and face is None:
                no_face += 1
            faces[position] = face_from_bytes(content, str(path)) if face is None else face
        except DataError:
            raise
        except (UnidentifiedImageError, OSError, ValueError) as error:
            raise DataError(f"{path}: not a readable image ({error})") from error
    return faces, no_face


def listing_key(root: Path, entries: list[tuple[str, int]], class_names: tuple[str, ...], settings: dict[str, Any]) -> str:
    """sha256 of every image's relative path, label, size and mtime (ns), the class names and ``settings``."""
    digest = hashlib.sha256(repr((CACHE_SCHEMA, class_names, sorted(settings.items()))).encode())
    for relative, label in entries:
        stat = os.stat(root / relative)
        digest.update(f"{relative}\0{label}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode(errors="surrogateescape"))
    return digest.hexdigest()


def default_folder_cache_dir() -> Path:
    """``$FER_BENCH_CACHE_DIR/folders`` (default ``~/.cache/fer_bench/folders``), beside the audit cache."""
    from .._cache import cache_root

    return cache_root() / CACHE_SUBDIR


def read_face_folder(root: str | Path, label_map: str | None = None, crop: FaceCrop | None = None,
                     cache_dir: str | Path | None = None, n_jobs: int = -1, use_cache: bool = True) -> FolderFaces:
    """Read a class folder as faces, decoding in parallel and caching the result.

    Parameters
    ----------
    root : path
        ``root/<class name>/**/<image>``.
    label_map : str, optional
        Map folder names onto FER-2013's classes (see the module docstring).
    crop : callable, optional
        ``crop(file bytes) -> uint8 (48, 48) face or None``, picklable, applied first
        (e.g. :class:`fer_bench.pipeline.face_crop.LargestFaceCrop` for full frames such
        as CK+'s 640x490 originals); its ``repr`` is part of the cache key. An image it
        finds no face in is decoded whole and counted in ``no_face``.
    cache_dir : path, optional
        Folder of cached faces (default :func:`default_folder_cache_dir`).
    n_jobs : int
        joblib workers for decoding (-1: every core).
    use_cache : bool
        Read and write the cache.

    Returns
    -------
    FolderFaces

    Raises
    ------
    DataError
        As :func:`list_class_folder`, or naming an image that cannot be read.
    """
    root = Path(root)
    entries, class_names, excluded = list_class_folder(root, label_map)
    key = listing_key(root, entries, class_names, {"label_map": label_map, "detector": None if crop is None else repr(crop)})
    cache = (Path(cache_dir) if cache_dir is not None else default_folder_cache_dir()) / f"{key}.npz"
    relatives = [relative for relative, _ in entries]
    labels = np.array([label for _, label in entries], dtype=np.int64)
    if use_cache and cache.is_file():
        stored = _read_cache(cache, relatives)
        if stored is not None:
            images, no_face = stored
            return FolderFaces(images, labels, np.array(relatives), class_names, str(root), key, excluded, no_face)
    from joblib import Parallel, delayed

    chunks = [relatives[start:start + _CHUNK] for start in range(0, len(relatives), _CHUNK)]
    decoded = Parallel(n_jobs=n_jobs if len(chunks) > 1 else 1)(
        delayed(_decode_chunk)(root, chunk, crop) for chunk in chunks)
    images = np.concatenate([faces for faces, _ in decoded])
    no_face = sum(count for _, count in decoded)
    if use_cache:
        try:  # uncompressed: faces barely compress, and plain arrays load about 7x faster
            atomic_save_npz(cache, compressed=False, images=images, files=np.array(relatives), no_face=np.int64(no_face))
        except OSError as error:  # the faces are decoded: a cache that cannot be written costs only the next run
            print(f"warning: {cache}: cannot write the face-folder cache ({error.strerror or error}); "
                  "the faces are read without it", file=sys.stderr)
    return FolderFaces(images, labels, np.array(relatives), class_names, str(root), key, excluded, no_face)


def _read_cache(cache: Path, relatives: list[str]) -> tuple[np.ndarray, int] | None:
    """The cached faces and ``no_face`` of the listing ``relatives``; None, said in one line, when the file is
    corrupt (not a zip of numpy arrays, pickled data, a missing or misshapen array) or of another listing."""
    try:
        stored = read_npz(cache, ("images", "files", "no_face"))
        images, files, no_face = stored["images"], stored["files"], stored["no_face"]
        if images.dtype != np.uint8 or images.shape != (len(relatives), 48, 48) or files.shape != (len(relatives),) \
                or no_face.shape != () or no_face.dtype.kind not in "iu":
            raise ValueError(f"{cache}: corrupt .npz file, its arrays are not a listing's faces")
    except ValueError as error:
        print(f"warning: {error}; the folder is decoded again and the cache rewritten", file=sys.stderr)
        return None
    return (images, int(no_face)) if files.tolist() == relatives else None
