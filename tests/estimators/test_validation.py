import numpy as np
import pytest

from fer_bench.estimators._validation import as_faces, encode_distributions


def test_as_faces_validates_input():
    rows = np.full((2, 2304), 7.2)
    assert as_faces(rows).shape == (2, 48, 48) and as_faces(rows).dtype == np.uint8
    for bad in (np.zeros((2, 40, 40)), np.zeros((0, 48, 48)), np.full((1, 48, 48), 300.0), np.full((1, 48, 48), np.nan)):
        with pytest.raises(ValueError):
            as_faces(bad)


def test_complex_input_is_refused_not_cast():
    with pytest.raises(ValueError, match="complex"):
        as_faces(np.full((1, 48, 48), 7 + 0j))


def test_distributions_over_integer_labels_keep_the_columns_of_the_classes_present():
    y = np.array([0, 2, 2, 0])
    classes, y_index = np.unique(y, return_inverse=True)
    weights = np.array([[0.5, 0.25, 0.25], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [2.0, 0.0, 2.0]])
    encoded = encode_distributions(weights, classes, y_index, "crossentropy")
    assert encoded.dtype == np.float32
    np.testing.assert_allclose(encoded, [[2 / 3, 1 / 3], [0, 1], [0, 1], [0.5, 0.5]])  # row 3: all on class 1
