"""PyTorch networks: the seeds' shallow and deep CNNs, Myrtle.ai's ResNet-9, DeXpression and DDAMFN.

The builders return ``torch.nn.Module`` objects taking ``float32 (n, 1, s, s)``
grayscale faces (``s = input_size``: 48, a smaller crop side, or DDAMFN's 112)
and returning ``(n, n_classes)`` logits; :class:`TorchClassifier`
(``torch_trainer``) calls them and trains the result; :mod:`.torch_zoo` registers
them. Importing this module does not import PyTorch: the builders import it when
called, so that ``python -m fer_bench list`` stays fast.

Every channel count and hidden width is multiplied by ``width`` (at least 8
kept), so the smoke profile can shrink the networks; ``width=1.0`` is the
published layout. All convolutions are a :func:`conv_block`: 3x3 convolution
(padding 1, no bias since batch normalisation follows), BatchNorm2d, ReLU.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ._input import IMAGE_SIZE

if TYPE_CHECKING:
    from torch import nn



def scaled(channels: int, width: float) -> int:
    """``channels * width`` rounded, at least 8."""
    return max(8, round(channels * width))


def conv_block(c_in: int, c_out: int) -> "nn.Sequential":
    """Conv2d(3x3, padding 1, no bias) + BatchNorm2d + ReLU; keeps height and width."""
    from torch import nn

    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel_size=3, padding=1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


def _dense_head(n_inputs: int, n_classes: int, width: float) -> list:
    """Flatten, Linear(512 w) + ReLU, Linear(256 w) + ReLU, Linear(n_classes): the seeds' CNN head."""
    from torch import nn

    hidden1, hidden2 = scaled(512, width), scaled(256, width)
    return [nn.Flatten(), nn.Linear(n_inputs, hidden1), nn.ReLU(inplace=True),
            nn.Linear(hidden1, hidden2), nn.ReLU(inplace=True), nn.Linear(hidden2, n_classes)]


def shallow_cnn(n_classes: int = 7, width: float = 1.0, input_size: int = IMAGE_SIZE) -> "nn.Sequential":
    """The seeds' shallow CNN: three conv blocks, each followed by 2x2 max pooling.

    Layout (``width=1``): conv 64 -> pool -> conv 128 -> pool -> conv 256 -> pool
    (48 -> 24 -> 12 -> 6 pixels), then Flatten (256 * 6 * 6 = 9,216 features),
    Linear 512 + ReLU, Linear 256 + ReLU, Linear ``n_classes``. No dropout: the
    random flip and crop of :class:`TorchClassifier` are the regularisers.

    Parameters
    ----------
    n_classes : int
        Number of output logits.
    width : float
        Multiplier of every channel count and hidden width (each at least 8).
    input_size : int
        Side of the square input (48, or the crop side of ten-crop training);
        the flattened features are ``c3 * (input_size // 8) ** 2``.

    Returns
    -------
    torch.nn.Sequential
        ``float32 (n, 1, input_size, input_size)`` -> ``(n, n_classes)`` logits.
    """
    from torch import nn

    c1, c2, c3 = (scaled(c, width) for c in (64, 128, 256))
    side = input_size // 8  # three 2x2 max poolings, each rounding down
    return nn.Sequential(conv_block(1, c1), nn.MaxPool2d(2),
                         conv_block(c1, c2), nn.MaxPool2d(2),
                         conv_block(c2, c3), nn.MaxPool2d(2),
                         *_dense_head(c3 * side * side, n_classes, width))


def deep_cnn(n_classes: int = 7, width: float = 1.0, input_size: int = IMAGE_SIZE) -> "nn.Sequential":
    """The seeds' deep CNN: six conv blocks in pairs, 2x2 max pooling after each pair.

    Layout (``width=1``): conv 64, conv 64 -> pool -> conv 128, conv 128 -> pool
    -> conv 256, conv 256 -> pool (48 -> 24 -> 12 -> 6 pixels), then the head of
    :func:`shallow_cnn` (Flatten 9,216, Linear 512, Linear 256, Linear ``n_classes``).

    Parameters
    ----------
    n_classes : int
        Number of output logits.
    width : float
        Multiplier of every channel count and hidden width (each at least 8).
    input_size : int
        Side of the square input (48, or the crop side of ten-crop training);
        the flattened features are ``c3 * (input_size // 8) ** 2``.

    Returns
    -------
    torch.nn.Sequential
        ``float32 (n, 1, input_size, input_size)`` -> ``(n, n_classes)`` logits.
    """
    from torch import nn

    c1, c2, c3 = (scaled(c, width) for c in (64, 128, 256))
    side = input_size // 8  # three 2x2 max poolings, each rounding down
    return nn.Sequential(conv_block(1, c1), conv_block(c1, c1), nn.MaxPool2d(2),
                         conv_block(c1, c2), conv_block(c2, c2), nn.MaxPool2d(2),
                         conv_block(c2, c3), conv_block(c3, c3), nn.MaxPool2d(2),
                         *_dense_head(c3 * side * side, n_classes, width))


def resnet9(n_classes: int = 7, width: float = 1.0, input_size: int = IMAGE_SIZE) -> "nn.Sequential":
    """ResNet-9 of Myrtle.ai's "How to train your ResNet" (David Page, 2018), for one channel.

    The DAWNBench CIFAR-10 network (https://myrtle.ai/learn/how-to-train-your-resnet/):

    - prep: conv 64 (48 x 48);
    - layer1: conv 128, max pool 2 (24 x 24), residual (conv 128, conv 128, plus the input);
    - layer2: conv 256, max pool 2 (12 x 12);
    - layer3: conv 512, max pool 2 (6 x 6), residual (conv 512, conv 512, plus the input);
    - AdaptiveMaxPool2d(1), Flatten, Linear(512, n_classes, no bias), logits times 0.125.

    Parameters
    ----------
    n_classes : int
        Number of output logits.
    width : float
        Multiplier of every channel count (each at least 8).
    input_size : int
        Unused: global pooling takes any input of at least 8 x 8.

    Returns
    -------
    torch.nn.Sequential
        ``float32 (n, 1, H, W)`` -> ``(n, n_classes)`` logits; any H, W >= 8 (global pooling).
    """
    from torch import nn

    from .torch_trainer import Residual, Scale  # torch-backed layer classes live with the trainer

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
    - FeatEx 1 (:class:`~fer_bench.estimators.torch_trainer.FeatEx`): 1x1 conv 96
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

    Parameters
    ----------
    n_classes : int
        Number of output logits.
    width : float
        Multiplier of every channel count (each at least 8).
    input_size : int
        Side of the square input.

    Returns
    -------
    torch.nn.Sequential
        ``float32 (n, 1, input_size, input_size)`` -> ``(n, n_classes)`` logits.
    """
    from torch import nn

    from .torch_trainer import FeatEx

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
    """DDAMFN with two attention heads (Zhang et al., 2023); see :mod:`fer_bench.estimators.ddamfn`.

    Parameters
    ----------
    n_classes : int
        Number of output logits.
    width : float
        Multiplier of every channel count (each at least 8).
    input_size : int
        Side of the square input, a multiple of 16 (112 in the paper: the trainer
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
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture={architecture!r}: expected one of {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[architecture](n_classes=n_classes, width=width, input_size=input_size)
