"""The layer blocks of the PyTorch networks of :mod:`.architectures` and :mod:`.ddamfn`.

Every channel count and hidden width of a network is :func:`scaled` by its
``width``; :func:`conv_block` is the 3x3 convolution all the seeds' and
Myrtle.ai's networks are made of. This module imports PyTorch at import time;
:mod:`.architectures` imports it only when a network is built.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def scaled(channels: int, width: float) -> int:
    """``channels * width`` rounded, at least 8."""
    return max(8, round(channels * width))


def conv_block(c_in: int, c_out: int) -> nn.Sequential:
    """Conv2d(3x3, padding 1, no bias since batch normalisation follows) + BatchNorm2d + ReLU; keeps height and width."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel_size=3, padding=1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


def dense_head(n_inputs: int, n_classes: int, width: float) -> list[nn.Module]:
    """Flatten, Linear(512 w) + ReLU, Linear(256 w) + ReLU, Linear(n_classes): the seeds' CNN head."""
    hidden1, hidden2 = scaled(512, width), scaled(256, width)
    return [nn.Flatten(), nn.Linear(n_inputs, hidden1), nn.ReLU(inplace=True),
            nn.Linear(hidden1, hidden2), nn.ReLU(inplace=True), nn.Linear(hidden2, n_classes)]


class Residual(nn.Module):
    """``x + body(x)``, the body being ``layers`` in order (Myrtle.ai's residual block)."""

    def __init__(self, *layers: nn.Module):
        super().__init__()
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class FeatEx(nn.Module):
    """DeXpression's Parallel Feature Extraction block (Burkert et al., 2015).

    Two paths over the same input, concatenated along channels: a 1x1
    convolution (``reduce`` channels) then a 3x3 convolution (``wide``
    channels), and a 3x3 max pooling (stride 1) then a 1x1 convolution
    (``pooled`` channels); every convolution keeps height and width and is
    followed by BatchNorm2d (not in the paper, see
    :func:`~fer_bench.estimators.torch.architectures.dexpression`) and ReLU.

    Parameters
    ----------
    c_in, reduce, wide, pooled : int
        Channels of the input, of the 1x1 reduction, of the 3x3 convolution and of the pooled path.
        The output has ``wide + pooled`` channels.
    """

    def __init__(self, c_in: int, reduce: int, wide: int, pooled: int):
        super().__init__()
        self.convolution = nn.Sequential(nn.Conv2d(c_in, reduce, 1), nn.BatchNorm2d(reduce), nn.ReLU(inplace=True),
                                         nn.Conv2d(reduce, wide, 3, padding=1), nn.BatchNorm2d(wide), nn.ReLU(inplace=True))
        self.pooling = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(c_in, pooled, 1),
                                     nn.BatchNorm2d(pooled), nn.ReLU(inplace=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.convolution(x), self.pooling(x)], dim=1)


class Scale(nn.Module):
    """Multiply by a fixed ``factor`` (Myrtle.ai's 0.125 on ResNet-9's logits)."""

    def __init__(self, factor: float):
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.factor

    def extra_repr(self) -> str:
        return f"factor={self.factor}"


class SnapshotAverage(nn.Module):
    """The mean softmax of several trained copies of one network: a snapshot ensemble (Huang, Li, Pleiss,
    Liu, Hopcroft and Weinberger, "Snapshot Ensembles: Train 1, Get M for Free", ICLR 2017).

    ``float32 (n, c, h, w)`` -> ``(n, k)``: the logarithm of the members' mean
    probabilities, so that a softmax of the output gives that mean back.
    """

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        log_probabilities = torch.stack([member(x).float().log_softmax(dim=1) for member in self.members])
        return torch.logsumexp(log_probabilities, dim=0) - math.log(len(self.members))
