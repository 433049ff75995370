import numpy as np
import pytest

from fer_bench.pipeline.channels import to_bgr, to_gray

from .conftest import astronaut, cv2


def test_image_conversions_accept_gray_bgr_and_bgra():
    bgr = astronaut()
    bgra = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)
    assert to_gray(bgra).shape == to_gray(bgr).shape == (512, 512)
    assert to_bgr(to_gray(bgr)).shape == to_bgr(bgra).shape == (512, 512, 3)
    with pytest.raises(ValueError, match="expected an image of shape"):
        to_gray(np.zeros((2, 2, 2), dtype=np.uint8))
