"""``export`` and ``cost`` on the command line: what they print and write, and their one-line refusals."""

from __future__ import annotations

import json
import tomllib

import pytest

from fer_bench.cli import main
from tests.deploy.conftest import classical_models, needs, save_run, torch_models

from .support import one_error_line


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A run of a tiny shallow CNN and a liblinear SVM on HOG features (which has no ONNX converter)."""
    run = save_run(tmp_path_factory.mktemp("run"), torch_models(["shallow_cnn"]))
    hog = save_run(tmp_path_factory.mktemp("hog_run"), classical_models(["svc_linear_hog"]), framework="sklearn")
    return run, hog


def test_export_prints_parity_and_the_two_files(run_dir, tmp_path, capsys):
    needs("onnx", "onnxscript", "onnxruntime")
    out = tmp_path / "exported"
    assert main(["export", str(run_dir[0] / "models" / "shallow_cnn"), "--format", "onnx", "--out", str(out)]) == 0
    printed, err = capsys.readouterr()
    assert printed.splitlines() == [str(out / "model.onnx"), str(out / "shallow_cnn.toml")]
    assert "parity on 210 faces: argmax agreement 100.0000%" in err


def test_export_checks_parity_on_the_privatetest_of_data(run_dir, tiny_csv, tmp_path):
    needs("onnx", "onnxscript", "onnxruntime")
    out = tmp_path / "exported"
    assert main(["export", str(run_dir[0] / "models" / "shallow_cnn"), "--out", str(out), "--data", str(tiny_csv)]) == 0
    parity = tomllib.loads((out / "shallow_cnn.toml").read_text())["parity"]
    assert parity["checked_on"] == "PrivateTest of fer2013.csv (14 faces)" and parity["faces"] == 14


def test_export_refuses_a_step_without_a_converter_in_one_line(run_dir, tmp_path, capsys):
    needs("onnx", "skl2onnx")
    model = run_dir[1] / "models" / "svc_linear_hog"
    assert main(["export", str(model), "--out", str(tmp_path / "out")]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line == (f"error: {model}: PixelSVC: its step 'hog' (fer_bench.estimators.classical.features.HOGFeatures) "
                    "has no ONNX converter")
    assert not (tmp_path / "out").exists()


def test_export_refuses_a_missing_model_folder_in_one_line(tmp_path, capsys):
    assert main(["export", str(tmp_path / "runs" / "models" / "nothing"), "--out", str(tmp_path / "out")]) == 2
    assert "nothing: not a model of a run" in one_error_line(capsys.readouterr().err)


def test_cost_writes_cost_json_and_prints_a_row_per_model_and_runtime(run_dir, capsys):
    needs("onnx", "onnxscript", "onnxruntime")
    run = run_dir[0]
    assert main(["cost", str(run), "--calls", "2", "--batch", "2"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("shallow_cnn") and "torch eager" in printed[0] and "ms/face" in printed[0]
    assert "onnxruntime" in printed[1] and printed[2] == str(run / "cost.json")
    table = json.loads((run / "cost.json").read_text())
    assert (table["calls"], table["batch"], len(table["rows"])) == (2, 2, 2)
    assert "Cost of inference" in (run / "report.html").read_text()
