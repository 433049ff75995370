import json

import numpy as np
import pytest

from fer_bench.cli import main
from fer_bench.labels import FER2013_CLASSES
from fer_bench.pipeline import ExpressionClassifier, build_pipeline
from fer_bench.estimators.persistence import saved_class_names

from ..conftest import FIVE_CLASSES
from ..crafted_images import png_header
from .conftest import astronaut, cv2

CLASS_NAMES = [name.lower() for name in FER2013_CLASSES]  # what the tiny model's results.json says


def predict(capsys, *argv):
    status = main(["predict", *map(str, argv)])
    out, err = capsys.readouterr()
    return status, out, err


def test_json_lists_each_image_with_its_faces_and_probabilities(capsys, tiny_model, photos, tmp_path):
    status, out, err = predict(capsys, photos["astronaut"], photos["astronaut_gray"], photos["group"],
                               "--model", tiny_model, "--json", "--out", tmp_path)
    assert status == 0
    results = json.loads(out)
    assert [result["image"] for result in results] == [str(photos[key]) for key in ("astronaut", "astronaut_gray", "group")]
    [face] = results[0]["faces"]
    x, y, w, h = face["box"]
    assert 150 < x + w / 2 < 300 and 60 < y + h / 2 < 170  # box in pixels of the 512x512 input
    assert face["label"] in CLASS_NAMES and list(face["probabilities"]) == CLASS_NAMES
    assert face["label"] == max(face["probabilities"], key=face["probabilities"].get)
    assert sum(face["probabilities"].values()) == pytest.approx(1, abs=1e-3)
    assert results[1]["faces"][0]["box"] == face["box"]  # grayscale file, same face
    assert len(results[2]["faces"]) == 3
    written = {path.name: cv2.imread(str(path)) for path in tmp_path.iterdir()}
    assert set(written) == {"astronaut_faces.png", "astronaut_gray_faces.png", "group_faces.jpg"}
    assert written["astronaut_faces.png"].shape == (512, 512, 3)
    assert not np.array_equal(written["astronaut_faces.png"], astronaut())
    assert "3 face(s)" in err


def test_a_photo_without_face_gives_an_empty_list_and_status_0(capsys, tiny_model, photos):
    status, out, err = predict(capsys, photos["cat"], "--model", tiny_model, "--json")
    assert status == 0
    assert json.loads(out) == [{"image": str(photos["cat"]), "faces": []}]
    assert "cat.jpg: no face found" in err


def test_unreadable_files_are_named_the_rest_processed_and_the_status_is_1(capsys, tiny_model, photos, tmp_path):
    missing = tmp_path / "missing.png"
    status, out, err = predict(capsys, photos["corrupt"], missing, photos["astronaut"], "--model", tiny_model, "--json")
    assert status == 1
    results = json.loads(out)  # stdout stays valid JSON
    assert "corrupt.jpg: not a readable image" in results[0]["error"] and results[0]["faces"] == []
    assert "no such image file" in results[1]["error"]
    assert len(results[2]["faces"]) == 1
    assert f"error: {photos['corrupt']}: not a readable image" in err
    assert "error: 2 of 3 image(s) could not be read" in err


def test_plain_output_has_one_line_per_image(capsys, tiny_model, photos):
    status, out, _ = predict(capsys, photos["astronaut"], photos["cat"], "--model", tiny_model)
    lines = out.splitlines()
    assert status == 0 and len(lines) == 2
    assert lines[0].startswith(f"{photos['astronaut']}: ") and "at [" in lines[0]
    assert lines[1] == f"{photos['cat']}: no face"


@pytest.mark.parametrize("options, message", [
    (["--model", "nowhere"], "nowhere: no such model folder"),
    (["--detector", "mtcnn", "--min-neighbors", "3"], "takes no min_neighbors"),
    (["--scale-factor", "0.9"], "--scale-factor must be > 1"),
    (["--cascade", "nowhere.xml"], "nowhere.xml: no such cascade file"),
])
def test_bad_options_give_one_error_line_and_status_2(capsys, tiny_model, photos, options, message):
    options = options if options[0] == "--model" else ["--model", str(tiny_model), *options]
    status, out, err = predict(capsys, photos["astronaut"], *options)
    assert status == 2 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_class_names_come_from_the_run_manifest_else_fer2013(tiny_model, tmp_path):
    assert saved_class_names(tiny_model) == tuple(CLASS_NAMES)  # a model saved without names, in its run
    assert saved_class_names(tmp_path / "models" / "x") is None
    assert ExpressionClassifier(build_pipeline(tiny_model).classifier.estimator).class_names == FER2013_CLASSES


