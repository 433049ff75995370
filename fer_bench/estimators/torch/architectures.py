"""PyTorch networks: the seeds' shallow and deep CNNs, Myrtle.ai's ResNet-9, DeXpression and DDAMFN.

The builders return ``torch.nn.Module`` objects taking ``float32 (n, 1, s, s)``
grayscale faces (``s = input_size``: 48, a smaller crop side, or DDAMFN's 112)
and returning ``(n, n_classes)`` logits; :class:`~.classifier.TorchClassifier`
calls them and trains the result; :mod:`.zoo` registers them. Importing this
module does not import PyTorch: the builders import it (and :mod:`.layers`)
when called, so that ``python -m fer_bench list`` stays fast.

Every builder is ``builder(n_classes=7, width=1.0, input_size=...)``:
``n_classes`` output logits; every channel count and hidden width multiplied by
``width`` (at least 8 kept, :func:`~.layers.scaled`), so the smoke profile can
shrink the networks, ``width=1.0`` being the published layout; ``input_size``
the side of the square input. All convolutions of the seeds' CNNs and
ResNet-9 are a :func:`~.layers.conv_block`: 3x3 convolution (padding 1, no bias
since batch normalisation follows), BatchNorm2d, ReLU.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .._validation import IMAGE_SIZE, check_option

if TYPE_CHECKING:
    from torch import nn

SEED_CNN_CHANNELS = (64, 128, 256)
"""Channels of the three stages of the seeds' CNNs at ``width=1``, each stage ending in 2x2 max pooling."""


def _seed_cnn(convs_per_stage: int, n_classes: int, width: float, input_size: int) -> "nn.Sequential":
    """The seeds' CNN layout: ``convs_per_stage`` conv blocks per stage of :data:`SEED_CNN_CHANNELS`,
    2x2 max pooling after each stage, then the dense head (Flatten, Linear 512, Linear 256, Linear ``n_classes``)."""
    from torch import nn

    from .layers import conv_block, dense_head, scaled

    layers, c_in = [], 1
    for channels in SEED_CNN_CHANNELS:
        c_out = scaled(channels, width)
        layers += [conv_block(c_in, c_out), *(conv_block(c_out, c_out) for _ in range(convs_per_stage - 1)),
                   nn.MaxPool2d(2)]
        c_in = c_out
    side = input_size // 8  # three 2x2 max poolings, each rounding down
    return nn.Sequential(*layers, *dense_head(c_in * side * side, n_classes, width))


def shallow_cnn(n_classes: int = 7, width: float = 1.0, input_size: int = IMAGE_SIZE) -> "nn.Sequential":
    """The seeds' shallow CNN: three conv blocks, each followed by 2x2 max pooling.

    Layout (``width=1``): conv 64 -> pool -> conv 128 -> pool -> conv 256 -> pool
    (48 -> 24 -> 12 -> 6 pixels), then Flatten (256 * 6 * 6 = 9,216 features),
    Linear 512 + ReLU, Linear 256 + ReLU, Linear ``n_classes``. No dropout: the
    random flip and crop of :class:`~.classifier.TorchClassifier` are the regularisers.

    ``input_size``: side of the square input (48, or the crop side of ten-crop training); the
    flattened features are ``c3 * (input_size // 8) ** 2``.

    Returns
    -------
    torch.nn.Sequential
        ``float32 (n, 1, input_size, input_size)`` -> ``(n, n_classes)`` logits.
    """
    return _seed_cnn(1, n_classes, width, input_size)


def deep_cnn(n_classes: int = 7, width: float = 1.0, input_size: int = IMAGE_SIZE) -> "nn.Sequential":
    """The seeds' deep CNN: six conv blocks in pairs, 2x2 max pooling after each pair.

    Layout (``width=1``): conv 64, conv 64 -> pool -> conv 128, conv 128 -> pool
    -> conv 256, conv 256 -> pool (48 -> 24 -> 12 -> 6 pixels), then the head of
    :func:`shallow_cnn` (Flatten 9,216, Linear 512, Linear 256, Linear ``n_classes``).
    Takes the parameters of :func:`shallow_cnn` and maps ``float32 (n, 1, input_size, input_size)``
    to ``(n, n_classes)`` logits as it does.
    """
    return _seed_cnn(2, n_classes, width, input_size)


