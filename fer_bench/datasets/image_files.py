"""Image files read with limits: the one decoder behind every loader of image files.

A file is first opened lazily: Pillow reads only its header, and an image whose
header claims more than ``max_pixels`` pixels is refused before one pixel is
decoded. A 400 KB PNG can claim 20000x20000 pixels and take gigabytes to decode
(a decompression bomb); the default limit, :data:`MAX_PIXELS`, is far above any
face photo. ``predict``, ``live`` and ``serve`` check photos and video frames
with :func:`check_pixel_count` before OpenCV decodes them; the folder loaders
turn files into faces with :func:`read_face_files`.

A face image of any size and mode becomes 48x48 grayscale (:func:`to_face`):
EXIF orientation applied, 16-bit values scaled to 8 bits (``convert("L")``
alone clips them, turning a 16-bit face white), converted to ``L``,
centre-cropped to a square and resized (bilinear, antialiased); a 48x48
grayscale image keeps its exact pixels. Images under :data:`MIN_SIDE` pixels on
a side are refused rather than blown up into a uniform face.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ._dataset import DataError

MAX_PIXELS = 40_000_000
"""Default largest image, in pixels (40 megapixels: more than a 7360x4912 full-frame
camera photo, about 120 MB once decoded as BGR). ``--max-pixels`` changes it, up
to Pillow's own hard limit (twice ``PIL.Image.MAX_IMAGE_PIXELS``, 178,956,970)."""
MIN_SIDE = 8
"""Smallest side of a face image, in pixels: a smaller one would be enlarged more
than six times to 48x48, into a face of a few uniform blocks."""
FACE_SIDE = 48


class ImageTooLargeError(DataError):
    """An image whose header claims more pixels than the limit; none of it was decoded."""


def check_pixel_count(width: int, height: int, name: str, max_pixels: int = MAX_PIXELS) -> None:
    """Refuse an image of ``width`` x ``height`` pixels when it has more than ``max_pixels``.

    Raises
    ------
    ImageTooLargeError
        Naming ``name``, its size and the limit.
    """
    if width * height > max_pixels:
        raise ImageTooLargeError(f"{name}: {width}x{height} pixels ({width * height:,}) exceed the limit of "
                                 f"{max_pixels:,} pixels; refused before decoding (raise it with --max-pixels)")


