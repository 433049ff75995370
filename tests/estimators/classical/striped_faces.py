"""Striped faces that the classical estimators can learn: a cue per class."""

import numpy as np


def faces(n, seed=0, n_classes=3):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % n_classes
    images = rng.integers(0, 60, size=(n, 48, 48), dtype=np.uint8)
    images[labels == 1, :, ::6] += 150  # a learnable cue per class: vertical or horizontal stripes
    images[labels == 2, ::6, :] += 150
    return images, labels
