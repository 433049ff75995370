"""The loaders on the real FER-2013: the original Kaggle file (the reference; skipped without
``--fer2013-original-dir`` / ``FER_BENCH_FER2013_ORIGINAL_DIR``) and the copy re-encoded by the JPEG image-folder
export, the only real example of that export's pixels (``--fer2013-dir`` / ``FER_BENCH_FER2013_DIR``)."""

import time
from collections import defaultdict

import numpy as np
import pytest

from fer_bench.datasets import describe_dataset, load_dataset

SHA256 = {  # of the loaded arrays and ids (FERDataset.sha256)
    "original": "aee2206a1e4bdc0155d31e955aa5d747083ca7e0e89d2ba9a64ef431b3f9144a",
    "re-encoded": "151d14d072d937c84eddd39eef7797fc0630a564d2074a3c50546e3cdff7b26d",
}
COUNTS = {  # the data README's table, the same in both files: Training, PublicTest, PrivateTest per class
    "Angry": (3995, 467, 491), "Disgust": (436, 56, 55), "Fear": (4097, 496, 528), "Happy": (7215, 895, 879),
    "Sad": (4830, 653, 594), "Surprise": (3171, 415, 416), "Neutral": (4965, 607, 626),
}


def _timed_load(path):
    started = time.perf_counter()
    dataset = load_dataset(path)
    return dataset, time.perf_counter() - started


@pytest.fixture(scope="module")
def fer2013(fer2013_csv):
    return _timed_load(fer2013_csv)


@pytest.fixture(scope="module", params=["original", "re-encoded"])
def real_file(request):
    """Each shared FER-2013 file: (which, path, the loaded data set, seconds it took)."""
    if request.param == "original":
        path = request.getfixturevalue("fer2013_original_csv")
        return request.param, path, *_timed_load(path)
    return request.param, request.getfixturevalue("fer2013_csv"), *request.getfixturevalue("fer2013")


def test_fer2013_csv_counts_and_sha256(real_file):
    which, path, dataset, seconds = real_file
    assert dataset.sha256 == SHA256[which] and dataset.source == str(path) and not dataset.synthetic
    assert dataset.images.shape == (35887, 48, 48) and dataset.images.dtype == np.uint8
    counts = dataset.counts()
    for split_index, split in enumerate(("Training", "PublicTest", "PrivateTest")):
        assert counts[split] == {name: by_split[split_index] for name, by_split in COUNTS.items()}
    assert "28,709" in describe_dataset(dataset) and SHA256[which] in describe_dataset(dataset)
    assert seconds < 30, f"loading took {seconds:.1f} s (about 3 s on one laptop core)"


def test_folder_sample(fer2013_folder_sample):
    dataset = load_dataset(fer2013_folder_sample)
    assert len(dataset) == 84
    for name, per_split in dataset.counts().items():
        expected = {"Training": 6, "PublicTest": 3, "PrivateTest": 3}[name]
        assert per_split == {class_name: expected for class_name in dataset.class_names}
    assert all(path.split("/")[-1].startswith(split) for path, split in zip(dataset.ids, dataset.usage))


def test_folder_sample_faces_are_rows_of_the_csv(fer2013, fer2013_folder_sample):
    """Both loaders decode the same pixels: the CSV was rebuilt from this very export."""
    dataset, _ = fer2013
    rows = defaultdict(set)  # FER-2013 has duplicate faces, some under two labels
    for image, label, split in zip(dataset.images, dataset.labels, dataset.usage):
        rows[image.tobytes()].add((int(label), str(split)))
    sample = load_dataset(fer2013_folder_sample)
    for path, image, label, split in zip(sample.ids, sample.images, sample.labels, sample.usage):
        assert (int(label), str(split)) in rows[image.tobytes()], path
