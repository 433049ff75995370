"""Face detectors: OpenCV's Haar cascade (default) and MTCNN.

Every detector takes a BGR or grayscale ``uint8`` image and returns the faces'
boxes as ``int64 (k, 4)`` rows ``x, y, w, h`` in pixels of that image, the most
confident (or largest) face first.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np

from ._opencv import import_cv2 as _cv2
from .channels import to_gray

DETECTORS: tuple[str, ...] = ("haar", "mtcnn")
"""Names accepted by :func:`make_detector`."""

DEFAULT_CASCADE = "haarcascade_frontalface_default.xml"


class HaarDetector:
    """Viola-Jones face detector: an OpenCV Haar (or LBP) cascade.

    Source: Viola and Jones, "Rapid object detection using a boosted cascade of
    simple features", CVPR 2001; the cascade file is OpenCV's frontal-face model
    (``cv2.data.haarcascades``) unless ``cascade`` names another XML file.

    Parameters
    ----------
    scale_factor : float
        Ratio between successive scales of the search window (> 1; smaller is slower and finds more).
    min_neighbors : int
        Overlapping detections needed to keep a face (higher gives fewer false boxes).
    min_size : int
        Smallest face searched for, in pixels (side of a square).
    cascade : path, optional
        A cascade XML file, e.g. one trained with ``opencv_traincascade``.

    Raises
    ------
    FileNotFoundError
        If ``cascade`` does not exist.
    ValueError
        If the cascade file cannot be loaded or a parameter is out of range.
    """

    def __init__(self, scale_factor: float = 1.1, min_neighbors: int = 5, min_size: int = 30,
                 cascade: str | Path | None = None):
        cv2 = _cv2()
        if scale_factor <= 1.0:
            raise ValueError(f"--scale-factor must be > 1, got {scale_factor}")
        if min_neighbors < 0 or min_size < 1:
            raise ValueError(f"--min-neighbors must be >= 0 and --min-size >= 1, got {min_neighbors}, {min_size}")
        path = Path(cascade) if cascade is not None else Path(cv2.data.haarcascades) / DEFAULT_CASCADE
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such cascade file")
        try:
            self._classifier = cv2.CascadeClassifier(str(path))
            usable = not self._classifier.empty()
        except (cv2.error, SystemError):  # OpenCV raises on some malformed XML instead of loading nothing
            usable = False
        if not usable:
            raise ValueError(f"{path}: not an OpenCV cascade classifier XML file")
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.min_size = min_size
        self.cascade = str(path)

    def detect(self, image: np.ndarray) -> np.ndarray:
        """Return face boxes ``int64 (k, 4)`` as ``x, y, w, h``, largest first."""
        gray = _cv2().equalizeHist(to_gray(image))
        boxes = self._classifier.detectMultiScale(gray, scaleFactor=self.scale_factor, minNeighbors=self.min_neighbors,
                                                  minSize=(self.min_size, self.min_size))
        boxes = np.asarray(boxes, dtype=np.int64).reshape(-1, 4)
        return boxes[np.argsort(-boxes[:, 2] * boxes[:, 3], kind="stable")]


def make_detector(name: str = "haar", **params):
    """Build a detector by name: ``"haar"`` (:class:`HaarDetector`) or ``"mtcnn"`` (:class:`~.mtcnn.MTCNNDetector`).

    ``params`` go to the detector's constructor; ``None`` values are left at the
    detector's defaults.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`DETECTORS`, or a parameter given is not one of its parameters.
    """
    if name == "haar":
        kind = HaarDetector
    elif name == "mtcnn":
        from .mtcnn import MTCNNDetector as kind
    else:
        raise ValueError(f"unknown detector {name!r}; expected one of {', '.join(DETECTORS)}")
    given = {key: value for key, value in params.items() if value is not None}
    unknown = sorted(set(given) - set(inspect.signature(kind).parameters))
    if unknown:
        raise ValueError(f"detector {name!r} takes no {', '.join(unknown)} "
                         f"(it takes {', '.join(inspect.signature(kind).parameters)})")
    return kind(**given)


class ScaledDetector:
    """Run ``detector`` on a copy of the image shrunk to ``width`` pixels, boxes mapped back.

    Detection cost grows with the pixel count, so halving a 640x480 frame's width
    makes a Haar cascade about four times faster; faces smaller than the detector's
    ``min_size`` at the reduced size are missed.

    Parameters
    ----------
    detector : object with ``detect(image) -> int (k, 4)``
    width : int
        Width of the image the detector sees; images already this narrow are not resized.
    """

    def __init__(self, detector, width: int = 320):
        if width < 32:
            raise ValueError(f"--detect-width must be >= 32 pixels, got {width}")
        self.detector = detector
        self.width = width

    def detect(self, image: np.ndarray) -> np.ndarray:
        """Return face boxes ``int64 (k, 4)`` as ``x, y, w, h`` in pixels of ``image``."""
        cv2 = _cv2()
        scale = image.shape[1] / self.width
        if scale <= 1:
            return self.detector.detect(image)
        small = cv2.resize(image, (self.width, int(round(image.shape[0] / scale))), interpolation=cv2.INTER_AREA)
        return np.round(self.detector.detect(small) * scale).astype(np.int64)
