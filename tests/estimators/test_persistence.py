import json

import numpy as np
import pytest

from fer_bench.estimators.classical import PixelSVC
from fer_bench.estimators.persistence import load_estimator, save_estimator
from fer_bench.estimators.torch_trainer import TorchClassifier


def faces(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 48, 48), dtype=np.uint8), np.arange(n) % 3


def test_a_scikit_learn_estimator_round_trips_through_joblib(tmp_path):
    X, y = faces(12)
    model = PixelSVC(kernel="linear").fit(X, y)
    save_estimator(model, tmp_path / "svc")
    assert (tmp_path / "svc" / "model.joblib").is_file()
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
    (tmp_path / "estimator.json").write_text('{"class": "os:nothing_here"}')
    with pytest.raises(ValueError, match="loadable"):
        load_estimator(tmp_path)
