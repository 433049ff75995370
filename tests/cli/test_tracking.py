"""``run --track`` and ``track``: a run in MLflow or TensorBoard while it runs or afterwards; a missing extra is
one line before anything is trained; a tracker that fails never fails the run."""

import json
import sys

import pytest

from fer_bench.cli import main
from fer_bench.tracking import trackers
from tests.tracking.support import FakeTracker, make_stored_run

from .support import one_error_line


def run_args(tiny_csv, run_dir, *names):
    return ["run", *(names or ["svc_linear"]), "--data", str(tiny_csv), "--out", str(run_dir), "--quiet"]


@pytest.mark.parametrize("tracker, library", [("mlflow", "mlflow"), ("tensorboard", "tensorboard")])
def test_a_missing_extra_is_one_error_line_before_anything_is_trained(tracker, library, tiny_csv, tmp_path,
                                                                      monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, library, None)  # importing it fails as if it were not installed
    for name in ("fer_bench.tracking.mlflow_tracker", "fer_bench.tracking.tensorboard_tracker",
                 "torch.utils.tensorboard"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    run_dir = tmp_path / "run"
    assert main([*run_args(tiny_csv, run_dir), "--track", tracker]) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"error: tracking to {tracker} needs the {library} package, which is not installed: "
        f"pip install 'fer_bench[{tracker}]'")
    assert not (run_dir / "results.json").exists()


@pytest.mark.parametrize("value", ["wandb", "mlflow=", "tensorboard="])
def test_an_unknown_tracker_or_an_empty_location_is_refused(value, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["run", "svc_linear", "--track", value])
    assert stopped.value.code == 2
    assert "expected mlflow[=URI] or tensorboard[=DIR]" in capsys.readouterr().err


def test_track_does_not_go_with_a_face_folder(tmp_path, capsys):
    assert main(["run", "svc_linear", "--data-folder", str(tmp_path), "--track", "mlflow"]) == 2
    assert one_error_line(capsys.readouterr().err) == "error: --track does not go with --data-folder"


def test_a_tracker_failing_during_the_run_is_said_once_and_the_run_goes_on(tiny_csv, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(trackers, "open_tracker", lambda *args: FakeTracker(failing="log_fit"))
    run_dir = tmp_path / "run"
    assert main([*run_args(tiny_csv, run_dir, "svc_linear", "knn"), "--track", "mlflow"]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: tracking")]
    assert warnings == [f"warning: tracking to the fake tracker stopped (OSError: log_fit: attempt to write a "
                        f"readonly database); the run goes on without it; log the run afterwards with: "
                        f"python -m fer_bench track {run_dir} --to mlflow"]
    raw = json.loads((run_dir / "results.json").read_text())
    assert raw["manifest"]["complete"] and [record["status"] for record in raw["records"]] == ["ok", "ok"]
    assert (run_dir / "report.html").is_file()


def test_run_track_mlflow_logs_a_network_s_epochs_and_the_report(tiny_csv, tmp_path, capsys):
    mlflow = pytest.importorskip("mlflow", reason="the mlflow extra is not installed: pip install 'fer_bench[mlflow]'")
    run_dir = tmp_path / "runs" / "run1"
    assert main([*run_args(tiny_csv, run_dir, "shallow_cnn", "svc_linear"), "--track", "mlflow"]) == 0
    uri = f"sqlite:///{(tmp_path / 'runs').resolve() / 'mlflow.db'}"
    assert f"see them with: mlflow ui --backend-store-uri {uri}" in capsys.readouterr().err
    client = mlflow.MlflowClient(uri)
    runs = {run.info.run_name: run for run in client.search_runs([client.get_experiment_by_name("fer_bench").experiment_id])}
    assert sorted(runs) == ["run1", "shallow_cnn", "svc_linear"]
    (record,) = [record for record in json.loads((run_dir / "results.json").read_text())["records"]
                 if record["name"] == "shallow_cnn"]
    network = runs["shallow_cnn"].info.run_id
    assert len(client.get_metric_history(network, "train_loss")) == len(record["history"]) > 0
    assert runs["shallow_cnn"].data.metrics["privatetest_accuracy"] == pytest.approx(record["metrics"]["accuracy"])
    assert runs["shallow_cnn"].data.params["seed"] == "0"
    assert "model" in {artifact.path for artifact in client.list_artifacts(network)}
    assert "report.html" in {artifact.path for artifact in client.list_artifacts(runs["run1"].info.run_id)}


def test_run_track_tensorboard_writes_into_the_run_folder(tiny_csv, tmp_path, capsys):
    pytest.importorskip("tensorboard", reason="the tensorboard extra is not installed: pip install 'fer_bench[tensorboard]'")
    run_dir = tmp_path / "run"
    assert main([*run_args(tiny_csv, run_dir), "--track", "tensorboard"]) == 0
    assert "tracked: 1 fit(s) in TensorBoard" in capsys.readouterr().err
    assert any((run_dir / "tensorboard" / "run" / "svc_linear").glob("events.out.tfevents.*"))


def test_a_tracker_that_cannot_be_opened_stops_the_run_before_training(tiny_csv, tmp_path, capsys):
    pytest.importorskip("mlflow", reason="the mlflow extra is not installed: pip install 'fer_bench[mlflow]'")
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    run_dir = tmp_path / "run"
    assert main([*run_args(tiny_csv, run_dir), "--track", f"mlflow=sqlite:///{blocker}/mlflow.db"]) == 2
    assert one_error_line(capsys.readouterr().err).startswith(f"error: cannot track to MLflow sqlite:///{blocker}")
    assert not (run_dir / "results.json").exists()


def test_track_logs_a_stored_run_afterwards(tmp_path, capsys):
    mlflow = pytest.importorskip("mlflow", reason="the mlflow extra is not installed: pip install 'fer_bench[mlflow]'")
    run_dir = make_stored_run(tmp_path / "stored")
    uri = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    assert main(["track", str(run_dir), "--to", f"mlflow={uri}"]) == 0
    assert f"{run_dir}: 4 fit(s) logged to MLflow {uri}" in capsys.readouterr().out
    client = mlflow.MlflowClient(uri)
    assert len(client.search_runs([client.get_experiment_by_name("fer_bench").experiment_id])) == 5


def test_track_of_a_folder_without_a_run_exits_2(tmp_path, capsys):
    pytest.importorskip("tensorboard", reason="the tensorboard extra is not installed: pip install 'fer_bench[tensorboard]'")
    assert main(["track", str(tmp_path), "--to", "tensorboard"]) == 2
    assert "no results.json" in one_error_line(capsys.readouterr().err)
