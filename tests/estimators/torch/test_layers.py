import pytest

pytest.importorskip("torch")

import torch  # noqa: E402

from fer_bench.estimators.torch.layers import SnapshotAverage, scaled  # noqa: E402


def test_width_scales_channels_with_a_floor_of_8():
    assert scaled(512, 1.0) == 512 and scaled(512, 0.25) == 128 and scaled(64, 0.05) == 8


def test_a_snapshot_average_outputs_the_log_of_its_members_mean_probabilities():
    torch.manual_seed(0)
    members = [torch.nn.Linear(4, 3) for _ in range(3)]
    x = torch.randn(5, 4)
    mean = torch.stack([member(x).softmax(dim=1) for member in members]).mean(dim=0)
    torch.testing.assert_close(SnapshotAverage(members)(x).softmax(dim=1), mean)
