"""Photos -> faces -> expressions: the pipeline behind ``predict``, ``live`` and ``serve``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..datasets.image_files import MAX_PIXELS
from ..labels import FER2013_CLASSES
from .faces import crop_faces

WRITABLE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
"""Annotated images keep these formats; others (GIF, ...) are written as PNG."""


@dataclass
class FacePrediction:
    """One face: its box ``[x, y, w, h]`` in pixels of the input image, label and class probabilities."""

    box: list[int]
    label: str
    probabilities: dict[str, float] = field(default_factory=dict)

    @property
    def confidence(self) -> float:
        """Probability of the predicted label."""
        return self.probabilities.get(self.label, 1.0)

    def to_dict(self) -> dict:
        """The JSON form: ``{"box": [x, y, w, h], "label": name, "probabilities": {name: p}}``."""
        return {"box": list(self.box), "label": self.label, "probabilities": dict(self.probabilities)}


class ExpressionClassifier:
    """A fitted fer_bench estimator with the names of its classes.

    Parameters
    ----------
    estimator : classifier
        Takes uint8 faces (n, 48, 48); has ``classes_``, ``predict`` and ideally ``predict_proba``.
    class_names : sequence of str
        Name of each label (``class_names[label]``).
    """

    def __init__(self, estimator, class_names=FER2013_CLASSES):
        self.estimator = estimator
        self.class_names = tuple(class_names)
        self._names = [self._name(label) for label in estimator.classes_]

    @classmethod
    def load(cls, model_dir: str | Path, trust: bool = False, runtime: str | None = None) -> "ExpressionClassifier":
        """Load ``RUN_DIR/models/NAME`` (or a model card ``NAME.toml``) with the names of its own classes.

        See :func:`~fer_bench.estimators.persistence.load_estimator` (``trust``, ``runtime``) and
        :func:`~fer_bench.estimators.persistence.saved_class_names`; a model that
        records no names gets FER-2013's seven.

        Raises
        ------
        FileNotFoundError, ValueError, ImportError
            If the folder holds no saved fer_bench model, or one it refuses to load; a bad card; a missing runtime.
        """
        from ..estimators.persistence import load_estimator, saved_class_names

        return cls(load_estimator(model_dir, trust, runtime), saved_class_names(model_dir) or FER2013_CLASSES)

    def _name(self, label) -> str:
        index = int(label) if np.issubdtype(np.asarray(label).dtype, np.integer) else None
        return self.class_names[index] if index is not None and 0 <= index < len(self.class_names) else str(label)

    def classify(self, faces: np.ndarray) -> list[tuple[str, dict[str, float]]]:
        """Label and probabilities of each face in ``faces`` uint8 (n, 48, 48), in one batch."""
        if len(faces) == 0:
            return []
        if hasattr(self.estimator, "predict_proba"):
            proba = np.asarray(self.estimator.predict_proba(faces), dtype=np.float64)
        else:  # a classifier without probabilities: its decision, with probability 1
            labels = list(self.estimator.classes_)
            proba = np.eye(len(labels))[[labels.index(label) for label in self.estimator.predict(faces)]]
        results = []
        for row in proba:
            probabilities = {name: round(float(p), 4) for name, p in zip(self._names, row)}
            results.append((self._names[int(row.argmax())], probabilities))
        return results


class FacePipeline:
    """Detect faces in a photo, crop them to FER-2013 faces, classify their expression.

    Parameters
    ----------
    classifier : ExpressionClassifier
    detector : object with ``detect(image) -> int (k, 4)``
        E.g. :class:`~.detection.HaarDetector`.
    margin : float
        Extra border around each box before cropping (fraction of its side).
    interpolation : str
        Resampling of the crops to 48x48, see :data:`~.faces.INTERPOLATIONS`.
    """

    def __init__(self, classifier: ExpressionClassifier, detector, margin: float = 0.1, interpolation: str = "area"):
        self.classifier = classifier
        self.detector = detector
        self.margin = margin
        self.interpolation = interpolation

    def classify_boxes(self, image: np.ndarray, boxes: np.ndarray) -> list[FacePrediction]:
        """Classify the faces at ``boxes`` (``x, y, w, h`` rows) of ``image``."""
        faces = crop_faces(image, boxes, margin=self.margin, interpolation=self.interpolation)
        return [FacePrediction([int(v) for v in box], label, probabilities)
                for box, (label, probabilities) in zip(boxes, self.classifier.classify(faces))]

    def analyze(self, image: np.ndarray) -> list[FacePrediction]:
        """Every face found in ``image`` (BGR or grayscale uint8) with its expression."""
        return self.classify_boxes(image, self.detector.detect(image))


def annotated_path(out_dir: Path, image_path: Path, taken: set[Path]) -> Path:
    """``OUT/<stem>_faces<ext>`` (PNG for formats OpenCV does not write), unique within ``taken``."""
    suffix = image_path.suffix.lower() if image_path.suffix.lower() in WRITABLE_SUFFIXES else ".png"
    candidate, number = out_dir / f"{image_path.stem}_faces{suffix}", 1
    while candidate in taken:
        number += 1
        candidate = out_dir / f"{image_path.stem}_faces_{number}{suffix}"
    taken.add(candidate)
    return candidate



def encode_image(image: np.ndarray, suffix: str = ".png") -> bytes:
    """Encode a BGR image as file bytes in the format of ``suffix``."""
    from ._opencv import import_cv2 as _cv2

    ok, buffer = _cv2().imencode(suffix, image)
    if not ok:
        raise ValueError(f"OpenCV cannot encode an image as {suffix}")
    return buffer.tobytes()


def predict_images(paths, pipeline: FacePipeline, out_dir: str | Path | None = None, log=None,
                   max_pixels: int = MAX_PIXELS) -> tuple[list[dict], list[str]]:
    """Run ``pipeline`` on image files; optionally write each annotated image to ``out_dir``.

    Parameters
    ----------
    paths : sequence of path
    pipeline : FacePipeline
    out_dir : path, optional
        Folder for annotated copies, ``<stem>_faces<ext>`` (created if needed).
    log : callable, optional
        Receives one message per line (e.g. a file without faces, an unreadable file).
    max_pixels : int
        Largest image read, in pixels; a larger one is an unreadable file, refused before decoding.

    Returns
    -------
    results : list of dict
        One ``{"image": path, "faces": [FacePrediction.to_dict(), ...]}`` per path, in order;
        an unreadable file gets ``"faces": []`` and ``"error": message``.
    errors : list of str
        The messages of the files that could not be read.
    """
    from .._io import atomic_write_bytes
    from .annotate import draw_faces
    from .faces import read_image

    log = log or (lambda message: None)
    out_dir = Path(out_dir) if out_dir is not None else None
    results, errors, taken = [], [], set()
    for path in map(Path, paths):
        try:
            image = read_image(path, max_pixels)
        except Exception as error:  # one bad file (also cv2.error, a decompression bomb) is named, the rest processed
            message = str(error) if isinstance(error, (FileNotFoundError, ValueError)) else \
                f"{path}: not a readable image ({type(error).__module__}.{type(error).__name__}: {str(error).strip().splitlines()[0]})"
            errors.append(message)
            log(f"error: {message}")
            results.append({"image": str(path), "faces": [], "error": message})
            continue
        faces = pipeline.analyze(image)
        if not faces:
            log(f"{path}: no face found")
        results.append({"image": str(path), "faces": [face.to_dict() for face in faces]})
        if out_dir is not None:
            target = annotated_path(out_dir, path, taken)
            atomic_write_bytes(target, encode_image(draw_faces(image, faces), target.suffix))
            log(f"{path}: {len(faces)} face(s), annotated image {target}")
    return results, errors
