"""FER-2013 faces to what a card's model takes: resized with OpenCV, channels, value range, mean and std, layout."""

from __future__ import annotations

import numpy as np

from .card import InputSpec

INTERPOLATION_FLAGS: dict[str, str] = {"nearest": "INTER_NEAREST", "bilinear": "INTER_LINEAR",
                                       "bicubic": "INTER_CUBIC", "area": "INTER_AREA", "lanczos": "INTER_LANCZOS4"}
"""Each card interpolation and OpenCV's flag for it (``cv2.INTER_*``)."""
MAX_BATCH_BYTES = 256 * 2**20
"""The most one batch of model input may take, in bytes: it sets how many faces go through the model at once."""
MAX_BATCH = 512


def batch_size(spec: InputSpec) -> int:
    """Faces per batch for ``spec``: at most :data:`MAX_BATCH`, and at most :data:`MAX_BATCH_BYTES` of input."""
    bytes_per_face = spec.height * spec.width * spec.n_channels * (1 if spec.dtype == "uint8" else 4)
    return max(1, min(MAX_BATCH, MAX_BATCH_BYTES // bytes_per_face))


def resize_faces(faces: np.ndarray, height: int, width: int, interpolation: str, dtype: str = "float32") -> np.ndarray:
    """Faces ``(n, 48, 48)`` uint8 resized to ``(n, height, width)`` with ``cv2.resize``.

    Resized as float32 (no rounding to whole pixel values in between) unless ``dtype`` is ``uint8``.
    """
    import cv2

    source = faces if dtype == "uint8" else faces.astype(np.float32)
    if source.shape[1:] == (height, width):
        return source
    flag = getattr(cv2, INTERPOLATION_FLAGS[interpolation])
    return np.stack([cv2.resize(face, (width, height), interpolation=flag) for face in source])


def preprocess(faces: np.ndarray, spec: InputSpec) -> np.ndarray:
    """Faces as the model's input.

    Parameters
    ----------
    faces : ndarray of uint8, shape (n, 48, 48)
        Grayscale faces, pixels 0..255.
    spec : InputSpec
        The card's ``[input]``.

    Returns
    -------
    ndarray of float32 (or uint8 where ``spec.dtype`` is), shape (n, H, W, C) or (n, C, H, W)
        Resized to ``spec.height`` x ``spec.width`` (OpenCV, ``spec.interpolation``); gray repeated into three
        channels for ``rgb`` and ``bgr``; pixel 0 mapped to ``value_range[0]`` and 255 to ``value_range[1]``,
        then ``(x - mean) / std`` per channel; channels last (``nhwc``) or first (``nchw``).
    """
    resized = resize_faces(faces, spec.height, spec.width, spec.interpolation, spec.dtype)[..., None]
    if spec.n_channels > 1:
        resized = np.repeat(resized, spec.n_channels, axis=-1)
    if spec.dtype == "float32":
        low, high = spec.value_range
        scaled = resized * np.float32((high - low) / 255.0) + np.float32(low)
        mean, std = np.asarray(spec.mean, dtype=np.float32), np.asarray(spec.std, dtype=np.float32)
        resized = ((scaled - mean) / std).astype(np.float32)
    return np.ascontiguousarray(resized.transpose(0, 3, 1, 2) if spec.layout == "nchw" else resized)
