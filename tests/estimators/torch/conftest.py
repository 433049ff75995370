"""Helpers of the PyTorch estimator tests: faces with a learnable cue per class, and a tiny, exact TorchClassifier."""

import numpy as np


LABELS = np.array([-3, 5, 10])  # any integers: outputs map through classes_


def faces(n, seed=0):
    rng = np.random.default_rng(seed)
    index = np.arange(n) % 3
    images = rng.integers(0, 60, size=(n, 48, 48), dtype=np.uint8)
    images[:, :16][index == 1] += 150  # a learnable cue per class
    images[:, 32:][index == 2] += 150
    return images, LABELS[index]


def tiny(**params):
    from fer_bench.estimators.torch.classifier import TorchClassifier

    settings = {"architecture": "resnet9", "width": 0.125, "epochs": 1, "batch_size": 16, "device": "cpu",
                "precision": "fp32"}  # exact comparisons below; "auto" is tested on its own
    return TorchClassifier(**{**settings, **params})
