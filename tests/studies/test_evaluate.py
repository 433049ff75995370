import json

import numpy as np
import pytest

from fer_bench.cli import main
from fer_bench.datasets import LabelledFaces, read_class_folder
from fer_bench.estimators.persistence import saved_class_names
from fer_bench.labels import FER2013_CLASSES, FERPLUS_CLASSES
from fer_bench.studies.evaluate import (check_model_classes, default_output_dir, evaluate, summary_text,
                                        write_evaluation)

from ..conftest import FIVE_CLASSES
from ..crafted_images import png_header, write_ck_plus_like
from .conftest import HAPPY, AlwaysHappy, write_synthetic_csv


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
    assert "2 images of contempt excluded: no FER-2013 counterpart" in summary
    assert "CK+ folder accuracy  40.00%" in summary

    json_path, html_path = write_evaluation(evaluation, tmp_path / "out", command="python -m fer_bench evaluate")
    saved = json.loads(json_path.read_text())
    assert saved["data"]["excluded"] == {"contempt": 2} and saved["metrics"]["accuracy"] == pytest.approx(0.4)
    html = html_path.read_text()
    assert "data:image/png;base64," in html and "<script" not in html
    assert "2 images of <code>contempt</code>" in html and "40.00%" in html
    assert "Row-normalised CK+ folder confusion matrices of model" in html



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
    assert "faces:   10 scored" in printed and "2 images of contempt excluded" in printed
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
    assert "--label-map reads a data folder; it goes with --data-folder, not --data" in capsys.readouterr().err



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



def test_cli_evaluate_takes_max_pixels(saved_network, tmp_path, capsys):
    root = write_ck_plus_like(tmp_path / "ck")
    argv = ["evaluate", "--model", str(saved_network), "--data-folder", str(root), "--label-map", "ck+",
            "--out", str(tmp_path / "out")]
    assert main([*argv, "--max-pixels", "1000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "exceed the limit of 1,000 pixels" in err and err.count("\n") == 1
    assert main([*argv, "--max-pixels", "100000"]) == 0


def test_cli_evaluate_on_a_data_folder_in_a_layout(saved_model, tmp_path, capsys):
    from tests.datasets.layouts.written import write_jaffe, write_rafdb

    write_rafdb(tmp_path / "raf", train_codes=[1, 2, 3], test_codes=[4, 6, 7, 7])
    out = tmp_path / "out"
    assert main(["evaluate", "--model", str(saved_model), "--data-folder", str(tmp_path / "raf"),
                 "--out", str(out)]) == 0  # the layout told from the files; its test part scored
    captured = capsys.readouterr()
    assert "(rafdb): 4 faces scored (rafdb PrivateTest)" in captured.err
    saved = json.loads((out / "evaluation.json").read_text())
    assert saved["data"]["scope"] == "rafdb PrivateTest" and saved["metrics"]["n"] == 4
    assert main(["evaluate", "--model", str(saved_model), "--data-folder", str(tmp_path / "raf"), "--split",
                 "Training", "--out", str(out)]) == 0
    assert json.loads((out / "evaluation.json").read_text())["metrics"]["n"] == 3
    write_jaffe(tmp_path / "jaffe", subjects=("KA",), takes=1)
    assert main(["evaluate", "--model", str(saved_model), "--data-folder", str(tmp_path / "jaffe"), "--layout", "jaffe",
                 "--out", str(out)]) == 0
    assert json.loads((out / "evaluation.json").read_text())["data"]["scope"] == "jaffe folder"
    capsys.readouterr()
    assert main(["evaluate", "--model", str(saved_model), "--data", "x.csv", "--layout", "jaffe"]) == 2
    assert "--layout reads a data folder; it goes with --data-folder, not --data" in capsys.readouterr().err
