import json
import shutil

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from fer_bench.estimators import available_estimators
from fer_bench.estimators.classical.svm import PixelSVC
from fer_bench.estimators.persistence import (UntrustedModelError, label_model_files, load_estimator, pickle_files,
                                              save_estimator, saved_class_names)
from fer_bench.estimators.torch.classifier import TorchClassifier
from fer_bench.labels import FER2013_CLASSES
from fer_bench.profiles import load_profile
from fer_bench.estimators import create_estimator

from .planted_pickle import RunsCode


def faces(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 48, 48), dtype=np.uint8), np.arange(n) % 3


def test_a_scikit_learn_estimator_round_trips_through_skops(tmp_path):
    X, y = faces(12)
    model = PixelSVC(kernel="linear").fit(X, y)
    save_estimator(model, tmp_path / "svc")
    assert (tmp_path / "svc" / "model.skops").is_file() and not (tmp_path / "svc" / "model.joblib").exists()
    np.testing.assert_array_equal(load_estimator(tmp_path / "svc").predict(X), model.predict(X))


def test_a_self_saving_network_is_rebuilt_from_its_class_name(tmp_path):
    X, y = faces(16, seed=1)
    model = TorchClassifier(architecture="shallow_cnn", epochs=1, batch_size=8, width=0.125).fit(X, y)
    save_estimator(model, tmp_path / "net")
    assert json.loads((tmp_path / "net" / "estimator.json").read_text())["class"].endswith(":TorchClassifier")
    loaded = load_estimator(tmp_path / "net")
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), rtol=1e-5, atol=1e-6)


def test_a_folder_without_a_model_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such model folder"):
        load_estimator(tmp_path / "absent")
    with pytest.raises(FileNotFoundError, match="not a saved fer_bench model"):
        load_estimator(tmp_path)
    (tmp_path / "estimator.json").write_text('{"class": "fer_bench.labels:nothing_here"}')
    with pytest.raises(ValueError, match="loadable"):
        load_estimator(tmp_path)


