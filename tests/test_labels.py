import pytest

from fer_bench.labels import (CK_PLUS_TO_FER2013, FER2013_CLASSES, FERPLUS_CLASSES, class_index,
                              mapped_class_index, same_expression)


def test_fer2013_class_index_is_case_insensitive():
    assert [class_index(name.upper()) for name in FER2013_CLASSES] == list(range(7))
    with pytest.raises(KeyError, match="unknown expression 'joy'"):
        class_index("joy")


def test_ferplus_has_eight_classes_in_vote_column_order():
    assert FERPLUS_CLASSES == ("Neutral", "Happiness", "Surprise", "Sadness", "Anger", "Disgust", "Fear", "Contempt")


@pytest.mark.parametrize("folder, expected", [
    ("anger", "Angry"), ("disgust", "Disgust"), ("fear", "Fear"), ("happy", "Happy"),
    ("sadness", "Sad"), ("Surprise", "Surprise"), ("neutral", "Neutral"),
])
def test_ck_plus_names_map_onto_fer2013(folder, expected):
    assert FER2013_CLASSES[mapped_class_index(folder, "ck+")] == expected


def test_ck_plus_contempt_has_no_counterpart():
    assert CK_PLUS_TO_FER2013["contempt"] is None
    assert mapped_class_index("Contempt", "ck+") is None


def test_mapping_falls_back_to_fer2013_names_and_rejects_others():
    assert mapped_class_index("sad", "ck+") == FER2013_CLASSES.index("Sad")
    assert mapped_class_index("Angry") == 0
    with pytest.raises(KeyError, match="unknown expression 'sadness'"):
        mapped_class_index("sadness")  # no map: CK+ names are not FER-2013 names
    with pytest.raises(KeyError, match="'bored'.*anger, contempt"):
        mapped_class_index("bored", "ck+")
    with pytest.raises(KeyError, match="unknown label map 'bp4d'"):
        mapped_class_index("happy", "bp4d")


@pytest.mark.parametrize("first, second, same", [
    ("Angry", "anger", True), ("Happiness", "happy", True), ("sadness", "Sad", True), ("NEUTRAL", "Neutral", True),
    ("contempt", "Contempt", True), ("contempt", "Neutral", False), ("pride", "Happy", False), ("pride", "pride", True),
])
def test_same_expression_matches_classes_by_meaning(first, second, same):
    assert same_expression(first, second) is same