def test_the_pipeline_classifies_all_faces_of_a_photo_in_one_batch(tiny_model, photos):
    pipeline = build_pipeline(tiny_model)
    calls = []
    estimator = pipeline.classifier.estimator
    original = estimator.predict_proba
    estimator.predict_proba = lambda faces: calls.append(faces.shape) or original(faces)
    faces = pipeline.analyze(cv2.imread(str(photos["group"])))
    assert len(faces) == 3 and calls == [(3, 48, 48)]


def test_a_classifier_without_predict_proba_reports_its_decision_with_probability_1():
    class Decisions:
        classes_ = np.array([3, 6])

        def predict(self, faces):
            return np.full(len(faces), 6)

    [(label, probabilities)] = ExpressionClassifier(Decisions()).classify(np.zeros((1, 48, 48), np.uint8))
    assert label == "Neutral" and probabilities == {"Happy": 0.0, "Neutral": 1.0}


def test_a_five_class_model_copied_out_of_its_run_answers_with_its_own_names(capsys, five_class_model, photos):
    status, out, _ = predict(capsys, photos["astronaut"], "--model", five_class_model, "--json")
    assert status == 0
    [face] = json.loads(out)[0]["faces"]
    assert tuple(face["probabilities"]) == FIVE_CLASSES  # label 1 is Happy, not FER-2013's Disgust
    assert face["label"] in FIVE_CLASSES


def test_an_image_opencv_refuses_to_decode_is_named_and_the_rest_processed(capsys, tiny_model, photos, tmp_path,
                                                                          monkeypatch):
    broken = tmp_path / "broken.png"
    broken.write_bytes(png_header(64, 64))  # within the pixel limit: the header check lets it through to OpenCV
    real_imdecode = cv2.imdecode

    def imdecode(buffer, flags):
        if len(buffer) < 1000:
            raise cv2.error("OpenCV(4) imdecode: bad data")
        return real_imdecode(buffer, flags)

    monkeypatch.setattr(cv2, "imdecode", imdecode)
    status, out, err = predict(capsys, broken, photos["astronaut"], "--model", tiny_model, "--json")
    assert status == 1
    results = json.loads(out)
    assert results[0]["faces"] == [] and "broken.png" in results[0]["error"]
    assert len(results[1]["faces"]) == 1
    assert "Traceback" not in err and f"error: {broken}" in err


def test_a_decompression_bomb_gives_one_error_line_naming_the_file(capsys, tiny_model, photos, tmp_path):
    from ..crafted_images import bomb_png

    bombs = [tmp_path / "bomb20k.png", tmp_path / "bomb8k.png"]
    for path, side in zip(bombs, (20000, 8000)):
        path.write_bytes(bomb_png(side, side))
    status, out, err = predict(capsys, *bombs, photos["astronaut"], "--model", tiny_model, "--json")
    assert status == 1
    results = json.loads(out)
    assert "Pillow's hard limit" in results[0]["error"] and "exceed the limit of 40,000,000" in results[1]["error"]
    assert len(results[2]["faces"]) == 1
    assert f"error: {bombs[0]}: more than" in err and f"error: {bombs[1]}: 8000x8000 pixels" in err
    assert "Traceback" not in err and "cv2.error" not in err


def test_max_pixels_refuses_larger_photos(capsys, tiny_model, photos):
    status, _, err = predict(capsys, photos["astronaut"], "--model", tiny_model, "--max-pixels", "100000")
    assert status == 1 and "astronaut.png: 512x512 pixels (262,144) exceed the limit of 100,000 pixels" in err
    with pytest.raises(SystemExit) as exit_status:
        predict(capsys, photos["astronaut"], "--model", tiny_model, "--max-pixels", "0")
    assert exit_status.value.code == 2
    assert "--max-pixels: expected a positive integer, got '0'" in capsys.readouterr().err


def test_the_cli_default_pixel_limit_is_the_readers():
    from fer_bench.cli import build_parser
    from fer_bench.datasets.image_files import MAX_PIXELS

    DEFAULT_MAX_PIXELS = build_parser().parse_args(["predict", "photo.png", "--model", "m"]).max_pixels
    assert DEFAULT_MAX_PIXELS == MAX_PIXELS
