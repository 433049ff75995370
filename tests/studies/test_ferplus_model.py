"""The resolution study and the subgroup evaluation of a model trained on FER+'s eight classes."""

import json

import numpy as np
import pytest

from fer_bench.cli import main
from fer_bench.datasets import load_dataset
from fer_bench.labels import FERPLUS_CLASSES

from ..ferplus_files import write_fer2013_and_ferplus

@pytest.fixture(scope="module")
def ferplus_run(tmp_path_factory):
    """A k-NN trained on FER+ majority labels, saved in its run: (run folder, fer2013.csv, fer2013new.csv)."""
    folder = tmp_path_factory.mktemp("ferplus")
    fer_path, votes_path = write_fer2013_and_ferplus(folder)
    run_dir = folder / "run"
    assert main(["run", "knn", "--data", str(fer_path), "--labels", "ferplus", str(votes_path), "--save-models", "all",
                 "--out", str(run_dir), "--quiet"]) == 0
    return run_dir, fer_path, votes_path


def test_study_resize_scores_a_ferplus_model_on_its_eight_classes(ferplus_run, tmp_path, capsys):
    run_dir, fer_path, votes_path = ferplus_run
    out = tmp_path / "resize"
    assert main(["study", "resize", "--model", str(run_dir / "models" / "knn"), "--data", str(fer_path),
                 "--labels", "ferplus", str(votes_path), "--out", str(out)]) == 0
    capsys.readouterr()
    study = json.loads((out / "resize.json").read_text())
    assert study["data"]["class_names"] == list(FERPLUS_CLASSES) and study["data"]["n"] == 16
    assert "FER+" in study["data"]["source"] and "(majority)" in study["data"]["source"]
    run_accuracy = json.loads((run_dir / "results.json").read_text())["records"][0]["metrics"]["accuracy"]
    assert study["accuracy"][0] == [pytest.approx(run_accuracy)] * len(study["interpolations"])  # 48 px: untouched


def test_a_fer2013_model_is_refused_on_ferplus_faces(ferplus_run, tmp_path, capsys):
    _, fer_path, votes_path = ferplus_run
    run_dir = tmp_path / "run7"
    assert main(["run", "knn", "--data", str(fer_path), "--save-models", "all", "--out", str(run_dir), "--quiet"]) == 0
    assert main(["study", "resize", "--model", str(run_dir / "models" / "knn"), "--data", str(fer_path),
                 "--labels", "ferplus", str(votes_path), "--out", str(tmp_path / "resize")]) == 2
    assert "trained on the classes Angry" in capsys.readouterr().err


def test_evaluate_groups_a_ferplus_model_s_faces_by_their_fer2013_row_numbers(ferplus_run, tmp_path, capsys):
    run_dir, fer_path, votes_path = ferplus_run
    private_rows = np.flatnonzero(load_dataset(fer_path).usage == "PrivateTest")  # after rows FER+ drops
    table = tmp_path / "groups.csv"
    # only the PrivateTest rows: a face matched to another row (a row number off by the dropped faces) has none
    table.write_text("row,group\n" + "".join(f"{row},{'first' if i < 6 else 'rest'}\n"
                                             for i, row in enumerate(private_rows)))
    out = tmp_path / "evaluate"
    assert main(["evaluate", "--model", str(run_dir / "models" / "knn"), "--data", str(fer_path),
                 "--labels", "ferplus", str(votes_path), "--groups", str(table), "--min-group-size", "2",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    saved = json.loads((out / "evaluation.json").read_text())
    groups = saved["groups"]["groups"]
    assert {name: group["n"] for name, group in groups.items()} == {"first": 6, "rest": 10}
    predictions = np.load(run_dir / "predictions" / "knn.npz")
    correct = predictions["y_pred"] == predictions["y_true"]
    assert groups["first"]["accuracy"] == pytest.approx(correct[:6].mean())
    assert groups["rest"]["accuracy"] == pytest.approx(correct[6:].mean())
