"""A saved model of a run as ``model.onnx`` and its card, after a parity check: ``fer_bench export``.

:func:`convert` writes any exportable estimator as ONNX (PyTorch networks by
:mod:`.torch_onnx`, Keras networks by :mod:`.keras_onnx`, scikit-learn steps by
:mod:`.sklearn_onnx`); :func:`export_model` loads a saved model safely, converts it in a
temporary folder beside the destination, checks the ONNX file with ONNX Runtime against the
original (:mod:`.parity`) and moves the file and its card (:mod:`.card`) into place only then.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..estimators import load_estimator
from ..estimators.persistence import saved_class_names
from ..results import MODELS_DIR, RESULTS_FILE, ResultsStore, RunManifest, RunRecord
from .card import CARD_VERSION, card_text, face_input
from .parity import Parity, ParityError, compare, onnx_probabilities, reference_probabilities

ONNX_FILE = "model.onnx"


class ExportRefused(ValueError):
    """The model cannot be exported (a step without a converter, a failed conversion); the message names the
    model folder and the reason."""


@dataclass(frozen=True)
class Converted:
    """What :func:`convert` wrote: the framework that runs the original (``torch``, ``keras`` or
    ``scikit-learn``), the graph's input ``layout`` (``nchw`` or ``nhwc``) and its output ``kind``
    (``probabilities`` or ``logits``)."""

    framework: str
    layout: str
    kind: str


@dataclass(frozen=True)
class Exported:
    """A finished export: the ONNX file, its card (path and tables) and the parity it passed."""

    model_path: Path
    card_path: Path
    card: dict[str, Any]
    parity: Parity


def convert(estimator, path: Path) -> Converted:
    """Write a fitted estimator to ``path`` as ONNX; input float32 faces in [0, 1] (:func:`onnx_inputs`).

    A PyTorch classifier is moved to the CPU in float32 on the way (its ``predict_proba`` then
    computes what the graph does).

    Raises
    ------
    ValueError
        If the estimator cannot be exported (one line naming the step or the reason: an
        ``sklearn_onnx.NoConverterError`` or ``keras_onnx.KerasExportError``), or is a model card's model.
    ImportError
        If an export package (onnx, onnxscript, skl2onnx) is not installed.
    """
    card = getattr(estimator, "card_", None)
    if card is not None:
        raise ValueError(f"{card.name}: a model card's {card.format} model, made elsewhere; fer_bench exports the "
                         "models it trained")
    module = type(estimator).__module__
    if module.startswith("fer_bench.estimators.torch."):
        from . import torch_onnx

        torch_onnx.export_onnx(estimator, path)
        return Converted("torch", torch_onnx.LAYOUT, "probabilities")
    if module.startswith("fer_bench.estimators.keras."):
        from . import keras_onnx

        keras_onnx.export_onnx(estimator, path)
        return Converted("keras", keras_onnx.LAYOUT, "probabilities")
    from . import sklearn_onnx

    kind = sklearn_onnx.export_onnx(estimator, path)
    return Converted("scikit-learn", sklearn_onnx.LAYOUT, kind)


def onnx_inputs(faces: np.ndarray, layout: str) -> np.ndarray:
    """uint8 faces (n, 48, 48) as an exported graph takes them: float32 in [0, 1], (n, 1, 48, 48) for ``nchw``,
    (n, 48, 48, 1) for ``nhwc``."""
    scaled = faces.astype(np.float32) / np.float32(255.0)
    return scaled[:, None] if layout == "nchw" else scaled[..., None]


def run_record(model_dir: Path) -> tuple[RunManifest, RunRecord]:
    """The manifest of the run a saved model belongs to and the model's record in it.

    Raises
    ------
    ValueError
        If ``model_dir`` is not ``RUN_DIR/models/NAME`` beside a ``RUN_DIR/results.json`` that has its record.
    """
    run_dir = model_dir.parent.parent
    if model_dir.parent.name != MODELS_DIR or not (run_dir / RESULTS_FILE).is_file():
        raise ValueError(f"{model_dir}: not a model of a run (expected RUN_DIR/{MODELS_DIR}/NAME beside "
                         f"RUN_DIR/{RESULTS_FILE}); the card's source comes from the run's record")
    manifest, records = ResultsStore(run_dir).load()
    own = Path(MODELS_DIR, model_dir.name)
    record = next((record for record in records if record.model_dir and Path(record.model_dir) == own), None)
    if record is None:
        raise ValueError(f"{run_dir / RESULTS_FILE}: holds no record of the model {own}")
    return manifest, record


def display_name(text: str) -> str:
    """A file name as card text: an undecodable byte as its ``\\xNN`` escape."""
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def source_table(manifest: RunManifest, record: RunRecord, run_dir: Path) -> dict[str, Any]:
    """The card's ``[source]``: the run's data file and split, and its measured PrivateTest accuracy."""
    data = "fer_bench synthetic" if manifest.data.synthetic else display_name(Path(manifest.data.source or "?").name)
    seed = "" if record.seed is None else f", seed {record.seed}"
    table: dict[str, Any] = {"citation": record.source,
                             "trained_on": f"{data} Training ({record.train_images:,} faces{seed})"}
    accuracy = record.metrics.get("accuracy")
    if isinstance(accuracy, (int, float)) and not isinstance(accuracy, bool):
        table["claimed_accuracy"] = float(accuracy)
        table["claimed_on"] = (f"PrivateTest of {data} ({record.test_images:,} faces), measured by the fer_bench "
                               f"run {display_name(run_dir.name)}")
    return table


def output_classes(estimator, model_dir: Path) -> list[str]:
    """The names of the estimator's output columns, in ``classes_`` order (labels indexing the saved names)."""
    names = saved_class_names(model_dir)
    labels = list(estimator.classes_)
    if names is None or not all(isinstance(label, (int, np.integer)) and 0 <= label < len(names) for label in labels):
        return [str(label) for label in labels]
    return [names[int(label)] for label in labels]


