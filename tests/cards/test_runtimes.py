"""A card's model file opened without running its code: ONNX external data kept inside the card's folder, Keras in
safe mode, TorchScript and pickle never, a missing runtime named with its install command."""

import importlib.util

import numpy as np
import pytest

from fer_bench.cards import CardError, UntrustedCardError, open_runtime, read_card
from fer_bench.cards import runtimes
from fer_bench.estimators import load_estimator

from ..estimators.planted_pickle import RunsCode
from .support import card_dict, changed, faces, write_card

needs_onnx = pytest.mark.skipif(not all(importlib.util.find_spec(module) for module in ("onnx", "onnxruntime")),
                                reason="the onnx extra (pip install 'fer_bench[onnx]') is not installed")


def linear_onnx(path, external_location=None):
    """An ONNX model (n, 1, 32, 32) -> (n, 7) logits, its weights inside the file or in ``external_location``."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weights = numpy_helper.from_array(np.linspace(-1, 1, 32 * 32 * 7, dtype=np.float32).reshape(1024, 7), "W")
    graph = helper.make_graph(
        [helper.make_node("Flatten", ["x"], ["flat"]), helper.make_node("MatMul", ["flat", "W"], ["y"])], "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 1, 32, 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 7])], [weights])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    if external_location is None:
        onnx.save_model(model, str(path))
    else:
        onnx.save_model(model, str(path), save_as_external_data=True, location="weights.bin", size_threshold=0)
        if external_location != "weights.bin":
            stored = onnx.load(str(path), load_external_data=False)
            for entry in stored.graph.initializer[0].external_data:
                if entry.key == "location":
                    entry.value = external_location
            onnx.save_model(stored, str(path))
    return path


@needs_onnx
def test_an_onnx_model_reading_external_data_outside_the_card_s_folder_is_refused(tmp_path, monkeypatch):
    import onnxruntime

    folder = tmp_path / "card"
    folder.mkdir()
    linear_onnx(folder / "model.onnx", external_location="../weights.bin")
    (folder / "weights.bin").rename(tmp_path / "weights.bin")  # where the model now says its weights are
    opened = []
    monkeypatch.setattr(onnxruntime, "InferenceSession", lambda *args, **kwargs: opened.append(args))
    card = read_card(write_card(folder, card_dict()))
    with pytest.raises(UntrustedCardError, match=r"reads external data from '\.\./weights\.bin'.*outside the card's"):
        open_runtime(card)
    assert opened == []  # refused before onnxruntime saw the model


@needs_onnx
def test_an_onnx_model_with_external_data_inside_the_card_s_folder_runs(tmp_path):
    linear_onnx(tmp_path / "model.onnx", external_location="weights.bin")
    model = load_estimator(write_card(tmp_path, card_dict()))
    assert model.predict_proba(faces(3)).shape == (3, 7)


def keras_model(lambda_layer: bool):
    from fer_bench.estimators.keras.backend import import_keras

    keras = import_keras()
    inputs = keras.Input((32, 32, 1))
    x = keras.layers.Lambda(lambda tensor: tensor * 2.0)(inputs) if lambda_layer else inputs
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(7, activation="softmax", kernel_initializer=keras.initializers.RandomNormal(seed=1))(x)
    return keras.Model(inputs, outputs)


def keras_card(folder, file):
    card = changed(card_dict(file=file, file_format="keras", layout="nhwc"), "output", "kind", "probabilities")
    return write_card(folder, card, model_bytes=None)


@pytest.mark.parametrize("file", ["model.keras", "model.h5"])
def test_keras_models_are_loaded_in_safe_mode(tmp_path, file):
    keras_model(lambda_layer=True).save(tmp_path / file)
    with pytest.raises(UntrustedCardError, match="Keras's safe mode refuses to load"):
        load_estimator(keras_card(tmp_path, file))


def test_a_keras_card_predicts_as_its_model(tmp_path):
    from fer_bench.cards import preprocess

    network = keras_model(lambda_layer=False)
    network.save(tmp_path / "model.keras")
    path = keras_card(tmp_path, "model.keras")
    X = faces(6)
    expected = network.predict(preprocess(X, read_card(path).input), verbose=0)
    np.testing.assert_allclose(load_estimator(path).predict_proba(X), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("file, file_format", [("model.pt", "torchscript"), ("model.pkl", "pickle")])
def test_a_pickled_or_torchscript_model_is_never_loaded_even_when_trusted(tmp_path, file, file_format):
    import pickle

    marker = tmp_path / "ran"
    (tmp_path / file).write_bytes(pickle.dumps(RunsCode(marker)))
    path = write_card(tmp_path, card_dict(file=file, file_format=file_format), model_bytes=None)
    for trust in (False, True):
        with pytest.raises(CardError, match=f'format = "{file_format}": .*never loads one; .*ONNX'):
            load_estimator(path, trust=trust)
    assert not marker.exists()


def test_a_missing_runtime_gives_its_install_command(tmp_path, monkeypatch):
    monkeypatch.setitem(runtimes.REQUIRES, "onnx", ("fer_bench_no_such_module",))
    with pytest.raises(ImportError, match=r"needs fer_bench_no_such_module.*install with: pip install 'fer_bench\[onnx\]'"):
        load_estimator(write_card(tmp_path, card_dict()))


def test_a_card_of_fewer_classes_predicts_its_own_labels(tmp_path):
    network = keras_model(lambda_layer=False)
    network.save(tmp_path / "model.keras")
    card = changed(changed(card_dict(file="model.keras", file_format="keras", layout="nhwc"), "output", "kind",
                           "probabilities"), "output", "classes", ["happy", "contempt", "sad", "neutral", "x", "y", "z"])
    model = load_estimator(write_card(tmp_path, card, model_bytes=None))
    assert model.classes_.tolist() == [0, 1, 2] and model.class_names_ == ("Happy", "Sad", "Neutral")
    proba = model.predict_proba(faces(4))
    assert proba.shape == (4, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.skipif(importlib.util.find_spec("ai_edge_litert") is None,
                    reason="the tflite extra (pip install 'fer_bench[tflite]') is not installed")
def test_a_tflite_card_predicts_as_the_keras_model_it_was_converted_from(tmp_path):
    import tensorflow as tf

    from fer_bench.cards import preprocess

    network = keras_model(lambda_layer=False)
    (tmp_path / "model.tflite").write_bytes(tf.lite.TFLiteConverter.from_keras_model(network).convert())
    card = changed(card_dict(file="model.tflite", file_format="tflite", layout="nhwc"), "output", "kind",
                   "probabilities")
    path = write_card(tmp_path, card, model_bytes=None)
    X = faces(5)
    expected = network.predict(preprocess(X, read_card(path).input), verbose=0)
    np.testing.assert_allclose(load_estimator(path).predict_proba(X), expected, rtol=1e-4, atol=1e-5)


@needs_onnx
def test_a_card_whose_input_size_is_not_the_model_s_is_refused_naming_the_key(tmp_path):
    from fer_bench.cards import CardError

    linear_onnx(tmp_path / "model.onnx")
    with pytest.raises(CardError, match=r"\[input\] height = 40: the model takes 32 there"):
        load_estimator(write_card(tmp_path, card_dict(height=40)))
    with pytest.raises(CardError, match=r"\[input\] channels = \"rgb\": the model takes 1 there"):
        load_estimator(write_card(tmp_path, card_dict(channels="rgb")))
