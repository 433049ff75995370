"""A data folder in any layout (class folders, JAFFE, CK+, RAF-DB, AffectNet, ExpW) read for training: its faces
decoded in parallel and cached.

:func:`read_face_folder` is the one reader of face folders: the layout
(:mod:`fer_bench.datasets.layouts`) lists every face with its label, and
sometimes its face box, subject and partition; every image then becomes a 48x48
grayscale face through :func:`~.image_files.face_from_bytes`, the face box the
label file gives through :func:`~.image_files.face_in_box`, or, with a ``crop``
step such as a face detector's, the face it finds.

Decoded faces are cached as uncompressed ``.npz`` (never pickles), written atomically, under
``$FER_BENCH_CACHE_DIR/folders/`` (default ``~/.cache/fer_bench/folders/``,
beside the audit cache), named by a sha256 **key of the folder's listing**:
every face's name, image path, label, box, the image's size in bytes and
modification time in nanoseconds, the label files' too, the layout, the label
map and the decoding settings. Listing is cheap (no
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

from .._io import atomic_save_npz, read_npz
from ._dataset import DataError
from .image_files import MAX_PIXELS, face_from_bytes, face_in_box
from .layouts import FaceListing, LayoutOptions, list_layout

FaceCrop = Callable[[bytes], "np.ndarray | None"]
"""A picklable step from an image file's bytes to its uint8 (48, 48) face, or None where it finds none."""

CACHE_SCHEMA = 2
"""Bumped when the cached arrays, the key or the decoding change, so old cache files are not read."""
CACHE_SUBDIR = "folders"
_CHUNK = 256  # images per parallel decoding task


@dataclass(frozen=True)
class FolderFaces:
    """Decoded faces of a data folder.

    ``images``, ``labels``, ``class_names`` and ``excluded`` are as in
    :class:`~.labelled_faces.LabelledFaces`, but in the folder's own label space
    (class folder names, or the FER-2013 classes present once mapped: every layout but ``classes`` maps).

    Attributes
    ----------
    files : ndarray of str, shape (n,)
        Each face's name: its image's path relative to ``source`` (the folder), POSIX-style, with
        ``#<face id>`` where an image holds several labelled faces (ExpW); in the layout's order.
    sha256 : str
        The cache key (see the module docstring).
    no_face : int
        Images where the face detector found no face (decoded whole instead); 0 without detection.
    layout : str
        The layout read (:data:`fer_bench.datasets.layouts.LAYOUTS`).
    subjects : ndarray of str, shape (n,), or None
        Each face's subject where the layout has subject ids (JAFFE's names, CK+'s ``S005`` folders).
    partition : ndarray of str, shape (n,), or None
        Each face's split of the data set's own partition, ``Training`` or ``PrivateTest`` (RAF-DB's
        train/test, AffectNet's training/validation files); None where it has none.
    """

    images: np.ndarray
    labels: np.ndarray
    files: np.ndarray
    class_names: tuple[str, ...]
    source: str
    sha256: str
    excluded: dict[str, int] = field(default_factory=dict)
    no_face: int = 0
    layout: str = "classes"
    subjects: np.ndarray | None = None
    partition: np.ndarray | None = None

    def class_counts(self) -> dict[str, int]:
        """Faces per class name."""
        return {name: int(np.sum(self.labels == i)) for i, name in enumerate(self.class_names)}


def _decode_chunk(root: Path, faces: list[tuple[str, tuple[int, int, int, int] | None, str]], crop: FaceCrop | None,
                  max_pixels: int) -> tuple[np.ndarray, int]:
    """Faces of some ``(path, box, origin)`` items of ``root`` (one parallel task), and how many had no detected
    face."""
    decoded = np.empty((len(faces), 48, 48), dtype=np.uint8)
    no_face = 0
    for position, (relative, box, origin) in enumerate(faces):
        path = root / relative
        try:
            content = path.read_bytes()
            if box is not None:
                decoded[position] = face_in_box(content, str(path), box, origin, max_pixels)
                continue
            face = None if crop is None else crop(content)
            if crop is not None and face is None:
                no_face += 1
            decoded[position] = face_from_bytes(content, str(path), max_pixels) if face is None else face
        except DataError:
            raise
        except (UnidentifiedImageError, OSError, ValueError) as error:
            raise DataError(f"{path}: not a readable image ({error})") from error
    return decoded, no_face


