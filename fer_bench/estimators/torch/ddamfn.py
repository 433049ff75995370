"""DDAMFN: the Dual-Direction Attention Mixed Feature Network, for one-channel faces.

Source: Zhang, Li, Chen and Huang, "A Dual-Direction Attention Mixed Feature
Network for Facial Expression Recognition", Electronics 12 (2023) 3595
(https://github.com/SainingZhang/DDAMFN). Two parts:

- MFN, the Mixed Feature Network backbone: a MobileFaceNet whose bottlenecks
  (1x1 expansion, depthwise convolution, 1x1 linear projection, residual when
  the shape allows) use MixConv (depthwise kernels of several sizes over
  channel groups, Tan and Le 2019) and coordinate attention (Hou et al. 2021)
  after the depthwise step; 112x112 input, 7x7x512 output;
- DDAN, the dual-direction attention network: ``heads`` attention heads, each
  pooling the feature map along height and along width with learnt depthwise
  "linear GDConv" kernels (1 x 7 and 7 x 1), mixing both through a shared 1x1
  convolution and giving an attention map (sigmoid(height part) x sigmoid(width
  part)); the element-wise maximum of the heads' maps weights the features,
  which a linear GDConv (depthwise 7x7 convolution + BatchNorm) and a fully
  connected layer turn into logits.

Training loss (the paper's): cross-entropy + 0.1 x attention loss, the
attention loss being the number of head pairs divided by the sum of the pairwise
mean squared errors between the heads' maps (it pushes the heads apart). In
training mode :class:`DDAMFN` returns ``(logits, 0.1 * attention loss)``, the
auxiliary-loss protocol of :class:`~fer_bench.estimators.torch.classifier.TorchClassifier`;
in eval mode it returns the logits.

Adaptations to FER-2013: one input channel (grayscale faces, the paper's
MS-Celeb-1M pre-trained MFN takes RGB; no pre-training here: nothing is
downloaded), faces upsampled from 48x48 to 112x112 by the trainer
(``input_size=112``), channel counts scaled by ``width``, and BatchNorm + PReLU
applied after the mixed depthwise convolution (as in every other MobileFaceNet
depthwise step), and, since the network is trained from scratch, each residual
bottleneck starts as the identity: the scale (gamma) of its last BatchNorm is
initialised to zero ("zero-init residual", Goyal et al. 2017, arXiv:1706.02677;
torchvision's ``zero_init_residual``), so that the 31 residual bottlenecks
begin as a shallow network (with a scale of one, the 31 random branches kept the
network near chance from scratch: the results log, "DDAMFN from scratch").
Other input sizes that are multiples of 16 work (the GDConv kernels become ``input_size / 16`` wide).

This module imports PyTorch; :mod:`.architectures` imports it only when the
network is built.
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from torch import nn

from .layers import scaled

ATTENTION_LOSS_WEIGHT = 0.1
"""Weight of the attention loss next to the cross-entropy (the paper's 0.1)."""

STRIDE = 16
"""Input side / feature-map side of the backbone (four stride-2 steps)."""


def conv_bn_prelu(c_in: int, c_out: int, kernel: int = 1, stride: int = 1, groups: int = 1) -> nn.Sequential:
    """Conv2d (no bias, 'same' padding for odd kernels) + BatchNorm2d + PReLU, MobileFaceNet's Conv_block."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel, stride, padding=kernel // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(c_out), nn.PReLU(c_out))


def conv_bn(c_in: int, c_out: int, kernel: int | tuple[int, int] = 1, groups: int = 1) -> nn.Sequential:
    """Conv2d (no bias, no padding) + BatchNorm2d, no activation: MobileFaceNet's Linear_block (and the linear GDConv)."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel, groups=groups, bias=False), nn.BatchNorm2d(c_out))


def split_channels(channels: int, fractions: tuple[float, ...]) -> list[int]:
    """``channels`` split by ``fractions`` (summing to 1) into positive integers summing to ``channels``."""
    sizes = [max(1, round(channels * fraction)) for fraction in fractions[:-1]]
    return [*sizes, channels - sum(sizes)]


class CoordinateAttention(nn.Module):
    """Coordinate attention (Hou, Zhou and Feng, CVPR 2021): x times a height map times a width map.

    Average pooling along width and along height, a shared 1x1 convolution to
    ``max(8, channels // 32)`` channels with BatchNorm and hard swish, then one
    1x1 convolution and a sigmoid per direction.
    """

    def __init__(self, channels: int):
        super().__init__()
        middle = max(8, channels // 32)
        self.mix = nn.Sequential(nn.Conv2d(channels, middle, 1), nn.BatchNorm2d(middle), nn.Hardswish())
        self.to_height = nn.Conv2d(middle, channels, 1)
        self.to_width = nn.Conv2d(middle, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        mixed = self.mix(torch.cat([x.mean(dim=3, keepdim=True), x.mean(dim=2, keepdim=True).transpose(2, 3)], dim=2))
        along_h, along_w = mixed.split([h, w], dim=2)
        return x * self.to_height(along_h).sigmoid() * self.to_width(along_w).transpose(2, 3).sigmoid()


class MixConv(nn.Module):
    """Mixed depthwise convolution (MixConv, Tan and Le 2019) + BatchNorm2d + PReLU.

    The channels are split into groups (sizes ``splits``), each convolved
    depthwise with its own kernel size (``kernels``, 'same' padding), then concatenated.
    """

    def __init__(self, splits: list[int], kernels: tuple[int, ...], stride: int):
        super().__init__()
        self.splits = splits
        self.convolutions = nn.ModuleList(nn.Conv2d(c, c, k, stride, padding=k // 2, groups=c, bias=False)
                                          for c, k in zip(splits, kernels))
        channels = sum(splits)
        self.activation = nn.Sequential(nn.BatchNorm2d(channels), nn.PReLU(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = x.split(self.splits, dim=1)
        return self.activation(torch.cat([conv(part) for conv, part in zip(self.convolutions, parts)], dim=1))


class MixBottleneck(nn.Module):
    """MFN's bottleneck: 1x1 expansion, MixConv, coordinate attention, 1x1 linear projection (+ input if residual).

    A residual bottleneck starts as the identity: the scale of its last BatchNorm
    is initialised to zero (see the module's adaptations).
    """

    def __init__(self, c_in: int, c_out: int, expanded: int, kernels: tuple[int, ...],
                 fractions: tuple[float, ...], stride: int = 1):
        super().__init__()
        self.residual = stride == 1 and c_in == c_out
        self.body = nn.Sequential(conv_bn_prelu(c_in, expanded),
                                  MixConv(split_channels(expanded, fractions), kernels, stride),
                                  CoordinateAttention(expanded),
                                  conv_bn(expanded, c_out))
        if self.residual:  # zero-init residual (Goyal et al. 2017): trained from scratch, 31 residual blocks
            nn.init.zeros_(self.body[-1][1].weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x) if self.residual else self.body(x)


def mixed_feature_network(width: float = 1.0) -> nn.Sequential:
    """MFN without its embedding head: ``float32 (n, 1, s, s)`` -> ``(n, 512 w, s/16, s/16)``.

    Stages (``width=1``; bottleneck = expansion channels, kernels and channel split):

    - conv 3x3/2 64, depthwise conv 3x3 64 (s/2);
    - bottleneck 64 -> 64, stride 2, expansion 128, kernels 3/5/7 over 1/2, 1/4, 1/4 (s/4);
    - 9 residual bottlenecks 64, expansion 128, kernels 3/5 over 3/4, 1/4;
    - bottleneck 64 -> 128, stride 2, expansion 256, kernels 3/5/7 over 1/2, 1/4, 1/4 (s/8);
    - 16 residual bottlenecks 128, expansion 256, kernels 3/5 over 3/4, 1/4;
    - bottleneck 128 -> 256, stride 2, expansion 1024, kernels 3/5/7/9 over quarters (s/16);
    - 6 residual bottlenecks 256, expansion 512, kernels 3/5/7 over thirds;
    - conv 1x1 512.
    """
    c64, c128, c256, c512, c1024 = (scaled(c, width) for c in (64, 128, 256, 512, 1024))
    half_quarters, three_one, quarters, thirds = (0.5, 0.25, 0.25), (0.75, 0.25), (0.25,) * 4, (1 / 3,) * 3
    return nn.Sequential(
        conv_bn_prelu(1, c64, kernel=3, stride=2),
        conv_bn_prelu(c64, c64, kernel=3, groups=c64),
        MixBottleneck(c64, c64, c128, (3, 5, 7), half_quarters, stride=2),
        *(MixBottleneck(c64, c64, c128, (3, 5), three_one) for _ in range(9)),
        MixBottleneck(c64, c128, c256, (3, 5, 7), half_quarters, stride=2),
        *(MixBottleneck(c128, c128, c256, (3, 5), three_one) for _ in range(16)),
        MixBottleneck(c128, c256, c1024, (3, 5, 7, 9), quarters, stride=2),
        *(MixBottleneck(c256, c256, c512, (3, 5, 7), thirds) for _ in range(6)),
        conv_bn_prelu(c256, c512),
    )


class DualDirectionAttention(nn.Module):
    """One DDAN head: an attention map from linear GDConvs along height and along width.

    ``(n, c, s, s)`` features -> ``(n, c, s, s)`` map in (0, 1).
    """

    def __init__(self, channels: int, side: int):
        super().__init__()
        middle = max(8, channels // 32)
        self.along_height = conv_bn(channels, channels, kernel=(1, side), groups=channels)  # -> (n, c, s, 1)
        self.along_width = conv_bn(channels, channels, kernel=(side, 1), groups=channels)  # -> (n, c, 1, s)
        self.mix = nn.Sequential(nn.Conv2d(channels, middle, 1), nn.BatchNorm2d(middle), nn.Hardswish())
        self.to_height = nn.Conv2d(middle, channels, 1)
        self.to_width = nn.Conv2d(middle, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        mixed = self.mix(torch.cat([self.along_height(x), self.along_width(x).transpose(2, 3)], dim=2))
        along_h, along_w = mixed.split([h, w], dim=2)
        return self.to_height(along_h).sigmoid() * self.to_width(along_w).transpose(2, 3).sigmoid()


def attention_loss(maps: list[torch.Tensor]) -> torch.Tensor:
    """DDAMFN's attention loss: head pairs / (sum over pairs of the MSE between their maps); 0 for one head."""
    pairs = list(itertools.combinations(maps, 2))
    if not pairs:
        return maps[0].new_zeros(())
    return len(pairs) / (sum(F.mse_loss(a, b) for a, b in pairs) + 1e-8)


class DDAMFN(nn.Module):
    """MFN backbone + dual-direction attention heads + linear GDConv + fully connected layer.

    Parameters
    ----------
    n_classes : int
        Number of output logits.
    width : float
        Channel multiplier (each count at least 8).
    input_size : int
        Side of the square input, a multiple of 16 (112 in the paper).
    heads : int
        Attention heads (the paper tries 1 to 4; 2 is its choice for RAF-DB and FER-2013-sized sets).

    Raises
    ------
    ValueError
        If ``input_size`` is not a positive multiple of 16 or ``heads`` is below 1.
    """

    def __init__(self, n_classes: int = 7, width: float = 1.0, input_size: int = 112, heads: int = 2):
        super().__init__()
        if input_size < STRIDE or input_size % STRIDE:
            raise ValueError(f"DDAMFN input_size={input_size}: expected a positive multiple of {STRIDE} (112 in the paper)")
        if heads < 1:
            raise ValueError(f"DDAMFN heads={heads}: expected at least 1")
        channels, side = scaled(512, width), input_size // STRIDE
        self.features = mixed_feature_network(width)
        self.heads = nn.ModuleList(DualDirectionAttention(channels, side) for _ in range(heads))
        self.gdconv = conv_bn(channels, channels, kernel=side, groups=channels)  # linear GDConv: -> (n, c, 1, 1)
        self.classifier = nn.Linear(channels, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        features = self.features(x)
        maps = [head(features) for head in self.heads]
        attention = maps[0]
        for other in maps[1:]:
            attention = torch.maximum(attention, other)
        logits = self.classifier(self.gdconv(features * attention).flatten(1))
        if self.training:
            return logits, ATTENTION_LOSS_WEIGHT * attention_loss(maps)
        return logits
