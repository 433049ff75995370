"""The cost of inference: MACs counted, and the rows of each runtime of a saved model."""

from __future__ import annotations

import numpy as np
import pytest
from torch import nn

from fer_bench.deploy.cost import folder_mib, measure_model
from fer_bench.deploy.torch_onnx import FacePredictor, count_macs
from fer_bench.estimators import load_estimator
from fer_bench.estimators.torch.classifier import TorchClassifier
from fer_bench.estimators.torch.trainer import Recipe
from fer_bench.results import RunRecord

from .conftest import needs


def linear_predictor(side: int, **settings) -> FacePredictor:
    recipe = Recipe.of(TorchClassifier(**settings))
    return FacePredictor(nn.Sequential(nn.Flatten(), nn.Linear(side * side, 7)), recipe, settings.get("tta", "none"))


def test_macs_are_the_multiply_accumulates_of_every_view_of_one_face():
    assert count_macs(linear_predictor(48)) == 48 * 48 * 7
    assert count_macs(linear_predictor(40, crop_size=40, tta="ten_crop")) == 10 * 40 * 40 * 7


def record(name: str) -> RunRecord:
    return RunRecord(name=name, family="network", framework="torch", source="test", seed=0)


def test_a_network_has_a_row_per_runtime_with_every_measure(torch_run):
    needs("onnx", "onnxscript", "onnxruntime")
    model_dir = torch_run / "models" / "shallow_cnn"
    eager, onnx = measure_model(model_dir, record("shallow_cnn"), calls=3, batch=4)
    assert (eager.runtime, onnx.runtime) == ("torch eager", "onnxruntime")
    assert eager.parameters == load_estimator(model_dir).n_params_ and onnx.parameters > 0
    assert eager.macs_per_face == onnx.macs_per_face > 0  # FlopCounterMode's count and the graph's agree
    assert eager.model_mib == folder_mib(model_dir) and 0 < onnx.model_mib
    for row in (eager, onnx):
        assert (row.name, row.seed, row.note) == ("shallow_cnn", 0, None)
        assert 0 < row.latency_median_seconds <= row.latency_p95_seconds
        assert row.throughput_images_per_second > 0


def test_a_model_that_does_not_export_has_an_onnx_row_saying_why(classical_run):
    needs("onnx", "skl2onnx", "onnxruntime")
    own, onnx = measure_model(classical_run / "models" / "svc_linear_hog", record("svc_linear_hog"), calls=2, batch=3)
    assert own.runtime == "scikit-learn" and own.note == "MACs not counted"
    assert own.parameters is None and own.macs_per_face is None and own.latency_median_seconds > 0
    assert onnx.runtime == "onnxruntime" and onnx.latency_median_seconds is None and onnx.model_mib is None
    assert onnx.note.startswith("not exported: PixelSVC: its step 'hog'")


def test_a_classical_model_that_exports_takes_the_macs_of_its_graph(classical_run):
    needs("onnx", "skl2onnx", "onnxruntime")
    own, onnx = measure_model(classical_run / "models" / "svc_linear_pca", record("svc_linear_pca"), calls=2, batch=3)
    assert own.macs_per_face == onnx.macs_per_face >= 48 * 48 * 20  # at least the projection on 20 components
    assert own.note == "MACs counted on its ONNX graph" and onnx.note is None


def test_a_card_model_runs_on_its_format_s_runtime_and_is_not_exported(tmp_path):
    """A model card's model (here an ONNX card made from a tiny network) is measured on its own format's runtime, with
    its model file's size, parameters and multiply-accumulates; fer_bench does not export what it did not train."""
    pytest.importorskip("onnxruntime")
    from fer_bench.deploy.cost import CARD_RUNTIMES, own_runtime
    from fer_bench.deploy.onnx_export import convert
    from fer_bench.estimators.card_model import CardClassifier

    from ..cards.support import faces
    from ..estimators.test_card_model import exported_card

    card, network = exported_card(tmp_path)
    model = CardClassifier(card=str(card)).fit(faces(7), np.arange(7))
    runtime = own_runtime(model, tmp_path)
    assert runtime.name == CARD_RUNTIMES["onnx"] == "onnxruntime"
    assert runtime.model_mib == pytest.approx((tmp_path / "model.onnx").stat().st_size / 2**20)
    assert runtime.parameters == sum(parameter.numel() for parameter in network.parameters())
    assert runtime.macs_per_face == 4 * 15 * 15 * 9 + 4 * 15 * 15 * 7  # its 3x3 convolution, then its linear layer
    assert runtime.note is None
    with pytest.raises(ValueError, match="tiny: a model card's onnx model, made elsewhere"):
        convert(model, tmp_path / "again.onnx")


def test_a_keras_card_model_counts_its_parameters_and_a_tflite_one_counts_nothing(tmp_path):
    from fer_bench.cards import read_card
    from fer_bench.deploy.cost import card_model_counts

    from ..cards.support import card_dict, write_card
    from ..cards.test_runtimes import keras_card, keras_model

    keras_model(lambda_layer=False).save(tmp_path / "model.keras")
    assert card_model_counts(read_card(keras_card(tmp_path, "model.keras"))) == (32 * 32 * 7 + 7, None)
    tflite = write_card(tmp_path / "tflite", card_dict(file="model.tflite", file_format="tflite", layout="nhwc"))
    assert card_model_counts(read_card(tflite)) == (None, None)
