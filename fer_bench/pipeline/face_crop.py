"""The largest detected face of an image file's bytes, as a picklable callable for readers of face folders.

A dataset reader (:func:`fer_bench.datasets.class_folder.read_face_folder`) takes
it as its ``crop`` step, so that the data layer never imports the face pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .detection import make_detector
from .faces import crop_faces, decode_image

_DETECTORS: dict[str, object] = {}
"""One detector per name and process (joblib workers each build their own)."""


@dataclass(frozen=True)
class LargestFaceCrop:
    """``crop(content) -> face``: the largest face a detector finds in an image file's bytes, cropped as
    FER-2013 faces are, or None when it finds none.

    Parameters
    ----------
    detector : {"haar", "mtcnn"}
        See :func:`~fer_bench.pipeline.detection.make_detector`.
    margin : float
        Border added around the box, as a fraction of its side.

    Returns (when called)
    ---------------------
    ndarray of uint8, shape (48, 48), or None

    Raises (when called)
    --------------------
    ValueError
        If the bytes are not an image OpenCV can decode.
    """

    detector: str
    margin: float = 0.1

    def __call__(self, content: bytes) -> np.ndarray | None:
        if self.detector not in _DETECTORS:
            _DETECTORS[self.detector] = make_detector(self.detector)
        image = decode_image(content)
        boxes = _DETECTORS[self.detector].detect(image)
        return crop_faces(image, boxes[:1], self.margin)[0] if len(boxes) else None
