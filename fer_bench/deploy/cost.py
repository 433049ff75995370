"""The cost of inference of a run's saved models on each runtime: ``fer_bench cost RUN_DIR``.

For every saved model of a run, on the CPU, each runtime that can run it:

- its own: ``torch eager`` (the network's float32 forward, with its crop, resize and
  test-time augmentation, :class:`~.torch_onnx.FacePredictor`), or the estimator's
  ``predict_proba`` (``decision_function`` where it has none) on uint8 faces for ``keras``
  and ``scikit-learn``, and for a model card's model on its format's runtime (``keras``,
  ``LiteRT``, ``onnxruntime``; its size that of the card's model file, its counts
  :func:`card_model_counts`);
- ``onnxruntime``, where ONNX Runtime is installed and the model exports (:func:`~.onnx_export.convert`;
  not a model card's model, made elsewhere).

Each row gives parameters, multiply-accumulates per face (PyTorch networks:
``FlopCounterMode``'s FLOPs halved; ONNX graphs: :mod:`.onnx_macs`, which Keras and
classical models that export take too; else not counted), the model's size, the
median and 95th percentile of ``calls`` warm batch-1 calls, and the throughput of calls on
``batch`` faces. The faces are random pixels: the cost does not depend on them.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..estimators import load_estimator
from ..results import ResultsStore, RunRecord
from ..timing import cpu_model
from .cost_file import CostRow, CostTable
from .onnx_export import ONNX_FILE, convert, onnx_inputs
from .onnx_macs import count_onnx_macs, count_onnx_parameters
from .parity import reference_probabilities

WARMUP_CALLS = 5
"""Untimed calls before the timed ones (allocations, lazy initialisation, caches)."""
MIB = 2 ** 20


@dataclass
class Runtime:
    """One way of running a model: its name, a call on prepared inputs, how faces are prepared, and what it counts."""

    name: str
    call: Callable[[np.ndarray], Any]
    prepare: Callable[[np.ndarray], np.ndarray]
    model_mib: float
    parameters: int | None = None
    macs_per_face: int | None = None
    note: str | None = None


CARD_RUNTIMES: dict[str, str] = {"keras": "keras", "tflite": "LiteRT", "onnx": "onnxruntime"}
"""The runtime a model card's format runs on (:mod:`fer_bench.cards.runtimes`)."""


def folder_mib(directory: Path) -> float:
    """Size in MiB of the files in ``directory`` (and below)."""
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file()) / MIB


def own_runtime(estimator, model_dir: Path) -> Runtime:
    """The estimator's own runtime (see the module docstring); a PyTorch network is moved to the CPU in float32."""
    size = folder_mib(model_dir)
    if type(estimator).__module__.startswith("fer_bench.estimators.torch."):
        import torch

        from .torch_onnx import count_macs, face_predictor

        predictor = face_predictor(estimator)

        def forward(images: np.ndarray):
            with torch.inference_mode():
                return predictor(torch.from_numpy(images))

        parameters = sum(parameter.numel() for parameter in predictor.parameters())
        return Runtime("torch eager", forward, lambda faces: onnx_inputs(faces, "nchw"), size, parameters,
                       count_macs(predictor))
    call = partial(reference_probabilities, estimator)
    card = getattr(estimator, "card_", None)
    if card is not None:  # a model card's model: its own format's runtime, its file's size and counts
        parameters, macs = card_model_counts(card)
        return Runtime(CARD_RUNTIMES.get(card.format, card.format), call, lambda faces: faces,
                       card.model_file.stat().st_size / MIB, parameters, macs,
                       None if macs is not None else "MACs not counted")
    framework = "keras" if type(estimator).__module__.startswith("fer_bench.estimators.keras.") else "scikit-learn"
    parameters = getattr(estimator, "n_params_", None)
    return Runtime(framework, call, lambda faces: faces, size, parameters if isinstance(parameters, int) else None,
                   note="MACs not counted")


def card_model_counts(card) -> tuple[int | None, int | None]:
    """Parameters and multiply-accumulates per face (at the card's input size) of a model card's model file.

    ONNX: :func:`~.onnx_macs.count_onnx_parameters` and :func:`~.onnx_macs.count_onnx_macs` on the file; Keras:
    ``count_params()`` of the model loaded in safe mode; TFLite: neither (None, None), as its interpreter does
    not tell weights from activations.
    """
    if card.format == "onnx":
        return count_onnx_parameters(card.model_file), count_onnx_macs(card.model_file)
    if card.format == "keras":
        from ..estimators.keras.backend import import_keras

        model = import_keras().saving.load_model(card.model_file, compile=False, safe_mode=True)
        return int(model.count_params()), None
    return None, None


