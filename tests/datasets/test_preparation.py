import numpy as np
import pytest

from fer_bench.datasets.audit import audit_dataset
from fer_bench.datasets.preparation import prepare_data

from .planted import N_PRIVATE, N_TRAIN, planted_dataset


@pytest.fixture(scope="module")
def planted():
    return planted_dataset()


@pytest.fixture(scope="module")
def audit(planted):
    return audit_dataset(planted)


def test_leaked_private_faces_are_flagged(planted, audit):
    prepared = prepare_data(planted, {}, seed=0, audit=audit)
    assert len(prepared.dataset) == len(planted) and prepared.dropped == {}
    assert np.flatnonzero(prepared.private_leaked).tolist() == [0, 1, 2, 3]  # rows 40..43
    assert np.flatnonzero(prepared.private_exact).tolist() == [0, 1]  # rows 40, 41
    assert prepared.private_leaked.shape == (N_PRIVATE,) and prepared.private_leaked.dtype == bool


def test_masks_follow_the_subset(planted, audit):
    prepared = prepare_data(planted, {"PrivateTest": 7, "Training": 20}, seed=1, audit=audit)
    images, _ = prepared.dataset.split("PrivateTest")
    assert len(images) == 7 == len(prepared.private_leaked)
    full_private = planted.images[planted.usage == "PrivateTest"]
    for face, leaked in zip(images, prepared.private_leaked):
        row = next(i for i, other in enumerate(full_private) if np.array_equal(face, other))
        assert leaked == (row in (0, 1, 2, 3))


def test_dedupe_train_drops_training_copies_of_test_faces(planted, audit):
    prepared = prepare_data(planted, {}, seed=0, audit=audit, dedupe_train=True)
    assert prepared.dropped == {"dedupe_train": 6}  # Training rows 10..15
    training, _ = prepared.dataset.split("Training")
    assert len(training) == N_TRAIN - 6
    assert not any(np.array_equal(face, planted.images[row]) for face in training for row in range(10, 16))
    assert np.flatnonzero(prepared.private_leaked).tolist() == [0, 1, 2, 3]  # still relative to the full Training


def test_drop_blank_drops_blank_faces_of_every_split(planted, audit):
    prepared = prepare_data(planted, {}, seed=0, audit=audit, drop_blank=True)
    assert prepared.dropped == {"drop_blank": 2}
    assert len(prepared.dataset.split("PrivateTest")[0]) == N_PRIVATE - 1
    assert len(prepared.private_leaked) == N_PRIVATE - 1
    without_audit = prepare_data(planted, {}, seed=0, drop_blank=True)
    assert without_audit.dropped == {"drop_blank": 2} and without_audit.private_leaked is None


def test_dedupe_needs_an_audit(planted):
    with pytest.raises(ValueError, match="audit"):
        prepare_data(planted, {}, seed=0, dedupe_train=True)
