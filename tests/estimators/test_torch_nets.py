import subprocess
import sys

import pytest

from fer_bench.estimators import _registry
from fer_bench.estimators.torch_nets import ARCHITECTURES, build_network, scaled
from fer_bench.profiles import load_profile

torch = pytest.importorskip("torch")

# Parameters at width=1.0 with 7 classes. A conv block is a bias-free 3x3 Conv2d
# (c_in * c_out * 9) plus BatchNorm2d (2 * c_out); a Linear has n_in * n_out (+ n_out bias).
#
# resnet9 = 6,570,432:
#   prep    conv 1->64                        576 +   128 =       704
#   layer1  conv 64->128                   73,728 +   256 =    73,984
#           residual 2 x conv 128->128  2 x (147,456 + 256) =   295,424
#   layer2  conv 128->256                 294,912 +   512 =   295,424
#   layer3  conv 256->512               1,179,648 + 1,024 = 1,180,672
#           residual 2 x conv 512->512  2 x (2,359,296 + 1,024) = 4,720,640
#   linear  512->7, no bias                                     3,584
# shallow_cnn = 5,222,343: convs 704 + 73,984 + 295,424; head Linear 9,216->512 (4,719,104),
#   512->256 (131,328), 256->7 (1,799).
# deep_cnn = 5,997,383: convs 704 + 36,992 + 73,984 + 147,712 + 295,424 + 590,336; the same head.
RESNET9_LAYERS = [704, 73_984, 295_424, 295_424, 1_180_672, 4_720_640, 3_584]
PARAMS_AT_WIDTH_1 = {"shallow_cnn": 5_222_343, "deep_cnn": 5_997_383, "resnet9": sum(RESNET9_LAYERS)}


def n_params(module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


@pytest.mark.parametrize("architecture", sorted(ARCHITECTURES))
def test_forward_shape(architecture):
    torch.manual_seed(0)
    network = build_network(architecture, n_classes=7, width=0.125).eval()
    with torch.inference_mode():
        logits = network(torch.rand(3, 1, 48, 48))
    assert logits.shape == (3, 7) and logits.dtype == torch.float32


@pytest.mark.parametrize("architecture", sorted(ARCHITECTURES))
def test_parameter_count_at_width_1(architecture):
    assert n_params(build_network(architecture, n_classes=7, width=1.0)) == PARAMS_AT_WIDTH_1[architecture]


def test_resnet9_count_is_the_sum_of_its_layers():
    network = build_network("resnet9", n_classes=7, width=1.0)
    prep, layer1_conv, _, residual1, layer2_conv, _, layer3_conv, _, residual3, _, _, linear, _ = network
    counts = [n_params(layer) for layer in (prep, layer1_conv, residual1, layer2_conv, layer3_conv, residual3, linear)]
    assert counts == RESNET9_LAYERS


@pytest.mark.parametrize("architecture", sorted(ARCHITECTURES))
def test_a_few_steps_lower_the_loss_on_a_tiny_batch(architecture):
    torch.manual_seed(0)
    network = build_network(architecture, n_classes=7, width=0.125)
    images, labels = torch.rand(8, 1, 48, 48), torch.arange(8) % 7
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    losses = []
    for _ in range(5):
        loss = torch.nn.functional.cross_entropy(network(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_width_scales_channels_with_a_floor_of_8():
    assert scaled(512, 1.0) == 512 and scaled(512, 0.25) == 128 and scaled(64, 0.05) == 8


def test_unknown_architecture_is_refused():
    with pytest.raises(ValueError, match="resnet9"):
        build_network("resnet50", n_classes=7)


@pytest.mark.parametrize("name", ["shallow_cnn", "deep_cnn", "resnet9"])
def test_factories_take_the_profile_network_settings(name):
    spec = _registry._REGISTRY[name]  # registered on import of torch_nets
    assert (spec.family, spec.framework) == ("network", "torch")
    profile = load_profile("smoke")
    estimator = spec.create(profile)
    assert estimator.architecture == name
    expected = profile.network_params(name)
    assert (estimator.epochs, estimator.batch_size, estimator.width) == (
        expected["epochs"], expected["batch_size"], expected["width"])


def test_quick_profile_train_size_is_not_passed_to_the_network():
    estimator = _registry._REGISTRY["resnet9"].create(load_profile("quick"))
    assert "train_size" not in estimator.get_params()


def test_importing_torch_nets_does_not_import_torch():
    code = "import sys, fer_bench.estimators.torch_nets; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
