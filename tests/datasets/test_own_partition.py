import numpy as np
import pytest

from fer_bench.datasets import DataError
from fer_bench.datasets.class_folder import read_face_folder
from fer_bench.datasets.own_partition import partition_dataset

from .layouts.written import write_jaffe, write_rafdb


def test_train_becomes_training_and_publictest_test_becomes_privatetest(tmp_path):
    write_rafdb(tmp_path / "raf", train_codes=[1, 2, 3, 4, 5, 6, 7] * 5, test_codes=[1, 2, 3, 4, 5, 6, 7])
    faces = read_face_folder(tmp_path / "raf", layout="rafdb", use_cache=False, n_jobs=1)
    dataset = partition_dataset(faces, seed=0)
    counts = dataset.counts()
    assert sum(counts["PrivateTest"].values()) == 7 and set(counts["PrivateTest"].values()) == {1}
    assert counts["PublicTest"] == {name: 1 for name in faces.class_names}  # a stratified fifth of train
    assert sum(counts["Training"].values()) == 28
    assert np.array_equal(dataset.ids, faces.files) and dataset.sha256 == faces.sha256
    assert all(file.startswith("Image/aligned/test_") for file in dataset.ids[dataset.usage == "PrivateTest"])
    assert dataset.relabelling == {"labels": "rafdb labels mapped onto FER-2013's classes", "kept": 42, "dropped": {}}
    again = partition_dataset(faces, seed=0)
    assert np.array_equal(again.usage, dataset.usage)


def test_a_folder_without_a_partition_or_with_an_empty_part(tmp_path):
    write_jaffe(tmp_path / "jaffe", subjects=("KA",), takes=1)
    with pytest.raises(DataError, match="the jaffe layout has no train/test partition of its own"):
        partition_dataset(read_face_folder(tmp_path / "jaffe", layout="jaffe", use_cache=False, n_jobs=1))
    write_rafdb(tmp_path / "raf", train_codes=[1, 2], test_codes=[])
    with pytest.raises(DataError, match="the rafdb partition's test part is empty"):
        partition_dataset(read_face_folder(tmp_path / "raf", layout="rafdb", use_cache=False, n_jobs=1))
