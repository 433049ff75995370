"""Data sources of fer_bench, all read into one :class:`FERDataset`.

- :func:`load_dataset`: FER-2013 as ``fer2013.csv[.gz]``, ``icml_face_data.csv``,
  the Kaggle challenge's ``train.csv``/``test.csv`` or an image-folder export, and FER+
  as Microsoft's folders (``FER2013Train/`` ... with ``label.csv``, majority labels;
  :func:`~.ferplus_folder.read_ferplus_folder` for the other modes);
- :func:`make_synthetic`: the small generated default (drawn faces, never real);
- :func:`stratified_subset`, :func:`stratified_indices`: the profiles' subsets;
- :func:`describe_dataset`: the counts table of ``python -m fer_bench data info``;
- :class:`LabelledFaces`, :func:`split_faces`, :func:`read_class_folder`: faces to score
  a saved model on (a split, or a folder of class folders such as CK+);
- :func:`~.class_folder.read_face_folder`: a data folder in any layout (class folders, JAFFE,
  CK+, RAF-DB, AffectNet, ExpW; :mod:`.layouts`), decoded and cached, and
  :func:`~.labelled_faces.folder_faces` its faces to score a model on.
"""

from __future__ import annotations

from pathlib import Path

from ._dataset import DataError, FERDataset, describe_dataset, file_sha256
from .csv_formats import read_fer_csv
from .ferplus_folder import is_ferplus_folder, read_ferplus_folder
from .image_files import MAX_PIXELS
from .fer2013_folder import read_image_folder
from .labelled_faces import LabelledFaces, read_class_folder, split_faces
from .stratified_subsets import stratified_indices, stratified_subset
from .synthetic import make_synthetic

__all__ = ["DataError", "FERDataset", "LabelledFaces", "describe_dataset", "file_sha256", "load_dataset",
           "make_synthetic", "read_class_folder", "split_faces", "stratified_indices", "stratified_subset"]


def load_dataset(path: str | Path, test_path: str | Path | None = None, max_pixels: int = MAX_PIXELS) -> FERDataset:
    """Read FER-2013 from a CSV file or an image folder, telling the layout apart by itself.

    Parameters
    ----------
    path : path
        A CSV file, plain or gzip-compressed (the layout comes from its header,
        see :mod:`fer_bench.datasets.csv_formats`), or a folder holding
        ``train/<emotion>/`` and/or ``test/<emotion>/`` images (see
        :mod:`fer_bench.datasets.fer2013_folder`).
    test_path : path, optional
        The Kaggle challenge's ``test.csv`` to go with a ``train.csv`` (one
        beside it is found without this).
    max_pixels : int
        Largest image of an image folder, in pixels (checked before decoding).

    Returns
    -------
    FERDataset
        ``images`` uint8 (n, 48, 48), ``labels`` int64 (n,), ``usage`` (n,).

    Raises
    ------
    DataError
        If the path does not exist, or the data is not FER data; the message
        names the file, the row (or folder) and what was expected.
    """
    path = Path(path)
    if path.is_dir():
        if test_path is not None:
            raise DataError(f"{path}: an image folder takes no separate test file ({test_path})")
        if is_ferplus_folder(path):
            return read_ferplus_folder(path, max_pixels=max_pixels)[0]
        return read_image_folder(path, max_pixels)
    return read_fer_csv(path, test_path)
