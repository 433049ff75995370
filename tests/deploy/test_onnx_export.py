"""fer_bench export's work: ONNX files that give the original's predictions, their cards, and refusals."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from fer_bench.deploy import onnx_export
from fer_bench.deploy.onnx_export import ExportRefused, export_model, onnx_inputs
from fer_bench.deploy.parity import ParityError, onnx_probabilities
from fer_bench.estimators import load_estimator
from fer_bench.labels import FER2013_CLASSES

from .conftest import ACCURACY, needs, private_faces

TORCH_EXPORT = ("onnx", "onnxscript", "onnxruntime")
SKLEARN_EXPORT = ("onnx", "skl2onnx", "onnxruntime")


@pytest.mark.parametrize("name", ["shallow_cnn", "resnet9"])
def test_a_torch_network_exports_with_its_predictions_and_card(torch_run, tmp_path, name):
    needs(*TORCH_EXPORT)
    faces = private_faces()
    exported = export_model(torch_run / "models" / name, tmp_path / "out", faces, "synthetic (210 faces)")
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == sorted(["model.onnx", f"{name}.toml"])
    original = load_estimator(torch_run / "models" / name)
    original.set_params(precision="fp32")
    onnx = onnx_probabilities(exported.model_path, onnx_inputs(faces, "nchw"), "probabilities")
    assert np.array_equal(onnx.argmax(axis=1), original.predict(faces))
    assert np.abs(onnx - original.predict_proba(faces)).max() < 1e-5
    batch_of_one = onnx_probabilities(exported.model_path, onnx_inputs(faces[:1], "nchw"), "probabilities")
    assert batch_of_one.shape == (1, 7)  # the batch axis is dynamic

    card = tomllib.loads(exported.card_path.read_text())
    assert card["card_version"] == 1 and card["name"] == name
    assert card["model"] == {"file": "model.onnx", "format": "onnx"}
    assert card["input"] == {"height": 48, "width": 48, "channels": "gray", "layout": "nchw", "range": [0.0, 1.0],
                             "mean": [0.0], "std": [1.0], "interpolation": "bilinear", "dtype": "float32"}
    assert card["output"] == {"classes": list(FER2013_CLASSES), "kind": "probabilities"}
    assert card["source"]["trained_on"] == "fer_bench synthetic Training (140 faces, seed 0)"
    assert card["source"]["claimed_accuracy"] == ACCURACY and "PrivateTest" in card["source"]["claimed_on"]
    parity = card["parity"]
    assert parity["checked_on"] == "synthetic (210 faces)" and parity["faces"] == 210
    assert parity["argmax_agreement"] == 1.0 and parity["max_abs_probability_difference"] <= 1e-4
    assert parity["argmax_agreement"] == exported.parity.argmax_agreement


def test_a_perturbed_export_fails_parity_and_leaves_nothing(torch_run, tmp_path, monkeypatch):
    needs(*TORCH_EXPORT)
    import onnx
    from onnx import numpy_helper

    convert = onnx_export.convert

    def perturbed(estimator, path):
        converted = convert(estimator, path)
        model = onnx.load(str(path))
        weights = next(tensor for tensor in model.graph.initializer if len(tensor.dims) == 4)  # a convolution
        array = numpy_helper.to_array(weights)
        weights.CopyFrom(numpy_helper.from_array(array + 0.05 * np.sign(array), weights.name))
        onnx.save(model, str(path))
        return converted

    monkeypatch.setattr(onnx_export, "convert", perturbed)
    with pytest.raises(ParityError, match=r"the ONNX model is not the original: parity on 210 faces.*nothing written"):
        export_model(torch_run / "models" / "shallow_cnn", tmp_path / "out", private_faces(), "synthetic (210 faces)")
    assert list(tmp_path.iterdir()) == []  # no destination, no staging folder


def test_a_keras_network_exports_through_keras_with_its_predictions(tmp_path):
    needs("onnx", "tf2onnx", "onnxruntime")
    from fer_bench.estimators.keras.classifier import KerasCNNClassifier

    from .conftest import save_run, training_faces

    images, labels = training_faces(10)
    run = save_run(tmp_path / "run", {"keras_cnn": KerasCNNClassifier(epochs=1, batch_size=32).fit(images, labels)},
                   framework="keras")
    faces = private_faces()
    exported = export_model(run / "models" / "keras_cnn", tmp_path / "out", faces, "synthetic (210 faces)")
    assert exported.card["input"]["layout"] == "nhwc" and exported.card["output"]["kind"] == "probabilities"
    onnx = onnx_probabilities(exported.model_path, onnx_inputs(faces, "nhwc"), "probabilities")
    assert np.abs(onnx - load_estimator(run / "models" / "keras_cnn").predict_proba(faces)).max() < 1e-5


def test_svc_linear_pca_exports_through_skl2onnx_as_logits(classical_run, tmp_path):
    needs(*SKLEARN_EXPORT)
    faces = private_faces()
    exported = export_model(classical_run / "models" / "svc_linear_pca", tmp_path / "svc", faces, "synthetic (210 faces)")
    card = tomllib.loads(exported.card_path.read_text())
    assert card["output"]["kind"] == "logits" and card["input"]["layout"] == "nchw"
    original = load_estimator(classical_run / "models" / "svc_linear_pca")
    scores = onnx_probabilities(exported.model_path, onnx_inputs(faces, "nchw"), "probabilities")  # raw: the logits
    assert np.abs(scores - original.decision_function(faces)).max() < 1e-4
    assert np.array_equal(scores.argmax(axis=1), original.predict(faces))
    assert card["parity"]["argmax_agreement"] == 1.0


def test_knn_on_principal_components_exports_as_probabilities(classical_run, tmp_path):
    needs(*SKLEARN_EXPORT)
    faces = private_faces()
    exported = export_model(classical_run / "models" / "knn_pca", tmp_path / "knn", faces, "synthetic (210 faces)")
    assert exported.card["output"]["kind"] == "probabilities"
    original = load_estimator(classical_run / "models" / "knn_pca")
    onnx = onnx_probabilities(exported.model_path, onnx_inputs(faces, "nchw"), "probabilities")
    assert np.abs(onnx - original.predict_proba(faces)).max() <= 1e-4


def test_a_step_without_a_converter_is_refused_naming_it(classical_run, tmp_path):
    needs("onnx", "skl2onnx")
    model = classical_run / "models" / "svc_linear_hog"
    with pytest.raises(ExportRefused) as refused:
        export_model(model, tmp_path / "out", private_faces(), "synthetic")
    assert str(refused.value) == (f"{model}: PixelSVC: its step 'hog' (fer_bench.estimators.classical.features."
                                  "HOGFeatures) has no ONNX converter")
    assert list(tmp_path.iterdir()) == []


def test_a_model_outside_a_run_is_refused(torch_run, tmp_path):
    import shutil

    copy = shutil.copytree(torch_run / "models" / "shallow_cnn", tmp_path / "shallow_cnn")
    with pytest.raises(ValueError, match=r"shallow_cnn: not a model of a run \(expected RUN_DIR/models/NAME"):
        export_model(copy, tmp_path / "out", private_faces(), "synthetic")
