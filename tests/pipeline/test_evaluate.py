import json

import numpy as np
import pytest
from PIL import Image

from fer_bench.cli import main
from fer_bench.datasets import DataError, make_synthetic
from fer_bench.labels import FER2013_CLASSES, FERPLUS_CLASSES
from fer_bench.pipeline.evaluate import (LabelledFaces, check_model_classes, default_output_dir, evaluate,
                                         read_class_folder, split_faces, summary_text, write_evaluation)
from fer_bench.estimators.persistence import saved_class_names

from .conftest import FIVE_CLASSES, png_header, write_synthetic_csv

HAPPY = FER2013_CLASSES.index("Happy")
CK_PLUS_COUNTS = {"anger": 3, "contempt": 2, "happy": 4, "sadness": 2, "surprise": 1}


class AlwaysHappy:
    """A stand-in model: predicts Happy for every face."""

    classes_ = np.arange(7)

    def predict(self, X):
        assert X.dtype == np.uint8 and X.shape[1:] == (48, 48)
        return np.full(len(X), HAPPY)


def write_ck_plus_like(root):
    """CK+-like folders: faces of varying size, RGB and grayscale, PNG and JPEG, one nested subject folder."""
    rng = np.random.default_rng(0)
    for folder, count in CK_PLUS_COUNTS.items():
        for i in range(count):
            size = (30 + 17 * i, 40 + 11 * i)
            mode, suffix = ("RGB", "jpg") if i % 2 else ("L", "png")
            shape = (size[1], size[0], 3) if mode == "RGB" else (size[1], size[0])
            path = root / folder / ("S005" if i == 2 else "") / f"face{i}.{suffix}"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(path)
    (root / "README.txt").write_text("not an image")
    return root


def save_in_run(model, run_dir, name, class_names=FER2013_CLASSES):
    """Save ``model`` as RUN_DIR/models/NAME beside a results.json naming the run's classes."""
    from fer_bench.estimators.persistence import save_estimator

    model_dir = save_estimator(model, run_dir / "models" / name)
    manifest = {"class_names": list(class_names)}
    (run_dir / "results.json").write_text(json.dumps({"manifest": manifest, "records": [{"name": name}]}))
    return model_dir


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    """A linear SVM on synthetic faces (fast, saved with skops) in a 7-class run."""
    from fer_bench.estimators.classical import PixelSVC

    images, labels = make_synthetic(n_per_class=20).split("Training")
    return save_in_run(PixelSVC(kernel="linear").fit(images, labels), tmp_path_factory.mktemp("run"), "svc_linear")


@pytest.fixture(scope="module")
def saved_network(tmp_path_factory):
    """A tiny network trained on synthetic faces (saved through its own save/load) in a 7-class run."""
    from fer_bench.estimators.torch.classifier import TorchClassifier

    images, labels = make_synthetic(n_per_class=20).split("Training")
    model = TorchClassifier(architecture="shallow_cnn", width=0.125, epochs=1, batch_size=32).fit(images, labels)
    return save_in_run(model, tmp_path_factory.mktemp("run"), "shallow_cnn")


def test_ck_plus_folder_is_mapped_and_contempt_excluded(tmp_path):
    faces = read_class_folder(write_ck_plus_like(tmp_path / "ck"), "ck+")
    assert faces.excluded == {"contempt": 2}
    assert faces.images.dtype == np.uint8 and faces.images.shape == (10, 48, 48)
    names = [FER2013_CLASSES[label] for label in faces.labels]
    assert names == ["Angry"] * 3 + ["Happy"] * 4 + ["Sad"] * 2 + ["Surprise"]
    assert faces.class_names == FER2013_CLASSES and faces.scope == "CK+ folder"


def test_metrics_exclusions_and_outputs(tmp_path):
    faces = read_class_folder(write_ck_plus_like(tmp_path / "ck"), "ck+")
    evaluation = evaluate(AlwaysHappy(), tmp_path / "model", faces)
    metrics = evaluation["metrics"]
    assert metrics["n"] == 10 and metrics["accuracy"] == pytest.approx(0.4)
    assert metrics["confusion_matrix"][HAPPY][HAPPY] == 4
    # Happy F1 = 2 * 0.4 * 1 / 1.4; four classes present, seven in all
    assert metrics["macro_f1_present"] == pytest.approx(0.8 / 1.4 / 4)
    assert metrics["macro_f1"] == pytest.approx(0.8 / 1.4 / 7)
    summary = summary_text(evaluation)
    assert "2 images in contempt/ excluded: no FER-2013 counterpart" in summary
    assert "CK+ folder accuracy  40.00%" in summary

    json_path, html_path = write_evaluation(evaluation, tmp_path / "out", command="python -m fer_bench evaluate")
    saved = json.loads(json_path.read_text())
    assert saved["data"]["excluded"] == {"contempt": 2} and saved["metrics"]["accuracy"] == pytest.approx(0.4)
    html = html_path.read_text()
    assert "data:image/png;base64," in html and "<script" not in html
    assert "<code>contempt/</code>" in html and "40.00%" in html
    assert "Row-normalised CK+ folder confusion matrices of model" in html


