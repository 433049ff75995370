import pytest

from fer_bench.datasets import DataError
from fer_bench.datasets.layouts.ck_plus import is_ck_plus, list_ck_plus

from .written import write_ck_plus


@pytest.fixture
def ck(tmp_path):
    # codes: 1 anger, 2 contempt, 5 happy, 7 surprise; None: a sequence without an emotion file
    write_ck_plus(tmp_path / "ck", {"S005": [1, 5, None], "S010": [2, 7]})
    return tmp_path / "ck"


def test_labelled_peak_frames_with_subjects_and_contempt_counted(ck):
    assert is_ck_plus(ck)
    listing = list_ck_plus(ck)
    assert listing.paths == ["cohn-kanade-images/S005/001/S005_001_00000003.png",
                             "cohn-kanade-images/S005/002/S005_002_00000003.png",
                             "cohn-kanade-images/S010/002/S010_002_00000003.png"]
    assert listing.class_names == ("Angry", "Happy", "Surprise") and listing.labels == [0, 1, 2]
    assert listing.subjects == ["S005", "S005", "S010"] and listing.excluded == {"contempt": 1}
    assert listing.label_files[0] == "Emotion/S005/001/S005_001_00000003_emotion.txt"


def test_first_frames_as_neutral_on_request(ck):
    listing = list_ck_plus(ck, neutral_first_frame=True)
    assert listing.paths[:2] == ["cohn-kanade-images/S005/001/S005_001_00000001.png",
                                 "cohn-kanade-images/S005/001/S005_001_00000003.png"]
    assert listing.class_names[-1] == "Neutral"
    neutral = len(listing.class_names) - 1
    assert sum(label == neutral for label in listing.labels) == 4  # the contempt sequence's first frame too


@pytest.mark.parametrize("text, message", [
    ("   9.0000000e+00\n", r"line 1: unknown code '9.0000000e\+00'; expected 0=neutral, 1=anger"),
    ("   2.5\n", "line 1: unknown code '2.5'"),
    ("1 2\n", "line 1: 2 values; expected one emotion code"),
])
def test_a_bad_label_file_is_named_with_its_line(ck, text, message):
    (ck / "Emotion" / "S005" / "001" / "S005_001_00000003_emotion.txt").write_text(text)
    with pytest.raises(DataError, match=r"S005_001_00000003_emotion\.txt: " + message):
        list_ck_plus(ck)


def test_a_label_whose_frame_is_missing(ck):
    (ck / "cohn-kanade-images" / "S010" / "002" / "S010_002_00000003.png").unlink()
    with pytest.raises(DataError, match=r"S010_002_00000003_emotion\.txt: line 1: its image .*S010_002_00000003\.png "
                                        "is missing"):
        list_ck_plus(ck)
