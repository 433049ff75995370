"""Drawing detected faces, their expression and its probability on an image."""

from __future__ import annotations

import numpy as np

from ._opencv import import_cv2 as _cv2
from .channels import to_bgr

BOX_COLOUR = (0, 200, 0)  # BGR
TEXT_COLOUR = (255, 255, 255)


def draw_faces(image: np.ndarray, faces, extra_text: str | None = None) -> np.ndarray:
    """Return a BGR copy of ``image`` with a box and ``LABEL 87%`` drawn for each face.

    Parameters
    ----------
    image : uint8 (h, w) or (h, w, 3|4)
    faces : sequence of :class:`~.predict.FacePrediction`
        Boxes in pixels of ``image``.
    extra_text : str, optional
        A line written in the top-left corner (e.g. frames per second).
    """
    cv2 = _cv2()
    canvas = to_bgr(image).copy()
    scale = max(0.4, min(canvas.shape[:2]) / 800)
    thickness = max(1, int(round(2 * scale)))
    for face in faces:
        x, y, w, h = face.box
        cv2.rectangle(canvas, (x, y), (x + w, y + h), BOX_COLOUR, thickness)
        _label(canvas, f"{face.label} {face.confidence:.0%}", (x, y), scale, thickness)
    if extra_text:
        _label(canvas, extra_text, (0, 0), scale, thickness, below=True)
    return canvas


def _label(canvas, text, corner, scale, thickness, below=False):
    """Write ``text`` on a filled box just above ``corner`` (or below it when there is no room)."""
    cv2 = _cv2()
    font = cv2.FONT_HERSHEY_SIMPLEX
    (width, height), baseline = cv2.getTextSize(text, font, scale, thickness)
    x, y = corner
    top = y - height - baseline - 4
    if below or top < 0:
        top = y
    cv2.rectangle(canvas, (x, top), (x + width + 4, top + height + baseline + 4), BOX_COLOUR, cv2.FILLED)
    cv2.putText(canvas, text, (x + 2, top + height + 2), font, scale, TEXT_COLOUR, thickness, cv2.LINE_AA)
