import json
import math
from pathlib import Path

import numpy as np
import pytest

from fer_bench.labels import FER2013_CLASSES
from fer_bench.analysis.metrics import classification_metrics
from fer_bench.profiles import load_profile
from fer_bench.results import SCHEMA_VERSION, ResultsStore, RunData, RunManifest, RunRecord

SCHEMA_1_STORE = Path(__file__).with_name("results_schema1.json")
"""results.json as fer_bench wrote it before the typed manifest (schema 1, commit efc553e): svc_linear and knn,
smoke profile, synthetic data."""


def _store_with(tmp_path, **paths):
    """A run folder whose one record has ``paths`` (predictions_file, model_dir), and its own predictions."""
    store = ResultsStore(tmp_path / "run")
    relative = store.save_predictions("knn", np.array([0, 1]), np.array([0, 1]), np.eye(2, dtype=np.float32))
    record = RunRecord(name="knn", family="classical", framework="sklearn", source="seed", seed=0,
                       **{"predictions_file": relative, **paths})
    store.save(RunManifest(), [record])
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
    monkeypatch.setattr("fer_bench.results.store.read_npz", lambda *args: pytest.fail(f"{args[0]} was opened"))
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


def _scored_store(tmp_path):
    """A run of two finished records (knn with a learning curve and a budget), written by the store."""
    store = ResultsStore(tmp_path / "run")
    y_true, y_pred = np.arange(14) % 7, np.arange(14) % 7
    records = [RunRecord(name=name, family="network", framework="torch", source="test", seed=0,
                         params={"epochs": 2}, fit_seconds=1.5, predict_seconds=0.1, train_images=14, test_images=14,
                         history=[{"epoch": 1, "train_loss": 1.9, "public_accuracy": 0.3, "seconds": 0.5}],
                         metrics=classification_metrics(y_true, y_pred, FER2013_CLASSES),
                         budget={"kind": "recipe", "common": True, "overrides": {}, "not_followed": [],
                                 "used": {"kind": "epochs", "planned_steps": 2, "train_seconds": 1.2}},
                         predictions_file=store.save_predictions(name, y_true, y_pred))
               for name in ("knn", "cnn")]
    store.save(RunManifest(seeds=[0], profile=load_profile("smoke"), class_names=list(FER2013_CLASSES),
                           estimators=["knn", "cnn"], wall_seconds=3.0), records)
    return store


def _edit(store, change):
    raw = json.loads(store.results_path.read_text())
    change(raw)
    store.results_path.write_text(json.dumps(raw))


def _set(path, value):
    """A change of ``results.json`` that sets the value at ``path`` (keys and list indices) to ``value``."""
    def change(raw):
        node = raw
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


