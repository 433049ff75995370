import json

import numpy as np
import pytest

from fer_bench.cli import main
from fer_bench.datasets import LabelledFaces, make_synthetic, split_faces
from fer_bench.labels import FER2013_CLASSES
from fer_bench.studies.resize import (INTERPOLATIONS, SIZES, degrade, resize_study, run_resize_study, table_text,
                                     write_resize_study)

cv2 = pytest.importorskip("cv2", reason="the resolution study needs opencv-python-headless<5")


class MeanBrightness:
    """A stand-in model: label 1 for faces brighter than mid-grey on average, else 0."""

    classes_ = np.arange(7)

    def predict(self, X):
        return (X.reshape(len(X), -1).mean(axis=1) > 127.5).astype(np.int64)


class Checkerboard:
    """A stand-in model: label 1 for faces with pixel-level detail (a checkerboard), else 0."""

    classes_ = np.arange(7)

    def predict(self, X):
        detail = np.abs(np.diff(X.astype(np.int16), axis=2)).mean(axis=(1, 2))
        return (detail > 100).astype(np.int64)


def checkerboards(n):
    board = (np.indices((48, 48)).sum(axis=0) % 2 * 255).astype(np.uint8)
    return np.repeat(board[None], n, axis=0)


@pytest.fixture
def faces():
    images = np.random.default_rng(0).integers(0, 256, (20, 48, 48), dtype=np.uint8)
    return LabelledFaces(images, np.arange(20) % 7, FER2013_CLASSES, "random", "0" * 64, "PrivateTest")


@pytest.mark.parametrize("interpolation", list(INTERPOLATIONS))
@pytest.mark.parametrize("size", [40, 24, 12])
def test_degrade_equals_opencv_face_by_face(faces, size, interpolation):
    flag = getattr(cv2, INTERPOLATIONS[interpolation])
    expected = [cv2.resize(cv2.resize(face, (size, size), interpolation=flag), (48, 48), interpolation=flag)
                for face in faces.images]
    degraded = degrade(faces.images, size, interpolation)
    assert degraded.dtype == np.uint8 and degraded.shape == faces.images.shape
    np.testing.assert_array_equal(degraded, expected)


def test_degrade_keeps_48_and_removes_detail_below():
    boards = checkerboards(2)
    np.testing.assert_array_equal(degrade(boards, 48, "cubic"), boards)
    for interpolation in INTERPOLATIONS:
        assert np.ptp(degrade(boards, 12, interpolation).astype(int)) < 128  # one-pixel detail is gone


@pytest.mark.parametrize("size, interpolation, message", [
    (0, "cubic", "size 0"), (49, "cubic", "size 49"), (24, "nearest", "interpolation 'nearest'"),
])
def test_degrade_rejects_bad_arguments(faces, size, interpolation, message):
    with pytest.raises(ValueError, match=message):
        degrade(faces.images, size, interpolation)


def test_study_table_shape_and_the_untouched_row(faces):
    boards = LabelledFaces(checkerboards(4), np.ones(4, dtype=np.int64), FER2013_CLASSES, "boards", "0" * 64,
                           "PrivateTest")
    study = resize_study(Checkerboard(), boards)
    assert study["sizes"] == list(SIZES) and study["interpolations"] == list(INTERPOLATIONS)
    assert len(study["accuracy"]) == len(SIZES) and all(len(row) == len(INTERPOLATIONS) for row in study["accuracy"])
    assert study["accuracy"][0] == [1.0] * 4  # 48 px: untouched checkerboards, detail seen
    assert study["accuracy"][-1] == [0.0] * 4  # 12 px: detail gone under every interpolation
    lines = table_text(study).splitlines()
    assert lines[0].split() == ["size", *INTERPOLATIONS]
    assert lines[1].split() == ["48", "px", "100.00%", "100.00%", "100.00%", "100.00%"]


def test_study_scores_each_setting_on_its_degraded_faces(faces):
    study = resize_study(MeanBrightness(), faces, sizes=(48, 16), interpolations=("area", "linear"))
    for row, size in enumerate((48, 16)):
        for column, interpolation in enumerate(("area", "linear")):
            predicted = MeanBrightness().predict(degrade(faces.images, size, interpolation))
            assert study["accuracy"][row][column] == pytest.approx(np.mean(predicted == faces.labels))


def test_run_and_write_the_study(faces, tmp_path):
    study = run_resize_study(MeanBrightness(), tmp_path / "model", faces)
    json_path, html_path = write_resize_study(study, tmp_path / "out", command="python -m fer_bench study resize")
    saved = json.loads(json_path.read_text())
    assert saved["accuracy"] == study["accuracy"] and saved["data"]["n"] == 20
    assert saved["interpolation_flags"]["lanczos4"] == "INTER_LANCZOS4"
    html = html_path.read_text()
    assert html.count("<table>") == 2 and "data:image/png;base64," in html and "<script" not in html
    assert "PrivateTest accuracy of model against the side length" in html
    assert "lanczos4 = cv2.INTER_LANCZOS4" in html


def test_cli_study_resize(tmp_path, capsys):
    from fer_bench.estimators.classical.svm import PixelSVC
    from fer_bench.estimators.persistence import save_estimator

    dataset = make_synthetic(n_per_class=10)
    model_dir = save_estimator(PixelSVC(kernel="linear").fit(*dataset.split("Training")), tmp_path / "svc_linear")
    csv_path = tmp_path / "fer2013.csv"
    rows = [f"{label},{' '.join(map(str, image.ravel()))},{usage}"
            for image, label, usage in zip(dataset.images, dataset.labels, dataset.usage)]
    csv_path.write_text("\n".join(["emotion,pixels,Usage", *rows]) + "\n")
    out = tmp_path / "out"
    assert main(["study", "resize", "--model", str(model_dir), "--data", str(csv_path), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "PrivateTest accuracy" in captured.out and "macro-F1" in captured.out
    assert captured.out.strip().endswith("resize.html")
    assert captured.err.count("px") == len(SIZES) * len(INTERPOLATIONS)  # one progress line per setting
    saved = json.loads((out / "resize.json").read_text())
    expected = np.mean(PixelSVC(kernel="linear").fit(*dataset.split("Training")).predict(
        split_faces(dataset).images) == split_faces(dataset).labels)
    assert saved["accuracy"][0][0] == pytest.approx(expected)
