import json

import pytest

from fer_bench.cli import main
from fer_bench.datasets import make_synthetic
from fer_bench.datasets.synthetic_folder import write_synthetic_folder
from tests.datasets.planted import write_fer_csv
from tests.runner.support import SLEEPER

from .support import one_error_line

RUN = ["run", "sleeper", "--plugin", SLEEPER, "--quiet"]  # the majority class: seconds per run


@pytest.fixture
def data(tmp_path):
    """Two FER-2013 CSVs (a, b) and a CK+-named folder of 48x48 faces without Neutral, with contempt."""
    a, b, folder = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "ck"
    write_fer_csv(a, make_synthetic(n_per_class=20, seed=0))
    write_fer_csv(b, make_synthetic(n_per_class=20, seed=1))
    write_synthetic_folder(folder, n_subjects=6, sequences=7, frames=1, size=48, seed=2)
    return a, b, folder


def _records(run_dir):
    return json.loads((run_dir / "results.json").read_text())


def test_run_also_test_scores_every_model_on_every_target(data, tmp_path, capsys):
    a, b, folder = data
    run_dir = tmp_path / "run"
    assert main([*RUN, "--data", str(a), "--also-test", str(b), f"{folder}:label_map=ck+", "--out", str(run_dir)]) == 0
    err = capsys.readouterr().err
    assert "--also-test ck: 36 faces (folder)" in err and "48x48 faces, no detector; 6 images in contempt/ left out" in err
    raw = _records(run_dir)
    assert [target["name"] for target in raw["manifest"]["cross_targets"]] == ["b", "ck"]
    on_b, on_ck = raw["records"][0]["cross_scores"]
    assert on_b["status"] == on_ck["status"] == "ok" and on_b["metrics"]["n"] == 14 and on_ck["metrics"]["n"] == 36
    assert on_ck["left_out"] == {"contempt": 6} and on_ck["absent"] == ["Neutral"]
    assert (run_dir / on_ck["predictions_file"]).is_file() and on_ck["detector"] is None and on_ck["no_face"] == 0
    report = (run_dir / "report.html").read_text()
    assert "Across data sets" in report and "left out, classes the model lacks: contempt (6 faces)" in report


@pytest.mark.parametrize("make_spec, message", [
    (lambda a, b, folder: [f"{b}:colour=red"], "unknown option 'colour'; expected name, layout, label_map, detect"),
    (lambda a, b, folder: [str(b.with_name("missing.csv"))], "missing.csv: no such file or folder"),
    (lambda a, b, folder: [str(a)], "the same data as --data; a target is another data set"),
    (lambda a, b, folder: [f"{b}:label_map=ck+"], "label_map goes with a face folder"),
    (lambda a, b, folder: [f"{folder}:detect=eyes"], "detect 'eyes'; expected haar, mtcnn, none"),
])
def test_a_bad_also_test_is_one_error_line_and_exit_2(make_spec, message, data, tmp_path, capsys):
    a, b, folder = data
    assert main([*RUN, "--data", str(a), "--also-test", *make_spec(a, b, folder), "--out", str(tmp_path / "run")]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith("error: --also-test ") and message in line
    assert not (tmp_path / "run").exists()


def test_resume_keeps_the_extra_scores_and_scores_the_new_fits(data, tmp_path, capsys):
    a, b, _ = data
    run_dir = tmp_path / "run"
    assert main([*RUN, "--data", str(a), "--also-test", str(b), "--out", str(run_dir)]) == 0
    (first,) = _records(run_dir)["records"]
    assert main(["run", "--resume", str(run_dir), "--seeds", "2", "--plugin", SLEEPER, "--quiet"]) == 0
    kept, added = _records(run_dir)["records"]
    assert kept == first and kept["cross_scores"][0]["status"] == "ok"
    assert added["seed"] == 1 and added["cross_scores"][0]["predictions_file"].endswith("sleeper.seed1.b.npz")
    capsys.readouterr()
    assert main(["run", "--resume", str(run_dir), "--also-test", str(b), "--plugin", SLEEPER, "--quiet"]) == 2
    assert "--also-test goes without --resume" in one_error_line(capsys.readouterr().err)
    write_fer_csv(b, make_synthetic(n_per_class=20, seed=5))  # the target's data changed under the run
    assert main(["run", "--resume", str(run_dir), "--seeds", "3", "--plugin", SLEEPER, "--quiet"]) == 2
    assert "its target b was data with sha256" in one_error_line(capsys.readouterr().err)
    assert _records(run_dir)["records"][0] == first


def test_crossdata_fills_both_directions_of_two_runs_and_a_cross_validated_one(data, tmp_path, capsys):
    a, b, folder = data
    run_a, run_b, folds = tmp_path / "on_a", tmp_path / "on_b", tmp_path / "on_ck"
    assert main([*RUN, "--data", str(a), "--also-test", str(b), "--out", str(run_a)]) == 0
    assert main([*RUN, "--data", str(b), "--also-test", str(a), "--out", str(run_b)]) == 0
    assert main([*RUN, "--data-folder", str(folder), "--folds", "2", "--also-test", str(a), "--out", str(folds)]) == 0
    capsys.readouterr()
    page = tmp_path / "matrix.html"
    assert "Across data sets" in (folds / "crossval.html").read_text() and "ck → a" in (folds / "crossval.html").read_text()
    assert main(["crossdata", str(run_a), str(run_b), str(folds), "--out", str(page)]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith(str(page)) and "sleeper: accuracy" in out
    html = page.read_text()
    assert "a → b" in html and "b → a" in html and "ck → a" in html and "ck → ck" in html
    assert "the model&#39;s contempt: no face in a" in html  # the folder's class FER-2013 lacks
    assert "left out, classes the model lacks: Neutral" in html  # FER-2013's class the folder lacks


def test_crossdata_of_a_folder_without_a_run_is_one_error_line(tmp_path, capsys):
    assert main(["crossdata", str(tmp_path)]) == 2
    assert "no results.json" in one_error_line(capsys.readouterr().err)
