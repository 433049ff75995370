import pytest

from fer_bench.datasets import DataError
from fer_bench.datasets.layouts.rafdb import is_rafdb, list_rafdb

from .written import noise, write_rafdb


@pytest.fixture
def raf(tmp_path):
    # codes 1 Surprise, 2 Fear, 3 Disgust, 4 Happiness, 5 Sadness, 6 Anger, 7 Neutral
    write_rafdb(tmp_path / "raf", train_codes=[1, 2, 3, 4, 5, 6, 7, 4], test_codes=[6, 7, 1])
    return tmp_path / "raf"


def test_codes_map_onto_fer2013_and_train_test_is_the_partition(raf):
    assert is_rafdb(raf)
    listing = list_rafdb(raf)
    assert listing.paths[0] == "Image/aligned/train_00001_aligned.jpg"
    assert listing.class_names == ("Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise", "Neutral")
    named = [listing.class_names[label] for label in listing.labels]
    assert named == ["Surprise", "Fear", "Disgust", "Happy", "Sad", "Angry", "Neutral", "Happy",
                     "Angry", "Neutral", "Surprise"]
    assert listing.partition == ["Training"] * 8 + ["PrivateTest"] * 3
    assert listing.subjects is None and listing.boxes is None


def _label_file(raf):
    return raf / "EmoLabel" / "list_patition_label.txt"


@pytest.mark.parametrize("line, message", [
    ("train_00009.jpg 8", r"line 12: unknown code '8'; expected 1 surprise, 2 fear"),
    ("train_00009.jpg", r"line 12: 'train_00009.jpg'; expected '<image> <code>'"),
    ("val_00001.jpg 3", "line 12: val_00001.jpg is neither a train_ nor a test_ image"),
    ("train_00001.jpg 3", r"line 12: train_00001.jpg is labelled again \(first on line 1\)"),
    ("train_00042.jpg 3", r"line 12: its image .*train_00042_aligned\.jpg is missing"),
    ("../train_00009.jpg 3", "line 12: image path '../train_00009.jpg' leaves"),
])
def test_a_bad_label_line_is_named(raf, line, message):
    with _label_file(raf).open("a") as handle:
        handle.write(line + "\n")
    with pytest.raises(DataError, match=r"list_patition_label\.txt: " + message):
        list_rafdb(raf)


def test_an_aligned_image_without_a_label(raf):
    noise(raf / "Image" / "aligned" / "test_0099_aligned.jpg", (100, 100), "RGB")
    with pytest.raises(DataError, match=r"test_0099_aligned\.jpg: an image without a label: no line of .* names it "
                                        r"\(1 such images\)"):
        list_rafdb(raf)


def test_the_aligned_folder_is_needed(tmp_path):
    (tmp_path / "raf" / "EmoLabel").mkdir(parents=True)
    _label_file(tmp_path / "raf").write_text("train_00001.jpg 1\n")
    with pytest.raises(DataError, match="Image/aligned: no such folder"):
        list_rafdb(tmp_path / "raf")
