"""The built-in cards: read from fer_bench's own TOML over a model in another installed package."""

import importlib.util

import numpy as np
import pytest

from fer_bench.cards import builtin
from fer_bench.cards.builtin import BUILTIN_CARDS, builtin_card_folder, open_card
from fer_bench.estimators.persistence import is_card

needs_facex = pytest.mark.skipif(importlib.util.find_spec("facex") is None
                                 or importlib.util.find_spec("ai_edge_litert") is None,
                                 reason="the 'facex' package (pip install --no-deps facex==1.1.0) and the 'tflite' "
                                        "extra (ai-edge-litert) are needed to open its model")


def test_the_facex_card_states_its_preprocessing_and_classes_in_facex_order(tmp_path, monkeypatch):
    (tmp_path / "model_optimized.tflite").write_bytes(b"")
    monkeypatch.setattr(builtin, "builtin_card_folder", lambda name: tmp_path)
    card = open_card("facex")
    spec = card.input
    assert (card.format, card.model_file) == ("tflite", tmp_path / "model_optimized.tflite")
    assert (spec.height, spec.width, spec.channels, spec.layout, spec.interpolation) == (200, 200, "rgb", "nhwc",
                                                                                         "bilinear")
    assert spec.value_range == (0.0, 1.0) and card.kind == "probabilities"
    # facex's anger, disgust, fear, happy, neutral, sadness, surprised onto FER-2013's order
    assert card.mapping.columns == (0, 1, 2, 3, 5, 6, 4) and card.mapping.covers_fer2013
    assert card.source["license"] == "MIT" and "claimed_accuracy" not in card.source


def test_a_built_in_card_without_its_package_names_the_install_command(monkeypatch):
    monkeypatch.setattr(builtin.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match=r"needs the 'facex' package: pip install --no-deps facex==1\.1\.0"):
        builtin_card_folder("facex")


def test_a_built_in_name_is_a_card_unless_a_path_of_that_name_exists(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert all(is_card(name) for name in BUILTIN_CARDS) and not is_card("models")
    (tmp_path / "facex").mkdir()
    assert not is_card("facex")


@needs_facex
def test_facex_predicts_its_seven_classes_on_faces():
    from fer_bench.estimators.card_model import CardClassifier

    faces = np.random.default_rng(0).integers(0, 256, (7, 48, 48), dtype=np.uint8)
    model = CardClassifier(card="facex").fit(faces, np.arange(7))
    proba = model.predict_proba(faces)
    assert proba.shape == (7, 7)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-4)
