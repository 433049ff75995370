import numpy as np
import pytest

from fer_bench.results import ResultsStore, RunRecord


def test_records_without_a_fold_field_still_load_and_fold_round_trips():
    old = RunRecord.from_dict({"name": "svc_linear", "family": "classical", "framework": "sklearn", "source": "seed"})
    assert old.fold is None
    record = RunRecord(name="dexpression", family="network", framework="torch", source="paper",
                       fold={"index": 2, "of": 10, "split": "subject"})
    assert RunRecord.from_dict(record.to_dict()).fold == {"index": 2, "of": 10, "split": "subject"}


def _store_with(tmp_path, **paths):
    """A run folder whose one record has ``paths`` (predictions_file, model_dir), and its own predictions."""
    store = ResultsStore(tmp_path / "run")
    relative = store.save_predictions("knn", np.array([0, 1]), np.array([0, 1]), np.eye(2, dtype=np.float32))
    record = RunRecord(name="knn", family="classical", framework="sklearn", source="seed", seed=0,
                       **{"predictions_file": relative, **paths})
    store.save({"seed": 0}, [record])
    return store


def test_paths_inside_the_run_folder_load(tmp_path):
    store = _store_with(tmp_path, model_dir="models/knn")
    _, (record,) = store.load()
    assert store.load_predictions(record)["y_pred"].tolist() == [0, 1]


@pytest.mark.parametrize("key, value", [
    ("predictions_file", "ANOTHER RUN"),  # the absolute path of another run's predictions
    ("predictions_file", "../other/predictions/knn.npz"),
    ("predictions_file", "predictions/../../other/predictions/knn.npz"),
    ("predictions_file", "../../../../../../../../etc/passwd"),
    ("predictions_file", "/etc/passwd"),
    ("predictions_file", ""),
    ("model_dir", "/tmp"),
    ("model_dir", "models/../.."),
])
def test_a_path_that_leads_outside_the_run_folder_is_refused_before_it_is_opened(key, value, tmp_path, monkeypatch):
    other = _store_with(tmp_path / "elsewhere")
    value = str(other.run_dir / "predictions" / "knn.npz") if value == "ANOTHER RUN" else value
    store = _store_with(tmp_path, **{key: value})
    monkeypatch.setattr("fer_bench.results.read_npz", lambda *args: pytest.fail(f"{args[0]} was opened"))
    with pytest.raises(ValueError) as refused:
        store.load()
    assert str(refused.value) == (f"{store.results_path}: record knn (seed 0): {key} {value!r} is not a path inside "
                                  f"the run folder {store.run_dir}; expected one such as "
                                  f"{'predictions/knn.npz' if key == 'predictions_file' else 'models/knn'!r}")


def test_a_link_out_of_the_run_folder_is_refused(tmp_path):
    other = _store_with(tmp_path / "elsewhere")
    store = _store_with(tmp_path)
    (store.run_dir / "predictions" / "knn.npz").unlink()
    (store.run_dir / "predictions" / "knn.npz").symlink_to(other.run_dir / "predictions" / "knn.npz")
    with pytest.raises(ValueError, match="predictions_file 'predictions/knn.npz' is not a path inside the run folder"):
        store.load()