KNN = ("records", 0)
HAND_EDITS = {
    "name a number": (_set((*KNN, "name"), 5), "record #1: name is 5, expected the estimator's name, a non-empty string"),
    "name empty": (_set((*KNN, "name"), ""), "record #1: name is '', expected the estimator's name, a non-empty string"),
    "seed a string": (_set((*KNN, "seed"), "0"), "record knn: seed is '0', expected a whole number from 0 to 4294967295"),
    "predictions_file a number": (_set((*KNN, "predictions_file"), 5),
                                  "record knn (seed 0): predictions_file is 5, expected a string"),
    "predictions_file a list": (_set((*KNN, "predictions_file"), ["predictions/knn.npz"]),
                                "record knn (seed 0): predictions_file is ['predictions/knn.npz'], expected a string"),
    "metrics a string": (_set((*KNN, "metrics"), "x"), "record knn (seed 0): metrics is 'x', expected an object"),
    "accuracy a string": (_set((*KNN, "metrics", "accuracy"), "x"),
                          "record knn (seed 0): metrics.accuracy is 'x', expected a number from 0 to 1"),
    "accuracy above 1": (_set((*KNN, "metrics", "accuracy"), 57.1),
                         "record knn (seed 0): metrics.accuracy is 57.1, expected a number from 0 to 1"),
    "accuracy NaN": (_set((*KNN, "metrics", "accuracy"), math.nan),
                     "record knn (seed 0): metrics.accuracy is nan, expected a number from 0 to 1"),
    "per-class F1 a string": (_set((*KNN, "metrics", "per_class", "Happy", "f1"), "high"),
                              "record knn (seed 0): metrics.per_class.Happy.f1 is 'high', expected a number from 0 to 1"),
    "ragged confusion matrix": (_set((*KNN, "metrics", "confusion_matrix", 2), [1, 0]),
                                "record knn (seed 0): metrics.confusion_matrix is [[2, 0, 0, 0, 0, 0, 0], [0, 2, 0, 0, 0, 0, "
                                "0], [1, 0], [0..., expected a square table of counts (k lists of k whole numbers, 0 or more)"),
    "history a string": (_set((*KNN, "history"), "x"), "record knn (seed 0): history is 'x', expected a list of objects"),
    "history row a number": (_set((*KNN, "history"), [1]),
                             "record knn (seed 0): history[0] is 1, expected an object"),
    "history accuracy a string": (_set((*KNN, "history", 0, "public_accuracy"), "x"),
                                  "record knn (seed 0): history[0].public_accuracy is 'x', expected a number from 0 to 1"),
    "budget a list": (_set((*KNN, "budget"), []), "record knn (seed 0): budget is [], expected an object"),
    "budget seconds a string": (_set((*KNN, "budget", "used", "train_seconds"), "1.2"),
                                "record knn (seed 0): budget.used.train_seconds is '1.2', expected a number, 0 or more"),
    "params a list": (_set((*KNN, "params"), ["epochs", 2]),
                      "record knn (seed 0): params is ['epochs', 2], expected an object"),
    "fit seconds infinite": (_set((*KNN, "fit_seconds"), math.inf),
                             "record knn (seed 0): fit_seconds is inf, expected a number of seconds, 0 or more"),
    "fit seconds negative": (_set((*KNN, "fit_seconds"), -1.5),
                             "record knn (seed 0): fit_seconds is -1.5, expected a number of seconds, 0 or more"),
    "unknown status": (_set((*KNN, "status"), "done"),
                       "record knn (seed 0): status is 'done', expected one of ok, failed, timed_out, skipped"),
    "duplicated record": (lambda raw: raw["records"].append(raw["records"][0]),
                          "record knn (seed 0): records #1 and #3 are both of this estimator and seed; keep one"),
    "card claimed accuracy a percentage": (_set((*KNN, "pretrained"), {"card": "c.toml", "claimed_accuracy": 66}),
                                           "record knn (seed 0): pretrained.claimed_accuracy is 66, expected a number "
                                           "from 0 to 1"),
    "card without its path": (_set((*KNN, "pretrained"), {"trained_on": "FER-2013"}),
                              "record knn (seed 0): pretrained.card is missing, expected a string"),
    "cards a string": (_set(("manifest", "cards"), "c.toml"), "manifest.cards is 'c.toml', expected a list of strings"),
    "wall_seconds a string": (_set(("manifest", "wall_seconds"), "3 s"),
                              "manifest.wall_seconds is '3 s', expected a number of seconds, 0 or more"),
    "wall_seconds NaN": (_set(("manifest", "wall_seconds"), math.nan),
                         "manifest.wall_seconds is nan, expected a number of seconds, 0 or more"),
    "seeds a string": (_set(("manifest", "seeds"), "0"),
                       "manifest.seeds is '0', expected a list of seeds from 0 to 4294967295"),
    "class names a string": (_set(("manifest", "class_names"), "Angry"),
                             "manifest.class_names is 'Angry', expected a list of strings"),
    "profile a name": (_set(("manifest", "profile"), "smoke"), "manifest.profile is 'smoke', expected an object"),
    "profile subset negative": (_set(("manifest", "profile", "data", "Training"), -5),
                                "manifest.profile: profile 'smoke': [data] Training = -5: expected a whole number of "
                                "faces, 0 or more (0 keeps them all)"),
    "data counts a float": (_set(("manifest", "data"), {"counts": {"Training": {"Angry": 2.5}}}),
                            "manifest.data.counts.Training.Angry is 2.5, expected a whole number, 0 or more"),
    "records an object": (_set(("records",), {}),
                          "not a fer_bench results file (expected a manifest object and a records list)"),
    "newer schema": (_set(("schema_version",), SCHEMA_VERSION + 1),
                     f"schema_version {SCHEMA_VERSION + 1}: written by a newer fer_bench, which this one (schema "
                     f"{SCHEMA_VERSION}) cannot read; update fer_bench"),
}


@pytest.mark.parametrize("case", HAND_EDITS)
def test_a_hand_edited_store_is_one_error_naming_the_file_and_the_field(tmp_path, case):
    store = _scored_store(tmp_path)
    change, message = HAND_EDITS[case]
    _edit(store, change)
    with pytest.raises(ValueError) as refused:
        store.load()
    assert str(refused.value) == f"{store.results_path}: {message}"


@pytest.mark.parametrize("content", ["[" * 10_000 + "]" * 10_000, '{"manifest": ' + "[" * 150 + "]" * 150 + "}"],
                         ids=["10000 deep", "150 deep"])
def test_a_store_nested_too_deeply_is_refused_as_corrupt(tmp_path, content):
    store = ResultsStore(tmp_path)
    store.results_path.write_text(content)
    with pytest.raises(ValueError) as refused:
        store.load()
    assert str(refused.value) == f"{store.results_path}: nested too deeply to be a fer_bench file; the file is corrupt"


def test_a_store_round_trips_and_is_written_with_the_schema_version(tmp_path):
    store = _scored_store(tmp_path)
    manifest, records = store.load()
    assert json.loads(store.results_path.read_text())["schema_version"] == SCHEMA_VERSION == 2
    store.save(manifest, records)
    assert store.load() == (manifest, records)
    assert manifest.profile == load_profile("smoke") and records[1].history[0]["train_loss"] == 1.9


