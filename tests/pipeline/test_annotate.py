import numpy as np

from fer_bench.pipeline.annotate import BOX_COLOUR, draw_faces
from fer_bench.pipeline.predict import FacePrediction

from .conftest import astronaut


def test_boxes_and_labels_are_drawn_on_a_copy():
    image = astronaut()
    original = image.copy()
    face = FacePrediction([177, 67, 93, 93], "Happy", {"Happy": 0.9, "Sad": 0.1})
    canvas = draw_faces(image, [face], "30.0 fps")
    assert np.array_equal(image, original)
    assert tuple(canvas[120, 177]) == BOX_COLOUR  # left edge of the box
    assert not np.array_equal(canvas[40:67, 177:270], original[40:67, 177:270])  # label above the box
    assert not np.array_equal(canvas[:20, :60], original[:20, :60])  # the fps line


def test_grayscale_images_are_annotated_in_colour():
    gray = astronaut()[:, :, 0]
    assert draw_faces(gray, []).shape == (512, 512, 3)
