import pytest

from fer_bench.datasets import DataError
from fer_bench.datasets.layouts import LayoutOptions, detect_layout, list_layout
from fer_bench.datasets.synthetic_folder import write_synthetic_folder

from .written import noise, write_affectnet, write_ck_plus, write_expw, write_jaffe, write_rafdb


def test_the_layout_is_told_from_the_files(tmp_path):
    write_jaffe(tmp_path / "jaffe", subjects=("KA",), takes=1)
    write_ck_plus(tmp_path / "ck", {"S005": [1]})
    write_rafdb(tmp_path / "raf", [1], [2])
    write_affectnet(tmp_path / "an", [1], [2])
    write_expw(tmp_path / "expw", [("a.jpg", 0, (0, 0, 10, 10), 3)])
    write_synthetic_folder(tmp_path / "classes", n_subjects=1, sequences=2, frames=1)
    noise(tmp_path / "flat" / "holiday.png")
    found = {name: detect_layout(tmp_path / name) for name in ("jaffe", "ck", "raf", "an", "expw", "classes", "flat")}
    assert found == {"jaffe": "jaffe", "ck": "ck+", "raf": "rafdb", "an": "affectnet", "expw": "expw",
                     "classes": "classes", "flat": "classes"}  # a flat folder of other names: class folders' error
    write_rafdb(tmp_path / "ck", [1], [2])
    with pytest.raises(DataError, match=r"holds the files of several layouts \(ck\+, rafdb\); give --layout"):
        detect_layout(tmp_path / "ck")


def test_list_layout_detects_and_ck_plus_takes_class_folders_too(tmp_path):
    write_jaffe(tmp_path / "jaffe", subjects=("KA", "KL"), takes=1)
    layout, listing = list_layout(tmp_path / "jaffe", None)
    assert layout == "jaffe" and sorted(set(listing.subjects)) == ["KA", "KL"]
    write_synthetic_folder(tmp_path / "ck48", n_subjects=2, sequences=7, frames=1)
    layout, listing = list_layout(tmp_path / "ck48", "ck+")
    assert layout == "ck+" and listing.excluded == {"contempt": 2} and "Angry" in listing.class_names
    file_names = list_layout(tmp_path / "jaffe", "file-names", "jaffe",
                             LayoutOptions(label_pattern=r"\.([A-Z]{2})\d"))[1]
    assert file_names.labels == listing_labels(tmp_path / "jaffe")


def listing_labels(root):
    return list_layout(root, "jaffe")[1].labels


@pytest.mark.parametrize("layout, label_map, options, message", [
    ("rafdb", None, LayoutOptions(label_pattern="x"), "--label-pattern does not go with --layout rafdb"),
    ("jaffe", "ck+", LayoutOptions(), "--label-map does not go with --layout jaffe"),
    ("classes", None, LayoutOptions(neutral_first_frame=True),
     "--neutral-first-frame does not go with --layout classes"),
    ("file-names", None, LayoutOptions(), "--layout file-names needs --label-pattern"),
    ("ck+", None, LayoutOptions(neutral_first_frame=True), "--neutral-first-frame needs the full CK"),
    ("bp4d", None, LayoutOptions(), "--layout 'bp4d': expected one of classes, jaffe"),
])
def test_options_that_do_not_fit_the_layout(tmp_path, layout, label_map, options, message):
    write_jaffe(tmp_path / "jaffe", subjects=("KA",), takes=1)
    with pytest.raises(ValueError, match=message):
        list_layout(tmp_path / "jaffe", layout, label_map, options)