def test_a_diverged_loss_is_kept(tmp_path):
    store = _scored_store(tmp_path)
    _edit(store, _set((*KNN, "history", 0, "train_loss"), math.nan))
    assert math.isnan(store.load()[1][0].history[0]["train_loss"])


def test_a_schema_1_store_written_before_the_typed_manifest_loads(tmp_path):
    store = ResultsStore(tmp_path)
    store.results_path.write_bytes(SCHEMA_1_STORE.read_bytes())
    manifest, records = store.load()
    assert json.loads(SCHEMA_1_STORE.read_text())["schema_version"] == 1
    assert (manifest.seed, manifest.seeds, manifest.profile.name, manifest.estimators) == (0, [0], "smoke",
                                                                                           ["svc_linear", "knn"])
    assert manifest.data.synthetic and manifest.complete
    assert (manifest.data.counts["Training"]["Angry"], manifest.data.used_counts["Training"]["Angry"]) == (240, 60)
    assert manifest.cleaning.options() == {"dedupe": None, "drop_blank": False}
    assert manifest.execution.save_models == "networks" and manifest.class_names == list(FER2013_CLASSES)
    assert [(record.name, record.seed, record.status) for record in records] == [("svc_linear", 0, "ok"),
                                                                                 ("knn", 0, "ok")]
    assert 0 <= records[1].metrics["accuracy"] <= 1 and records[1].predictions_file == "predictions/knn.npz"
    store.save(manifest, records)  # rewritten as schema 2, the same run
    assert store.load() == (manifest, records)


def test_the_first_stores_lack_fields_that_loading_fills(tmp_path):
    """The manifest and record of the first fer_bench runs: no seeds, cleaning, plugins, execution, audit; records
    without a seed, budget, class names or de-duplicated metrics; a profile without budget and seeds."""
    store = ResultsStore(tmp_path)
    first = {"run_id": "old", "created": "2025-01-01T00:00:00+00:00", "command": None, "seed": 3,
             "profile": {"name": "smoke", "description": "", "data": {"Training": 420}, "networks": {},
                         "estimators": {}},
             "class_names": list(FER2013_CLASSES), "data": {"source": "synthetic", "sha256": "ab" * 32,
                                                            "synthetic": True, "counts": {}, "used_counts": {}},
             "environment": {"cpu": "Test CPU"}, "estimators": ["knn"], "wall_seconds": None}
    record = {"name": "knn", "family": "classical", "framework": "sklearn", "source": "seed", "status": "ok",
              "params": {}, "fit_seconds": 1.0, "history": [], "metrics": {"n": 1, "accuracy": 1.0}}
    store.results_path.write_text(json.dumps({"schema_version": 1, "manifest": first, "records": [record]}))
    manifest, (loaded,) = store.load()
    assert (manifest.seeds, manifest.plugins, manifest.execution, manifest.audit, manifest.warnings) == ([3], [], None,
                                                                                                         None, [])
    assert manifest.profile.budget == {"kind": "recipe"} and manifest.profile.seeds == 1 and not manifest.complete
    assert (loaded.seed, loaded.budget, loaded.class_names, loaded.fold) == (3, {}, [], None)


def test_a_manifest_without_fields_takes_every_default():
    manifest = RunManifest.from_dict({})
    assert manifest == RunManifest() and manifest.seeds == [0] and manifest.data == RunData()
    assert RunManifest.from_dict(manifest.to_dict()) == manifest


def test_records_without_a_fold_field_still_load_and_fold_round_trips():
    old = RunRecord.from_dict({"name": "svc_linear", "family": "classical", "framework": "sklearn", "source": "seed"})
    assert old.fold is None and old.seed is None
    record = RunRecord(name="dexpression", family="network", framework="torch", source="paper",
                       fold={"index": 2, "of": 10, "split": "subject"})
    assert RunRecord.from_dict(record.to_dict()).fold == {"index": 2, "of": 10, "split": "subject"}


def test_a_card_s_facts_and_the_run_s_cards_round_trip():
    facts = {"card": "/cards/x.toml", "format": "onnx", "classes": ["happy", "sad"], "dropped_classes": [],
             "trained_on": "AffectNet", "claimed_accuracy": 0.61, "claimed_on": "its test", "left_out_test_faces": 12}
    record = RunRecord(name="x", family="pretrained", framework="onnx", source="pretrained elsewhere", seed=0,
                       pretrained=facts)
    assert RunRecord.from_dict(record.to_dict()).pretrained == facts
    assert RunRecord.from_dict({**record.to_dict(), "pretrained": None}).pretrained is None
    manifest = RunManifest(cards=["/cards/x.toml"])
    assert RunManifest.from_dict(manifest.to_dict()).cards == ["/cards/x.toml"]
