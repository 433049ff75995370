import numpy as np

from fer_bench.datasets import FERDataset, describe_dataset, make_synthetic


def test_describe_synthetic():
    text = describe_dataset(make_synthetic(n_per_class=10))
    lines = text.splitlines()
    assert "SYNTHETIC" in lines[0] and "synthetic" in lines[0]
    assert lines[1].split() == ["sha256:", make_synthetic(n_per_class=10).sha256]
    assert lines[4].split() == ["class", "Training", "PublicTest", "PrivateTest", "total"]
    assert lines[5].split() == ["0", "Angry", "8", "1", "1", "10"]
    assert lines[-1].split() == ["total", "56", "7", "7", "70"]


def test_describe_unlabelled_and_thousands():
    labels = np.array([3] * 1200 + [-1] * 5)
    dataset = FERDataset(images=np.zeros((1205, 48, 48), np.uint8), labels=labels,
                         usage=np.array(["Training"] * 1200 + ["PublicTest"] * 5), source="x.csv", sha256="ab")
    lines = describe_dataset(dataset).splitlines()
    assert "SYNTHETIC" not in lines[0] and lines[2].split() == ["faces:", "1,205"]
    assert lines[4].split() == ["class", "Training", "PublicTest", "total"]
    assert lines[8].split() == ["3", "Happy", "1,200", "0", "1,200"]
    assert lines[-2].split() == ["unlabelled", "0", "5", "5"]
    assert lines[-1].split() == ["total", "1,200", "5", "1,205"]


def test_select_keeps_metadata_and_ids():
    dataset = FERDataset(images=np.arange(4, dtype=np.uint8)[:, None, None].repeat(48, 1).repeat(48, 2),
                         labels=np.array([0, 1, 2, 3]), usage=np.array(["Training"] * 2 + ["PrivateTest"] * 2),
                         source="x.csv", sha256="ab", ids=np.array(["a", "b", "c", "d"]))
    by_mask = dataset.select(np.array([True, False, True, False]))
    assert by_mask.labels.tolist() == [0, 2] and by_mask.ids.tolist() == ["a", "c"]
    assert (by_mask.source, by_mask.sha256, by_mask.class_names) == ("x.csv", "ab", dataset.class_names)
    by_rows = dataset.select(np.array([3, 0]))
    assert by_rows.images[:, 0, 0].tolist() == [3, 0] and by_rows.usage.tolist() == ["PrivateTest", "Training"]
    import pytest

    from fer_bench.datasets import DataError
    with pytest.raises(DataError, match="shape"):
        dataset.select(np.array([True, False]))


def test_ids_must_name_every_face():
    import pytest

    from fer_bench.datasets import DataError
    with pytest.raises(DataError, match=r"x.csv: ids must have one entry per face \(2\), got 3"):
        FERDataset(images=np.zeros((2, 48, 48), np.uint8), labels=np.array([0, 1]),
                   usage=np.array(["Training", "PrivateTest"]), source="x.csv", ids=np.array(["a", "b", "c"]))