def onnx_runtime(estimator, folder: Path) -> Runtime:
    """ONNX Runtime (CPU) on the estimator exported into ``folder``; MACs counted on its graph (:mod:`.onnx_macs`).

    Raises
    ------
    ValueError, ImportError
        If it does not export (:func:`~.onnx_export.convert`) or ONNX Runtime is not installed.
    """
    import onnxruntime

    path = folder / ONNX_FILE
    converted = convert(estimator, path)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    parameters = count_onnx_parameters(path)
    macs = count_onnx_macs(path)
    return Runtime("onnxruntime", lambda inputs: session.run(None, {name: inputs}),
                   lambda faces: onnx_inputs(faces, converted.layout), path.stat().st_size / MIB, parameters,
                   macs, None if macs is not None else "MACs not counted")


def timed_calls(call: Callable[[np.ndarray], Any], inputs: np.ndarray, calls: int,
                warmup: int = WARMUP_CALLS) -> list[float]:
    """Seconds of each of ``calls`` calls on ``inputs``, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        call(inputs)
    seconds = []
    for _ in range(calls):
        start = time.perf_counter()
        call(inputs)
        seconds.append(time.perf_counter() - start)
    return seconds


def timings(call: Callable[[np.ndarray], Any], one: np.ndarray, batch: np.ndarray, calls: int) -> tuple[float, float, float]:
    """Median and 95th percentile seconds of ``calls`` batch-1 calls on ``one`` after :data:`WARMUP_CALLS`, and the
    images/s of the median of ``max(3, calls // 20)`` calls on ``batch`` (after one untimed call)."""
    seconds = timed_calls(call, one, calls)
    batch_seconds = timed_calls(call, batch, max(3, calls // 20), warmup=1)
    return float(np.median(seconds)), float(np.percentile(seconds, 95)), len(batch) / float(np.median(batch_seconds))


def measure_model(model_dir: Path, record: RunRecord, calls: int = 100, batch: int = 64, trust: bool = False,
                  faces: np.ndarray | None = None) -> list[CostRow]:
    """The cost rows of one saved model: its own runtime, then ONNX Runtime (a row with a note where it cannot run).

    Parameters
    ----------
    model_dir : path
        ``RUN_DIR/models/NAME``.
    record : RunRecord
        Its record (name and seed of the rows).
    calls : int
        Timed batch-1 calls, at least 1.
    batch : int
        Faces per call of the throughput measurement, at least 1.
    trust : bool
        Passed to :func:`~fer_bench.estimators.load_estimator` (``--trust-model``).
    faces : ndarray of uint8 of shape (batch, 48, 48) or None
        The faces to call on; None draws random pixels.

    Raises
    ------
    ValueError, FileNotFoundError
        As :func:`~fer_bench.estimators.load_estimator`.
    """
    if faces is None:
        faces = np.random.default_rng(0).integers(0, 256, (batch, 48, 48), dtype=np.uint8)
    estimator = load_estimator(model_dir, trust)
    own = own_runtime(estimator, Path(model_dir))
    rows = [_measured(own, record, faces, calls)]
    with tempfile.TemporaryDirectory(prefix="fer_bench-cost-") as folder:
        try:
            onnx = onnx_runtime(estimator, Path(folder))
        except (ValueError, ImportError) as error:
            reason = next(iter(str(error).splitlines()), "") or type(error).__name__
            rows.append(CostRow(record.name, record.seed, "onnxruntime", note=f"not exported: {reason}"))
        else:
            rows.append(_measured(onnx, record, faces, calls))
            if own.macs_per_face is None and onnx.macs_per_face is not None:  # the same model's products
                rows[0] = replace(rows[0], macs_per_face=onnx.macs_per_face, note="MACs counted on its ONNX graph")
    return rows


def _measured(runtime: Runtime, record: RunRecord, faces: np.ndarray, calls: int) -> CostRow:
    prepared = runtime.prepare(faces)
    median, p95, throughput = timings(runtime.call, prepared[:1], prepared, calls)
    return CostRow(record.name, record.seed, runtime.name, runtime.parameters, runtime.macs_per_face,
                   runtime.model_mib, median, p95, throughput, runtime.note)


def measure_run(run_dir: str | Path, calls: int = 100, batch: int = 64, trust: bool = False,
                progress: Callable[[str], None] | None = None) -> CostTable:
    """The :class:`~.cost_file.CostTable` of every finished record of a run that saved its model.

    Raises
    ------
    FileNotFoundError, ValueError
        As :meth:`~fer_bench.results.ResultsStore.load` and :func:`measure_model`; ValueError also if the run
        saved no model.
    """
    import torch

    store = ResultsStore(run_dir)
    _, records = store.load()
    saved = [record for record in records if record.status == "ok" and record.model_dir]
    if not saved:
        raise ValueError(f"{store.results_path}: the run saved no model (run it with --save-models all or networks)")
    rows = []
    for record in saved:
        rows += measure_model(store.run_dir / record.model_dir, record, calls, batch, trust)
        if progress is not None:
            progress(f"{record.model_dir}: measured")
    return CostTable(calls=calls, batch=batch, threads=torch.get_num_threads(), machine=cpu_model(), rows=rows)
