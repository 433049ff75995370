"""ExpW (Expression in-the-Wild): ``label.lst``, one labelled face box per line, several faces per image.

Zhang et al. (2018) give ``image_name face_id_in_image face_box_top
face_box_left face_box_right face_box_bottom face_box_cofidence
expression_label`` per line (the box's sides in that order, pixels; codes 0-6
in :data:`fer_bench.labels.EXPW_CODES`, FER-2013's own classes and order). Each
face is cropped from its box in ``image/origin/<image_name>``; its name is
``<image path>#<face id>``. The box confidence is not used; there is no
partition and no subject id.
"""

from __future__ import annotations

from pathlib import Path

from ...labels import EXPW_CODES, class_index
from .._dataset import DataError
from .listing import FaceListing, LabelledImage, box_from_sides, code_number, inside, label_lines, listing_of

LABEL_FILES = ("label/label.lst", "label.lst")
"""Where ``label.lst`` is looked for, in order."""
IMAGE_FOLDERS = ("image/origin", "origin", "image", "")
"""Where the images are, the first that is a folder."""
_KNOWN = ", ".join(f"{code} {name}" for code, name in enumerate(EXPW_CODES))


def expw_label_file(root: Path) -> Path | None:
    """ExpW's ``label.lst`` in ``root`` (or ``root/label/``), or None."""
    return next((root / name for name in LABEL_FILES if (root / name).is_file()), None)


def list_expw(root: Path) -> FaceListing:
    """Every face of ``label.lst``, in line order.

    Raises
    ------
    DataError
        Naming ``label.lst`` and the line: not 8 fields, an unknown code, a face box that is not numbers or
        empty, a face named twice, or an image that is missing; or if there is no ``label.lst``.
    """
    label_path = expw_label_file(root)
    if label_path is None:
        raise DataError(f"{root}: no label.lst (nor label/label.lst)")
    images = next(root / folder for folder in IMAGE_FOLDERS if (root / folder).is_dir())
    prefix = images.relative_to(root).as_posix()
    rows, seen = [], {}
    for number, origin, fields in label_lines(label_path):
        if len(fields) != 8:
            raise DataError(f"{origin}: {len(fields)} fields; expected 8 (image_name face_id_in_image face_box_top "
                            "face_box_left face_box_right face_box_bottom face_box_cofidence expression_label)")
        name, face_id, top, left, right, bottom, _, code = fields
        relative = inside(images, name, origin)
        relative = relative if prefix == "." else f"{prefix}/{relative}"
        face = f"{relative}#{face_id}"
        if face in seen:
            raise DataError(f"{origin}: face {face_id} of {name} is labelled again (first on line {seen[face]})")
        seen[face] = number
        native = EXPW_CODES[code_number(code, range(len(EXPW_CODES)), origin, _KNOWN)]
        box = box_from_sides(left, top, right, bottom, origin)
        if not (root / relative).is_file():
            raise DataError(f"{origin}: its image {root / relative} is missing")
        rows.append(LabelledImage(relative, native, class_index(native), origin, box, name=face))
    return listing_of(rows, root, [label_path.relative_to(root).as_posix()])
