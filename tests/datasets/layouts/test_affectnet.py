import pytest

from fer_bench.datasets import DataError
from fer_bench.datasets.layouts.affectnet import affectnet_files, list_affectnet

from .written import write_affectnet


@pytest.fixture
def affectnet(tmp_path):
    # 0 Neutral 1 Happy 2 Sad 3 Surprise 4 Fear 5 Disgust 6 Anger 7 Contempt 8 None 9 Uncertain 10 Non-Face
    write_affectnet(tmp_path / "an", training=[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1], validation=[6, 0, 10])
    return tmp_path / "an"


def test_codes_map_onto_fer2013_and_8_to_10_are_counted_and_dropped(affectnet):
    assert [path.name for path in affectnet_files(affectnet)] == ["training.csv", "validation.csv"]
    listing = list_affectnet(affectnet)
    named = [listing.class_names[label] for label in listing.labels]
    assert named == ["Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust", "Angry", "Happy", "Angry", "Neutral"]
    assert listing.excluded == {"contempt": 1, "none": 1, "uncertain": 1, "non-face": 2}
    assert listing.partition == ["Training"] * 8 + ["PrivateTest"] * 2
    assert listing.boxes[0] == (10, 5, 50, 35)  # face_x, face_y, face_x + face_width, face_y + face_height
    assert listing.paths[0] == "Manually_Annotated_Images/0/t0000.jpg"
    assert listing.origins[0].endswith("training.csv: line 2")


def _append(affectnet, row):
    with (affectnet / "Manually_Annotated_file_lists" / "training.csv").open("a") as handle:
        handle.write(row + "\n")


@pytest.mark.parametrize("row, message", [
    ("0/t0000.jpg,10,5,30,25,1;2,11,0.1,0.2", "line 14: unknown code '11'; expected 0 neutral, 1 happy"),
    ("0/t0000.jpg,10,5,30,25,1;2,x,0.1,0.2", "line 14: unknown code 'x'"),
    ("9/missing.jpg,10,5,30,25,1;2,1,0.1,0.2", r"line 14: its image .*9/missing\.jpg is missing"),
    ("0/t0000.jpg,10,5,0,25,1;2,1,0.1,0.2", r"line 14: face box \(left 10, top 5, right 10, bottom 30\) is empty"),
    ("0/t0000.jpg,ten,5,30,25,1;2,1,0.1,0.2", "line 14: face box .* is not four numbers"),
    ("0/t0000.jpg,10,5", "line 14: 3 fields; expected 9"),
])
def test_a_bad_row_is_named(affectnet, row, message):
    _append(affectnet, row)
    with pytest.raises(DataError, match=r"training\.csv: " + message):
        list_affectnet(affectnet)


def test_rows_without_a_fer2013_class_are_not_checked(affectnet):
    _append(affectnet, "9/missing.jpg,10,5,30,25,1;2,9,0.1,0.2")
    assert list_affectnet(affectnet).excluded["uncertain"] == 2


def test_a_header_without_affectnet_s_columns(affectnet):
    (affectnet / "Manually_Annotated_file_lists" / "validation.csv").write_text("path,label\nx.jpg,1\n")
    with pytest.raises(DataError, match=r"validation\.csv: line 1: the header lacks subDirectory_filePath"):
        list_affectnet(affectnet)
