import subprocess
import sys

import pytest

from fer_bench.estimators.torch.architectures import ARCHITECTURES, build_network

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
# dexpression = 435,863 (convolutions with bias, each + BatchNorm2d's 2 * c_out, 48x48 input):
#   conv1 7x7 1->64                  3,136 +  64 =   3,200 + 128
#   FeatEx 1: 1x1 64->96             6,144 +  96 =   6,240 + 192;  3x3 96->208 179,712 + 208 = 179,920 + 416;
#             1x1 64->64 (pooled)    4,096 +  64 =   4,160 + 128
#   FeatEx 2: 1x1 272->96           26,112 +  96 =  26,208 + 192;  3x3 96->208 179,920 + 416; 1x1 272->64 17,472 + 128
#   linear    272 * 3 * 3 = 2,448 -> 7: 17,136 + 7 = 17,143
# ddamfn = 4,134,127 at 112x112 (the paper reports about 4.11 M for its RGB, 7-class DDAMFN).
RESNET9_LAYERS = [704, 73_984, 295_424, 295_424, 1_180_672, 4_720_640, 3_584]


DEXPRESSION_LAYERS = [3_200 + 128, 6_240 + 192 + 179_920 + 416 + 4_160 + 128,
                      26_208 + 192 + 179_920 + 416 + 17_472 + 128, 17_143]


PARAMS_AT_WIDTH_1 = {"shallow_cnn": 5_222_343, "deep_cnn": 5_997_383, "resnet9": sum(RESNET9_LAYERS),
                     "dexpression": sum(DEXPRESSION_LAYERS), "ddamfn": 4_134_127}


INPUT_SIZE = {"ddamfn": 112}


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
    network = build_network(architecture, n_classes=7, width=1.0, input_size=INPUT_SIZE.get(architecture, 48))
    assert n_params(network) == PARAMS_AT_WIDTH_1[architecture]


def test_dexpression_count_is_the_sum_of_its_layers():
    conv1, norm1, _, _, _, featex1, _, featex2, _, _, linear = build_network("dexpression", n_classes=7)
    assert [n_params(conv1) + n_params(norm1)] + [n_params(layer) for layer in (featex1, featex2, linear)] == DEXPRESSION_LAYERS
    assert linear.in_features == 272 * 3 * 3


@pytest.mark.parametrize(("architecture", "side"), [("shallow_cnn", 44), ("deep_cnn", 40), ("resnet9", 40),
                                                    ("dexpression", 44), ("ddamfn", 64)])
def test_networks_take_other_input_sizes(architecture, side):
    network = build_network(architecture, n_classes=5, width=0.125, input_size=side).eval()
    with torch.inference_mode():
        assert network(torch.rand(2, 1, side, side)).shape == (2, 5)


def test_resnet9_count_is_the_sum_of_its_layers():
    network = build_network("resnet9", n_classes=7, width=1.0)
    prep, layer1_conv, _, residual1, layer2_conv, _, layer3_conv, _, residual3, _, _, linear, _ = network
    counts = [n_params(layer) for layer in (prep, layer1_conv, residual1, layer2_conv, layer3_conv, residual3, linear)]
    assert counts == RESNET9_LAYERS


@pytest.mark.parametrize("architecture", sorted(ARCHITECTURES))
def test_a_few_steps_lower_the_loss_on_a_tiny_batch(architecture):
    torch.manual_seed(0)
    side = 32 if architecture == "ddamfn" else 48  # DDAMFN's 112x112 is too slow for a unit test
    network = build_network(architecture, n_classes=7, width=0.125, input_size=side)
    images, labels = torch.rand(8, 1, side, side), torch.arange(8) % 7
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    losses = []
    for _ in range(5):
        output = network(images)
        logits, auxiliary = output if isinstance(output, tuple) else (output, 0.0)
        loss = torch.nn.functional.cross_entropy(logits, labels) + auxiliary
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_unknown_architecture_is_refused():
    with pytest.raises(ValueError, match="resnet9"):
        build_network("resnet50", n_classes=7)


def test_importing_architectures_does_not_import_torch():
    code = "import sys, fer_bench.estimators.torch.architectures; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