def listing_key(root: Path, listing: FaceListing, settings: dict[str, Any]) -> str:
    """sha256 of every face's name, path, label and box, its image's size and mtime (ns), the label files' size and
    mtime, the class names and ``settings``."""
    digest = hashlib.sha256(repr((CACHE_SCHEMA, listing.class_names, sorted(settings.items()))).encode())
    boxes = listing.boxes or [None] * len(listing.paths)
    for name, relative, label, box in zip(listing.names, listing.paths, listing.labels, boxes):
        stat = os.stat(root / relative)
        digest.update(f"{name}\0{relative}\0{label}\0{box}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
                      .encode(errors="surrogateescape"))
    for relative in listing.label_files:
        stat = os.stat(root / relative)
        digest.update(f"{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode(errors="surrogateescape"))
    return digest.hexdigest()


def default_folder_cache_dir() -> Path:
    """``$FER_BENCH_CACHE_DIR/folders`` (default ``~/.cache/fer_bench/folders``), beside the audit cache."""
    from .._cache import cache_root

    return cache_root() / CACHE_SUBDIR


def read_face_folder(root: str | Path, label_map: str | None = None, crop: FaceCrop | None = None,
                     cache_dir: str | Path | None = None, n_jobs: int = -1, use_cache: bool = True,
                     layout: str | None = "classes", options: LayoutOptions = LayoutOptions(),
                     max_pixels: int = MAX_PIXELS) -> FolderFaces:
    """Read a data folder in a layout as faces, decoding in parallel and caching the result.

    Parameters
    ----------
    root : path
        The data folder: ``root/<class name>/**/<image>`` for ``classes``, else as ``layout`` describes.
    label_map : str, optional
        Map class (folder) names, or ``file-names`` codes, onto FER-2013's classes
        (:data:`fer_bench.labels.LABEL_MAPS`).
    crop : callable, optional
        ``crop(file bytes) -> uint8 (48, 48) face or None``, picklable, applied first
        (e.g. :class:`fer_bench.pipeline.face_crop.LargestFaceCrop` for full frames such
        as CK+'s 640x490 originals or JAFFE's 256x256 portraits); its ``repr`` is part of the cache key.
        An image it finds no face in is decoded whole and counted in ``no_face``. Layouts with face
        boxes (AffectNet, ExpW) crop their boxes and take no ``crop``.
    cache_dir : path, optional
        Folder of cached faces (default :func:`default_folder_cache_dir`).
    n_jobs : int
        joblib workers for decoding (-1: every core).
    use_cache : bool
        Read and write the cache.
    layout : str or None
        A name of :data:`fer_bench.datasets.layouts.LAYOUTS` (default ``classes``); None detects it
        (:func:`~fer_bench.datasets.layouts.detect_layout`).
    options : LayoutOptions
        The layout's settings (label pattern and codes, subject pattern, CK+'s neutral first frames).
    max_pixels : int
        Largest image read, in pixels (checked before decoding).

    Returns
    -------
    FolderFaces

    Raises
    ------
    DataError
        As :func:`~fer_bench.datasets.layouts.list_layout` (a bad label names its file and line), or naming
        an image that cannot be read, or the label line of a face box outside its image.
    ValueError
        If the layout is unknown, an option does not go with it, or ``crop`` is given for a layout with boxes.
    KeyError
        If ``label_map`` is not a known map.
    """
    root = Path(root)
    layout, listing = list_layout(root, layout, label_map, options)
    if crop is not None and listing.boxes is not None:
        raise ValueError(f"--detect-faces does not go with --layout {layout}: its label file gives each face's box")
    key = listing_key(root, listing, {"label_map": label_map, "layout": layout, "options": repr(options),
                                      "detector": None if crop is None else repr(crop)})
    cache = (Path(cache_dir) if cache_dir is not None else default_folder_cache_dir()) / f"{key}.npz"
    names = np.array(listing.names)
    labels = np.array(listing.labels, dtype=np.int64)
    found = dict(layout=layout, subjects=None if listing.subjects is None else np.array(listing.subjects),
                 partition=None if listing.partition is None else np.array(listing.partition))
    stored = _read_cache(cache, listing.names) if use_cache and cache.is_file() else None
    if stored is not None:
        images, no_face = stored
        return FolderFaces(images, labels, names, listing.class_names, str(root), key, listing.excluded, no_face,
                           **found)
    from joblib import Parallel, delayed

    items = list(zip(listing.paths, listing.boxes or [None] * len(listing.paths), listing.origins))
    chunks = [items[start:start + _CHUNK] for start in range(0, len(items), _CHUNK)]
    decoded = Parallel(n_jobs=n_jobs if len(chunks) > 1 else 1)(
        delayed(_decode_chunk)(root, chunk, crop, max_pixels) for chunk in chunks)
    images = np.concatenate([faces for faces, _ in decoded])
    no_face = sum(count for _, count in decoded)
    if use_cache:
        try:  # uncompressed: faces barely compress, and plain arrays load about 7x faster
            atomic_save_npz(cache, compressed=False, images=images, files=names, no_face=np.int64(no_face))
        except OSError as error:  # the faces are decoded: a cache that cannot be written costs only the next run
            print(f"warning: {cache}: cannot write the face-folder cache ({error.strerror or error}); "
                  "the faces are read without it", file=sys.stderr)
    return FolderFaces(images, labels, names, listing.class_names, str(root), key, listing.excluded, no_face, **found)


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
