import pytest

from fer_bench.datasets import DataError
from fer_bench.datasets.layouts.expw import expw_label_file, list_expw

from .written import write_expw

FACES = [  # (image, face id, (left, top, right, bottom), code): 0 angry ... 6 neutral
    ("a.jpg", 0, (5, 10, 30, 40), 3), ("a.jpg", 1, (50, 8, 80, 30), 6), ("b.jpg", 0, (0, 0, 20, 20), 0),
    ("c.jpg", 0, (60, 40, 90, 70), 5),
]


@pytest.fixture
def expw(tmp_path):
    write_expw(tmp_path / "expw", FACES)
    return tmp_path / "expw"


def test_one_face_per_line_with_its_box_and_name(expw):
    assert expw_label_file(expw) == expw / "label" / "label.lst"
    listing = list_expw(expw)
    assert listing.paths == ["image/origin/a.jpg", "image/origin/a.jpg", "image/origin/b.jpg", "image/origin/c.jpg"]
    assert listing.names == ["image/origin/a.jpg#0", "image/origin/a.jpg#1", "image/origin/b.jpg#0",
                             "image/origin/c.jpg#0"]
    assert [listing.class_names[label] for label in listing.labels] == ["Happy", "Neutral", "Angry", "Surprise"]
    assert listing.boxes == [box for _, _, box, _ in FACES]  # label.lst's top, left, right, bottom reordered
    assert listing.subjects is None and listing.partition is None


def _append(expw, line):
    with (expw / "label" / "label.lst").open("a") as handle:
        handle.write(line + "\n")


@pytest.mark.parametrize("line, message", [
    ("a.jpg 2 10 5 30 40 0.9 7", "line 5: unknown code '7'; expected 0 angry, 1 disgust"),
    ("a.jpg 1 10 5 30 40 0.9 2", r"line 5: face 1 of a\.jpg is labelled again \(first on line 2\)"),
    ("z.jpg 0 10 5 30 40 0.9 2", r"line 5: its image .*z\.jpg is missing"),
    ("a.jpg 2 40 5 30 10 0.9 2", r"line 5: face box \(left 5, top 40, right 30, bottom 10\) is empty"),
    ("a.jpg 2 10 5 30", "line 5: 5 fields; expected 8"),
])
def test_a_bad_line_is_named(expw, line, message):
    _append(expw, line)
    with pytest.raises(DataError, match=r"label\.lst: " + message):
        list_expw(expw)
