import base64

from fer_bench.report.figures import confusion_figure, learning_curve_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png(src):
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix)
    return base64.b64decode(src[len(prefix):])


def test_confusion_figure_is_a_png_described_in_its_alt_text():
    figure = confusion_figure([[5, 1, 0], [3, 2, 0], [0, 0, 0]], ["Angry", "Fear", "Sad"], "svc_rbf")
    assert _png(figure.src).startswith(PNG_SIGNATURE)
    assert "svc_rbf" in figure.alt and "11 PrivateTest faces" in figure.alt
    assert "Recall per class: Angry 83%, Fear 40%." in figure.alt  # Sad has no true faces, so no recall
    assert "Fear predicted as Angry (3 faces)" in figure.alt


def test_learning_curve_tolerates_missing_publictest_accuracy():
    history = [{"epoch": 1, "train_loss": 1.5}, {"epoch": 2, "train_loss": 1.1, "public_accuracy": None}]
    figure = learning_curve_figure(history, "net")
    assert _png(figure.src).startswith(PNG_SIGNATURE)
    assert "from 1.500 to 1.100" in figure.alt and "PublicTest" not in figure.alt
