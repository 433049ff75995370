"""A card's classes onto FER-2013's seven: synonyms, classes dropped and renormalised, faces left out."""

import numpy as np
import pytest

from fer_bench.cards import map_classes
from fer_bench.cards.classes import fer2013_label
from fer_bench.labels import FER2013_CLASSES, FERPLUS_CLASSES


def test_ferplus_eight_classes_map_onto_seven_without_contempt():
    mapping = map_classes(FERPLUS_CLASSES)  # Neutral, Happiness, Surprise, Sadness, Anger, Disgust, Fear, Contempt
    assert mapping.labels == tuple(range(7)) and mapping.covers_fer2013
    assert mapping.columns == (4, 5, 6, 1, 3, 2, 0)  # the output column of Angry, Disgust, ..., Neutral
    assert mapping.dropped == ("Contempt",) and mapping.class_names == FER2013_CLASSES


@pytest.mark.parametrize("name, label", [("anger", 0), ("ANGRY", 0), ("disgusted", 1), ("Fearful", 2),
                                         ("happiness", 3), ("sadness", 4), ("surprised", 5), ("neutrality", 6),
                                         (" Neutral ", 6), ("contempt", None), ("NF", None), ("unknown", None)])
def test_names_and_synonyms_are_matched_case_insensitively(name, label):
    assert fer2013_label(name) == label


def test_a_model_of_fewer_classes_counts_the_faces_it_cannot_output():
    mapping = map_classes(["happy", "sad", "contempt", "neutral"])
    assert mapping.labels == (3, 4, 6) and mapping.columns == (0, 1, 3) and not mapping.covers_fer2013
    assert mapping.class_names == ("Happy", "Sad", "Neutral")
    y = np.array([0, 1, 2, 3, 3, 4, 5, 6, 6, 6])
    assert mapping.left_out(y) == 4  # Angry, Disgust, Fear and Surprise faces
    assert mapping.left_out(np.array([3, 4, 6])) == 0
