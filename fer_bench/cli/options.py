"""Options that several commands share: ``--plugin``, ``--model`` (and ``--runtime``), ``--labels``, ``--max-pixels``,
``--groups``, a data folder's ``--layout`` and its settings, and ``--debug``; the checked types of numeric options
(a bad value exits 2 at parse time, naming the option)."""

from __future__ import annotations

import argparse
import math
from typing import Callable

from ..cards.runtimes import RUNTIMES
from ..datasets.ferplus_modes import LABEL_MODES
from ..datasets.folds import LOSO
from ..datasets.image_files import MAX_PIXELS
from ..datasets.layouts import LAYOUTS
from ..labels import LABEL_MAPS
from ..pipeline import DETECTORS
from ..runner import MAX_TIME_LIMIT

DEFAULT_MIN_GROUP_SIZE = 20  # fer_bench.analysis.groups's, without importing scipy and scikit-learn


def add_plugin_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plugin", action="append", default=[], metavar="MODULE_OR_FILE",
                        help="import an estimator plugin (a module name or a .py file); repeatable")


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _checked(text: str, convert: Callable[[str], float], accept: Callable[[float], bool], expected: str):
    """``convert(text)`` where ``accept`` takes it (NaN fails every comparison); else argparse's error."""
    try:
        value = convert(text)
    except ValueError:
        value = None
    if value is None or not accept(value):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def positive_number(text: str) -> float:
    return _checked(text, float, lambda value: 0 < value < math.inf, "a positive number")


def time_limit_seconds(text: str) -> float:
    return _checked(text, float, lambda value: 0 < value <= MAX_TIME_LIMIT,
                    f"a positive number of seconds, at most {MAX_TIME_LIMIT:,.0f} (20 days)")


def number_between(low: float, high: float, what: str) -> Callable[[str], float]:
    """The type of an option that takes a number from ``low`` to ``high``, described as ``what``."""
    return lambda text: _checked(text, float, lambda value: low <= value <= high, f"{what} from {low:g} to {high:g}")


def integer_between(low: int, high: int, what: str) -> Callable[[str], int]:
    """The type of an option that takes an integer from ``low`` to ``high``, described as ``what``."""
    return lambda text: _checked(text, int, lambda value: low <= value <= high, f"{what} from {low} to {high}")


def fold_count(text: str) -> int | str:
    """``--folds``: a number of folds, at least 2, or ``loso`` (one fold per subject)."""
    if text.strip().lower() == LOSO:
        return LOSO
    return _checked(text, int, lambda value: value >= 2, f"a number of folds (at least 2) or {LOSO}")


def add_layout_options(parser) -> None:
    """``--layout`` and its settings, ``--label-map`` and ``--detect-faces``: how a ``--data-folder`` is read (on
    ``run`` and ``evaluate``)."""
    parser.add_argument("--layout", choices=LAYOUTS, metavar="NAME",
                        help="how the folder is laid out: "
                             + "; ".join(f"{name}: {what}" for name, what in LAYOUTS.items())
                             + " (default: told from the files: the label files of ck+, rafdb, affectnet and expw, "
                               "JAFFE's file names in a flat folder, else classes)")
    parser.add_argument("--label-map", choices=sorted(LABEL_MAPS),
                        help="map class (folder) names, or --label-pattern codes, onto FER-2013's classes (ck+: "
                             "anger -> Angry, ...; contempt left out)")
    parser.add_argument("--label-pattern", metavar="REGEX",
                        help="--layout file-names: the label code in each file name (the first group, else the match)")
    parser.add_argument("--label-codes", metavar="CODE=CLASS,...",
                        help="--layout file-names: each code's FER-2013 class, e.g. 'AN=angry,HA=happy,CO=' (an empty "
                             "class: no counterpart, counted and left out); default: --label-map's names, else "
                             "FER-2013's class names")
    parser.add_argument("--neutral-first-frame", action="store_true", default=None,
                        help="--layout ck+: add each labelled sequence's first frame as Neutral (default: the "
                             "labelled peak frames only)")
    parser.add_argument("--detect-faces", nargs="?", const="haar", choices=DETECTORS, metavar="DETECTOR",
                        help="crop the largest detected face first (haar, the default, or mtcnn), for full frames "
                             "such as CK+'s 640x490 originals or JAFFE's portraits; images with no face found are "
                             "counted and used whole")


def add_max_pixels_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-pixels", type=positive_int, default=MAX_PIXELS, metavar="N",
                        help="refuse images and video frames of more than N pixels, read from their header before "
                             f"decoding (default: {MAX_PIXELS:,})")


def add_labels_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--labels", nargs=2, metavar=("SET", "FILE"),
                        help="relabel the rows of the original fer2013.csv: 'ferplus fer2013new.csv' gives FER+'s 8 "
                             "classes (see --ferplus-mode)")
    parser.add_argument("--ferplus-mode", choices=LABEL_MODES, default="majority",
                        help="majority (default, Barsoum et al. 2016's protocol as Microsoft's reference code "
                             "derives it: single votes dropped, a class over half the rest, unknown and not-a-face "
                             "dropped); probability or crossentropy (the reference's modes: Training keeps faces "
                             "whose top classes hold over half the votes, and networks train on their vote "
                             "distribution: a label drawn from it per batch, or soft targets; other estimators fit "
                             "the top class; PublicTest and PrivateTest stay majority); plurality: the unique "
                             "most-voted of the ten columns")


def add_model_option(parser: argparse.ArgumentParser) -> None:
    """``--model`` (a model folder or a model card), ``--runtime`` and ``--trust-model``."""
    parser.add_argument("--model", required=True, metavar="MODEL_DIR|CARD.toml",
                        help="a saved model, RUN_DIR/models/NAME, or a model card NAME.toml describing a model "
                             "trained elsewhere (ONNX, Keras, LiteRT; see docs/cards.md)")
    parser.add_argument("--runtime", choices=RUNTIMES,
                        help="run the model's ONNX file with onnxruntime: a card of format onnx, or the onnx card "
                             "in the model folder (default: the model's own framework)")
    parser.add_argument("--trust-model", action="store_true",
                        help="load a model folder even if it holds pickle files (model.joblib, *.pkl), types or "
                             "classes outside fer_bench's own: these can "
                             "run any code; only for models you trust")


def add_groups_options(parser: argparse.ArgumentParser) -> None:
    """``--groups FILE.csv`` and ``--min-group-size`` (on ``run`` and ``evaluate``)."""
    parser.add_argument("--groups", metavar="FILE.csv",
                        help="accuracy per subgroup: a CSV with columns file,group (folder data: path relative to "
                             "the folder, or the bare file name) or row,group (FER-2013 row numbers, 0-based)")
    parser.add_argument("--min-group-size", type=int, default=DEFAULT_MIN_GROUP_SIZE, metavar="N",
                        help=f"groups with fewer faces are reported but left out of the test (default {DEFAULT_MIN_GROUP_SIZE})")


def add_debug_option(parser: argparse.ArgumentParser, default=argparse.SUPPRESS) -> None:
    """``--debug``, added last to the top parser (``default=False``) and to every command's parser.

    A command's copy (``default=SUPPRESS``) keeps the top one's value unless given after the command.
    """
    parser.add_argument("--debug", action="store_true", default=default,
                        help="on failure, print the traceback as well as the error line")