def export_model(model_dir: str | Path, out_dir: str | Path, faces: np.ndarray, checked_on: str,
                 trust: bool = False) -> Exported:
    """Export ``RUN_DIR/models/NAME`` to ``out_dir/model.onnx`` and ``out_dir/NAME.toml``, checked on ``faces``.

    Parameters
    ----------
    model_dir : path
        A saved model of a run (``RUN_DIR/models/NAME``).
    out_dir : path
        Created if needed; a ``model.onnx`` or card already there is replaced.
    faces : ndarray of uint8 of shape (n, 48, 48)
        The faces of the parity check (PrivateTest of the data, or the synthetic set's).
    checked_on : str
        What they are, for the card's ``[parity] checked_on``.
    trust : bool
        Passed to :func:`~fer_bench.estimators.load_estimator` (``--trust-model``).

    Returns
    -------
    Exported

    Raises
    ------
    ParityError
        If the ONNX model is off the original beyond the tolerances of :mod:`.parity`; nothing is written then.
    ExportRefused
        If :func:`convert` refuses the model (naming the folder, then the step or reason).
    ImportError
        If a package of the export extra is missing (saying how to install it).
    ValueError, FileNotFoundError
        As :func:`run_record` and :func:`~fer_bench.estimators.load_estimator`.
    """
    model_dir, out_dir = Path(model_dir), Path(out_dir)
    manifest, record = run_record(model_dir)
    estimator = load_estimator(model_dir, trust)
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", model_dir.name)  # a card's name: letters, digits, _ - . ...
    name = name if name[:1].isalnum() else f"model{name}"  # ... from a letter or digit
    staging = _staging_folder(out_dir)
    try:
        try:
            converted = convert(estimator, staging / ONNX_FILE)
            candidate = onnx_probabilities(staging / ONNX_FILE, onnx_inputs(faces, converted.layout), converted.kind)
        except ValueError as error:
            raise ExportRefused(f"{model_dir}: {error}") from error
        except ImportError as error:
            raise ImportError(f"{error}: exporting needs the export extra, pip install -e '.[export]'") from error
        parity = compare(reference_probabilities(estimator, faces), candidate)
        if not parity.passed:
            raise ParityError(f"{model_dir}: the ONNX model is not the original: {parity.text()}; nothing written")
        card = {"card_version": CARD_VERSION, "name": name,
                "model": {"file": ONNX_FILE, "format": "onnx"},
                "input": face_input(converted.layout),
                "output": {"classes": output_classes(estimator, model_dir), "kind": converted.kind},
                "source": source_table(manifest, record, model_dir.parent.parent),
                "parity": {"against": f"{display_name(str(model_dir))} ({converted.framework}, float32 on the CPU)",
                           "checked_on": checked_on, "faces": parity.faces,
                           "argmax_agreement": parity.argmax_agreement,
                           "max_abs_probability_difference": parity.max_abs_probability_difference}}
        (staging / f"{name}.toml").write_text(card_text(card), encoding="utf-8")
        _move_into_place(staging, out_dir, [ONNX_FILE, f"{name}.toml"])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Exported(out_dir / ONNX_FILE, out_dir / f"{name}.toml", card, parity)


def _staging_folder(out_dir: Path) -> Path:
    """A new folder beside ``out_dir`` (same file system), made with the mode ``mkdir`` gives under the umask."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    while True:
        staging = out_dir.parent / f".{out_dir.name}.export-{secrets.token_hex(6)}"
        try:
            staging.mkdir()
            return staging
        except FileExistsError:
            continue


def _move_into_place(staging: Path, out_dir: Path, files: list[str]) -> None:
    """Move the staged files into ``out_dir``: the whole folder at once where it is new, else file by file
    (each replaced atomically, the card last)."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    for file in files:
        os.replace(staging / file, out_dir / file)
