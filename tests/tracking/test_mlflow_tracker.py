"""A stored run in a temporary SQLite MLflow store, read back: one parent run, a nested run per estimator and
seed with its parameters, one metric per epoch, the final accuracy with its interval, and the artifacts."""

import pytest

from fer_bench.results import ResultsStore
from fer_bench.tracking import open_tracker, track_run

from .support import HISTORY, SHA256, make_stored_run

mlflow = pytest.importorskip("mlflow", reason="the mlflow extra is not installed: pip install 'fer_bench[mlflow]'")
EXPERIMENT = "fer_bench"


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """A stored run logged to a temporary SQLite store from another folder (made once: reading it back changes
    nothing); the client, the session, the runs by name and the run folder."""
    root = tmp_path_factory.mktemp("mlflow")
    stored_run = make_stored_run(root / "stored")
    uri = f"sqlite:///{root / 'store' / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(root)  # nothing may land in the current folder (MLflow's default ./mlruns)
        session = track_run(stored_run, open_tracker("mlflow", stored_run, uri))
    client = mlflow.MlflowClient(uri)
    runs = client.search_runs([client.get_experiment_by_name(EXPERIMENT).experiment_id])
    return client, session, {run.info.run_name: run for run in runs}, stored_run


def test_one_parent_run_holds_a_nested_run_per_estimator_and_seed(logged):
    client, session, runs, _ = logged
    assert sorted(runs) == ["broken (seed 0)", "stored", "svc_linear (seed 0)", "tiny_cnn (seed 0)", "tiny_cnn (seed 1)"]
    parent = runs["stored"]
    assert parent.info.run_id == session.run_id and parent.info.status == "FINISHED"
    assert parent.data.tags["fer_bench.data_sha256"] == SHA256 and parent.data.tags["fer_bench.profile"] == "smoke"
    assert all(run.data.tags["mlflow.parentRunId"] == parent.info.run_id for name, run in runs.items() if name != "stored")
    assert {artifact.path for artifact in client.list_artifacts(parent.info.run_id)} == \
        {"report.html", "results.csv", "results.json"}


def test_a_network_s_run_has_its_parameters_epoch_metrics_final_accuracy_and_model(logged):
    client, _, runs, stored_run = logged
    run = runs["tiny_cnn (seed 1)"]
    record = next(record for record in ResultsStore(stored_run).load()[1] if (record.name, record.seed) == ("tiny_cnn", 1))
    assert run.info.status == "FINISHED"
    assert run.data.params["epochs"] == "3" and run.data.params["seed"] == "1"
    assert run.data.params["budget.kind"] == "recipe" and run.data.params["hidden"] == "[8, 16]"
    for name, key in (("train_loss", "train_loss"), ("publictest_accuracy", "public_accuracy"),
                      ("images_per_second", "images_per_second")):
        history = client.get_metric_history(run.info.run_id, name)
        assert sorted((point.step, point.value) for point in history) == [(row["epoch"], row[key]) for row in HISTORY]
    metrics = run.data.metrics
    assert metrics["privatetest_accuracy"] == pytest.approx(record.metrics["accuracy"])
    assert metrics["privatetest_accuracy_ci_low"] < metrics["privatetest_accuracy"] < metrics["privatetest_accuracy_ci_high"]
    assert metrics["dedup_privatetest_accuracy"] == pytest.approx(0.65) and metrics["fit_seconds"] == 12.5
    assert {artifact.path for artifact in client.list_artifacts(run.info.run_id)} == {"model", "tiny_cnn.seed1.log"}
    assert {artifact.path for artifact in client.list_artifacts(run.info.run_id, "model")} == \
        {"model/params.json", "model/weights.safetensors"}


def test_a_failed_fit_is_a_failed_run_that_says_why(logged):
    _, _, runs, _ = logged
    run = runs["broken (seed 0)"]
    assert run.info.status == "FAILED" and "planted failure" in run.data.tags["fer_bench.error"]
    assert run.data.metrics == {}


def test_artifacts_go_beside_the_sqlite_store_not_into_the_current_folder(logged):
    stored_run = logged[3]
    assert (stored_run.parent / "store" / "mlartifacts").is_dir() and not (stored_run.parent / "mlruns").exists()


def test_runs_tracked_to_one_store_are_listed_side_by_side(stored_run, tmp_path):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    for _ in range(2):
        track_run(stored_run, open_tracker("mlflow", stored_run, uri))
    client = mlflow.MlflowClient(uri)
    experiment = client.get_experiment_by_name(EXPERIMENT).experiment_id
    networks = client.search_runs([experiment], "tags.`fer_bench.estimator` = 'tiny_cnn'")
    assert len(networks) == 4 and len(client.search_runs([experiment])) == 10
