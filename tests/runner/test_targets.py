from pathlib import Path

import pytest

from fer_bench.datasets import make_synthetic
from fer_bench.datasets.synthetic_folder import write_synthetic_folder
from fer_bench.runner.targets import file_part, load_target, load_targets, parse_target, target_argument
from tests.datasets.planted import write_fer_csv


@pytest.fixture
def csv_target(tmp_path):
    path = tmp_path / "other.csv"
    write_fer_csv(path, make_synthetic(n_per_class=20, seed=1))
    return path


@pytest.fixture
def face_folder(tmp_path):
    """CK+ names, 48x48 faces already: no detector by default."""
    root = tmp_path / "ck48"
    write_synthetic_folder(root, n_subjects=2, sequences=7, frames=1, size=48, seed=2)
    return root


@pytest.mark.parametrize("spec, path, options", [
    ("data/fer2013.csv", "data/fer2013.csv", {}),
    ("faces:label_map=ck+,detect=none", "faces", {"label_map": "ck+", "detect": "none"}),
    ("C:/x/faces:name=webcam", "C:/x/faces", {"name": "webcam"}),
    ("dir:with:colons", "dir:with:colons", {}),
    ("jaffe:layout=jaffe", "jaffe", {"layout": "jaffe"}),
])
def test_parse_target(spec, path, options):
    assert parse_target(spec) == (Path(path), options)


@pytest.mark.parametrize("spec, message", [
    ("faces:colour=red", "--also-test faces:colour=red: unknown option 'colour'; expected name, layout, label_map, detect"),
    ("faces:label_map=", "--also-test faces:label_map=: 'label_map=' is not option=value"),
    ("faces:label_map=ck+,label_map=ck+", "option 'label_map' given twice"),
    ("faces:label_map=bp4d", "label_map 'bp4d'; expected ck+"),
    ("faces:layout=kdef", "layout 'kdef'; expected classes, jaffe"),
    ("faces:detect=eyes", "detect 'eyes'; expected haar, mtcnn, none"),
    (":name=x", "no path"),
])
def test_a_bad_argument_is_one_message_naming_it(spec, message):
    with pytest.raises(ValueError) as refused:
        parse_target(spec)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_a_fer2013_layout_is_scored_on_its_privatetest(csv_target):
    target = load_target(str(csv_target))
    assert target.info.scope == "PrivateTest" and target.info.name == "other" and target.info.detector is None
    assert len(target.labels) == 14 and sum(target.info.counts.values()) == 14
    assert target_argument(target.info) == str(csv_target.resolve())


def test_a_face_folder_is_scored_whole_with_its_label_map(face_folder):
    target = load_target(f"{face_folder}:label_map=ck+,name=CK 48")
    info = target.info
    assert info.scope == "folder" and info.name == "CK 48" and file_part(info.name) == "CK_48"
    assert info.excluded == {"contempt": 2} and "Angry" in info.class_names
    assert info.detector is None and info.no_face == 0  # every image 48x48: no detector by default
    assert len(target.labels) == 12 and target.images.shape == (12, 48, 48)
    assert target_argument(info) == f"{face_folder.resolve()}:label_map=ck+,name=CK 48"


def test_full_frames_are_cropped_by_a_detector_and_images_without_a_face_counted(tmp_path):
    pytest.importorskip("cv2")
    root = tmp_path / "frames"
    write_synthetic_folder(root, n_subjects=1, sequences=7, frames=1, size=96, seed=4)
    info = load_target(str(root)).info
    assert info.detector == "haar" and 0 <= info.no_face <= 7
    assert load_target(f"{root}:detect=none").info.detector is None


@pytest.mark.parametrize("make_spec, error, message", [
    (lambda csv, folder: [f"{csv}:label_map=ck+"], ValueError, "label_map goes with a face folder"),
    (lambda csv, folder: [str(csv.with_name("missing.csv"))], FileNotFoundError, "missing.csv: no such file or folder"),
    (lambda csv, folder: [str(csv), f"{csv}:name=again"], ValueError, "the same data as"),
    (lambda csv, folder: [str(csv), f"{folder}:name=other"], ValueError, "a second target named 'other'"),
])
def test_bad_targets_are_refused(make_spec, error, message, csv_target, face_folder):
    with pytest.raises(error, match=message):
        load_targets(make_spec(csv_target, face_folder))


def test_the_training_data_is_no_target(csv_target):
    sha256 = load_target(str(csv_target)).info.sha256
    with pytest.raises(ValueError, match="the same data as --data"):
        load_targets([str(csv_target)], training_sha256=sha256)


def test_a_jaffe_folder_is_found_by_its_layout_and_cropped_by_a_detector(tmp_path):
    pytest.importorskip("cv2")
    from tests.datasets.layouts.written import write_jaffe

    write_jaffe(tmp_path / "jaffe", subjects=("KA",), takes=1)
    info = load_target(str(tmp_path / "jaffe")).info
    assert (info.scope, info.detector, sum(info.counts.values())) == ("folder", "haar", 7)
    assert info.no_face == 7  # noise images: no face found, scored whole and counted
    assert load_target(f"{tmp_path / 'jaffe'}:layout=jaffe,detect=none").info.detector is None


def test_a_data_set_with_its_own_partition_is_scored_on_its_test_part(tmp_path):
    from tests.datasets.layouts.written import write_rafdb

    write_rafdb(tmp_path / "raf", train_codes=[1, 2, 3, 4, 5, 6, 7], test_codes=[4, 4, 7])
    target = load_target(f"{tmp_path / 'raf'}:detect=none")
    assert target.info.scope == "PrivateTest" and len(target.labels) == 3
    assert target.info.counts["Happy"] == 2 and target.info.counts["Neutral"] == 1


def test_a_detector_is_refused_for_a_layout_that_crops_its_face_boxes(tmp_path):
    from tests.datasets.layouts.written import write_affectnet

    write_affectnet(tmp_path / "affectnet", training=[1, 2], validation=[0, 1])
    with pytest.raises(ValueError, match="detect goes with whole images; the affectnet layout crops"):
        load_target(f"{tmp_path / 'affectnet'}:detect=haar")
    assert load_target(str(tmp_path / "affectnet")).info.detector is None