def resnet9(n_classes: int = 7, width: float = 1.0, input_size: int = IMAGE_SIZE) -> "nn.Sequential":
    """ResNet-9 of Myrtle.ai's "How to train your ResNet" (David Page, 2018), for one channel.

    The DAWNBench CIFAR-10 network (https://myrtle.ai/learn/how-to-train-your-resnet/):

    - prep: conv 64 (48 x 48);
    - layer1: conv 128, max pool 2 (24 x 24), residual (conv 128, conv 128, plus the input);
    - layer2: conv 256, max pool 2 (12 x 12);
    - layer3: conv 512, max pool 2 (6 x 6), residual (conv 512, conv 512, plus the input);
    - AdaptiveMaxPool2d(1), Flatten, Linear(512, n_classes, no bias), logits times 0.125.

    ``input_size``: unused: global pooling takes any input of at least 8 x 8.

    Returns
    -------
    torch.nn.Sequential
        ``float32 (n, 1, H, W)`` -> ``(n, n_classes)`` logits; any H, W >= 8 (global pooling).
    """
    from torch import nn

    from .layers import Residual, Scale, conv_block, scaled

    c0, c1, c2, c3 = (scaled(c, width) for c in (64, 128, 256, 512))
    return nn.Sequential(
        conv_block(1, c0),
        conv_block(c0, c1), nn.MaxPool2d(2), Residual(conv_block(c1, c1), conv_block(c1, c1)),
        conv_block(c1, c2), nn.MaxPool2d(2),
        conv_block(c2, c3), nn.MaxPool2d(2), Residual(conv_block(c3, c3), conv_block(c3, c3)),
        nn.AdaptiveMaxPool2d(1), nn.Flatten(),
        nn.Linear(c3, n_classes, bias=False),
        Scale(0.125),  # Myrtle's fixed logit scaling: keeps early softmax outputs soft
    )


def dexpression(n_classes: int = 7, width: float = 1.0, input_size: int = IMAGE_SIZE) -> "nn.Sequential":
    """DeXpression (Burkert, Trier, Afzal, Dengel and Liwicki, 2015, arXiv:1509.05371).

    The paper's layers (``width=1``), every convolution followed by
    BatchNorm2d and ReLU:

    - conv 7x7/2, 64 (padding 3); max pool 3x3/2; local response normalisation (size 5);
    - FeatEx 1 (:class:`~.layers.FeatEx`): 1x1 conv 96
      -> 3x3 conv 208, parallel to 3x3/1 max pool -> 1x1 conv 64, concatenated (272); max pool 3x3/2;
    - FeatEx 2, the same on 272 channels; max pool 3x3/2;
    - Flatten, fully connected ``n_classes`` (softmax in the loss).

    Adaptations: the paper's 224x224 input leaves 13x13 maps after unpadded
    poolings; here the three max poolings pad by 1, so that a 48x48 face gives
    24 -> 12 -> 6 -> 3 pixels (272 x 3 x 3 = 2,448 features) instead of
    collapsing to 2x2. The paper has no batch normalisation; without it the
    network stayed at the majority class under the shared recipe (Adam,
    one-cycle up to 0.008 or 0.002, and 0.001: 24-27% PublicTest accuracy after
    3-8 epochs on 4,000 faces), with it 33% after 3 epochs. 435,863
    parameters at ``width=1`` with 7 classes (1,600 of them batch norm).

    ``input_size``: side of the square input.

    Returns
    -------
    torch.nn.Sequential
        ``float32 (n, 1, input_size, input_size)`` -> ``(n, n_classes)`` logits.
    """
    from torch import nn

    from .layers import FeatEx, scaled

    c1, reduce, wide, pooled = (scaled(c, width) for c in (64, 96, 208, 64))
    side = (input_size - 1) // 2 + 1  # the 7x7/2 convolution, padding 3
    for _ in range(3):  # the 3x3/2 max poolings, padding 1
        side = (side - 1) // 2 + 1
    return nn.Sequential(
        nn.Conv2d(1, c1, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(c1), nn.ReLU(inplace=True),
        nn.MaxPool2d(3, stride=2, padding=1), nn.LocalResponseNorm(5),
        FeatEx(c1, reduce, wide, pooled), nn.MaxPool2d(3, stride=2, padding=1),
        FeatEx(wide + pooled, reduce, wide, pooled), nn.MaxPool2d(3, stride=2, padding=1),
        nn.Flatten(), nn.Linear((wide + pooled) * side * side, n_classes),
    )


def ddamfn(n_classes: int = 7, width: float = 1.0, input_size: int = 112) -> "nn.Module":
    """DDAMFN with two attention heads (Zhang et al., 2023); see :mod:`.ddamfn`.

    ``input_size``: side of the square input, a multiple of 16 (112 in the paper: the trainer
    upsamples the 48x48 faces with ``input_size=112``).

    Returns
    -------
    ddamfn.DDAMFN
        ``float32 (n, 1, input_size, input_size)`` -> ``(n, n_classes)`` logits in
        eval mode, ``(logits, weighted attention loss)`` in training mode.
    """
    from .ddamfn import DDAMFN

    return DDAMFN(n_classes=n_classes, width=width, input_size=input_size, heads=2)


ARCHITECTURES: dict[str, Callable[..., "nn.Module"]] = {
    "shallow_cnn": shallow_cnn, "deep_cnn": deep_cnn, "resnet9": resnet9,
    "dexpression": dexpression, "ddamfn": ddamfn}


def build_network(architecture: str, n_classes: int, width: float = 1.0, input_size: int = IMAGE_SIZE) -> "nn.Module":
    """Build one of :data:`ARCHITECTURES` with fresh (global-RNG) initial weights.

    Parameters
    ----------
    architecture : str
    n_classes : int
    width : float
        Channel multiplier.
    input_size : int
        Side of the square images the network takes.

    Raises
    ------
    ValueError
        If ``architecture`` is not a known name, or the network refuses ``input_size``.
    """
    check_option("architecture", architecture, ARCHITECTURES)
    return ARCHITECTURES[architecture](n_classes=n_classes, width=width, input_size=input_size)
