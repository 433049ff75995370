"""The full CK+ distribution: frame sequences and the emotion label of each labelled sequence's peak frame.

Lucey et al. (2010) distribute CK+ as ``cohn-kanade-images/S005/001/S005_001_00000011.png``
(593 sequences of 123 subjects, each from a neutral face to its peak) and
``Emotion/S005/001/S005_001_00000011_emotion.txt``: one float code, 0-7, for the
last frame of the 327 sequences that fit a prototypic emotion (the README:
"0=neutral, 1=anger, 2=contempt, 3=disgust, 4=fear, 5=happy, 6=sadness,
7=surprise"; a sequence with no file has no emotion label, and is left out).
The labelled frame is the peak; with ``neutral_first_frame`` the sequence's
first frame is added as Neutral. Subjects are the ``S005`` folders. CK+48-style
class folders (``anger/S010_004_00000017.png``) are read as class folders
with the ``ck+`` label map instead.
"""

from __future__ import annotations

from pathlib import Path

from ...labels import CK_PLUS_CODES, CK_PLUS_TO_FER2013, class_index
from .._dataset import DataError
from ..folder_listing import images_in
from .listing import FaceListing, LabelledImage, code_number, listing_of

IMAGES_DIR = "cohn-kanade-images"
LABELS_DIR = "Emotion"
_LABEL_SUFFIX = "_emotion.txt"
_KNOWN = ", ".join(f"{code}={name}" for code, name in enumerate(CK_PLUS_CODES))


def is_ck_plus(root: Path) -> bool:
    """Whether ``root`` holds CK+'s ``cohn-kanade-images/`` and ``Emotion/`` folders."""
    return (root / IMAGES_DIR).is_dir() and (root / LABELS_DIR).is_dir()


def _fer_label(native: str) -> int | None:
    target = CK_PLUS_TO_FER2013[native]
    return None if target is None else class_index(target)


def list_ck_plus(root: Path, neutral_first_frame: bool = False) -> FaceListing:
    """The labelled peak frames (and, optionally, first frames as Neutral) of CK+ (see the module docstring).

    Returns
    -------
    FaceListing
        Faces in sorted label-file order (a sequence's first frame before its peak), subjects ``S005``;
        contempt counted in ``excluded``.

    Raises
    ------
    DataError
        Naming the label file and line: a file that does not hold one code, an unknown code, or a label whose
        frame is missing; or if no sequence is labelled.
    """
    labels_root = root / LABELS_DIR
    label_files = sorted(path for path in labels_root.glob(f"*/*/*{_LABEL_SUFFIX}") if not path.name.startswith("."))
    if not label_files:
        raise DataError(f"{labels_root}: no label files; expected "
                        f"{LABELS_DIR}/S005/001/S005_001_00000011{_LABEL_SUFFIX}")
    rows = []
    for label_file in label_files:
        origin = f"{label_file}: line 1"
        values = label_file.read_text(errors="replace").split()
        if len(values) != 1:
            raise DataError(f"{origin}: {len(values)} values; expected one emotion code ({_KNOWN})")
        native = CK_PLUS_CODES[code_number(values[0], range(len(CK_PLUS_CODES)), origin, _KNOWN)]
        sequence = label_file.parent.relative_to(labels_root).as_posix()
        peak = f"{IMAGES_DIR}/{sequence}/{label_file.name[:-len(_LABEL_SUFFIX)]}.png"
        if not (root / peak).is_file():
            raise DataError(f"{origin}: its image {root / peak} is missing")
        subject = label_file.parent.parent.name
        if neutral_first_frame:
            first = images_in(root, root / IMAGES_DIR / sequence, recursive=False)[0]
            if first != peak:
                rows.append(LabelledImage(first, "neutral", _fer_label("neutral"), origin, subject=subject))
        rows.append(LabelledImage(peak, native, _fer_label(native), origin, subject=subject))
    return listing_of(rows, root, [path.relative_to(root).as_posix() for path in label_files])
