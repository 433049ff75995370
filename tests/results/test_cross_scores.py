import json

import numpy as np
import pytest

from fer_bench.analysis.metrics import classification_metrics
from fer_bench.results import CrossScore, CrossTarget, ResultsStore, RunManifest, RunRecord

TARGET = CrossTarget(name="jaffe", spec="jaffe:label_map=ck+", path="/data/jaffe", sha256="ab" * 32, scope="folder",
                     class_names=["Angry", "Happy"], counts={"Angry": 2, "Happy": 1}, options={"label_map": "ck+"},
                     excluded={"contempt": 3}, detector="haar", no_face=1)


def _store(tmp_path):
    store = ResultsStore(tmp_path / "run")
    relative = store.save_cross_predictions("knn", "jaffe", np.array([0, 3, 3]), np.array([0, 3, 0]))
    metrics = classification_metrics([0, 3, 3], [0, 3, 0], ["Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise",
                                                            "Neutral"])
    score = CrossScore(target="jaffe", target_sha256=TARGET.sha256, metrics=metrics, left_out={"contempt": 3},
                       absent=["Disgust", "Fear", "Sad", "Surprise", "Neutral"], detector="haar", no_face=1,
                       predictions_file=relative, predict_seconds=0.5)
    record = RunRecord(name="knn", family="classical", framework="sklearn", source="seed", seed=0, cross_scores=[score])
    store.save(RunManifest(cross_targets=[TARGET]), [record])
    return store


def test_targets_and_scores_survive_the_store(tmp_path):
    store = _store(tmp_path)
    manifest, (record,) = store.load()
    assert manifest.cross_targets == [TARGET]
    (score,) = record.cross_scores
    assert score.left_out == {"contempt": 3} and score.no_face == 1 and score.metrics["accuracy"] == pytest.approx(2 / 3)
    assert store.load_cross_predictions(score.predictions_file)["y_pred"].tolist() == [0, 3, 0]
    assert score.predictions_file == "predictions/also-test/knn.jaffe.npz"


def test_a_store_without_them_loads_empty(tmp_path):
    store = ResultsStore(tmp_path / "run")
    store.save(RunManifest(), [RunRecord(name="knn", family="classical", framework="sklearn", source="seed", seed=0)])
    manifest, (record,) = store.load()
    assert manifest.cross_targets == [] and record.cross_scores == []


@pytest.mark.parametrize("place, key, value, message", [
    ("record", "status", "great", "record knn (seed 0): cross_scores[0].status is 'great', expected one of ok, failed"),
    ("record", "no_face", -1, "record knn (seed 0): cross_scores[0].no_face is -1, expected a whole number, 0 or more"),
    ("record", "target_sha256", None, "record knn (seed 0): cross_scores[0].target_sha256 is None, expected a string"),
    ("manifest", "scope", "half", "manifest.cross_targets[0].scope is 'half', expected one of PrivateTest, folder"),
    ("manifest", "counts", {"Angry": 1.5}, "manifest.cross_targets[0].counts.Angry is 1.5, expected a whole number, 0 or more"),
])
def test_a_wrong_field_is_one_line_naming_it(place, key, value, message, tmp_path):
    store = _store(tmp_path)
    raw = json.loads(store.results_path.read_text())
    entry = raw["records"][0]["cross_scores"][0] if place == "record" else raw["manifest"]["cross_targets"][0]
    entry[key] = value
    store.results_path.write_text(json.dumps(raw))
    with pytest.raises(ValueError) as refused:
        store.load()
    assert str(refused.value) == f"{store.results_path}: {message}"


def test_a_score_s_predictions_outside_the_run_folder_are_refused(tmp_path):
    store = _store(tmp_path)
    raw = json.loads(store.results_path.read_text())
    raw["records"][0]["cross_scores"][0]["predictions_file"] = "../elsewhere.npz"
    store.results_path.write_text(json.dumps(raw))
    with pytest.raises(ValueError, match=r"cross_scores\[0\].predictions_file '../elsewhere.npz' is not a path inside"):
        store.load()


def test_missing_cross_predictions_are_named(tmp_path):
    store = _store(tmp_path)
    _, (record,) = store.load()
    (store.run_dir / record.cross_scores[0].predictions_file).unlink()
    with pytest.raises(FileNotFoundError, match="knn.jaffe.npz: no such predictions file"):
        store.load_cross_predictions(record.cross_scores[0].predictions_file)
