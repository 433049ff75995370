"""A data set's own train/test partition (RAF-DB, AffectNet) as FER-2013's three splits.

The partition's train part is Training, less a stratified part of it that plays
PublicTest (model selection; subject-disjoint where the data has subjects);
its test part is PrivateTest, as the papers on these data sets report.
"""

from __future__ import annotations

import numpy as np

from ._dataset import DataError, FERDataset
from .class_folder import FolderFaces
from .folds import VALIDATION_FRACTION, validation_rows


def partition_dataset(faces: FolderFaces, seed: int = 0, fraction: float = VALIDATION_FRACTION) -> FERDataset:
    """The faces of a partitioned data folder as a :class:`FERDataset` (Training, PublicTest, PrivateTest).

    Parameters
    ----------
    faces : FolderFaces
        With ``partition`` (Training or PrivateTest per face).
    seed : int
        Draws the PublicTest part.
    fraction : float
        About this share of the train part plays PublicTest.

    Returns
    -------
    FERDataset
        ``ids`` are the faces' names; ``sha256`` the folder's listing key; ``relabelling`` says that the labels
        are the layout's mapped onto FER-2013's, and counts the faces left out per class with no counterpart.

    Raises
    ------
    DataError
        If the faces have no partition, or one of its parts is empty.
    """
    if faces.partition is None:
        raise DataError(f"{faces.source}: the {faces.layout} layout has no train/test partition of its own")
    train_rows = np.flatnonzero(faces.partition == "Training")
    for part, count in (("train", len(train_rows)), ("test", len(faces.labels) - len(train_rows))):
        if count == 0:
            raise DataError(f"{faces.source}: the {faces.layout} partition's {part} part is empty")
    kind = "subject" if faces.subjects is not None else "random"
    subjects = faces.subjects if faces.subjects is not None else faces.files
    validation = validation_rows(train_rows, faces.labels, subjects, seed, kind, fraction)
    usage = faces.partition.astype(object)
    usage[validation] = "PublicTest"
    used_whole = f" ({faces.no_face:,} images with no face found by the detector, used whole)" if faces.no_face else ""
    mapping = {"labels": f"{faces.layout} labels mapped onto FER-2013's classes{used_whole}",
               "kept": int(len(faces.labels)),
               "dropped": {f"{name} (no FER-2013 counterpart)": count for name, count in faces.excluded.items()}}
    return FERDataset(images=faces.images, labels=faces.labels, usage=usage.astype(str), class_names=faces.class_names,
                      source=faces.source, sha256=faces.sha256, ids=faces.files, relabelling=mapping)
