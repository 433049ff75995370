"""Model cards on the command line: ``run --pretrained CARD.toml`` (with ``--resume`` and ``report``), and
``evaluate --model CARD.toml`` (``--runtime`` checked, a bad card one error line, exit 2)."""

import json

import pytest

from fer_bench.cli import main
from fer_bench.estimators import _registry, available_estimators, card_zoo

from ..cards.support import card_dict, changed, write_card
from ..cards.test_runtimes import keras_model
from .support import one_error_line

THREE = ["happy", "contempt", "sad", "neutral", "unknown", "NF", "other"]
"""Seven outputs of which three are FER-2013 classes."""


@pytest.fixture
def clean_registry(monkeypatch):
    """Cards a test registers are gone after it, and when it calls the fixture's value (a fresh process)."""
    before = dict(available_estimators())

    def reset():
        monkeypatch.setattr(_registry, "_REGISTRY", dict(before))
        monkeypatch.setattr(card_zoo, "_CARD_FILES", {})

    reset()
    return reset


def keras_card(folder, name, classes):
    folder.mkdir(parents=True, exist_ok=True)
    keras_model(lambda_layer=False).save(folder / "model.keras")
    card = changed(card_dict(file="model.keras", file_format="keras", layout="nhwc"), "output", "kind", "probabilities")
    card = changed(changed(card, "output", "classes", classes), None, "name", name)
    return write_card(folder, card, name=f"{name}.toml", model_bytes=None)


def test_run_pretrained_scores_the_card_beside_its_claimed_accuracy_and_resumes(tiny_csv, tmp_path, clean_registry,
                                                                               capsys):
    card = keras_card(tmp_path / "cards", "three_way", THREE)
    run_dir = tmp_path / "run"
    assert main(["run", "--pretrained", str(card), "--data", str(tiny_csv), "--out", str(run_dir), "--quiet"]) == 0
    results = json.loads((run_dir / "results.json").read_text())
    assert results["manifest"]["estimators"] == ["three_way"] and results["manifest"]["cards"] == [str(card)]
    (record,) = results["records"]
    assert (record["name"], record["status"], record["family"], record["framework"]) == (
        "three_way", "ok", "pretrained", "keras")
    assert record["source"] == "pretrained elsewhere on synthetic faces"
    assert record["class_names"] == ["Happy", "Sad", "Neutral"] and record["test_images"] == 6
    facts = record["pretrained"]
    assert (facts["card"], facts["claimed_accuracy"], facts["left_out_test_faces"]) == (str(card), 0.5, 8)
    assert facts["dropped_classes"] == ["contempt", "unknown", "NF", "other"]
    report = (run_dir / "report.html").read_text()
    assert "authors claim 50.0%" in report and "8 PrivateTest faces are of classes it cannot output" in report

    results["records"] = []
    results["manifest"]["complete"] = False
    (run_dir / "results.json").write_text(json.dumps(results))
    clean_registry()  # a fresh process: the card is registered from the manifest alone
    assert main(["run", "--resume", str(run_dir), "--quiet"]) == 0
    (resumed,) = json.loads((run_dir / "results.json").read_text())["records"]
    assert resumed["status"] == "ok" and resumed["pretrained"]["left_out_test_faces"] == 8
    assert main(["report", str(run_dir)]) == 0


def test_a_card_of_all_seven_classes_runs_beside_other_estimators(tiny_csv, tmp_path, clean_registry):
    card = keras_card(tmp_path / "cards", "seven_way", list(card_dict()["output"]["classes"]))
    run_dir = tmp_path / "run"
    assert main(["run", "svc_linear", "--pretrained", str(card), "--data", str(tiny_csv), "--out", str(run_dir),
                 "--quiet"]) == 0
    records = json.loads((run_dir / "results.json").read_text())["records"]
    assert [record["name"] for record in records] == ["svc_linear", "seven_way"]
    assert records[0]["pretrained"] is None and records[1]["pretrained"]["left_out_test_faces"] == 0
    assert records[1]["test_images"] == 14


def test_evaluate_takes_a_card_as_model(tiny_csv, tmp_path, capsys):
    card = keras_card(tmp_path / "cards", "seven_way", list(card_dict()["output"]["classes"]))
    assert main(["evaluate", "--model", str(card), "--data", str(tiny_csv), "--out", str(tmp_path / "out")]) == 0
    assert "accuracy" in capsys.readouterr().out
    assert main(["evaluate", "--model", str(card), "--runtime", "onnx", "--data", str(tiny_csv)]) == 2
    assert "describes a keras model, not an onnx file" in one_error_line(capsys.readouterr().err)


def test_a_bad_card_is_one_error_line_and_exit_2(tiny_csv, tmp_path, capsys, clean_registry):
    card = write_card(tmp_path, changed(card_dict(), "input", "height", 0))
    assert main(["evaluate", "--model", str(card), "--data", str(tiny_csv)]) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"error: {card}: [input] height = 0: expected a whole number of pixels from 1 to 1024")
    assert main(["run", "--pretrained", str(card), "--data", str(tiny_csv), "--out", str(tmp_path / "run")]) == 2
    assert "[input] height = 0" in one_error_line(capsys.readouterr().err)
    assert main(["predict", "--model", str(tmp_path / "absent.toml"), str(tiny_csv)]) == 2
    assert "absent.toml: no such model card" in one_error_line(capsys.readouterr().err)


def test_study_preprocessing_takes_a_card_only(tiny_csv, tmp_path, capsys):
    card = keras_card(tmp_path / "cards", "seven_way", list(card_dict()["output"]["classes"]))
    out = tmp_path / "study"
    assert main(["study", "preprocessing", "--model", str(card), "--data", str(tiny_csv), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[1].startswith("as declared") and "range [0, 255]" in printed
    assert (out / "preprocessing.html").is_file() and (out / "preprocessing.json").is_file()
    assert main(["study", "preprocessing", "--model", str(tmp_path), "--data", str(tiny_csv)]) == 2
    assert "needs a model card" in one_error_line(capsys.readouterr().err)
