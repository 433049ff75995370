"""A card model's outputs as probabilities over the FER-2013 classes it shares: softmax, columns dropped, rows
renormalised; the output width checked against the card."""

import numpy as np
import pytest

from fer_bench.cards import CardError, class_probabilities, read_card
from fer_bench.labels import FERPLUS_CLASSES

from .support import card_dict, changed, write_card


def card_of(tmp_path, classes, kind):
    return read_card(write_card(tmp_path, changed(changed(card_dict(), "output", "classes", list(classes)),
                                                  "output", "kind", kind)))


def test_contempt_is_dropped_and_the_rest_renormalised(tmp_path):
    card = card_of(tmp_path, FERPLUS_CLASSES, "probabilities")
    outputs = np.array([[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.0, 0.4],    # contempt most probable
                        [0.0, 0.5, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0]])
    proba = class_probabilities(card, outputs)
    assert proba.shape == (2, 7) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba[0], [1 / 6, 1 / 6, 0.0, 1 / 6, 1 / 6, 1 / 6, 1 / 6])  # Fear's column was 0
    np.testing.assert_allclose(proba[1], [0.5, 0, 0, 0.5, 0, 0, 0])  # Anger (column 4) and Happiness (column 1)


def test_logits_go_through_a_softmax_and_a_row_of_only_dropped_classes_is_uniform(tmp_path):
    card = card_of(tmp_path, ["happy", "sad", "contempt"], "logits")
    proba = class_probabilities(card, np.array([[0.0, np.log(3.0), 5.0]]))
    np.testing.assert_allclose(proba, [[0.25, 0.75]])
    uniform = class_probabilities(card_of(tmp_path, ["happy", "sad", "contempt"], "probabilities"),
                                  np.array([[0.0, 0.0, 1.0]]))
    np.testing.assert_allclose(uniform, [[0.5, 0.5]])


def test_a_model_with_another_number_of_outputs_is_refused(tmp_path):
    card = card_of(tmp_path, ["happy", "sad", "neutral"], "probabilities")
    with pytest.raises(CardError, match=r"\[output\] classes lists 3 classes, but the model gives 4 outputs"):
        class_probabilities(card, np.ones((2, 4)))