class Outsider(ClassifierMixin, BaseEstimator):
    """A classifier of a module outside fer_bench: its type is not on the trusted list."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


@pytest.mark.parametrize("file_name", ["model.joblib", "weights.pkl", "nested/extra.pickle"])
def test_a_pickle_in_a_model_folder_is_refused_before_anything_is_read(tmp_path, file_name):
    import joblib

    X, y = faces(12)
    folder = save_estimator(PixelSVC(kernel="linear").fit(X, y), tmp_path / "svc", class_names=["a", "b", "c"])
    marker = tmp_path / "code-ran"
    (folder / file_name).parent.mkdir(exist_ok=True)
    joblib.dump(RunsCode(marker), folder / file_name)
    with pytest.raises(UntrustedModelError, match=rf"{file_name}: a pickle file.*--trust-model"):
        load_estimator(folder)
    assert not marker.exists()


def test_a_trusted_legacy_joblib_model_still_loads(tmp_path):
    import joblib

    X, y = faces(12)
    model = PixelSVC(kernel="linear").fit(X, y)
    (tmp_path / "old").mkdir()
    joblib.dump(model, tmp_path / "old" / "model.joblib")
    np.testing.assert_array_equal(load_estimator(tmp_path / "old", trust=True).predict(X), model.predict(X))


def test_skops_types_outside_the_trusted_list_need_trust(tmp_path):
    X, y = faces(6)
    folder = save_estimator(Outsider().fit(X, y), tmp_path / "outsider")
    with pytest.raises(UntrustedModelError, match=r"model\.skops: holds types outside .*test_persistence\.Outsider"):
        load_estimator(folder)
    assert load_estimator(folder, trust=True).predict(X).tolist() == [0] * 6


def test_a_record_naming_a_class_outside_fer_bench_is_not_imported(tmp_path):
    (tmp_path / "estimator.json").write_text('{"class": "this:Anything"}')
    with pytest.raises(UntrustedModelError, match=r"estimator\.json: names the class this:Anything"):
        load_estimator(tmp_path)
    import sys

    assert "this" not in sys.modules


@pytest.mark.parametrize("name", sorted(name for name, spec in available_estimators().items() if spec.family == "classical"))
def test_every_classical_estimator_loads_without_trust(tmp_path, name):
    X, y = faces(42)
    y = np.arange(42) % 7
    model = create_estimator(name, load_profile("smoke")).estimator.fit(X, y)
    folder = save_estimator(model, tmp_path / name, class_names=list(FER2013_CLASSES))
    assert not pickle_files(folder)
    loaded = load_estimator(folder)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert saved_class_names(folder) == FER2013_CLASSES


def test_the_class_names_are_the_model_s_own_wherever_the_folder_goes(tmp_path):
    X, y = faces(12)
    five = ("Angry", "Happy", "Sad", "Surprise", "Neutral")
    folder = save_estimator(PixelSVC(kernel="linear").fit(X, y), tmp_path / "run" / "models" / "svc", class_names=five)
    (tmp_path / "run" / "results.json").write_text(json.dumps({"manifest": {"class_names": list(FER2013_CLASSES)},
                                                               "records": [{"name": "svc"}]}))
    assert saved_class_names(folder) == five  # its own record, not its run's
    copy = shutil.copytree(folder, tmp_path / "elsewhere" / "svc")
    assert saved_class_names(copy) == five
    (copy / "estimator.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"elsewhere/svc/estimator\.json: not valid JSON"):
        saved_class_names(copy)


def test_a_model_without_names_takes_its_run_s_and_a_hand_edited_run_is_named(tmp_path):
    X, y = faces(12)
    folder = save_estimator(PixelSVC(kernel="linear").fit(X, y), tmp_path / "run" / "models" / "svc")
    results = tmp_path / "run" / "results.json"
    results.write_text(json.dumps({"manifest": {"class_names": ["a", "b", "c"]}, "records": []}))
    assert saved_class_names(folder) == ("a", "b", "c")
    results.write_text(json.dumps({"manifest": {"class_names": "abc"}, "records": []}))
    with pytest.raises(ValueError) as refused:
        saved_class_names(folder)
    assert str(refused.value) == f"{results}: manifest.class_names is 'abc', expected a list of strings"


def test_label_model_files_writes_the_names_into_the_record(tmp_path):
    X, y = faces(12)
    folder = save_estimator(PixelSVC(kernel="linear").fit(X, y), tmp_path / "svc")
    files = {path.name: path.read_bytes() for path in folder.iterdir()}
    labelled = label_model_files(files, ["x", "y", "z"])
    assert json.loads(labelled["estimator.json"])["class_names"] == ["x", "y", "z"]
    assert labelled["model.skops"] == files["model.skops"]


@pytest.fixture(scope="module")
def saved_network(tmp_path_factory):
    X, y = faces(16, seed=1)
    model = TorchClassifier(architecture="shallow_cnn", epochs=1, batch_size=8, width=0.125).fit(X, y)
    return save_estimator(model, tmp_path_factory.mktemp("saved") / "net")


def broken_copy(saved, tmp_path, what):
    """A copy of a saved network with one planted fault."""
    folder = shutil.copytree(saved, tmp_path / what)
    if what == "truncated_weights":
        data = (folder / "model.pt").read_bytes()
        (folder / "model.pt").write_bytes(data[: len(data) // 2])
    elif what == "other_architecture":
        X, y = faces(16, seed=1)
        other = TorchClassifier(architecture="deep_cnn", epochs=1, batch_size=8, width=0.125).fit(X, y)
        other.save(tmp_path / "deep")
        shutil.copy(tmp_path / "deep" / "model.pt", folder / "model.pt")
    elif what == "corrupt_config":
        (folder / "config.json").write_text('{"params": {"epochs": 1,')
    elif what == "config_of_another_class":
        (folder / "config.json").write_text('{"weights": "x"}')
    return folder


@pytest.mark.parametrize("what, message", [
    ("truncated_weights", r"model\.pt: not a readable PyTorch state dict, truncated or corrupt"),
    ("other_architecture", r"model\.pt: the weights do not fit the shallow_cnn network"),
    ("corrupt_config", r"config\.json: not valid JSON, the file is corrupt"),
    ("config_of_another_class", r"config\.json: does not describe a saved TorchClassifier"),
])
def test_a_broken_network_folder_is_one_error_line_naming_the_file(saved_network, tmp_path, what, message, capsys):
    from fer_bench.cli import main

    folder = broken_copy(saved_network, tmp_path, what)
    with pytest.raises(ValueError, match=message) as error:
        load_estimator(folder)
    assert "\n" not in str(error.value)
    assert main(["predict", "photo.png", "--model", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and str(folder) in err


def _as_saved_before_the_move(folder):
    """Rewrite a saved model's files as the layout before estimators/classical/ wrote them (old class paths)."""
    import io
    import zipfile

    from fer_bench.estimators.persistence import MOVED_CLASSES

    old_path = {new: old for old, new in MOVED_CLASSES.items()}

    def rename(node):
        if isinstance(node, dict):
            old = old_path.get(f"{node.get('__module__')}.{node.get('__class__')}")
            if old:
                node["__module__"] = old.rpartition(".")[0]
            for value in node.values():
                rename(value)
        elif isinstance(node, list):
            for value in node:
                rename(value)

    with zipfile.ZipFile(folder / "model.skops") as archive:
        entries = {item.filename: archive.read(item) for item in archive.infolist()}
    tree = json.loads(entries["schema.json"])
    rename(tree)
    schema = json.dumps(tree)
    entries["schema.json"] = schema.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as copy:
        for name, data in entries.items():
            copy.writestr(name, data)
    (folder / "model.skops").write_bytes(buffer.getvalue())
    return schema


