import pytest

from fer_bench.datasets import DataError
from fer_bench.datasets.layouts.file_names import (is_jaffe_folder, list_jaffe, list_named_files,
                                                   parse_label_codes)

from .written import noise, write_jaffe


def test_jaffe_labels_and_subjects_come_from_the_file_names(tmp_path):
    write_jaffe(tmp_path / "jaffe", subjects=("KA", "KL"), takes=2)
    listing = list_jaffe(tmp_path / "jaffe")
    assert listing.class_names == ("Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise", "Neutral")
    assert len(listing.paths) == 2 * 7 * 2 and "README.md" not in listing.paths
    by_name = dict(zip(listing.paths, zip(listing.labels, listing.subjects)))
    assert by_name["KA.AN1.1.tiff"] == (0, "KA")  # AN anger -> Angry
    assert by_name["KA.NE2.10.tiff"] == (6, "KA")  # NE neutral -> Neutral
    assert by_name["KL.SU2.28.tiff"] == (5, "KL")  # SU surprise -> Surprise
    assert listing.partition is None and not listing.excluded


def test_jaffe_folder_is_told_apart_from_other_flat_folders(tmp_path):
    write_jaffe(tmp_path / "jaffe", subjects=("KA",), takes=1)
    assert is_jaffe_folder(tmp_path / "jaffe")
    noise(tmp_path / "jaffe" / "holiday.png")
    assert not is_jaffe_folder(tmp_path / "jaffe")
    (tmp_path / "classes" / "happy").mkdir(parents=True)
    assert not is_jaffe_folder(tmp_path / "classes")


def test_an_image_without_a_label_and_an_unknown_code_are_one_error_each(tmp_path):
    write_jaffe(tmp_path / "jaffe", subjects=("KA",), takes=1)
    noise(tmp_path / "jaffe" / "KA.holiday.png")
    with pytest.raises(DataError, match=r"KA\.holiday\.png: an image without a label: its name does not match"):
        list_jaffe(tmp_path / "jaffe")
    (tmp_path / "jaffe" / "KA.holiday.png").unlink()
    noise(tmp_path / "jaffe" / "KA.XX1.99.tiff")
    with pytest.raises(DataError, match=r"KA\.XX1\.99\.tiff: unknown code 'XX' in the file name; expected one of an"):
        list_jaffe(tmp_path / "jaffe")


def test_any_folder_through_a_label_pattern_and_codes(tmp_path):
    for name in ("p1_smile_a.png", "p1_frown_b.png", "p2_smile_c.png", "p2_smirk_d.png"):
        noise(tmp_path / "faces" / "nested" / name)
    codes = parse_label_codes("smile=happy, frown=Sad, smirk=")
    assert codes == {"smile": "Happy", "frown": "Sad", "smirk": None}
    listing = list_named_files(tmp_path / "faces", r"_([a-z]+)_", codes)
    assert listing.class_names == ("Happy", "Sad") and listing.excluded == {"smirk": 1}
    assert listing.paths == ["nested/p1_frown_b.png", "nested/p1_smile_a.png", "nested/p2_smile_c.png"]
    assert listing.labels == [1, 0, 0]
    upper = list_named_files(tmp_path / "faces", r"_([a-z]+)_", {"SMILE": "Happy", "Frown": "Sad", "SMIRK": None})
    assert upper.labels == listing.labels  # codes match case-insensitively
    with pytest.raises(DataError, match=r"p2_smirk_d\.png: an image without a label"):
        list_named_files(tmp_path / "faces", r"_(smile|frown)_", {"smile": "Happy", "frown": "Sad"})


@pytest.mark.parametrize("text, message", [
    ("smile", "'smile' is not CODE=CLASS"), ("smile=joy", "unknown expression 'joy'"), ("=happy", "is not CODE=CLASS"),
])
def test_bad_label_codes_name_the_option(text, message):
    with pytest.raises(ValueError, match=f"--label-codes.*{message}"):
        parse_label_codes(text)


def test_a_bad_pattern_names_the_option(tmp_path):
    noise(tmp_path / "a.png")
    with pytest.raises(ValueError, match=r"--label-pattern '\(': not a regular expression"):
        list_named_files(tmp_path, "(")
