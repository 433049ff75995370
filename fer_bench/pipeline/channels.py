"""An image in the channel layout a step needs: grayscale for detection and cropping, BGR for drawing and MTCNN."""

from __future__ import annotations

import numpy as np

from ._opencv import import_cv2 as _cv2


def to_gray(image: np.ndarray) -> np.ndarray:
    """Return a grayscale ``uint8 (h, w)`` view of a BGR, BGRA or grayscale image."""
    cv2 = _cv2()
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 1:
        return image[:, :, 0]
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    raise ValueError(f"expected an image of shape (h, w) or (h, w, 1|3|4), got {image.shape}")


def to_bgr(image: np.ndarray) -> np.ndarray:
    """Return a 3-channel BGR ``uint8 (h, w, 3)`` copy or view of a BGR, BGRA or grayscale image."""
    cv2 = _cv2()
    if image.ndim == 2 or image.shape[2] == 1:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image
