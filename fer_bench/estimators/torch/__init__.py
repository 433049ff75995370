"""The PyTorch networks and their trainer.

- :mod:`.layers`: the layer blocks the networks are made of;
- :mod:`.architectures`: the network builders (and :mod:`.ddamfn`, DDAMFN);
- :mod:`.augment`: training augmentation and test-time views;
- :mod:`.device`: where and in what precision the networks run;
- :mod:`.trainer`: ``StepTrainer``, ``evaluate`` and the ``fit`` that runs the budget's steps;
- :mod:`.classifier`: :class:`~.classifier.TorchClassifier`, the scikit-learn estimator;
- :mod:`.zoo`: the registered estimators.

Importing this package (or :mod:`.zoo` or :mod:`.architectures`) does not import PyTorch; ``import torch``
in its modules is absolute and gets PyTorch itself.
"""
