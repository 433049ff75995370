"""A card as a scikit-learn classifier: equal predictions to the model it was exported from, fit that trains
nothing, saving and loading, ``--runtime``."""

import importlib.util

import numpy as np
import pytest

from fer_bench.cards import preprocess, read_card
from fer_bench.estimators import load_estimator
from fer_bench.estimators.card_model import CardClassifier, check_runtime
from fer_bench.estimators.persistence import save_estimator, saved_class_names
from fer_bench.labels import FER2013_CLASSES

from ..cards.support import card_dict, changed, faces, write_card

needs_onnx = pytest.mark.skipif(not all(importlib.util.find_spec(module) for module in ("onnx", "onnxruntime")),
                                reason="the onnx extra (pip install 'fer_bench[onnx]') is not installed")


def torch_network():
    import torch

    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, stride=2), torch.nn.ReLU(), torch.nn.Flatten(),
                               torch.nn.Linear(4 * 15 * 15, 7)).eval()


def exported_card(folder):
    """A torch network exported to ONNX in ``folder`` with its card (32x32 gray NCHW, logits); the network."""
    import torch

    network = torch_network()
    folder.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(network, (torch.zeros(1, 1, 32, 32),), str(folder / "model.onnx"), dynamo=False,
                      input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "n"}, "y": {0: "n"}},
                      opset_version=17)
    return write_card(folder, card_dict(), model_bytes=None), network


@needs_onnx
def test_an_onnx_card_predicts_as_the_torch_network_it_was_exported_from(tmp_path):
    import torch

    path, network = exported_card(tmp_path)
    X = faces(40)
    with torch.no_grad():
        logits = network(torch.from_numpy(preprocess(X, read_card(path).input)))
    expected = torch.softmax(logits, dim=1).numpy()
    model = load_estimator(path)
    np.testing.assert_allclose(model.predict_proba(X), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(model.predict(X), expected.argmax(axis=1))
    assert saved_class_names(path) == FER2013_CLASSES


@needs_onnx
def test_fit_trains_nothing_and_keeps_the_classes_of_y(tmp_path):
    path, _ = exported_card(tmp_path)
    X = faces(9)
    full = load_estimator(path).predict_proba(X)
    model = CardClassifier(card=str(path)).fit(X, np.array([0, 3, 6] * 3))
    assert model.classes_.tolist() == [0, 3, 6] and model.pretrained_["trained_on"] == "synthetic faces"
    kept = full[:, [0, 3, 6]]
    np.testing.assert_allclose(model.predict_proba(X), kept / kept.sum(axis=1, keepdims=True), rtol=1e-9)
    with pytest.raises(ValueError, match="y must be labels 0..6"):
        CardClassifier(card=str(path)).fit(X, np.arange(9) + 1)


@needs_onnx
def test_a_card_model_saves_and_loads_as_a_model_folder(tmp_path):
    path, _ = exported_card(tmp_path / "card")
    X = faces(5)
    model = CardClassifier(card=str(path)).fit(X, np.arange(5) % 7)
    save_estimator(model, tmp_path / "saved")
    np.testing.assert_array_equal(load_estimator(tmp_path / "saved").predict_proba(X), model.predict_proba(X))


@needs_onnx
def test_runtime_onnx_finds_the_onnx_card_of_a_model_folder(tmp_path):
    exported_card(tmp_path / "folder")
    assert load_estimator(tmp_path / "folder", runtime="onnx").card_.format == "onnx"
    with pytest.raises(ValueError, match="holds no onnx model"):
        load_estimator(tmp_path, runtime="onnx")


def test_runtime_onnx_is_refused_for_a_model_of_another_format(tmp_path):
    card = read_card(write_card(tmp_path, card_dict(file="model.keras", file_format="keras", layout="nhwc")))
    check_runtime(card, None)
    with pytest.raises(ValueError, match=r"--runtime onnx: .*tiny\.toml describes a keras model, not an onnx file"):
        check_runtime(card, "onnx")
    onnx_card = read_card(write_card(tmp_path, changed(card_dict(), None, "name", "other"), name="other.toml"))
    check_runtime(onnx_card, "onnx")
