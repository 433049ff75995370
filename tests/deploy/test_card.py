"""The card's TOML writer: what it writes reads back the same, and what TOML cannot hold is refused."""

import math
import tomllib

import pytest

from fer_bench.deploy.card import card_text, face_input


def test_a_card_reads_back_as_written_with_strings_that_need_escapes():
    card = {"card_version": 1, "name": "resnet9.seed1",
            "model": {"file": "model.onnx", "format": "onnx"},
            "input": face_input("nhwc"),
            "output": {"classes": ["Angry", "Happy"], "kind": "logits"},
            "source": {"trained_on": 'fer "2013"\\ Training\n\tline\x7f\x01 é', "claimed_accuracy": 0.625},
            "parity": {"faces": 3, "argmax_agreement": 1.0, "max_abs_probability_difference": 2.5e-07}}
    text = card_text(card)
    assert tomllib.loads(text) == card
    assert text.index("[model]") < text.index("[input]") < text.index("[parity]")
    assert "2.5e-07" in text and "layout = \"nhwc\"" in text


@pytest.mark.parametrize("card, message", [
    ({"name": "x", "extra": {"a": 1}}, r"card table \[extra\]: not a table of card format 1"),
    ({"name": "x", "parity": {"max_abs_probability_difference": math.nan}}, "finite numbers only"),
    ({"name": "x", "source": {"trained_on": None}}, "not NoneType"),
    ({"name": "bad\udce9name"}, "surrogate"),
])
def test_what_toml_cannot_hold_is_refused(card, message):
    with pytest.raises(ValueError, match=message):
        card_text(card)
