"""Reading photos and turning detected faces into FER-2013-style inputs (grayscale 48x48)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..datasets.image_files import MAX_PIXELS, open_image
from ._opencv import import_cv2 as _cv2
from .channels import to_gray

FACE_SIZE = 48
"""Side of a FER-2013 face, in pixels."""

INTERPOLATIONS: tuple[str, ...] = ("area", "linear", "cubic", "nearest", "lanczos")
"""Resampling methods for :func:`crop_faces` (OpenCV's ``INTER_*``); ``area`` suits shrinking."""

MAX_MARGIN = 1.0
"""The widest border :func:`crop_faces` adds on each side of a face, as a fraction of its side: the crop is then
three times the face's side (FER-2013's faces have next to none)."""


def check_margin(margin: float) -> None:
    """Raise ValueError naming ``--margin`` unless ``0 <= margin <= MAX_MARGIN`` (NaN and infinity are refused)."""
    if not 0 <= margin <= MAX_MARGIN:
        raise ValueError(f"--margin {margin}: expected a fraction of the face's side from 0 to {MAX_MARGIN:g}")


def read_image(path: str | Path, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Read a photo (JPEG, PNG, BMP, TIFF, WebP, ...; colour or grayscale) as BGR ``uint8 (h, w, 3)``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not an image OpenCV can decode (corrupt, truncated, another format),
        or has more than ``max_pixels`` pixels (see :func:`decode_image`).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such image file")
    return decode_image(path.read_bytes(), str(path), max_pixels)


def decode_image(data: bytes, name: str = "image", max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode image file bytes into BGR ``uint8 (h, w, 3)``; ``name`` is used in the error.

    The header is read first (:func:`fer_bench.datasets.image_files.open_image`):
    an image of more than ``max_pixels`` pixels is refused before decoding.

    Raises
    ------
    ImageTooLargeError
        (a ``ValueError``) If the image has more than ``max_pixels`` pixels.
    ValueError
        If the bytes are not an image Pillow can identify and OpenCV can decode.
    """
    cv2 = _cv2()
    open_image(data, name, max_pixels).close()
    try:
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    except cv2.error as error:
        raise ValueError(f"{name}: OpenCV cannot decode it ({str(error).strip().splitlines()[-1]})") from None
    if image is None:
        raise ValueError(f"{name}: not a readable image (corrupt, empty or an unsupported format)")
    return image


def crop_faces(image: np.ndarray, boxes: np.ndarray, margin: float = 0.1, size: int = FACE_SIZE,
               interpolation: str = "area") -> np.ndarray:
    """Cut faces out of an image as grayscale squares, as FER-2013 faces are.

    Each box is grown by ``margin`` of its side on every side and made square about
    its centre; parts outside the image are filled by replicating its border.

    Parameters
    ----------
    image : uint8 (h, w) or (h, w, 3|4)
        Grayscale, BGR or BGRA image.
    boxes : int (k, 4)
        Faces as ``x, y, w, h`` in pixels of ``image``.
    margin : float
        Extra border per side, as a fraction of the box side (0.1 = 10 %), at most :data:`MAX_MARGIN`.
    size : int
        Side of the output faces in pixels.
    interpolation : str
        One of :data:`INTERPOLATIONS`.

    Returns
    -------
    uint8 (k, size, size)

    Raises
    ------
    ValueError
        If ``interpolation`` is unknown or ``margin`` is outside 0 .. :data:`MAX_MARGIN`.
    """
    cv2 = _cv2()
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"unknown interpolation {interpolation!r}; expected one of {', '.join(INTERPOLATIONS)}")
    check_margin(margin)
    flag = getattr(cv2, f"INTER_{'LANCZOS4' if interpolation == 'lanczos' else interpolation.upper()}")
    gray = to_gray(image)
    faces = np.empty((len(boxes), size, size), dtype=np.uint8)
    for index, (x, y, w, h) in enumerate(np.asarray(boxes, dtype=np.int64).reshape(-1, 4)):
        side = int(round(max(w, h) * (1 + 2 * margin)))
        left, top = int(x + w / 2 - side / 2), int(y + h / 2 - side / 2)
        pad = max(0, -left, -top, left + side - gray.shape[1], top + side - gray.shape[0])
        source = cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_REPLICATE) if pad else gray
        square = source[top + pad:top + pad + side, left + pad:left + pad + side]
        faces[index] = cv2.resize(square, (size, size), interpolation=flag)
    return faces
