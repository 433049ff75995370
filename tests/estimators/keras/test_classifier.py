"""The seeds' Keras CNNs as an estimator: the protocol, save/load, epoch selection.

Networks train on a few random faces for one or two epochs: these tests check
plumbing, not accuracy.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from fer_bench.estimators.keras.classifier import KerasCNNClassifier


LABELS = np.array([2, 5, 9])  # non-contiguous on purpose


def random_faces(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 48, 48), dtype=np.uint8), LABELS[np.arange(n) % len(LABELS)]


@pytest.fixture(scope="module")
def fitted():
    """Two epochs on 16 faces (one batch each), selected on 12 PublicTest faces."""
    X, y = random_faces(16, seed=0)
    X_val, y_val = random_faces(12, seed=1)
    model = KerasCNNClassifier(epochs=2, batch_size=16, random_state=0).fit(X, y, validation_data=(X_val, y_val))
    return model, X_val, y_val


def test_seed_cnn5_trains_predicts_and_round_trips(tmp_path):
    rng = np.random.default_rng(4)
    X, y = rng.integers(0, 256, (10, 48, 48), dtype=np.uint8), np.arange(10) % 5
    model = KerasCNNClassifier(architecture="seed_cnn5", epochs=1, batch_size=10, bn_momentum=0.9).fit(X, y)
    assert model.n_params_ == 1_004_805 and model.predict_proba(X).shape == (10, 5)
    model.save(tmp_path)
    np.testing.assert_array_equal(KerasCNNClassifier.load(tmp_path).predict_proba(X), model.predict_proba(X))


def test_fitted_state_and_outputs(fitted):
    model, X_val, _ = fitted
    assert model.classes_.tolist() == LABELS.tolist()
    assert model.n_params_ == 2_137_991 - 4 * 129  # 3 outputs instead of 7
    assert model.n_non_trainable_params_ == 3_584
    proba = model.predict_proba(X_val)
    assert proba.shape == (12, 3) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    predicted = model.predict(X_val.reshape(12, -1))  # rows of 2,304 pixels are faces too
    assert predicted.dtype == np.int64 and predicted.shape == (12,)
    assert set(predicted) <= set(LABELS.tolist())
    np.testing.assert_array_equal(predicted, model.classes_[proba.argmax(axis=1)])


def test_history_and_checkpoint_selection_on_public_test(fitted):
    model, X_val, y_val = fitted
    assert [entry["epoch"] for entry in model.history_] == [1, 2]
    assert [(entry["images"], entry["steps"]) for entry in model.history_] == [(16, 1), (16, 1)]
    assert model.budget_["kind"] == "epochs" and model.budget_["planned_steps"] == model.budget_["steps_run"] == 2
    for entry in model.history_:
        assert entry["seconds"] > 0 and np.isfinite(entry["train_loss"])
        assert 0.0 <= entry["public_accuracy"] <= 1.0
    accuracies = [entry["public_accuracy"] for entry in model.history_]
    assert model.best_epoch_ == 1 + int(np.argmax(accuracies))
    assert np.mean(model.predict(X_val) == y_val) == pytest.approx(max(accuracies))


def test_save_load_round_trip(fitted, tmp_path):
    model, X_val, _ = fitted
    model.save(tmp_path)
    assert {path.name for path in tmp_path.iterdir()} == {"model.keras", "config.json"}
    loaded = KerasCNNClassifier.load(tmp_path)
    assert loaded.get_params() == model.get_params()
    assert loaded.classes_.tolist() == model.classes_.tolist() and loaded.history_ == model.history_
    assert loaded.budget_ == model.budget_
    np.testing.assert_array_equal(loaded.predict_proba(X_val), model.predict_proba(X_val))


def test_a_config_saved_before_budgets_loads_with_an_empty_budget(fitted, tmp_path):
    fitted[0].save(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    del config["budget"]
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert KerasCNNClassifier.load(tmp_path).budget_ == {}


def test_a_truncated_keras_file_is_named_as_truncated_not_missing(fitted, tmp_path, capsys):
    from fer_bench.cli import main
    from fer_bench.estimators.persistence import save_estimator

    folder = save_estimator(fitted[0], tmp_path / "keras_cnn")
    data = (folder / "model.keras").read_bytes()
    (folder / "model.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"model\.keras: not a readable \.keras file \(a zip archive\): truncated"):
        KerasCNNClassifier.load(folder)
    assert main(["predict", "photo.png", "--model", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and f"{folder}/model.keras" in err
    assert "not found" not in err.lower()


def test_fit_without_validation_on_rows_without_augmentation():
    X, y = random_faces(8, seed=2)
    model = KerasCNNClassifier(epochs=1, batch_size=8, augment=False).fit(X.reshape(8, -1).astype(float), y)
    assert model.history_[0]["public_accuracy"] is None and model.best_epoch_ == 1
    assert model.predict_proba(X).shape == (8, 3)


def test_protocol_errors():
    X, y = random_faces(4, seed=3)
    with pytest.raises(NotFittedError):
        KerasCNNClassifier().predict(X)
    with pytest.raises(ValueError, match="shape"):
        KerasCNNClassifier().fit(X[:, :40], y)
    with pytest.raises(ValueError, match="Unknown label type"):
        KerasCNNClassifier().fit(X, y + 0.5)
    with pytest.raises(ValueError, match="epochs=0: expected at least 1"):
        KerasCNNClassifier(epochs=0).fit(X, y)
    with pytest.raises(ValueError, match="batch_size=0: expected at least 1"):
        KerasCNNClassifier(batch_size=0).fit(X, y)
    with pytest.raises(ValueError, match="architecture"):
        KerasCNNClassifier(architecture="vgg").fit(X, y)
    assert clone(KerasCNNClassifier(epochs=3)).get_params()["epochs"] == 3


def test_string_labels_a_column_of_labels_and_the_global_generators_left_alone():
    import random

    X, y = random_faces(8, seed=4)
    names = np.array(["Angry", "Happy", "Sad"])[y % 3]
    np.random.seed(7)
    random.seed(7)
    expected = np.random.rand(3), random.random()
    np.random.seed(7)
    random.seed(7)
    model = KerasCNNClassifier(architecture="seed_cnn5", epochs=1, batch_size=8, random_state=0).fit(X, names[:, None])
    assert (np.random.rand(3).tolist(), random.random()) == (expected[0].tolist(), expected[1])
    assert model.classes_.tolist() == sorted(set(names)) and model.n_features_in_ == 48 * 48
    assert set(model.predict(X)) <= set(names)
    with pytest.raises(ValueError, match="complex"):
        model.predict(X.astype(np.complex64))
