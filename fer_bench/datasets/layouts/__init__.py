"""The layouts face data sets are distributed in, by name, and the one listing of a data folder in any of them.

:func:`list_layout` lists a folder's faces in a layout (:data:`LAYOUTS`) without
reading an image; :func:`fer_bench.datasets.class_folder.read_face_folder`
decodes and caches them. :func:`detect_layout` tells the layout from the files
where they make it unambiguous. Every layout maps its labels onto FER-2013's
seven classes, counts what has no counterpart, and keeps subject ids where the
data has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...labels import LABEL_MAPS
from .._dataset import DataError
from .affectnet import affectnet_files, list_affectnet
from .ck_plus import is_ck_plus, list_ck_plus
from .class_folders import list_class_folder
from .expw import expw_label_file, list_expw
from .file_names import is_jaffe_folder, list_jaffe, list_named_files, parse_label_codes
from .listing import FaceListing
from .rafdb import is_rafdb, list_rafdb

__all__ = ["LAYOUTS", "FaceListing", "LayoutOptions", "detect_layout", "list_layout", "parse_label_codes"]

LAYOUTS: dict[str, str] = {
    "classes": "DIR/<class>/**/<image>, class names from the folder names (CK+48-style exports)",
    "jaffe": "JAFFE's flat folder, <subject>.<expression><take>.<n>.tiff (KA.AN1.39.tiff)",
    "file-names": "any folder, label (and subject) from each file name: --label-pattern (--subject-pattern)",
    "ck+": "the full CK+ distribution (cohn-kanade-images/ and Emotion/), or CK+48-style class folders",
    "rafdb": "RAF-DB basic: EmoLabel/list_patition_label.txt and Image/aligned/",
    "affectnet": "AffectNet: training.csv and validation.csv, face boxes cropped",
    "expw": "ExpW: label.lst, one face box per line, cropped",
}
"""Layout names and what each reads."""


@dataclass(frozen=True)
class LayoutOptions:
    """The settings of a layout beyond its name.

    Attributes
    ----------
    label_pattern : str, optional
        ``file-names``: the regex whose first group (else its match) is a file's label code.
    label_codes : tuple of (code, class or None) pairs, optional
        ``file-names``: each code's FER-2013 class (None: no counterpart); see :func:`parse_label_codes`.
    neutral_first_frame : bool
        ``ck+``: add each labelled sequence's first frame as Neutral.
    """

    label_pattern: str | None = None
    label_codes: tuple[tuple[str, str | None], ...] | None = None
    neutral_first_frame: bool = False


def detect_layout(root: str | Path) -> str:
    """The layout of ``root`` where its files make it unambiguous: the label files of CK+, RAF-DB, AffectNet or
    ExpW, else JAFFE's file names in a flat folder, else class folders.

    Raises
    ------
    DataError
        If ``root`` is not a folder.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    found = [name for name, present in (("ck+", is_ck_plus(root)), ("rafdb", is_rafdb(root)),
                                        ("affectnet", bool(affectnet_files(root))),
                                        ("expw", expw_label_file(root) is not None)) if present]
    if len(found) > 1:
        raise DataError(f"{root}: holds the files of several layouts ({', '.join(found)}); give --layout")
    if found:
        return found[0]
    return "jaffe" if is_jaffe_folder(root) else "classes"


def list_layout(root: str | Path, layout: str | None = "classes", label_map: str | None = None,
                options: LayoutOptions = LayoutOptions()) -> tuple[str, FaceListing]:
    """The faces of ``root`` in ``layout`` (None: :func:`detect_layout`), listed without reading an image.

    Returns
    -------
    (layout, listing)
        The layout read (the detected one where ``layout`` is None) and its :class:`FaceListing`.

    Raises
    ------
    ValueError
        If ``layout`` is unknown, or an option does not go with it (naming the option).
    DataError
        As the layout's reader: the file and line of a bad label, a missing image, an unlabelled image.
    KeyError
        If ``label_map`` is not a known map.
    """
    root = Path(root)
    layout = detect_layout(root) if layout is None else layout
    if layout not in LAYOUTS:
        raise ValueError(f"--layout {layout!r}: expected one of {', '.join(LAYOUTS)}")
    named = layout == "file-names"
    for option, given, fits in (("--label-pattern", options.label_pattern, named),
                                ("--label-codes", options.label_codes, named),
                                ("--label-map", label_map, layout in ("classes", "file-names")),
                                ("--neutral-first-frame", options.neutral_first_frame, layout == "ck+")):
        if given and not fits:
            raise ValueError(f"{option} does not go with --layout {layout}")
    if layout == "file-names":
        if not options.label_pattern:
            raise ValueError("--layout file-names needs --label-pattern REGEX (the label code in each file name)")
        if label_map is not None and label_map not in LABEL_MAPS:
            raise KeyError(f"--label-map {label_map!r}: expected one of {', '.join(LABEL_MAPS)}")
        codes = (dict(options.label_codes) if options.label_codes is not None  # a named map's codes: its names
                 else LABEL_MAPS[label_map] if label_map is not None else None)
        listing = list_named_files(root, options.label_pattern, codes)
    elif layout == "jaffe":
        listing = list_jaffe(root)
    elif layout == "ck+" and is_ck_plus(root):
        listing = list_ck_plus(root, options.neutral_first_frame)
    elif layout in ("ck+", "classes"):
        if options.neutral_first_frame:
            raise ValueError(f"--neutral-first-frame needs the full CK+ distribution ({root} has no "
                             "cohn-kanade-images/ and Emotion/ folders)")
        entries, class_names, excluded = list_class_folder(root, "ck+" if layout == "ck+" else label_map)
        paths = [relative for relative, _ in entries]
        listing = FaceListing(paths, paths, [label for _, label in entries], class_names, excluded,
                              origins=[str(root / relative) for relative in paths])
    else:
        listing = {"rafdb": list_rafdb, "affectnet": list_affectnet, "expw": list_expw}[layout](root)
    return layout, listing
