import numpy as np
import pytest

from fer_bench.datasets import FERDataset, make_synthetic, stratified_indices, stratified_subset

# An imbalanced split, like FER-2013's (Disgust is rare), plus unlabelled faces.
LABELS = np.repeat([0, 1, 2, 3, -1], [400, 9, 300, 700, 50])


@pytest.mark.parametrize("size", [7, 50, 333, 1000])
def test_indices_are_sorted_unique_and_proportional(size):
    indices = stratified_indices(LABELS, size, seed=0)
    assert len(indices) == size and indices.dtype == np.int64
    assert np.all(np.diff(indices) > 0)
    classes, counts = np.unique(LABELS, return_counts=True)
    kept = np.array([np.sum(LABELS[indices] == c) for c in classes])
    assert np.all(kept >= 1)  # every class keeps a face once size >= number of classes
    assert np.all(np.abs(kept - size * counts / len(LABELS)) <= 1.0 + (kept == 1))


def test_indices_depend_only_on_the_seed():
    assert np.array_equal(stratified_indices(LABELS, 100, seed=3), stratified_indices(LABELS, 100, seed=3))
    assert not np.array_equal(stratified_indices(LABELS, 100, seed=3), stratified_indices(LABELS, 100, seed=4))


@pytest.mark.parametrize("size", [0, -1, len(LABELS), 10 ** 6])
def test_zero_or_too_large_keeps_all(size):
    assert np.array_equal(stratified_indices(LABELS, size, seed=0), np.arange(len(LABELS)))


def test_fewer_than_the_classes():
    indices = stratified_indices(LABELS, 3, seed=0)
    assert len(indices) == 3 and len(set(indices)) == 3


@pytest.fixture(scope="module")
def synthetic():
    return make_synthetic(n_per_class=20)


def test_subset_per_split(synthetic):
    subset = stratified_subset(synthetic, {"Training": 70, "PublicTest": 0}, seed=0)
    sizes = {split: sum(row.values()) for split, row in subset.counts().items()}
    assert sizes == {"Training": 70, "PublicTest": 14, "PrivateTest": 14}  # 0 and missing keep a split whole
    assert set(subset.counts()["Training"].values()) == {10}
    assert subset.sha256 == synthetic.sha256 and subset.synthetic
    # Kept faces are the original ones, in their original order.
    kept = [np.flatnonzero((synthetic.images == image).all(axis=(1, 2)))[0] for image in subset.images]
    assert kept == sorted(kept)
    again = stratified_subset(synthetic, {"Training": 70}, seed=0)
    np.testing.assert_array_equal(again.images, subset.images)


def test_subset_larger_than_the_split_is_the_dataset(synthetic):
    assert stratified_subset(synthetic, {"Training": 10 ** 6}, seed=0) is synthetic


def test_subset_keeps_ids():
    dataset = FERDataset(images=np.zeros((6, 48, 48), np.uint8), labels=np.array([0, 1, 0, 1, 0, 1]),
                         usage=np.array(["Training"] * 6), ids=np.array(list("abcdef")))
    subset = stratified_subset(dataset, {"Training": 2}, seed=0)
    assert sorted(subset.labels) == [0, 1] and len(subset.ids) == 2 and set(subset.ids) < set("abcdef")


def test_unknown_split_name(synthetic):
    with pytest.raises(ValueError, match="unknown split.*Train\\b"):
        stratified_subset(synthetic, {"Train": 10}, seed=0)


def test_mask_agrees_with_subset():
    from fer_bench.datasets.stratified_subsets import stratified_mask

    dataset = make_synthetic(n_per_class=20)
    mask = stratified_mask(dataset, {"Training": 30, "PrivateTest": 7}, seed=2)
    assert mask.dtype == bool and mask.shape == (len(dataset),)
    subset = stratified_subset(dataset, {"Training": 30, "PrivateTest": 7}, seed=2)
    assert np.array_equal(subset.images, dataset.images[mask])
    assert mask[dataset.usage == "PublicTest"].all()  # a split without a size is kept whole
