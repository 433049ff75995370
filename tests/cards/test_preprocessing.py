"""FER-2013 faces to a card's declared input: OpenCV's resize, channels, value range, mean and std, layout."""

import cv2
import numpy as np
import pytest

from fer_bench.cards import preprocess
from fer_bench.cards.card import InputSpec
from fer_bench.cards.preprocessing import MAX_BATCH_BYTES, batch_size

from .support import faces


def spec(**changes):
    values = dict(height=48, width=48, channels="gray", layout="nhwc", value_range=(0.0, 255.0), mean=(0.0,),
                  std=(1.0,), interpolation="bilinear", dtype="float32")
    return InputSpec(**{**values, **changes})


def test_the_value_range_maps_0_and_255_then_mean_and_std_apply():
    X = np.zeros((1, 48, 48), dtype=np.uint8)
    X[0, 0, 0] = 255
    out = preprocess(X, spec(value_range=(-1.0, 1.0), mean=(0.5,), std=(2.0,)))
    assert out.shape == (1, 48, 48, 1) and out.dtype == np.float32
    assert out[0, 0, 0, 0] == pytest.approx((1.0 - 0.5) / 2.0) and out[0, 1, 1, 0] == pytest.approx((-1.0 - 0.5) / 2.0)


def test_gray_faces_are_repeated_into_three_channels_first_for_nchw_with_per_channel_statistics():
    X = faces(2)
    out = preprocess(X, spec(channels="rgb", layout="nchw", value_range=(0.0, 1.0), mean=(0.485, 0.456, 0.406),
                             std=(0.229, 0.224, 0.225)))
    assert out.shape == (2, 3, 48, 48)
    for channel, (mean, std) in enumerate(zip((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))):
        np.testing.assert_allclose(out[:, channel], (X / 255.0 - mean) / std, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("interpolation, flag", [("nearest", cv2.INTER_NEAREST), ("bilinear", cv2.INTER_LINEAR),
                                                 ("bicubic", cv2.INTER_CUBIC), ("area", cv2.INTER_AREA),
                                                 ("lanczos", cv2.INTER_LANCZOS4)])
def test_faces_are_resized_with_opencv_s_declared_interpolation(interpolation, flag):
    X = faces(3)
    out = preprocess(X, spec(height=64, width=40, interpolation=interpolation))
    assert out.shape == (3, 64, 40, 1)
    expected = cv2.resize(X[1].astype(np.float32), (40, 64), interpolation=flag)
    np.testing.assert_array_equal(out[1, ..., 0], expected)


def test_a_uint8_input_keeps_the_pixels():
    X = faces(2)
    out = preprocess(X, spec(dtype="uint8", height=24, width=24, interpolation="area"))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out[0, ..., 0], cv2.resize(X[0], (24, 24), interpolation=cv2.INTER_AREA))


def test_batches_stay_within_their_memory_bound():
    assert batch_size(spec()) == 512
    large = spec(height=1024, width=1024, channels="rgb")
    assert batch_size(large) * 1024 * 1024 * 3 * 4 <= MAX_BATCH_BYTES and batch_size(large) >= 1
