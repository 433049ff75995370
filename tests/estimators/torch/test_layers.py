import pytest

pytest.importorskip("torch")

from fer_bench.estimators.torch.layers import scaled  # noqa: E402


def test_width_scales_channels_with_a_floor_of_8():
    assert scaled(512, 1.0) == 512 and scaled(512, 0.25) == 128 and scaled(64, 0.05) == 8