def open_image(data: bytes, name: str, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open image file bytes lazily (the header only) and check their pixel count.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    name : str
        The file's name, for messages.
    max_pixels : int
        Largest accepted width x height.

    Returns
    -------
    PIL.Image.Image
        Not yet decoded; decoding happens on first access to its pixels.

    Raises
    ------
    ImageTooLargeError
        If the image has more than ``max_pixels`` pixels (or more than Pillow's hard limit).
    DataError
        If the bytes are not an image Pillow can identify.
    """
    try:
        with warnings.catch_warnings():  # our limit, checked below, speaks instead of Pillow's warning
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ImageTooLargeError(f"{name}: more than {2 * Image.MAX_IMAGE_PIXELS:,} pixels, Pillow's hard limit; "
                                 f"refused before decoding") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        reason = "corrupt, truncated, empty or an unsupported format"
        raise DataError(f"{name}: not a readable image ({reason})") from error
    check_pixel_count(*image.size, name, max_pixels)
    return image


def to_8bit(image: Image.Image) -> Image.Image:
    """A 16-bit or 32-bit grayscale image (modes ``I;16*``, ``I``, ``F``) as 8-bit ``L``, scaled, not clipped.

    ``I;16`` images, and ``I``/``F`` images with a value above 255, are scaled
    by 255/65535 (rounded); other ``I``/``F`` images hold 8-bit values and keep
    them. Images in other modes are returned unchanged.
    """
    if not (image.mode.startswith("I;16") or image.mode in ("I", "F")):
        return image
    values = np.asarray(image, dtype=np.float64)
    full_scale = 65535 if image.mode.startswith("I;16") or values.max(initial=0) > 255 else 255
    return Image.fromarray(np.clip(np.rint(values * (255 / full_scale)), 0, 255).astype(np.uint8), "L")


def to_face(image: Image.Image) -> np.ndarray:
    """A face image of any size and mode as ``ndarray of uint8, shape (48, 48)`` (see the module docstring)."""
    image = to_8bit(ImageOps.exif_transpose(image)).convert("L")
    return np.asarray(ImageOps.fit(image, (FACE_SIDE, FACE_SIDE), method=Image.Resampling.BILINEAR), dtype=np.uint8)


def face_from_bytes(data: bytes, name: str, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode one face image file's bytes as ``ndarray of uint8, shape (48, 48)``.

    Raises
    ------
    ImageTooLargeError
        If the image has more than ``max_pixels`` pixels (checked before decoding).
    DataError
        If the bytes are not a readable image, or a side is under :data:`MIN_SIDE` pixels.
    """
    with open_image(data, name, max_pixels) as image:
        width, height = image.size
        if min(width, height) < MIN_SIDE:
            raise DataError(f"{name}: {width}x{height} pixels is too small for a face; "
                            f"expected at least {MIN_SIDE}x{MIN_SIDE}")
        try:
            return to_face(image)
        except (OSError, ValueError, SyntaxError) as error:
            raise DataError(f"{name}: not a readable image ({error})") from error


def face_in_box(data: bytes, name: str, box: tuple[int, int, int, int], origin: str,
                max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """The face inside a data set's face box, ``(left, top, right, bottom)`` in pixels of the upright image, as
    ``ndarray of uint8, shape (48, 48)`` (cropped, then as :func:`to_face`).

    Raises
    ------
    DataError
        Naming ``origin`` (the label file and line) if the box is not inside the image; as :func:`open_image`.
    """
    with open_image(data, name, max_pixels) as image:
        try:
            upright = ImageOps.exif_transpose(image)
            width, height = upright.size
            left, top, right, bottom = box
            if not (0 <= left < right <= width and 0 <= top < bottom <= height):
                raise DataError(f"{origin}: face box (left {left}, top {top}, right {right}, bottom {bottom}) lies "
                                f"outside {name} ({width}x{height} pixels)")
            return to_face(upright.crop(box))
        except (OSError, SyntaxError) as error:
            raise DataError(f"{name}: not a readable image ({error})") from error


def entry_kind(path: Path) -> str:
    """``"dir"``, ``"file"`` or ``"other"`` for a folder entry, following symbolic links.

    Raises
    ------
    DataError
        If ``path`` is a symbolic link loop or a link to nothing (naming it).
    """
    try:
        mode = path.stat().st_mode
    except OSError as error:
        what = ("a symbolic link loop" if error.errno == errno.ELOOP else
                "a symbolic link to nothing" if path.is_symlink() else f"unreadable ({error.strerror})")
        raise DataError(f"{path}: {what}; expected a folder or an image file") from None
    return "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def read_face_files(root: Path, relatives: Sequence[str], decode: Sequence[bool] | None = None,
                    max_pixels: int = MAX_PIXELS) -> tuple[np.ndarray, str]:
    """Read image files under ``root`` as faces, and digest them all.

    Parameters
    ----------
    root : Path
    relatives : sequence of str
        POSIX paths relative to ``root``, in digest order.
    decode : sequence of bool, optional
        Which files to decode (default: all); the others are only digested.
    max_pixels : int
        Largest accepted image, in pixels.

    Returns
    -------
    images : ndarray of uint8, shape (n_decoded, 48, 48)
        The decoded faces, in ``relatives`` order.
    sha256 : str
        Hex digest over every file, of its relative path (UTF-8), a NUL byte,
        its size (8 bytes, little-endian) and its bytes.

    Raises
    ------
    DataError
        Naming the first file that cannot be read, is too large or too small,
        or is not an image (see :func:`face_from_bytes`).
    """
    decode = [True] * len(relatives) if decode is None else list(decode)
    digest = hashlib.sha256()
    images = np.empty((sum(decode), FACE_SIDE, FACE_SIDE), dtype=np.uint8)
    position = 0
    for relative, wanted in zip(relatives, decode):
        path = root / relative
        try:
            content = path.read_bytes()
        except OSError as error:
            raise DataError(f"{path}: cannot be read ({error.strerror})") from None
        digest.update(os.fsencode(relative) + b"\0" + len(content).to_bytes(8, "little") + content)
        if wanted:
            images[position] = face_from_bytes(content, str(path), max_pixels)
            position += 1
    return images, digest.hexdigest()


def image_size(path: Path, max_pixels: int = MAX_PIXELS) -> tuple[int, int]:
    """An image file's width and height in pixels, from its header (nothing decoded).

    Raises
    ------
    DataError
        Naming the file, if it cannot be read or is not an image (see :func:`open_image`).
    """
    try:
        content = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path}: cannot be read ({error.strerror})") from None
    with open_image(content, str(path), max_pixels) as image:
        return image.size
