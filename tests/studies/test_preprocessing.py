"""The preprocessing study of a model card: the declared input and each common mistake, with intervals."""

import json
from dataclasses import replace

import numpy as np

from fer_bench.cards.card import InputSpec
from fer_bench.datasets import LabelledFaces
from fer_bench.labels import FER2013_CLASSES
from fer_bench.studies.preprocessing import IMAGENET_MEAN, run_preprocessing_study, variants, write_preprocessing_study


def spec(**changes):
    values = dict(height=64, width=64, channels="gray", layout="nhwc", value_range=(-1.0, 1.0), mean=(0.0,),
                  std=(1.0,), interpolation="bilinear", dtype="float32")
    return InputSpec(**{**values, **changes})


def test_each_mistake_changes_one_thing_and_none_repeats_the_declared_input():
    found = dict(variants(spec()))
    assert list(found)[0] == "as declared" and found["as declared"] == spec()
    assert found["range [0, 1]"] == spec(value_range=(0.0, 1.0)) and "range [-1, 1]" not in found
    assert found["ImageNet mean/std applied"].value_range == (0.0, 1.0)
    assert found["interpolation area"] == spec(interpolation="area") and "interpolation bilinear" not in found
    assert not any(name.startswith("channels swapped") for name in found)  # a gray input has one channel
    rgb = dict(variants(spec(channels="rgb", value_range=(0.0, 1.0), mean=IMAGENET_MEAN, std=(0.229, 0.224, 0.225))))
    assert rgb["channels swapped (RGB <-> BGR)"].mean == IMAGENET_MEAN[::-1]
    assert rgb["mean/std forgotten"] == replace(rgb["as declared"], mean=(0.0,), std=(1.0,))
    assert [name for name in variants(spec(dtype="uint8", value_range=(0.0, 255.0)))
            if not name[0].startswith("interpolation")] == [("as declared", spec(dtype="uint8", value_range=(0.0, 255.0)))]


class RangeSensitiveCard:
    """A stand-in for a loaded card whose model answers its first class (happy) where the mean input is below 0,
    else its second (sad): right on dark happy and bright sad faces under the declared range [-1, 1] only."""

    def __init__(self, card):
        self.card_ = card
        self.run_ = lambda batch: np.where(batch.mean(axis=(1, 2, 3))[:, None] < 0, np.eye(7)[0], np.eye(7)[1])


def test_the_study_scores_each_variant_with_an_interval_and_leaves_out_classes_the_model_lacks(tmp_path):
    from fer_bench.cards import read_card
    from tests.cards.support import card_dict, changed, write_card

    card = changed(card_dict(file="model.keras", file_format="keras", layout="nhwc", range=[-1.0, 1.0], mean=[0.0],
                             std=[1.0], interpolation="bilinear"), "output", "kind", "probabilities")
    card = changed(card, "output", "classes", ["happy", "sad", "contempt", "a", "b", "c", "d"])
    model = RangeSensitiveCard(read_card(write_card(tmp_path, card)))
    images = np.concatenate([np.full((20, 48, 48), 50, np.uint8), np.full((20, 48, 48), 200, np.uint8),
                             np.full((5, 48, 48), 120, np.uint8)])
    labels = np.array([3] * 20 + [4] * 20 + [0] * 5)  # happy, sad, and angry faces the model cannot label
    faces = LabelledFaces(images, labels, FER2013_CLASSES, "test", "0" * 64, "PrivateTest")
    study = run_preprocessing_study(model, tmp_path / "tiny.toml", faces)
    rows = {row["name"]: row for row in study["rows"]}
    assert (study["n"], study["left_out"]) == (40, 5)
    assert rows["as declared"]["accuracy"] == 1.0 and rows["as declared"]["accuracy_ci"] == [1.0, 1.0]
    wrong = rows["range [0, 1]"]
    assert wrong["accuracy"] == 0.5 and wrong["change"] == -0.5  # dark faces no longer below 0
    assert wrong["accuracy_ci"][0] < 0.5 < wrong["accuracy_ci"][1]
    assert rows["range [0, 255]"]["accuracy"] == 0.5 and rows["interpolation area"]["accuracy"] == 1.0
    json_path, html_path = write_preprocessing_study(study, tmp_path / "out", "the command")
    assert json.loads(json_path.read_text())["rows"][0]["name"] == "as declared"
    assert "range [0, 1]" in html_path.read_text() and "the command" in html_path.read_text()
