"""The Keras networks: the seeds' CNNs and their trainer (the pretrained mini-Xception is a card,
:mod:`fer_bench.estimators.card_zoo`).

- :mod:`.backend`: Keras, imported quietly and only when needed;
- :mod:`.architectures`: the seeds' Sequential CNNs;
- :mod:`.base`: what the Keras estimators share (fitted network, ``config.json``);
- :mod:`.classifier`: :class:`~.classifier.KerasCNNClassifier`, trained with the benchmark's recipe;
- :mod:`.zoo`: the registered estimators.

Importing this package or any of its modules imports neither Keras nor TensorFlow; ``import keras``
in its modules is absolute and gets Keras itself.
"""
