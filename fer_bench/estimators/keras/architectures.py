"""Keras networks of the seeds: the Sequential CNNs of the seeds' Keras notebooks.

:func:`build_seed_cnn` rebuilds the 7-class notebook's ``keras.Sequential``
model layer for layer (2,137,991 parameters, 3,584 of them non-trainable: the
batch-norm moving means and variances), :func:`build_seed_cnn5` the second
seed's 5-class CNN (1,004,805 parameters); :class:`~.classifier.KerasCNNClassifier`
trains either. Importing this module imports neither TensorFlow nor Keras: the
builders import them when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._validation import IMAGE_SIZE
from .backend import import_keras

if TYPE_CHECKING:
    import keras


def build_seed_cnn(num_classes: int = 7, bn_momentum: float = 0.99) -> "keras.Sequential":
    """The seed's Keras Sequential CNN, layer for layer, with fresh initial weights.

    Source: the seed's Keras notebook (three conv modules of 4, 2 and 1 times
    ``num_features = 64`` filters, three dense layers of 8, 4 and 2 times 64
    units). Each conv layer is Conv2D 3x3 (with bias) -> BatchNormalization ->
    ReLU, each dense layer Dense -> BatchNormalization -> ReLU:

    - Conv 256 (valid, 46 x 46), Conv 256 (same), MaxPool 2 (23 x 23);
    - Conv 128 (same), Conv 128 (same), MaxPool 2 (11 x 11);
    - Conv 64 (same), Conv 64 (same), MaxPool 2 (5 x 5);
    - Flatten (1,600), Dense 512, Dense 256, Dense 128, Dense ``num_classes`` softmax.

    Only the first convolution is unpadded; with ``num_classes=7`` the model has
    2,137,991 parameters, of which 3,584 are non-trainable.

    Parameters
    ----------
    num_classes : int
        Units of the softmax output.
    bn_momentum : float
        Momentum of every BatchNormalization's moving statistics (Keras' and the
        seed's 0.99; 0.9 suits runs of a few dozen steps, such as smoke runs).

    Returns
    -------
    keras.Sequential
        ``float32 (n, 48, 48, 1)`` pixels in [0, 1] -> ``float32 (n, num_classes)`` probabilities.
    """
    keras = import_keras()
    from keras import layers

    def conv(filters: int, padding: str) -> list:
        return [layers.Conv2D(filters, (3, 3), padding=padding), layers.BatchNormalization(momentum=bn_momentum), layers.Activation("relu")]

    def dense(units: int) -> list:
        return [layers.Dense(units), layers.BatchNormalization(momentum=bn_momentum), layers.Activation("relu")]

    return keras.Sequential([
        keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1)),
        *conv(256, "valid"), *conv(256, "same"), layers.MaxPooling2D((2, 2)),
        *conv(128, "same"), *conv(128, "same"), layers.MaxPooling2D((2, 2)),
        *conv(64, "same"), *conv(64, "same"), layers.MaxPooling2D((2, 2)),
        layers.Flatten(),
        *dense(512), *dense(256), *dense(128),
        layers.Dense(num_classes, activation="softmax"),
    ], name="seed_cnn")


FIVE_CLASSES: tuple[str, ...] = ("Angry", "Happy", "Sad", "Surprise", "Neutral")
"""The second seed's classes: FER-2013 without Disgust and Fear, in FER-2013's label order."""

SEED_CNN5_PARAMETERS = 1_004_805
"""Parameters of :func:`build_seed_cnn5` with 5 classes, as the second seed's model summary reports."""


def build_seed_cnn5(num_classes: int = 5, bn_momentum: float = 0.99) -> "keras.Sequential":
    """The second seed's 5-class Keras CNN, with fresh initial weights.

    Source: the second seed's Keras model for Happy, Sad, Surprise, Angry and
    Neutral. Every convolution is a 3x3 Conv2D with bias and no padding
    ('valid'), activation before batch normalisation, 2x2 max pooling:

    - Conv 64 (46 x 46) + ReLU + BN, MaxPool (23 x 23);
    - Conv 128 (21 x 21) + Dropout 0.25 + ReLU + BN, MaxPool (10 x 10);
    - Conv 256 (8 x 8) + ReLU + BN, MaxPool (4 x 4);
    - Conv 256 (2 x 2) + ReLU + BN, MaxPool (1 x 1);
    - Flatten (256), Dense 128 + ReLU + BN + Dropout 0.5, Dense 64 + ReLU + BN,
      Dense ``num_classes`` softmax.

    With ``num_classes=5`` that is 1,004,805 parameters (3,584 of them the
    non-trainable batch-norm moving statistics): 'valid' convolutions and 2x2
    poolings on a 48x48x1 face are the only choices that reach this number.
    The dropout rates are not given by the seed's description; 0.25 and 0.5 are
    the usual Keras-example values.

    Parameters
    ----------
    num_classes : int
        Units of the softmax output.
    bn_momentum : float
        Momentum of every BatchNormalization's moving statistics.

    Returns
    -------
    keras.Sequential
        ``float32 (n, 48, 48, 1)`` pixels in [0, 1] -> ``float32 (n, num_classes)`` probabilities.
    """
    keras = import_keras()
    from keras import layers

    def batch_norm() -> "layers.BatchNormalization":
        return layers.BatchNormalization(momentum=bn_momentum)

    def conv(filters: int, dropout: float | None = None) -> list:
        return [layers.Conv2D(filters, (3, 3), padding="valid"), *([layers.Dropout(dropout)] if dropout else []),
                layers.Activation("relu"), batch_norm(), layers.MaxPooling2D((2, 2))]

    return keras.Sequential([
        keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1)),
        *conv(64), *conv(128, dropout=0.25), *conv(256), *conv(256),
        layers.Flatten(),
        layers.Dense(128), layers.Activation("relu"), batch_norm(), layers.Dropout(0.5),
        layers.Dense(64), layers.Activation("relu"), batch_norm(),
        layers.Dense(num_classes, activation="softmax"),
    ], name="seed_cnn5")


KERAS_ARCHITECTURES = {"seed_cnn": build_seed_cnn, "seed_cnn5": build_seed_cnn5}
"""Builders :class:`~.classifier.KerasCNNClassifier` trains, by its ``architecture`` parameter."""
