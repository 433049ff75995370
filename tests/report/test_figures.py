import base64

import numpy as np

from fer_bench.analysis.metrics import calibration
from fer_bench.report.figures import (confusion_overview_figure, cost_benefit_figure, face_data_uri, heat_colours,
                                      learning_curves_figure, per_class_f1_figure, reliability_figure)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png(src):
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix)
    data = base64.b64decode(src[len(prefix):])
    assert data.startswith(PNG_SIGNATURE)
    return data


def test_confusion_overview_describes_each_recall():
    figure = confusion_overview_figure({"a": [[5, 1], [3, 2]], "b": [[6, 0], [0, 5]]}, ["Angry", "Fear"])
    _png(figure.src)
    assert "a: Angry 83%, Fear 40%" in figure.alt and "b: Angry 100%, Fear 100%" in figure.alt
    assert "true labels on rows" in figure.alt


def test_per_class_f1_leaves_missing_classes_blank():
    figure = per_class_f1_figure({"a": {"Angry": 0.5, "Fear": 0.25}, "b": {"Angry": 0.75}}, ["Angry", "Fear"])
    _png(figure.src)
    assert "a: Angry 0.50, Fear 0.25." in figure.alt and "b: Angry 0.75." in figure.alt
    assert "Hardest class on average: Fear." in figure.alt


def test_learning_curves_tolerate_missing_publictest_accuracy():
    histories = {"net": [{"epoch": 1, "train_loss": 1.5, "public_accuracy": 0.3},
                         {"epoch": 2, "train_loss": 1.1, "public_accuracy": 0.4}],
                 "bare": [{"epoch": 1, "train_loss": 1.5}, {"epoch": 2, "train_loss": 1.1, "public_accuracy": None}]}
    figure = learning_curves_figure(histories)
    _png(figure.src)
    assert "net: best PublicTest accuracy 40.0% at epoch 2 of 2." in figure.alt
    assert "bare: 2 epochs, no PublicTest accuracy recorded." in figure.alt


def test_cost_benefit_names_the_frontier():
    figure = cost_benefit_figure({"fast": (0.5, 0.4), "slow": (100.0, 0.7), "waste": (200.0, 0.5)}, ["fast", "slow"])
    _png(figure.src)
    assert "fast 40.0% in 0.5 s" in figure.alt and "Pareto frontier" in figure.alt and "fast, slow." in figure.alt


def test_reliability_reports_each_ece():
    y_true = np.array([0, 1, 1, 0])
    scores = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])
    figure = reliability_figure({"model": calibration(y_true, scores)})
    _png(figure.src)
    assert "model " in figure.alt and "%" in figure.alt and "diagonal" in figure.alt


def test_face_is_a_lossless_png():
    from io import BytesIO

    from PIL import Image

    face = np.arange(48 * 48, dtype=np.uint8).reshape(48, 48)
    decoded = np.asarray(Image.open(BytesIO(_png(face_data_uri(face)))))
    np.testing.assert_array_equal(decoded, face)


def test_heat_colours_darken_with_value():
    colours, light = heat_colours(np.array([[0, 5], [10, 2]]), 10)
    assert len(colours) == 4 and all(colour.startswith("#") and len(colour) == 7 for colour in colours)
    assert light == [False, False, True, False]
