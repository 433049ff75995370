"""From photos and video to expressions: detect faces, crop them to 48x48 grayscale, classify, annotate.

OpenCV (``opencv-python-headless<5``) is imported when a detector or image is
first used (:func:`import_cv2`), not on import of this package. The studies of
saved models are in :mod:`fer_bench.studies`.
"""

from ._opencv import import_cv2
from .annotate import draw_faces
from .detection import DETECTORS, HaarDetector, ScaledDetector, make_detector
from .faces import FACE_SIZE, INTERPOLATIONS, MAX_MARGIN, check_margin, crop_faces, decode_image, read_image
from .predict import ExpressionClassifier, FacePipeline, FacePrediction, predict_images


def build_pipeline(model_dir, detector: str = "haar", margin: float = 0.1, interpolation: str = "area",
                   detect_width: int | None = None, trust_model: bool = False, runtime: str | None = None,
                   **detector_params) -> FacePipeline:
    """Load ``RUN_DIR/models/NAME`` (or a model card ``NAME.toml``) and a detector into a :class:`FacePipeline`.

    ``detector_params`` go to :func:`make_detector` (``None`` values keep its defaults);
    with ``detect_width`` the detector sees images shrunk to that width (:class:`ScaledDetector`);
    ``trust_model`` loads a model that could run code, ``runtime`` runs its ONNX file (see
    :meth:`ExpressionClassifier.load`).

    Raises
    ------
    FileNotFoundError, ValueError, ImportError
        A missing model folder or cascade file, a bad parameter, OpenCV or facenet-pytorch absent.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"unknown interpolation {interpolation!r}; expected one of {', '.join(INTERPOLATIONS)}")
    check_margin(margin)
    face_detector = make_detector(detector, **detector_params)
    if detect_width:
        face_detector = ScaledDetector(face_detector, detect_width)
    return FacePipeline(ExpressionClassifier.load(model_dir, trust_model, runtime), face_detector, margin, interpolation)


__all__ = ["DETECTORS", "FACE_SIZE", "INTERPOLATIONS", "MAX_MARGIN", "ExpressionClassifier", "FacePipeline",
           "FacePrediction", "HaarDetector", "ScaledDetector", "build_pipeline", "crop_faces", "decode_image",
           "draw_faces", "import_cv2", "make_detector", "predict_images", "read_image"]
