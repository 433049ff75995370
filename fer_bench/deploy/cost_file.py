"""``RUN_DIR/cost.json``: the cost of inference of a run's models (``fer_bench cost``), written and read back checked.

One row per saved model and runtime (:class:`CostRow`); the report's cost table and the
cost columns of ``results.csv`` read it. Importing this module imports neither PyTorch nor TensorFlow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .._io import atomic_write_json, read_json_object
from ..results.json_fields import REQUIRED, FieldReader

COST_FILE = "cost.json"
MEASURES: tuple[str, ...] = ("parameters", "macs_per_face", "model_mib", "latency_median_seconds",
                             "latency_p95_seconds", "throughput_images_per_second")
"""A row's measures, in the order tables show them; None (empty) where one was not counted."""


@dataclass(frozen=True)
class CostRow:
    """The cost of one saved model on one runtime.

    Attributes
    ----------
    name : str
        The record's estimator name.
    seed : int or None
        The record's seed.
    runtime : str
        ``torch eager``, ``keras``, ``scikit-learn`` or ``onnxruntime``.
    parameters : int or None
        Weights of the network (of the ONNX graph's initialisers on ``onnxruntime``); None for
        classical estimators (not counted).
    macs_per_face : int or None
        Multiply-accumulates of predicting one face (the FLOPs PyTorch's ``FlopCounterMode`` counts,
        halved: convolutions and matrix products); None where not counted.
    model_mib : float or None
        Size of the model's files in MiB: the saved model folder, or ``model.onnx``.
    latency_median_seconds, latency_p95_seconds : float or None
        Median and 95th percentile of the seconds one call on one face takes, over ``calls`` warm calls.
    throughput_images_per_second : float or None
        Faces per second of calls on ``batch`` faces (the median call).
    note : str or None
        Why measures are missing (``not exported: ...``), or what was measured.
    """

    name: str
    seed: int | None
    runtime: str
    parameters: int | None = None
    macs_per_face: int | None = None
    model_mib: float | None = None
    latency_median_seconds: float | None = None
    latency_p95_seconds: float | None = None
    throughput_images_per_second: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class CostTable:
    """A run's ``cost.json``: the settings of the measurement, the machine, and its rows.

    Attributes
    ----------
    calls : int
        Timed batch-1 calls per row (after warm-up calls that are not timed).
    batch : int
        Faces per call of the throughput measurement.
    threads : int
        Threads PyTorch computed on (ONNX Runtime used its default).
    machine : str
        The CPU (or GPU) it ran on.
    rows : list of CostRow
    """

    calls: int
    batch: int
    threads: int
    machine: str
    rows: list[CostRow] = field(default_factory=list)

    def of(self, name: str, seed: int | None) -> list[CostRow]:
        """The rows of one record."""
        return [row for row in self.rows if row.name == name and row.seed == seed]


def write_cost(run_dir: str | Path, table: CostTable) -> Path:
    """Write ``RUN_DIR/cost.json`` atomically; returns its path."""
    path = Path(run_dir) / COST_FILE
    atomic_write_json(path, asdict(table))
    return path


def read_cost(run_dir: str | Path) -> CostTable | None:
    """``RUN_DIR/cost.json`` as written by :func:`write_cost`; None where the run has none.

    Raises
    ------
    ValueError
        If the file is not JSON or a field is of the wrong type (naming the file and the field).
    """
    path = Path(run_dir) / COST_FILE
    if not path.is_file():
        return None
    fields = FieldReader(read_json_object(path), str(path))
    rows = [_row(row) for row in fields.rows("rows")]
    return CostTable(calls=fields.whole("calls", low=1), batch=fields.whole("batch", low=1),
                     threads=fields.whole("threads", low=1), machine=fields.text("machine", ""), rows=rows)


def _row(fields: FieldReader) -> CostRow:
    values: dict[str, Any] = {"name": fields.text("name", REQUIRED), "seed": fields.whole("seed"),
                              "runtime": fields.text("runtime", REQUIRED), "note": fields.text("note")}
    values.update({key: fields.whole(key) for key in ("parameters", "macs_per_face")})
    values.update({key: fields.number(key) for key in MEASURES[2:]})
    return CostRow(**values)
