import numpy as np

from fer_bench.estimators.keras.architectures import build_seed_cnn, build_seed_cnn5


def test_seed_cnn_has_the_seeds_parameter_counts():
    network = build_seed_cnn()
    non_trainable = sum(int(np.prod(weight.shape)) for weight in network.non_trainable_weights)
    assert network.count_params() == 2_137_991
    assert non_trainable == 3_584
    assert network.output_shape == (None, 7)
    flatten = next(layer for layer in network.layers if layer.name.startswith("flatten"))
    assert flatten.output.shape == (None, 5 * 5 * 64)


def test_seed_cnn5_has_the_second_seeds_parameter_count():
    network = build_seed_cnn5()
    assert network.count_params() == 1_004_805
    assert network.output_shape == (None, 5)
    flatten = next(layer for layer in network.layers if layer.name.startswith("flatten"))
    assert flatten.output.shape == (None, 256)  # four valid 3x3 convolutions and 2x2 poolings: 48 -> 1
