"""The registered PyTorch estimators: each a :class:`~.classifier.TorchClassifier` of one architecture of :mod:`.architectures`.

A factory gives the estimator at its defaults; :func:`~fer_bench.estimators.create_estimator`
applies the profile's shared network settings and the estimator's own. Importing this
module does not import PyTorch: the classifier is imported when an estimator is created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._registry import register_estimator

if TYPE_CHECKING:
    from .classifier import TorchClassifier


def _classifier(architecture: str, **defaults) -> "TorchClassifier":
    from .classifier import TorchClassifier

    return TorchClassifier(architecture=architecture, **defaults)


@register_estimator(family="network", framework="torch",
                    source="seed: shallow CNN, 3 conv blocks (64-128-256) with max pooling, dense 512-256")
def shallow_cnn() -> "TorchClassifier":
    """The seeds' shallow CNN (:func:`~.architectures.shallow_cnn`) under the seed recipe."""
    return _classifier("shallow_cnn")


@register_estimator(family="network", framework="torch",
                    source="seed: deep CNN, 6 conv blocks in pairs (64-64, 128-128, 256-256), dense 512-256")
def deep_cnn() -> "TorchClassifier":
    """The seeds' deep CNN (:func:`~.architectures.deep_cnn`) under the seed recipe."""
    return _classifier("deep_cnn")


@register_estimator(family="network", framework="torch",
                    source="Myrtle.ai ResNet-9, 'How to train your ResNet' (D. Page, 2018)")
def resnet9() -> "TorchClassifier":
    """Myrtle.ai's ResNet-9 (:func:`~.architectures.resnet9`) under the seed recipe."""
    return _classifier("resnet9")


@register_estimator(family="network", framework="torch",
                    source="DeXpression (Burkert et al., 2015, arXiv:1509.05371): conv 7x7/2, LRN, two FeatEx blocks")
def dexpression() -> "TorchClassifier":
    """DeXpression (:func:`~.architectures.dexpression`) under the profile's network settings."""
    return _classifier("dexpression")


@register_estimator(family="network", framework="torch",
                    source="DDAMFN (Zhang et al., 2023, Electronics 12:3595): MixConv MobileFaceNet + dual-direction attention, 112x112")
def ddamfn() -> "TorchClassifier":
    """DDAMFN (:func:`~.architectures.ddamfn`) on faces upsampled to 112x112, unless the profile sets ``input_size``."""
    return _classifier("ddamfn", input_size=112)
