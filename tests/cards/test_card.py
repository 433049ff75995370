"""Reading a model card: every bad or missing key is one line naming the card, the key and what was expected."""

import os

import pytest

from fer_bench.cards import CardError, read_card
from fer_bench.cards.card import MAX_CARD_BYTES

from .support import card_dict, changed, write_card

BAD_KEYS = {
    # id: (table, key, value (... = missing), the message after "CARD: ")
    "version": (None, "card_version", 2, "card_version = 2: expected 1 (the card format this fer_bench reads)"),
    "version-missing": (None, "card_version", ..., "card_version is missing: expected 1"),
    "name": (None, "name", "my model", 'name = "my model": expected a short name of letters'),
    "format": ("model", "format", "caffe", '[model] format = "caffe": expected one of "onnx", "keras", "tflite"'),
    "file-missing": ("model", "file", ..., "[model] file is missing: expected the model file's path"),
    "file-absolute": ("model", "file", "/etc/model.onnx", '[model] file = "/etc/model.onnx": expected a path relative'),
    "file-suffix": ("model", "file", "model.h5", '[model] file = "model.h5": expected a onnx file (.onnx)'),
    "model-unknown-key": ("model", "sha256", "abc", "[model] sha256: unknown key; expected one of file, format"),
    "height-zero": ("input", "height", 0, "[input] height = 0: expected a whole number of pixels from 1 to 1024"),
    "width-absurd": ("input", "width", 10**9, "[input] width = 1000000000: expected a whole number of pixels from 1 to 1024"),
    "height-float": ("input", "height", 32.5, "[input] height = 32.5: expected a whole number of pixels"),
    "height-bool": ("input", "height", True, "[input] height = true: expected a whole number of pixels"),
    "height-missing": ("input", "height", ..., "[input] height is missing: expected a whole number of pixels"),
    "channels": ("input", "channels", "rgba", '[input] channels = "rgba": expected one of "gray", "rgb", "bgr"'),
    "layout": ("input", "layout", "nwhc", '[input] layout = "nwhc": expected one of "nchw", "nhwc"'),
    "range-equal": ("input", "range", [1.0, 1.0], "[input] range = [1.0, 1.0]: expected [low, high]: two different"),
    "range-short": ("input", "range", [1.0], "[input] range = [1.0]: expected [low, high]"),
    "mean-length": ("input", "mean", [0.1, 0.2], "[input] mean = [0.1, 0.2]: expected a list of 1 finite number"),
    "std-zero": ("input", "std", [0.0], "[input] std = [0.0]: expected a list of 1 finite number, not 0"),
    "interpolation": ("input", "interpolation", "linear", '[input] interpolation = "linear": expected one of "nearest"'),
    "dtype": ("input", "dtype", "float16", '[input] dtype = "float16": expected one of "float32", "uint8"'),
    "dtype-uint8-scaled": ("input", "dtype", "uint8", '[input] dtype = "uint8": expected range = [0, 255], mean'),
    "input-unknown-key": ("input", "heigth", 32, "[input] heigth: unknown key; expected one of height, width"),
    "classes-one": ("output", "classes", ["happy"], '[output] classes = ["happy"]: expected a list of two or more'),
    "classes-repeated": ("output", "classes", ["happy", "happy", "sad"],
                         '[output] classes = ["happy", "happy", "sad"]: expected a list of two or more distinct'),
    "classes-synonyms": ("output", "classes", ["anger", "angry", "sad"],
                         '[output] classes = ["anger", "angry", "sad"]: expected classes that map onto FER-2013\'s: '
                         "'anger' and 'angry' both mean FER-2013's Angry"),
    "classes-unmapped": ("output", "classes", ["contempt", "unknown", "happy"],
                         '[output] classes = ["contempt", "unknown", "happy"]: expected classes that map onto '
                         "FER-2013's: fewer than two of them"),
    "kind": ("output", "kind", "softmax", '[output] kind = "softmax": expected one of "probabilities", "logits"'),
    "trained-on": ("source", "trained_on", ..., "[source] trained_on is missing: expected a non-empty string"),
    "claimed": ("source", "claimed_accuracy", 66, "[source] claimed_accuracy = 66: expected the authors' accuracy "
                                                  "as a fraction from 0 to 1"),
    "source-table": (None, "source", ..., "[source] is missing: expected a table [source]"),
}


@pytest.mark.parametrize("table, key, value, message", BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_a_bad_or_missing_key_is_one_line_naming_the_card_and_the_key(tmp_path, table, key, value, message):
    path = write_card(tmp_path, changed(card_dict(), table, key, value))
    with pytest.raises(CardError) as caught:
        read_card(path)
    line = str(caught.value)
    assert "\n" not in line and line.startswith(f"{path}: {message}"), line


def test_a_valid_card_reads_with_its_defaults(tmp_path):
    path = write_card(tmp_path, changed(card_dict(), "input", "mean", ...))
    card = read_card(path)
    assert (card.name, card.format, card.model_file, card.folder) == ("tiny", "onnx", tmp_path / "model.onnx", tmp_path)
    assert (card.input.height, card.input.mean, card.input.std, card.input.dtype) == (32, (0.0,), (0.25,), "float32")
    assert card.source["claimed_accuracy"] == 0.5 and card.parity == {}


def test_a_path_leaving_the_card_s_folder_is_refused(tmp_path):
    (tmp_path / "model.onnx").write_bytes(b"")
    path = write_card(tmp_path / "cards", card_dict(file="../model.onnx"))
    with pytest.raises(CardError, match=r"\[model\] file = \"\.\./model\.onnx\": expected a path inside the card's"):
        read_card(path)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_link_to_a_model_outside_the_card_s_folder_is_refused(tmp_path):
    (tmp_path / "outside.onnx").write_bytes(b"")
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "model.onnx").symlink_to(tmp_path / "outside.onnx")
    with pytest.raises(CardError, match="expected a path inside the card's folder"):
        read_card(write_card(tmp_path / "cards", card_dict()))


def test_a_missing_model_file_is_named(tmp_path):
    path = write_card(tmp_path, card_dict(), model_bytes=None)
    with pytest.raises(CardError, match=r"\[model\] file = \"model.onnx\": expected an existing file"):
        read_card(path)


def test_an_absurd_input_size_is_refused_before_the_model_is_read(tmp_path):
    path = write_card(tmp_path, card_dict(height=100_000, width=100_000), model_bytes=b"not a model at all")
    from fer_bench.estimators import load_estimator

    with pytest.raises(CardError, match=r"\[input\] height = 100000: expected a whole number of pixels from 1 to 1024"):
        load_estimator(path)


def test_a_file_that_is_not_a_card_is_one_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("card_version = \n")
    with pytest.raises(CardError, match=f"^{path}: not valid TOML"):
        read_card(path)
    path.write_bytes(b"#" * (MAX_CARD_BYTES + 1))
    with pytest.raises(CardError, match="more than a card may be"):
        read_card(path)
