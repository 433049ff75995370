import pytest

from fer_bench.datasets import DataError
from fer_bench.datasets.layouts.listing import LabelledImage, box_from_sides, code_number, inside, listing_of


def test_classes_are_renumbered_to_those_present_and_the_rest_counted(tmp_path):
    rows = [LabelledImage("a.png", "happy", 3, "a"), LabelledImage("b.png", "contempt", None, "b"),
            LabelledImage("c.png", "anger", 0, "c", subject="S1"), LabelledImage("d.png", "happy", 3, "d")]
    listing = listing_of(rows, tmp_path)
    assert listing.class_names == ("Angry", "Happy") and listing.labels == [1, 0, 1]
    assert listing.excluded == {"contempt": 1} and listing.subjects is None and listing.boxes is None
    with pytest.raises(DataError, match=r"no face with a FER-2013 class; excluded \{'contempt': 1\}"):
        listing_of(rows[1:2], tmp_path)


def test_codes_boxes_and_paths_are_checked(tmp_path):
    assert code_number("5.0000000e+00", range(8), "f: line 1", "0-7") == 5
    with pytest.raises(DataError, match="f: line 1: unknown code '8'; expected 0-7"):
        code_number("8", range(8), "f: line 1", "0-7")
    assert box_from_sides("1.4", "2", "10", "12.6", "o") == (1, 2, 10, 13)
    assert inside(tmp_path, "a\\b.jpg", "o") == "a/b.jpg"
    for bad in ("/etc/passwd", "a/../../b.jpg", ""):
        with pytest.raises(DataError, match="o: image path .* leaves"):
            inside(tmp_path, bad, "o")
