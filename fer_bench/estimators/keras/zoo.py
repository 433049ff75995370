"""The registered Keras estimators: the seeds' CNNs (:class:`~.classifier.KerasCNNClassifier`), in listing order
(the pretrained mini-Xception is a built-in card: :mod:`fer_bench.estimators.card_zoo`).

A factory gives the estimator at its defaults; :func:`~fer_bench.estimators.create_estimator`
applies the profile's shared network settings and the estimator's own. Importing this
module imports neither TensorFlow nor Keras.
"""

from __future__ import annotations

from .._registry import register_estimator
from .architectures import FIVE_CLASSES, SEED_CNN5_PARAMETERS
from .classifier import KerasCNNClassifier


@register_estimator(family="network", framework="keras", parameters=2_137_991,
                    source="seed: Keras Sequential CNN (Conv 256/128/64 pairs + BN, Dense 512/256/128 + BN)")
def keras_cnn() -> KerasCNNClassifier:
    """The seed's Keras CNN: its layers and plain Adam; of the profile's network settings it takes those it has."""
    return KerasCNNClassifier(architecture="seed_cnn")


@register_estimator(family="network", framework="keras", classes=FIVE_CLASSES,
                    parameters=SEED_CNN5_PARAMETERS,
                    source="seed: 5-class Keras CNN (Conv 64/128/256/256 valid + BN, Dense 128/64 + BN), "
                           "1,004,805 parameters; Angry, Happy, Sad, Surprise, Neutral")
def keras_cnn5() -> KerasCNNClassifier:
    """The second seed's 5-class Keras CNN (:func:`~.architectures.build_seed_cnn5`).

    The runner trains and scores it on the faces of :data:`FIVE_CLASSES` only (the
    spec's ``classes``); it takes the same profile settings as ``keras_cnn``.
    """
    return KerasCNNClassifier(architecture="seed_cnn5")

