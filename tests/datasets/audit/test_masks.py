"""Leak masks of the test splits and of Training, from an audit of the planted data set."""

from __future__ import annotations

import numpy as np
import pytest

from fer_bench.datasets import audit as audit_module
from fer_bench.datasets import FERDataset
from fer_bench.datasets.audit import training_leak_mask

from ..planted import N_PRIVATE, N_TRAIN, PRIV, PUB


def test_masks(planted, audit):
    private = audit_module.test_leak_mask(planted, audit, "PrivateTest")
    assert private.shape == (N_PRIVATE,) and private.dtype == bool
    assert np.flatnonzero(private).tolist() == [40 - PRIV, 41 - PRIV, 42 - PRIV, 43 - PRIV]
    public = audit_module.test_leak_mask(planted, audit, "PublicTest")
    assert np.flatnonzero(public).tolist() == [30 - PUB, 31 - PUB]
    training = training_leak_mask(planted, audit)
    assert training.shape == (N_TRAIN,)
    assert np.flatnonzero(training).tolist() == [10, 11, 12, 13, 14, 15]
    with pytest.raises(KeyError):
        audit_module.test_leak_mask(planted, audit, "Training")



def test_mask_of_another_data_set_is_refused(planted, audit):
    other = FERDataset(images=planted.images[:40], labels=planted.labels[:40], usage=planted.usage[:40],
                       sha256=planted.sha256)
    with pytest.raises(ValueError, match="not of this data set"):
        training_leak_mask(other, audit)