def test_ck_plus_names_need_the_label_map(tmp_path):
    root = write_ck_plus_like(tmp_path / "ck")
    with pytest.raises(DataError, match=r"ck/anger: folder name is not a known class.*--label-map"):
        read_class_folder(root)


def test_unknown_folder_is_named_even_with_a_map(tmp_path):
    root = write_ck_plus_like(tmp_path / "ck")
    (root / "bored").mkdir()
    with pytest.raises(DataError, match=r"ck/bored: folder name is not a known class: unknown expression 'bored'"):
        read_class_folder(root, "ck+")


def test_image_outside_class_folders_and_unreadable_images(tmp_path):
    root = write_ck_plus_like(tmp_path / "ck")
    (root / "loose.png").write_bytes(b"")
    with pytest.raises(DataError, match="loose.png: an image outside a class folder"):
        read_class_folder(root, "ck+")
    (root / "loose.png").unlink()
    (root / "happy" / "broken.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(DataError, match=r"happy/broken\.jpg: not a readable image"):
        read_class_folder(root, "ck+")


def test_only_excluded_images_is_an_error(tmp_path):
    (tmp_path / "contempt").mkdir()
    Image.new("L", (20, 20)).save(tmp_path / "contempt" / "a.png")
    with pytest.raises(DataError, match=r"no images .* to score.*contempt"):
        read_class_folder(tmp_path, "ck+")


def test_fer2013_split_faces_and_unlabelled_split():
    dataset = make_synthetic(n_per_class=5)
    faces = split_faces(dataset, "PublicTest")
    assert len(faces.labels) == 7 and faces.scope == "PublicTest" and faces.synthetic
    with pytest.raises(KeyError, match="unknown split 'Test'"):
        split_faces(dataset, "Test")


def test_class_mismatch_with_the_training_run_is_refused(saved_model):
    from fer_bench.estimators.persistence import load_estimator

    model = load_estimator(saved_model)
    assert saved_class_names(saved_model) == FER2013_CLASSES
    assert model.classes_.tolist() == list(range(7))
    with pytest.raises(ValueError, match="trained on the classes Angry, .* but the data has Neutral, Happiness"):
        check_model_classes(model, FERPLUS_CLASSES, saved_class_names(saved_model), saved_model)
    with pytest.raises(ValueError, match=r"predicts labels 0\.\.6, outside the data's 5 classes"):
        check_model_classes(model, FER2013_CLASSES[:5], None, saved_model)


def test_default_output_dir_sits_in_the_run(saved_model, tmp_path):
    assert default_output_dir(saved_model, "evaluate-x") == saved_model.parent.parent / "studies" / "evaluate-x"
    assert default_output_dir(tmp_path, "evaluate-x").parent.as_posix() == "reports/studies"


def test_cli_evaluates_a_saved_network_on_a_ck_plus_folder(saved_network, tmp_path, capsys):
    root = write_ck_plus_like(tmp_path / "ck")
    out = tmp_path / "out"
    assert main(["evaluate", "--model", str(saved_network), "--data-folder", str(root), "--label-map", "ck+",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "faces:   10 scored" in printed and "2 images in contempt/ excluded" in printed
    assert printed.strip().endswith("evaluation.html")
    saved = json.loads((out / "evaluation.json").read_text())
    assert saved["metrics"]["n"] == 10 and "--label-map ck+" in saved["command"]
    assert sum(map(sum, saved["metrics"]["confusion_matrix"])) == 10


def test_cli_errors_are_one_line(saved_model, tmp_path, capsys):
    root = write_ck_plus_like(tmp_path / "ck")
    assert main(["evaluate", "--model", str(saved_model), "--data-folder", str(root)]) == 2
    assert "error: " in capsys.readouterr().err
    assert main(["evaluate", "--model", str(tmp_path / "nope"), "--data-folder", str(root), "--label-map", "ck+"]) == 2
    assert "no such model folder" in capsys.readouterr().err
    assert main(["evaluate", "--model", str(saved_model), "--data", "x.csv", "--label-map", "ck+"]) == 2
    assert "--label-map maps folder names" in capsys.readouterr().err


def test_real_folder_sample(fer2013_folder_sample, tmp_path):
    root = fer2013_folder_sample / "test"
    faces = read_class_folder(root)
    files = {path.relative_to(root).as_posix(): path.parent.name for path in root.rglob("*.*")}
    assert len(faces.labels) == len(files) and not faces.excluded
    expected = sorted(FER2013_CLASSES.index(folder.capitalize()) for folder in files.values())
    assert sorted(faces.labels.tolist()) == expected
    evaluation = evaluate(AlwaysHappy(), tmp_path, faces)
    assert evaluation["metrics"]["accuracy"] == pytest.approx(np.mean(faces.labels == HAPPY))


def test_labelled_faces_scope_reaches_the_figure(tmp_path):
    faces = LabelledFaces(np.zeros((2, 48, 48), np.uint8), np.array([HAPPY, 0]), FER2013_CLASSES, "x", "0" * 64,
                          "PublicTest")
    _, html_path = write_evaluation(evaluate(AlwaysHappy(), tmp_path, faces), tmp_path / "out")
    assert "Row-normalised PublicTest confusion matrices" in html_path.read_text()


def test_fer2013_export_root_gets_a_hint(tmp_path):
    (tmp_path / "test" / "happy").mkdir(parents=True)
    with pytest.raises(DataError, match=r"unknown expression 'test'.*give DIR/test, or DIR with --data"):
        read_class_folder(tmp_path)


def test_a_five_class_model_copied_out_of_its_run_is_refused_on_seven_class_data(five_class_model, tmp_path, capsys):
    from fer_bench.estimators.persistence import saved_class_names

    assert saved_class_names(five_class_model) == FIVE_CLASSES
    data = write_synthetic_csv(tmp_path / "fer2013.csv")
    for argv in (["evaluate", "--data", str(data)], ["study", "resize", "--data", str(data)]):
        assert main([*argv, "--model", str(five_class_model), "--out", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert "trained on the classes Angry, Happy, Sad, Surprise, Neutral, but the data has Angry, Disgust" in err
    assert not (tmp_path / "out").exists()


def test_a_decompression_bomb_in_a_class_folder_is_one_error_line(saved_model, tmp_path, capsys):
    root = write_ck_plus_like(tmp_path / "ck")
    (root / "happy" / "bomb.png").write_bytes(png_header(20_000, 20_000))  # 0.1 KB declaring 400 megapixels
    assert main(["evaluate", "--model", str(saved_model), "--data-folder", str(root), "--label-map", "ck+"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "happy/bomb.png" in err


def test_a_class_folder_that_is_a_symlink_loop_is_an_error(tmp_path):
    import os

    root = write_ck_plus_like(tmp_path / "ck")
    os.symlink("fear", root / "fear")  # fear -> fear
    with pytest.raises(DataError, match=r"ck/fear: a symbolic link loop"):
        read_class_folder(root, "ck+")


def test_class_folder_images_are_read_with_the_pixel_limit_and_the_minimum_size(tmp_path):
    from ..crafted_images import bomb_png

    root = write_ck_plus_like(tmp_path / "ck")
    (root / "happy" / "bomb.png").write_bytes(bomb_png(8000, 8000))
    with pytest.raises(DataError, match=r"happy/bomb\.png: 8000x8000 pixels .* exceed the limit of 40,000,000"):
        read_class_folder(root, "ck+")
    (root / "happy" / "bomb.png").unlink()
    with pytest.raises(DataError, match=r"exceed the limit of 1,000 pixels"):
        read_class_folder(root, "ck+", max_pixels=1000)
    Image.new("L", (1, 1)).save(root / "happy" / "dot.png")
    with pytest.raises(DataError, match=r"happy/dot\.png: 1x1 pixels is too small for a face"):
        read_class_folder(root, "ck+")


def test_cli_evaluate_takes_max_pixels(saved_network, tmp_path, capsys):
    root = write_ck_plus_like(tmp_path / "ck")
    argv = ["evaluate", "--model", str(saved_network), "--data-folder", str(root), "--label-map", "ck+",
            "--out", str(tmp_path / "out")]
    assert main([*argv, "--max-pixels", "1000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "exceed the limit of 1,000 pixels" in err and err.count("\n") == 1
    assert main([*argv, "--max-pixels", "100000"]) == 0
