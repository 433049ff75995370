import numpy as np
import pytest

from fer_bench.datasets.class_subset import restrict_to_classes
from fer_bench.labels import FER2013_CLASSES


def splits():
    labels = np.arange(14) % 7  # two faces of each FER-2013 class
    images = np.repeat(labels.astype(np.uint8)[:, None, None], 48, axis=1).repeat(48, axis=2)
    return {"Training": (images, labels), "PrivateTest": (images[:7], labels[:7]), "PublicTest": (images[:0], labels[:0])}


def test_keeps_the_named_classes_and_relabels_them_in_that_order():
    restricted, names = restrict_to_classes(splits(), FER2013_CLASSES, ("neutral", "Happy", "Angry"))
    assert names == ("Neutral", "Happy", "Angry")
    images, labels = restricted["Training"]
    assert labels.dtype == np.int64 and sorted(labels.tolist()) == [0, 0, 1, 1, 2, 2]
    np.testing.assert_array_equal(np.array(FER2013_CLASSES)[images[:, 0, 0]], np.array(names)[labels])
    assert restricted["PrivateTest"][1].tolist() == [2, 1, 0]  # Angry, Happy, Neutral in data order
    assert len(restricted["PublicTest"][1]) == 0


def test_unknown_class_is_refused():
    with pytest.raises(KeyError, match="Contempt"):
        restrict_to_classes(splits(), FER2013_CLASSES, ("Happy", "Contempt"))
