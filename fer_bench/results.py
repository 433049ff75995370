"""Run records and the on-disk results store.

Layout of a run directory::

    RUN_DIR/results.json            manifest + one record per estimator (written atomically)
    RUN_DIR/predictions/NAME.npz    y_true, y_pred, scores (PrivateTest), per estimator
    RUN_DIR/predictions/PrivateTest.npz   the scored faces: images uint8 (n, 48, 48), labels int64 (n,),
                                          leaked bool (n,) (has a duplicate in Training; with an audit)
    RUN_DIR/models/NAME/            saved fitted models, where the estimator can save itself
    RUN_DIR/report.html             the report, rebuilt from the above by ``fer_bench report``
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

RESULTS_FILE = "results.json"
PREDICTIONS_DIR = "predictions"
MODELS_DIR = "models"
TEST_FACES_FILE = "PrivateTest.npz"
SCHEMA_VERSION = 1
STATUSES: tuple[str, ...] = ("ok", "failed", "timed_out")


@dataclass
class RunRecord:
    """What one estimator did in one run.

    Attributes
    ----------
    name, family, framework, source : str
        As registered.
    status : str
        ``ok``, ``failed`` (``error`` says why) or ``timed_out``.
    params : dict
        The estimator's ``get_params()``, made JSON-safe.
    fit_seconds, predict_seconds : float or None
        Wall time of ``fit`` on Training and of predicting PrivateTest, in seconds,
        taken after synchronising the GPU when one is used.
    train_images, test_images : int
        Faces fitted on and faces scored.
    fit_images_per_second, predict_images_per_second : float or None
        Throughput in images/s (fit counts every epoch's images).
    peak_memory_mib : float or None
        Peak resident memory of the process during ``fit``, in MiB, above the level before it.
    device : str
        ``cpu`` or the GPU's name.
    history : list of dict
        Per-epoch learning curve of networks (``epoch``, ``train_loss``,
        ``public_accuracy``, ``seconds``); empty otherwise.
    metrics : dict
        PrivateTest metrics from :func:`fer_bench.metrics.classification_metrics`.
    metrics_deduplicated : dict
        The same metrics on the PrivateTest faces that have no exact or near
        duplicate in Training (see :mod:`fer_bench.datasets.audit`); empty
        when the run made no audit.
    class_names : list of str
        Classes the estimator was trained and scored on, when it used a subset
        of the run's classes (e.g. a 5-class model); empty means all of them.
    predictions_file : str or None
        Path of the predictions ``.npz``, relative to the run directory.
    model_dir : str or None
        Path of the saved model, relative to the run directory.
    error : str or None
        The traceback's last lines when ``status`` is ``failed``.
    fold : dict or None
        In a cross-validation fold run (:mod:`fer_bench.crossval`): ``index``
        (1-based), ``of`` (the number of folds) and ``split`` (``subject`` or
        ``random``); None otherwise (and in stores written before folds existed).
    """

    name: str
    family: str
    framework: str
    source: str
    status: str = "ok"
    params: dict[str, Any] = field(default_factory=dict)
    fit_seconds: float | None = None
    predict_seconds: float | None = None
    train_images: int = 0
    test_images: int = 0
    fit_images_per_second: float | None = None
    predict_images_per_second: float | None = None
    peak_memory_mib: float | None = None
    device: str = "cpu"
    history: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    metrics_deduplicated: dict[str, Any] = field(default_factory=dict)
    class_names: list[str] = field(default_factory=list)
    predictions_file: str | None = None
    model_dir: str | None = None
    error: str | None = None
    fold: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "RunRecord":
        known = {key: value for key, value in raw.items() if key in cls.__dataclass_fields__}
        return cls(**known)


def json_safe(value: Any) -> Any:
    """Turn params and numpy values into JSON types; anything else becomes its ``repr``."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_save_npz(path: Path, **arrays: np.ndarray) -> None:
    """``np.savez_compressed`` written atomically."""
    import io

    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


class ResultsStore:
    """Reads and writes one run directory.

    Parameters
    ----------
    run_dir : path
        The run directory; created on the first write.
    """

    def __init__(self, run_dir: str | Path):
        self.run_dir = Path(run_dir)

    @property
    def results_path(self) -> Path:
        return self.run_dir / RESULTS_FILE

    def exists(self) -> bool:
        return self.results_path.is_file()

    def load(self) -> tuple[dict[str, Any], list[RunRecord]]:
        """Return ``(manifest, records)``.

        Raises
        ------
        FileNotFoundError
            If the directory holds no ``results.json``.
        ValueError
            If ``results.json`` is not valid JSON or lacks ``manifest``/``records``.
        """
        if not self.exists():
            raise FileNotFoundError(f"{self.results_path}: no results.json; is {self.run_dir} a fer_bench run directory?")
        try:
            raw = json.loads(self.results_path.read_text())
            return raw["manifest"], [RunRecord.from_dict(item) for item in raw["records"]]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"{self.results_path}: not a fer_bench results file ({error})") from error

    def save(self, manifest: dict[str, Any], records: list[RunRecord]) -> None:
        """Write ``results.json`` atomically."""
        payload = {"schema_version": SCHEMA_VERSION, "manifest": json_safe(manifest),
                   "records": [json_safe(record.to_dict()) for record in records]}
        atomic_write_bytes(self.results_path, (json.dumps(payload, indent=2) + "\n").encode())

    def save_predictions(self, name: str, y_true: np.ndarray, y_pred: np.ndarray,
                         scores: np.ndarray | None = None) -> str:
        """Store one estimator's PrivateTest predictions; return the path relative to the run."""
        relative = f"{PREDICTIONS_DIR}/{name}.npz"
        arrays = {"y_true": np.asarray(y_true, dtype=np.int64), "y_pred": np.asarray(y_pred, dtype=np.int64)}
        if scores is not None:
            arrays["scores"] = np.asarray(scores, dtype=np.float32)
        atomic_save_npz(self.run_dir / relative, **arrays)
        return relative

    def load_predictions(self, record: RunRecord) -> dict[str, np.ndarray]:
        """``{"y_true", "y_pred"[, "scores"]}`` of a record; scores are probabilities (n, k)."""
        with np.load(self.run_dir / record.predictions_file) as data:
            return {key: data[key] for key in data.files}

    def save_model_files(self, name: str, files: dict[str, bytes]) -> str:
        """Write a saved model's files under ``models/NAME/``; return that folder relative to the run."""
        relative = f"{MODELS_DIR}/{name}"
        for path, data in files.items():
            atomic_write_bytes(self.run_dir / relative / path, data)
        return relative

    def save_test_faces(self, images: np.ndarray, labels: np.ndarray, leaked: np.ndarray | None = None) -> None:
        """Store the scored PrivateTest faces once per run (for galleries and re-scoring).

        Parameters
        ----------
        images : ndarray of uint8, shape (n, 48, 48)
        labels : ndarray of int64, shape (n,)
        leaked : ndarray of bool, shape (n,), optional
            True where the face has an exact or near duplicate in Training
            (from the data audit); stored as ``leaked``.
        """
        arrays = {"images": images, "labels": labels}
        if leaked is not None:
            arrays["leaked"] = np.asarray(leaked, dtype=bool)
        atomic_save_npz(self.run_dir / PREDICTIONS_DIR / TEST_FACES_FILE, **arrays)

    def load_test_faces(self) -> tuple[np.ndarray, np.ndarray] | None:
        path = self.run_dir / PREDICTIONS_DIR / TEST_FACES_FILE
        if not path.is_file():
            return None
        with np.load(path) as data:
            return data["images"], data["labels"]

    def load_leaked_mask(self) -> np.ndarray | None:
        """The ``leaked`` mask of the scored PrivateTest faces, bool (n,); None when the run made no audit."""
        path = self.run_dir / PREDICTIONS_DIR / TEST_FACES_FILE
        if not path.is_file():
            return None
        with np.load(path) as data:
            return data["leaked"] if "leaked" in data.files else None
