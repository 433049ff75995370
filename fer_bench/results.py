"""Run records and the on-disk results store.

Layout of a run directory::

    RUN_DIR/results.json            manifest + one record per estimator and seed (written atomically)
    RUN_DIR/predictions/NAME.npz    y_true, y_pred, scores (probabilities) or decision (decision values)
                                    on PrivateTest; public_y_true, public_scores or public_decision on
                                    PublicTest (runs before these keys have only the PrivateTest ones)
    RUN_DIR/predictions/PrivateTest.npz   the scored faces: images uint8 (n, 48, 48), labels int64 (n,),
                                          leaked bool (n,) (has a duplicate in Training; with an audit)
                                    (NAME.seedK.npz for each seed K after the run's first, see :func:`seed_stem`)
    RUN_DIR/models/NAME/            saved fitted models, where the estimator can save itself (NAME.seedK/ likewise)
    RUN_DIR/logs/NAME.log           a network's epoch lines, appended (loss, PublicTest accuracy, images/s, time left)
    RUN_DIR/report.html             the report, rebuilt from the above by ``fer_bench report``
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from ._io import atomic_save_npz, atomic_write_bytes, atomic_write_json, json_safe, read_npz

RESULTS_FILE = "results.json"
PREDICTIONS_DIR = "predictions"
MODELS_DIR = "models"
LOGS_DIR = "logs"
TEST_FACES_FILE = "PrivateTest.npz"
SCHEMA_VERSION = 1


@dataclass
class RunRecord:
    """What one estimator did in one run.

    Attributes
    ----------
    name, family, framework, source : str
        As registered.
    status : str
        ``ok``, ``failed`` (``error`` says why), ``timed_out`` or ``skipped`` (an optional
        package it needs is missing; ``error`` gives the install command).
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
        The traceback's last lines when ``status`` is ``failed``; why it stopped
        (``timed_out``) or what to install (``skipped``).
    seed : int or None
        The seed it was trained with (its Training subset, initial weights, shuffling and
        augmentation); None in stores written before seeds were recorded: the manifest's ``seed``.
    budget : dict
        A network's training budget: ``kind`` (``recipe`` or ``time``), ``minutes``, ``common``
        (False when the profile overrides a budget setting for it, or it cannot follow one),
        ``overrides`` (the profile's settings for it that differ from the common ones),
        ``not_followed`` (common settings it does not have), and ``used`` (what it trained:
        the network's ``budget_``, see :meth:`fer_bench.estimators._budget.StepPlan.summary`).
        Empty for classical estimators and in older stores.
    targets : str
        What it fitted on Training: ``labels`` (one class per face), or FER+ vote distributions
        (:mod:`fer_bench.datasets.ferplus_modes`) as ``crossentropy`` (soft targets) or
        ``probability`` (a label drawn from each face's distribution whenever it is batched).
    fold : dict or None
        In a cross-validation fold run (:mod:`fer_bench.runner.crossval`): ``index``
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
    seed: int | None = None
    budget: dict[str, Any] = field(default_factory=dict)
    targets: str = "labels"
    fold: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "RunRecord":
        known = {key: value for key, value in raw.items() if key in cls.__dataclass_fields__}
        return cls(**known)


def seed_stem(name: str, seed: int | None, first_seed: int | None) -> str:
    """The file stem of a record's predictions and model: ``NAME`` for the run's first seed (and
    records without a seed), ``NAME.seedK`` for any other seed ``K``."""
    return name if seed is None or seed == first_seed else f"{name}.seed{seed}"


def fit_label(name: str, seed: int, several_seeds: bool = True) -> str:
    """How messages and the report name one fit: ``NAME (seed S)``, or ``NAME`` when the run has one seed."""
    return f"{name} (seed {seed})" if several_seeds else name


def run_seeds(manifest: dict[str, Any]) -> list[int]:
    """The seeds of a run: ``manifest["seeds"]``, or ``[manifest["seed"]]`` in stores written before seeds."""
    seeds = manifest.get("seeds")
    if seeds:
        return [int(seed) for seed in seeds]
    return [int(manifest.get("seed") or 0)]


def record_seed(record: RunRecord, manifest: dict[str, Any]) -> int:
    """The record's seed, or the run's first seed for a record written before seeds were recorded."""
    return run_seeds(manifest)[0] if record.seed is None else int(record.seed)


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
            If ``results.json`` is not valid JSON, lacks ``manifest``/``records``, or a record's
            ``predictions_file`` or ``model_dir`` leads outside the run folder (checked before any is opened).
        """
        if not self.exists():
            raise FileNotFoundError(f"{self.results_path}: no results.json; is {self.run_dir} a fer_bench run directory?")
        try:
            raw = json.loads(self.results_path.read_text())
            manifest, records = raw["manifest"], raw["records"]
            if not isinstance(manifest, dict) or not isinstance(records, list) or \
                    not all(isinstance(item, dict) for item in records):
                raise TypeError("expected a manifest object and a list of record objects")
            records = [RunRecord.from_dict(item) for item in records]
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"{self.results_path}: not a fer_bench results file ({error!s})") from error
        for record in records:
            self._check_inside(record)
        return manifest, records

    def _check_inside(self, record: RunRecord) -> None:
        """Refuse a record whose predictions or model path leads outside the run folder (absolute, ``..``, a
        link out), before anything is opened there."""
        root = self.run_dir.resolve()
        for key, example in (("predictions_file", f"{PREDICTIONS_DIR}/{record.name}.npz"),
                             ("model_dir", f"{MODELS_DIR}/{record.name}")):
            value = getattr(record, key)
            if value is None:
                continue
            inside = isinstance(value, str) and value not in ("", ".") and "\\" not in value
            if inside:
                path = PurePosixPath(value)
                inside = not path.is_absolute() and ".." not in path.parts and \
                    (root / path).resolve().is_relative_to(root)
            if not inside:
                seed = "" if record.seed is None else f" (seed {record.seed})"
                raise ValueError(f"{self.results_path}: record {record.name}{seed}: {key} {value!r} is not a path "
                                 f"inside the run folder {self.run_dir}; expected one such as {example!r}")

    def save(self, manifest: dict[str, Any], records: list[RunRecord]) -> None:
        """Write ``results.json`` atomically."""
        payload = {"schema_version": SCHEMA_VERSION, "manifest": json_safe(manifest),
                   "records": [json_safe(record.to_dict()) for record in records]}
        atomic_write_json(self.results_path, payload)

    def save_predictions(self, stem: str, y_true: np.ndarray, y_pred: np.ndarray, scores: np.ndarray | None = None,
                         *, decision: np.ndarray | None = None, public_y_true: np.ndarray | None = None,
                         public_scores: np.ndarray | None = None, public_decision: np.ndarray | None = None) -> str:
        """Store one estimator's PrivateTest predictions and PublicTest scores; return the path relative to the run.

        Parameters
        ----------
        stem : str
            The file's stem, :func:`seed_stem` of the record.
        y_true, y_pred : ndarray of int, shape (n,)
            PrivateTest labels and predictions.
        scores, decision : ndarray of float, shape (n, k), optional
            PrivateTest probabilities (``predict_proba``) or decision values (``decision_function``).
        public_y_true : ndarray of int, shape (m,), optional
            PublicTest labels, stored with ``public_scores`` or ``public_decision`` (m, k).
        """
        relative = f"{PREDICTIONS_DIR}/{stem}.npz"
        arrays = {"y_true": np.asarray(y_true, dtype=np.int64), "y_pred": np.asarray(y_pred, dtype=np.int64)}
        if public_y_true is not None:
            arrays["public_y_true"] = np.asarray(public_y_true, dtype=np.int64)
        for key, values in (("scores", scores), ("decision", decision), ("public_scores", public_scores),
                            ("public_decision", public_decision)):
            if values is not None:
                arrays[key] = np.asarray(values, dtype=np.float32)
        atomic_save_npz(self.run_dir / relative, **arrays)
        return relative

    def load_predictions(self, record: RunRecord) -> dict[str, np.ndarray]:
        """The arrays of a record, keyed as in :meth:`save_predictions`; ``scores`` are probabilities (n, k).

        Raises
        ------
        ValueError
            If the file is corrupt (see :func:`fer_bench._io.read_npz`).
        """
        return read_npz(self.run_dir / record.predictions_file, ("y_true", "y_pred"))

    def save_model_files(self, stem: str, files: dict[str, bytes]) -> str:
        """Write a saved model's files under ``models/STEM/`` (:func:`seed_stem`); return that folder relative to the run."""
        relative = f"{MODELS_DIR}/{stem}"
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
        arrays = read_npz(path, ("images", "labels"))
        return arrays["images"], arrays["labels"]

    def load_leaked_mask(self) -> np.ndarray | None:
        """The ``leaked`` mask of the scored PrivateTest faces, bool (n,); None when the run made no audit."""
        path = self.run_dir / PREDICTIONS_DIR / TEST_FACES_FILE
        if not path.is_file():
            return None
        return read_npz(path).get("leaked")
