"""The on-disk results store: one run directory, read and checked once, written atomically.

Layout of a run directory::

    RUN_DIR/results.json            schema_version, the manifest and one record per estimator and seed
    RUN_DIR/predictions/NAME.npz    y_true, y_pred, scores (probabilities) or decision (decision values)
                                    on PrivateTest; public_y_true, public_scores or public_decision on
                                    PublicTest (runs before these keys have only the PrivateTest ones)
    RUN_DIR/predictions/PrivateTest.npz   the scored faces: images uint8 (n, 48, 48), labels int64 (n,),
                                          leaked bool (n,) (has a duplicate in Training; with an audit)
                                    (NAME.seedK.npz for each seed K after the run's first, see :func:`.record.seed_stem`)
    RUN_DIR/predictions/also-test/NAME.TARGET.npz   y_true, y_pred on another data set (``run --also-test``; STEM as above)
    RUN_DIR/models/NAME/            saved fitted models, where the estimator can save itself (NAME.seedK/ likewise)
    RUN_DIR/logs/NAME.log           a network's epoch lines, appended (loss, PublicTest accuracy, images/s, time left)
    RUN_DIR/checkpoints/NAME.pt     a network's state after its last finished epoch (epoch and step budgets),
                                    until its record is stored ok; ``run --resume`` goes on from it
    RUN_DIR/report.html             the report, rebuilt from the above by ``fer_bench report``
    RUN_DIR/crossval.json           a cross-validation run's summary (fold runs under RUN_DIR/folds/)

``results.json`` of schema 2 holds every field of :class:`~fer_bench.results.manifest.RunManifest`
and a seed in every record; schema 1 stores may lack fields added over time, which
:meth:`ResultsStore.load` fills (see the ``from_dict`` methods).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from .._io import atomic_save_npz, atomic_write_bytes, atomic_write_json, json_safe, read_json_object, read_npz
from .json_fields import is_whole, shown
from .manifest import RunManifest
from .record import RunRecord

RESULTS_FILE = "results.json"
PREDICTIONS_DIR = "predictions"
MODELS_DIR = "models"
LOGS_DIR = "logs"
CHECKPOINTS_DIR = "checkpoints"
TEST_FACES_FILE = "PrivateTest.npz"
CROSS_PREDICTIONS_DIR = "predictions/also-test"
"""Each model's predictions on another data set (``run --also-test``): ``STEM.TARGET.npz``."""
CROSSVAL_JSON = "crossval.json"
"""Written by :mod:`fer_bench.runner.crossval`, read by :mod:`fer_bench.report.crossval`."""
SCHEMA_VERSION = 2


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

    def load(self) -> tuple[RunManifest, list[RunRecord]]:
        """Read ``results.json`` and check it once: the manifest and every record, typed.

        Returns
        -------
        (RunManifest, list of RunRecord)
            Every record has a seed (the run's first in stores written before records had one).

        Raises
        ------
        FileNotFoundError
            If the directory holds no ``results.json``.
        ValueError
            One line naming ``results.json`` and what is wrong in it: not valid JSON or nested too
            deeply (corrupt), no manifest object and records list, written by a newer fer_bench, a field
            of the manifest or of a record of the wrong type or out of range (see
            :meth:`RunManifest.from_dict` and :meth:`RunRecord.from_dict`), two records of one estimator and
            seed, or a ``predictions_file`` or ``model_dir`` that leads outside the run folder (checked
            before any is opened).
        """
        if not self.exists():
            raise FileNotFoundError(f"{self.results_path}: no results.json; is {self.run_dir} a fer_bench run directory?")
        raw = read_json_object(self.results_path)
        try:
            manifest, records = _read_results(raw)
        except ValueError as error:
            raise ValueError(f"{self.results_path}: {error}") from error
        for record in records:
            self._check_inside(record)
        return manifest, records

    def _check_inside(self, record: RunRecord) -> None:
        """Refuse a record whose predictions or model path leads outside the run folder (absolute, ``..``, a
        link out), before anything is opened there."""
        root = self.run_dir.resolve()
        paths = [("predictions_file", record.predictions_file, f"{PREDICTIONS_DIR}/{record.name}.npz"),
                 ("model_dir", record.model_dir, f"{MODELS_DIR}/{record.name}")]
        paths += [(f"cross_scores[{index}].predictions_file", score.predictions_file,
                   f"{CROSS_PREDICTIONS_DIR}/{record.name}.{score.target}.npz")
                  for index, score in enumerate(record.cross_scores)]
        for key, value, example in paths:
            if value is None:
                continue
            inside = value not in ("", ".") and "\\" not in value
            if inside:
                path = PurePosixPath(value)
                inside = not path.is_absolute() and ".." not in path.parts and \
                    (root / path).resolve().is_relative_to(root)
            if not inside:
                raise ValueError(f"{self.results_path}: {record.label}: {key} {value!r} is not a path "
                                 f"inside the run folder {self.run_dir}; expected one such as {example!r}")

    def save(self, manifest: RunManifest, records: list[RunRecord]) -> None:
        """Write ``results.json`` (:data:`SCHEMA_VERSION`) atomically."""
        payload = {"schema_version": SCHEMA_VERSION, "manifest": json_safe(manifest.to_dict()),
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

    def save_cross_predictions(self, stem: str, target: str, y_true: np.ndarray, y_pred: np.ndarray) -> str:
        """Store a model's predictions on another data set; return the path relative to the run.

        Parameters
        ----------
        stem : str
            The record's file stem (:func:`seed_stem`).
        target : str
            The target's file name part: letters, digits, ``-``, ``_`` and ``.`` only.
        y_true, y_pred : ndarray of int, shape (n,)
            The scored faces' labels and predictions, in the model's labels.
        """
        relative = f"{CROSS_PREDICTIONS_DIR}/{stem}.{target}.npz"
        atomic_save_npz(self.run_dir / relative, y_true=np.asarray(y_true, dtype=np.int64),
                        y_pred=np.asarray(y_pred, dtype=np.int64))
        return relative

    def load_cross_predictions(self, predictions_file: str) -> dict[str, np.ndarray]:
        """``y_true`` and ``y_pred`` of a :class:`~.cross_scores.CrossScore`'s ``predictions_file``.

        Raises
        ------
        ValueError
            If the file is corrupt (see :func:`fer_bench._io.read_npz`) or its arrays differ in length.
        FileNotFoundError
            If it is missing.
        """
        path = self.run_dir / predictions_file
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such predictions file; the run folder lost it")
        arrays = read_npz(path, ("y_true", "y_pred"))
        if arrays["y_true"].shape != arrays["y_pred"].shape or arrays["y_true"].ndim != 1:
            raise ValueError(f"{path}: corrupt predictions, y_true {arrays['y_true'].shape} and y_pred "
                             f"{arrays['y_pred'].shape}; expected two arrays (n,)")
        return arrays

    def save_model_files(self, stem: str, files: dict[str, bytes]) -> str:
        """Write a saved model's files under ``models/STEM/`` (:func:`seed_stem`); return that folder relative to the run."""
        relative = f"{MODELS_DIR}/{stem}"
        for path, data in files.items():
            atomic_write_bytes(self.run_dir / relative / path, data)
        return relative

    def checkpoint_path(self, stem: str) -> Path:
        """Where the fit of file stem ``stem`` (:func:`seed_stem`) keeps its training state between epochs."""
        return self.run_dir / CHECKPOINTS_DIR / f"{stem}.pt"

    def drop_checkpoint(self, stem: str) -> None:
        """Delete the fit's checkpoint (once its record is stored), and the folder when it is left empty."""
        self.checkpoint_path(stem).unlink(missing_ok=True)
        try:
            (self.run_dir / CHECKPOINTS_DIR).rmdir()
        except OSError:
            pass  # other fits' checkpoints are still there, or there never was a folder

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


def _read_results(raw: dict[str, Any]) -> tuple[RunManifest, list[RunRecord]]:
    """The manifest and records of ``results.json``'s object, checked (see :meth:`ResultsStore.load`)."""
    version = raw.get("schema_version", 1)
    if not is_whole(version) or version < 1:
        raise ValueError(f"schema_version is {shown(version)}, expected a whole number from 1 to {SCHEMA_VERSION}")
    if version > SCHEMA_VERSION:
        raise ValueError(f"schema_version {version}: written by a newer fer_bench, which this one (schema "
                         f"{SCHEMA_VERSION}) cannot read; update fer_bench")
    manifest, records = raw.get("manifest"), raw.get("records")
    if not isinstance(manifest, dict) or not isinstance(records, list):
        raise ValueError("not a fer_bench results file (expected a manifest object and a records list)")
    manifest = RunManifest.from_dict(manifest)
    read: list[RunRecord] = []
    numbers: dict[tuple[str, int | None], int] = {}
    for number, item in enumerate(records, start=1):
        record = RunRecord.from_dict(item, f"record #{number}", manifest.seeds[0])
        first = numbers.setdefault((record.name, record.seed), number)
        if first != number:
            raise ValueError(f"{record.label}: records #{first} and #{number} are both of this estimator and "
                             "seed; keep one")
        read.append(record)
    return manifest, read