def test_a_model_saved_under_the_former_class_paths_still_loads_without_trust(tmp_path):
    X, y = faces(12)
    model = create_estimator("svc_linear_hog", load_profile("smoke")).estimator.fit(X, y)
    save_estimator(model, tmp_path / "old")
    schema = _as_saved_before_the_move(tmp_path / "old")
    assert '"__module__": "fer_bench.estimators.classical"' in schema and "features.HOGFeatures" not in schema
    np.testing.assert_array_equal(load_estimator(tmp_path / "old").predict(X), model.predict(X))


def test_every_moved_class_is_importable_where_it_now_lives():
    import importlib

    from fer_bench.estimators.persistence import MOVED_CLASSES, TRUSTED_TYPES

    for old, new in MOVED_CLASSES.items():
        module, _, name = new.rpartition(".")
        assert isinstance(getattr(importlib.import_module(module), name), type), new
        assert old not in TRUSTED_TYPES


def test_a_network_saved_under_its_former_class_path_still_loads(tmp_path):
    X, y = faces(16, seed=1)
    model = TorchClassifier(architecture="shallow_cnn", epochs=1, batch_size=8, width=0.125).fit(X, y)
    save_estimator(model, tmp_path / "net")
    record = json.loads((tmp_path / "net" / "estimator.json").read_text())
    record["class"] = "fer_bench.estimators.torch_trainer:TorchClassifier"  # as written before estimators/torch/
    (tmp_path / "net" / "estimator.json").write_text(json.dumps(record))
    np.testing.assert_allclose(load_estimator(tmp_path / "net").predict_proba(X), model.predict_proba(X), rtol=1e-5, atol=1e-6)


def test_a_path_that_is_no_model_folder_is_refused_before_any_walk(tmp_path, monkeypatch):
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "stray.pkl").write_bytes(b"not read")
    walked = []
    monkeypatch.setattr("fer_bench.estimators.persistence.pickle_files", lambda folder: walked.append(folder) or [])
    with pytest.raises(FileNotFoundError, match="holds neither estimator.json nor model.skops; not a saved fer_bench"):
        load_estimator(tmp_path)
    assert walked == []  # `predict --model /` would have walked the whole file system


def test_an_archive_that_inflates_beyond_the_limit_is_refused_before_it_is_read(saved_network, tmp_path, monkeypatch):
    import zipfile

    from fer_bench.estimators import persistence

    folder = shutil.copytree(saved_network, tmp_path / "net")
    with zipfile.ZipFile(folder / "model.pt", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data/0", bytes(3 * 2**20))  # 3 MiB of zeros: a few KiB on disk
    monkeypatch.setattr(persistence, "MAX_MODEL_BYTES", 2**20)
    read = []
    monkeypatch.setattr("torch.load", lambda *args, **kwargs: read.append(args))
    with pytest.raises(ValueError, match=r"model\.pt: inflates to 3 MiB .*refused before reading it"):
        load_estimator(folder)
    assert read == []


def test_a_skops_schema_that_inflates_beyond_its_limit_is_refused(tmp_path, monkeypatch):
    import zipfile

    from fer_bench.estimators import persistence

    X, y = faces(12)
    folder = save_estimator(PixelSVC(kernel="linear").fit(X, y), tmp_path / "svc")
    with zipfile.ZipFile(folder / "model.skops", "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("padding.npy", bytes(2**20))
    monkeypatch.setattr(persistence, "MAX_SCHEMA_BYTES", 10)
    with pytest.raises(ValueError, match=r"model\.skops: inflates to .*schema"):
        load_estimator(folder)


@pytest.mark.parametrize("change, message", [
    ({"params.width": 64}, r"params\.width = 64; expected a channel multiplier in \(0, 4\]"),
    ({"classes": list(range(20_000_000))}, r"classes holds 20,000,000 labels; a saved network has at most 1,000"),
    ({"params.input_size": 100_000}, r"params\.input_size = 100000; expected none or 8 to 512 pixels"),
])
def test_a_config_asking_for_an_absurd_network_is_refused_before_it_is_built(saved_network, tmp_path, change,
                                                                              message):
    folder = shutil.copytree(saved_network, tmp_path / "net")
    config = json.loads((folder / "config.json").read_text())
    for key, value in change.items():
        if key.startswith("params."):
            config["params"][key.split(".")[1]] = value
        else:
            config[key] = value
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match=message):
        load_estimator(folder)


@pytest.mark.parametrize("file_name", ["config.json", "estimator.json"])
def test_a_json_file_nested_10000_deep_is_refused_as_corrupt_naming_it(saved_network, tmp_path, file_name):
    folder = shutil.copytree(saved_network, tmp_path / "net")
    (folder / file_name).write_text("[" * 10_000 + "]" * 10_000)
    with pytest.raises(ValueError, match=rf"{file_name}: nested too deeply to be a fer_bench file"):
        load_estimator(folder)
