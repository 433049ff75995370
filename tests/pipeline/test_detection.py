import importlib.util
from pathlib import Path

import numpy as np
import pytest

from fer_bench.pipeline.channels import to_gray
from fer_bench.pipeline.detection import HaarDetector, ScaledDetector, make_detector

from .conftest import astronaut, cat, cv2, group_photo

ASTRONAUT_FACE = (177, 67, 93, 93)  # x, y, w, h, checked by eye


def overlap(box, other) -> float:
    """Intersection over union of two x, y, w, h boxes."""
    x1, y1 = max(box[0], other[0]), max(box[1], other[1])
    x2, y2 = min(box[0] + box[2], other[0] + other[2]), min(box[1] + box[3], other[1] + other[3])
    inter = max(0, x2 - x1) * max(0, y2 - y1)
    return inter / (box[2] * box[3] + other[2] * other[3] - inter)


def test_haar_finds_the_one_face_of_the_astronaut_in_colour_and_grayscale():
    detector = HaarDetector()
    for image in (astronaut(), to_gray(astronaut())):
        boxes = detector.detect(image)
        assert boxes.dtype == np.int64 and boxes.shape == (1, 4)
        assert overlap(boxes[0], ASTRONAUT_FACE) > 0.6


def test_haar_finds_no_face_on_a_cat():
    assert HaarDetector().detect(cat()).shape == (0, 4)


def test_haar_finds_every_face_of_a_group_photo_largest_first():
    image, n_faces = group_photo()
    boxes = HaarDetector().detect(image)
    assert len(boxes) == n_faces
    areas = boxes[:, 2] * boxes[:, 3]
    assert list(areas) == sorted(areas, reverse=True)
    assert not any(x >= 320 and y >= 320 for x, y, _, _ in boxes)  # nothing on the cat's tile


def test_haar_parameters_change_what_is_found():
    image = group_photo()[0]
    assert len(HaarDetector(min_size=200).detect(image)) == 0  # the faces are about 60 px


def test_a_user_cascade_file_is_used(tmp_path):
    eyes = HaarDetector(cascade=Path(cv2.data.haarcascades) / "haarcascade_eye.xml", min_size=10).detect(astronaut())
    x, y, w, h = ASTRONAUT_FACE
    assert len(eyes) >= 1 and (eyes[:, 2] < w / 2).all()  # eyes, not faces
    assert ((eyes[:, 0] >= x) & (eyes[:, 1] >= y) & (eyes[:, 0] + eyes[:, 2] <= x + w)).all()
    with pytest.raises(FileNotFoundError, match="no-such.xml"):
        HaarDetector(cascade=tmp_path / "no-such.xml")
    (tmp_path / "bad.xml").write_text("<opencv_storage></opencv_storage>")
    with pytest.raises(ValueError, match="bad.xml: not an OpenCV cascade"):
        HaarDetector(cascade=tmp_path / "bad.xml")


@pytest.mark.parametrize("params, message", [({"scale_factor": 1.0}, "scale-factor"), ({"min_size": 0}, "min-size")])
def test_haar_rejects_bad_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        HaarDetector(**params)


def test_make_detector_names_unknown_detectors_and_parameters():
    with pytest.raises(ValueError, match="unknown detector 'yolo'"):
        make_detector("yolo")
    with pytest.raises(ValueError, match="takes no cascade"):
        make_detector("mtcnn", cascade="x.xml")
    assert make_detector("haar", scale_factor=None).scale_factor == 1.1  # None keeps the default


@pytest.mark.skipif(importlib.util.find_spec("facenet_pytorch") is None,
                    reason="mtcnn weights need `pip install --no-deps facenet-pytorch`")
def test_mtcnn_finds_the_astronaut_and_not_the_cat():
    detector = make_detector("mtcnn", min_size=60)
    boxes = detector.detect(astronaut())
    assert boxes.shape == (1, 4) and overlap(boxes[0], ASTRONAUT_FACE) > 0.5
    assert detector.detect(cat()).shape == (0, 4)


def test_a_scaled_detector_returns_boxes_in_pixels_of_the_full_image():
    detector = HaarDetector()
    [box] = ScaledDetector(detector, width=256).detect(astronaut())
    assert overlap(box, ASTRONAUT_FACE) > 0.6
    assert np.array_equal(ScaledDetector(detector, width=1024).detect(astronaut()), detector.detect(astronaut()))
    with pytest.raises(ValueError, match="--detect-width must be >= 32"):
        ScaledDetector(detector, width=8)


def test_mtcnn_without_its_weights_says_how_to_install_them(monkeypatch):
    from fer_bench.pipeline import mtcnn

    monkeypatch.setattr(mtcnn, "WEIGHTS_PACKAGE", "no_such_weights_package")
    with pytest.raises(ImportError, match="pip install --no-deps facenet-pytorch"):
        make_detector("mtcnn")
    with pytest.raises(ValueError, match="--min-size >= 12"):
        mtcnn.MTCNNDetector(min_size=8)
