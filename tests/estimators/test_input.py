import numpy as np
import pytest

from fer_bench.estimators._input import as_faces


def test_as_faces_validates_input():
    rows = np.full((2, 2304), 7.2)
    assert as_faces(rows).shape == (2, 48, 48) and as_faces(rows).dtype == np.uint8
    for bad in (np.zeros((2, 40, 40)), np.zeros((0, 48, 48)), np.full((1, 48, 48), 300.0), np.full((1, 48, 48), np.nan)):
        with pytest.raises(ValueError):
            as_faces(bad)


def test_complex_input_is_refused_not_cast():
    with pytest.raises(ValueError, match="complex"):
        as_faces(np.full((1, 48, 48), 7 + 0j))
