"""Labels (and subjects) from file names: JAFFE's flat folder, and any folder through a label pattern.

JAFFE (Lyons et al., 1998) is one flat folder of TIFF files named
``<subject>.<expression><take>.<number>.tiff`` (``KA.AN1.39.tiff``): the subject
is the two letters before the first dot, the expression the two letters after
it, coded AN anger, DI disgust, FE fear, HA happiness, NE neutral, SA sadness,
SU surprise (the distribution's README; :data:`fer_bench.labels.JAFFE_TO_FER2013`).
Any other folder works the same way with ``--label-pattern REGEX`` (its first
group, else its whole match, is the code) and a mapping of codes to classes.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path, PurePosixPath
from typing import Mapping

from ...labels import FER2013_CLASSES, JAFFE_TO_FER2013, class_index
from .._dataset import DataError
from ..folder_listing import images_in
from .listing import FaceListing, LabelledImage, listing_of

JAFFE_LABEL_PATTERN = r"^[A-Za-z]{2}\.([A-Za-z]{2})\d*\.\d+\.\w+$"
"""JAFFE's file names: the expression code is group 1 (``AN`` in ``KA.AN1.39.tiff``)."""
JAFFE_SUBJECT_PATTERN = r"^([A-Za-z]{2})\."
"""JAFFE's subject: the two letters before the first dot (``KA``)."""


def parse_label_codes(text: str) -> dict[str, str | None]:
    """``--label-codes 'AN=angry,HA=happy,CO='``: each code's FER-2013 class; an empty class leaves it out.

    Raises
    ------
    ValueError
        Naming the option and the first item that is not ``CODE=CLASS`` or names no FER-2013 class.
    """
    codes: dict[str, str | None] = {}
    for item in text.split(","):
        code, equals, name = (part.strip() for part in item.partition("="))
        if not code or not equals:
            raise ValueError(f"--label-codes {text!r}: {item.strip()!r} is not CODE=CLASS")
        try:
            codes[code] = FER2013_CLASSES[class_index(name)] if name else None
        except KeyError as error:
            raise ValueError(f"--label-codes {text!r}: {error.args[0]}") from None
    return codes


def list_named_files(root: Path, label_pattern: str, codes: Mapping[str, str | None] | None = None
                     ) -> FaceListing:
    """Every image under ``root`` (recursively), labelled by the code its file name holds.

    Parameters
    ----------
    root : Path
    label_pattern : str
        A regular expression searched in each file name (without folders); group 1, else the match, is the code.
    codes : mapping of str to (str or None), optional
        Code -> FER-2013 class name (None: no counterpart, counted and left out), matched
        case-insensitively; default: the codes are FER-2013's class names themselves.

    Returns
    -------
    FaceListing
        Faces in sorted-path order; no subjects (see ``--subject-pattern``).

    Raises
    ------
    DataError
        If ``root`` is not a folder or holds no image, or naming the first image whose name the pattern does
        not match (an image without a label) or whose code is unknown.
    ValueError
        If ``label_pattern`` is not a regular expression.
    """
    try:
        compiled = re.compile(label_pattern)
    except re.error as error:
        raise ValueError(f"--label-pattern {label_pattern!r}: not a regular expression ({error})") from error
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    lowered = ({code.lower(): name for code, name in codes.items()} if codes is not None
               else {name.lower(): name for name in FER2013_CLASSES})
    rows = []
    files = images_in(root, root)
    for relative in files:
        name = PurePosixPath(relative).name
        match = compiled.search(name)
        if match is None:
            raise DataError(f"{root / relative}: an image without a label: its name does not match --label-pattern "
                            f"{label_pattern!r}")
        code = match.group(1) if compiled.groups else match.group(0)
        if code.lower() not in lowered:
            raise DataError(f"{root / relative}: unknown code {code!r} in the file name; expected one of "
                            f"{', '.join(lowered)}")
        target = lowered[code.lower()]
        rows.append(LabelledImage(relative, code.lower(), None if target is None else class_index(target),
                                  str(root / relative)))
    if not rows:
        raise DataError(f"{root}: no images")
    return listing_of(rows, root)


def list_jaffe(root: Path) -> FaceListing:
    """JAFFE's flat folder (see the module docstring), subjects from the file names.

    Raises
    ------
    DataError
        As :func:`list_named_files` with JAFFE's pattern and codes.
    """
    listing = list_named_files(root, JAFFE_LABEL_PATTERN, JAFFE_TO_FER2013)
    subject = re.compile(JAFFE_SUBJECT_PATTERN)
    return dataclasses.replace(listing, subjects=[subject.match(PurePosixPath(path).name).group(1).upper()
                                                  for path in listing.paths])


def is_jaffe_folder(root: Path) -> bool:
    """Whether ``root`` holds images directly, no subfolder, and every image name is JAFFE's."""
    children = [child for child in root.iterdir() if not child.name.startswith(".")]
    if any(child.is_dir() for child in children):
        return False
    names = images_in(root, root, recursive=False)
    pattern = re.compile(JAFFE_LABEL_PATTERN)
    return bool(names) and all(pattern.search(PurePosixPath(name).name) for name in names)
