"""Profile x estimators -> run records: fit on Training, select on PublicTest,
score on PrivateTest (also without the faces that occur in Training), and keep
every result on disk as soon as it exists.

Every run audits its data (cached by sha256, see :mod:`fer_bench.datasets.audit`).
One estimator's failure or time-out is recorded and the run goes on; the
results store is rewritten atomically after every estimator, so an interrupted
run keeps what finished and ``resume=True`` completes it. Fits run where
:mod:`fer_bench.execution` sends them: in this process, local worker processes,
or a dask or Ray cluster.
"""

from __future__ import annotations

import shutil
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import numpy as np
from tqdm.auto import tqdm

from .datasets import DataError, FERDataset
from .datasets.audit import DEFAULT_NEAR_THRESHOLD, DataAudit, cached_audit
from .datasets.label_subset import subset_labels
from .datasets.preparation import PreparedData, missing_public_test, prepare_data
from .estimators import get_estimator_spec
from .execution import FitData, FitOutcome, FitTask, parallel_backend, run_task
from .metrics import classification_metrics
from .estimators.persistence import label_model_files
from .profiles import Profile
from ._io import json_safe
from .results import MODELS_DIR, PREDICTIONS_DIR, ResultsStore, RunRecord
from .timing import machine_info

SAVE_MODELS_CHOICES: tuple[str, ...] = ("none", "networks", "all")
RUN_LOCK_FILE = ".fer_bench.lock"
"""In the run directory: held (``filelock``) by the run writing into it."""


class RunNotStoredError(RuntimeError):
    """The run directory stopped taking writes: the run stopped, and what it computed is here.

    Attributes
    ----------
    run_dir : Path
    error : OSError
        The failed write (``error.filename`` names the file).
    stored : list of RunRecord
        The records ``results.json`` holds (written before the failure, intact).
    unstored : list of RunRecord
        Records computed but not written: they exist only in this object.
    """

    def __init__(self, run_dir: Path, error: OSError, stored: list[RunRecord], unstored: list[RunRecord]):
        self.run_dir, self.error, self.stored, self.unstored = run_dir, error, stored, unstored
        where = error.filename or run_dir
        super().__init__(f"{where}: cannot write ({error.strerror or error}): the run stopped; {run_dir / 'results.json'} "
                         f"keeps {len(stored)} record(s)"
                         + (f"; not stored: {', '.join(record.name for record in unstored)}" if unstored else ""))


@contextmanager
def _locked_run_dir(run_dir: Path):
    """Hold ``RUN_DIR/.fer_bench.lock`` for the block; another holder makes this fail at once.

    Raises
    ------
    ValueError
        If another run (any process) holds the lock.
    """
    from filelock import FileLock, Timeout

    run_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(run_dir / RUN_LOCK_FILE, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ValueError(f"{run_dir}: another fer_bench run is writing into this folder (it holds "
                         f"{run_dir / RUN_LOCK_FILE}); wait for it or choose another --out") from None
    try:
        yield
    finally:
        lock.release()


def default_run_dir(profile: Profile, root: str | Path = "reports") -> Path:
    """``reports/<UTC timestamp>-<profile>/``."""
    return Path(root) / f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{profile.name}"


def _labelled_split(dataset: FERDataset, split: str) -> tuple[np.ndarray, np.ndarray]:
    images, labels = dataset.split(split)
    if len(images) == 0:
        raise DataError(f"{dataset.source}: the {split} split is empty; a run needs labelled Training and PrivateTest faces")
    if np.any(labels < 0):
        raise DataError(f"{dataset.source}: the {split} split has unlabelled faces; a run needs labels to fit and score")
    return images, labels


def audit_summary(audit: DataAudit, prepared: PreparedData) -> dict[str, Any]:
    """The manifest's ``audit`` entry: the data audit's headline counts.

    ``private_*``, ``public_*``, ``training_*``, ``blank`` and
    ``label_conflict_groups`` count the whole data set (``private_kept``:
    PrivateTest faces with no exact or near copy in Training); ``scored_private_*``
    count the PrivateTest faces this run scores (after cleaning and the
    profile's subset), on which ``metrics_deduplicated`` is computed.
    """
    counts = audit.counts
    private = counts["leak"].get("PrivateTest", {})
    public = counts["leak"].get("PublicTest", {})
    training = counts["exact"]["within"].get("Training", {})
    private_total = counts["faces"].get("PrivateTest", 0)
    leaked, exact = prepared.private_leaked, prepared.private_exact
    return {
        "private_total": private_total,
        "private_exact": private.get("exact", 0),
        "private_near_only": private.get("near_only", 0),
        "private_kept": private_total - private.get("any", 0),
        "public_exact": public.get("exact", 0),
        "public_near_only": public.get("near_only", 0),
        "training_exact_groups": training.get("groups", 0),
        "training_faces_in_groups": training.get("faces", 0),
        "blank": counts["blank"]["faces"],
        "label_conflict_groups": counts["exact"]["conflict_groups"],
        "near_threshold": audit.near_threshold,
        "hash_method": audit.hash_method,
        "blank_std": audit.blank_std,
        "scored_private_total": int(len(leaked)),
        "scored_private_exact": int(exact.sum()),
        "scored_private_near_only": int((leaked & ~exact).sum()),
        "scored_private_kept": int((~leaked).sum()),
    }


def _score(outcome: FitOutcome, y_test: np.ndarray, leaked: np.ndarray | None,
           class_names: tuple[str, ...], subset: tuple[str, ...] | None = None) -> tuple[RunRecord, np.ndarray]:
    """Metrics (all PrivateTest faces, and those without a Training copy) of one outcome, and the labels scored.

    A model of a label ``subset`` is scored on its classes' faces only, relabelled as it was trained.
    """
    record = outcome.record
    if record.status != "ok":
        return record, y_test
    if subset:
        mask, y_test, class_names = subset_labels(y_test, class_names, subset)
        leaked = None if leaked is None else leaked[mask]
        record.class_names = list(class_names)
    try:
        record.metrics = classification_metrics(y_test, outcome.y_pred, class_names)
        if leaked is not None and not leaked.all():
            kept = ~leaked
            record.metrics_deduplicated = classification_metrics(y_test[kept], outcome.y_pred[kept], class_names)
    except ValueError as error:  # predictions outside the classes: the estimator's failure
        record.status, record.error = "failed", f"its PrivateTest predictions cannot be scored: {error}"
    return record, y_test


def _store_outputs(record: RunRecord, outcome: FitOutcome, y_scored: np.ndarray, class_names: tuple[str, ...],
                   store: ResultsStore) -> None:
    """Write an ok record's predictions and saved model (its record naming the model's classes).

    Raises
    ------
    OSError
        If the run directory cannot be written.
    """
    if record.status != "ok":
        return
    record.predictions_file = store.save_predictions(
        record.name, y_scored, outcome.y_pred, outcome.scores, decision=outcome.decision,
        public_y_true=outcome.public_y_true, public_scores=outcome.public_scores, public_decision=outcome.public_decision)
    if outcome.model_files:
        files = label_model_files(outcome.model_files, record.class_names or class_names)
        record.model_dir = store.save_model_files(record.name, files)


def _open_run_dir(store: ResultsStore, resume: bool, overwrite: bool, dataset: FERDataset, profile: Profile,
                  seed: int, cleaning: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, RunRecord]]:
    """The stored manifest and ok records to resume (None and {} for a new run); refuses to replace a run
    unless ``overwrite``, whose results, predictions and models it then deletes."""
    if resume:
        manifest, stored = store.load()
        _check_resumable(manifest, dataset, profile, seed, cleaning, store.run_dir)
        return manifest, {record.name: record for record in stored if record.status == "ok"}
    if store.exists() and not overwrite:
        raise ValueError(f"{store.run_dir}: holds a run already ({store.results_path.name}); give --resume "
                         f"{store.run_dir} to complete it, --overwrite to replace it, or another --out")
    if store.exists():
        store.results_path.unlink()
        for folder in (PREDICTIONS_DIR, MODELS_DIR):
            shutil.rmtree(store.run_dir / folder, ignore_errors=True)
    return None, {}


def _check_resumable(manifest: dict[str, Any], dataset: FERDataset, profile: Profile, seed: int,
                     cleaning: dict[str, Any], run_dir: Path) -> None:
    """Refuse to resume a run on other data, another profile, seed or cleaning."""
    stored = manifest.get("data", {}).get("sha256")
    if stored != dataset.sha256:
        raise ValueError(f"--resume {run_dir}: the run was made on data with sha256 {stored}, "
                         f"but {dataset.source} has sha256 {dataset.sha256}")
    comparisons = {"profile": (manifest.get("profile"), json_safe(profile.to_dict())),
                   "seed": (manifest.get("seed"), seed),
                   "cleaning": ({key: manifest.get("cleaning", {}).get(key) for key in cleaning}, cleaning)}
    for what, (before, now) in comparisons.items():
        if before != now:
            raise ValueError(f"--resume {run_dir}: the run has {what} {before!r}, not {now!r}")


def run_benchmark(names: Iterable[str], dataset: FERDataset, profile: Profile, run_dir: str | Path,
                  seed: int = 0, save_models: str = "networks", command: str | None = None,
                  progress: bool = True, *, audit: bool = True, audit_cache_dir: str | Path | None = None,
                  dedupe_train: bool = False, drop_blank: bool = False, backend: str = "loky",
                  scheduler: str | None = None, n_jobs: int | None = None, time_limit: float | None = None,
                  resume: bool = False, overwrite: bool = False, plugins: Iterable[str] = ()) -> list[RunRecord]:
    """Run estimators on one data set under one profile and write the results store.

    Parameters
    ----------
    names : iterable of str
        Registered estimator names, in run order.
    dataset : FERDataset
        Full data; the profile's stratified subset is taken here with ``seed``.
    profile : Profile
    run_dir : path
        Where ``results.json``, predictions and models go. A run holds its lock
        (``RUN_DIR/.fer_bench.lock``) while it writes; a folder that already
        holds a run is refused, unless ``resume`` or ``overwrite``.
    seed : int
        Seeds subsetting and every estimator that has ``random_state``.
    save_models : {"none", "networks", "all"}
        Which fitted estimators are saved under ``RUN_DIR/models/NAME/``.
    command : str, optional
        The command line, recorded in the manifest.
    progress : bool
        Show a progress bar over estimators.
    audit : bool
        Audit the data (:func:`~fer_bench.datasets.audit.cached_audit`), score
        every estimator also on the PrivateTest faces without an exact or near
        copy in Training (``RunRecord.metrics_deduplicated``) and summarise the
        audit in ``manifest["audit"]``.
    audit_cache_dir : path, optional
        Folder of cached audits (default: :func:`~fer_bench.datasets.audit.default_cache_dir`).
    dedupe_train : bool
        Drop the Training faces that duplicate a PublicTest or PrivateTest face
        before fitting (needs ``audit``).
    drop_blank : bool
        Drop near-blank faces from every split.
    backend : {"loky", "dask", "ray"}
        joblib backend the fits are dispatched to (see
        :func:`fer_bench.execution.parallel_backend`).
    scheduler : str, optional
        Address of the dask scheduler.
    n_jobs : int, optional
        Estimators at once (default 1 with ``loky``: one after another, in this
        process; every worker slot with ``dask`` and ``ray``). Network
        estimators still fit one at a time per machine.
    time_limit : float, optional
        Seconds each estimator may take to fit and predict; it then runs in a
        child process, which is terminated at the limit (status ``timed_out``).
    resume : bool
        Re-open ``run_dir`` and run only the estimators without an ``ok``
        record; the data, profile, seed and cleaning must be the stored run's.
    overwrite : bool
        Replace a run already in ``run_dir``: its results, predictions and models are deleted first.
    plugins : iterable of str
        The ``--plugin`` modules or files the estimators come from, imported by
        worker processes that lack them, and recorded in the manifest. On
        ``resume`` only these are imported, never those the manifest names.

    Returns
    -------
    list of RunRecord
        One per name, ``ok``, ``failed`` or ``timed_out`` (on resume, the kept records too).

    Raises
    ------
    KeyError
        If a name is not registered (before anything runs).
    ValueError
        If an option is invalid, ``resume`` finds another run's data, profile, seed or cleaning,
        ``run_dir`` holds a run and neither ``resume`` nor ``overwrite`` is given, or another
        run holds the folder's lock.
    FileNotFoundError
        If ``resume`` finds no ``results.json`` in ``run_dir``.
    RunNotStoredError
        If ``run_dir`` stops taking writes: every record written before stays in
        ``results.json``; the error carries the records computed since.
    ImportError
        If the backend's library is not installed.
    DataError
        If Training or PrivateTest is empty or unlabelled.
    """
    if save_models not in SAVE_MODELS_CHOICES:
        raise ValueError(f"save_models={save_models!r}: expected one of {', '.join(SAVE_MODELS_CHOICES)}")
    if time_limit is not None and not time_limit > 0:
        raise ValueError(f"--time-limit {time_limit}: expected a positive number of seconds")
    if dedupe_train and not audit:
        raise ValueError("dedupe_train needs the data audit (audit=True)")
    if resume and overwrite:
        raise ValueError("--resume completes a run and --overwrite replaces it: give one of them")
    names = list(dict.fromkeys(names))
    specs = {name: get_estimator_spec(name) for name in names}
    run_dir, store = Path(run_dir), ResultsStore(run_dir)
    cleaning = {"dedupe": "train" if dedupe_train else None, "drop_blank": drop_blank}
    plugins = tuple(plugins)
    if resume and not store.exists():
        store.load()  # raises FileNotFoundError naming the folder, before the lock creates it

    with parallel_backend(backend, scheduler, n_jobs) as jobs, _locked_run_dir(run_dir):
        manifest, finished = _open_run_dir(store, resume, overwrite, dataset, profile, seed, cleaning)
        started = time.perf_counter()
        data_audit = None
        if audit:
            # Drawn synthetic faces share one layout, so their perceptual hashes collide at small
            # distances without being copies: on them only hash-identical pairs count as near.
            near_threshold = 0 if dataset.synthetic else DEFAULT_NEAR_THRESHOLD
            data_audit = cached_audit(dataset, cache_dir=audit_cache_dir, near_threshold=near_threshold)
        prepared = prepare_data(dataset, profile.data, seed, data_audit, dedupe_train, drop_blank)
        used = prepared.dataset
        no_public_test = missing_public_test(used)
        if no_public_test:
            print(f"warning: {no_public_test}", file=sys.stderr)
        splits = {"Training": _labelled_split(used, "Training"), "PrivateTest": _labelled_split(used, "PrivateTest"),
                  "PublicTest": used.split("PublicTest")}
        execution = {"backend": backend, "scheduler": scheduler, "n_jobs": jobs, "time_limit": time_limit,
                     "save_models": save_models}
        if manifest is None:
            manifest = {
                "run_id": run_dir.name,
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "command": command,
                "seed": seed,
                "profile": profile.to_dict(),
                "class_names": list(dataset.class_names),
                "data": {"source": dataset.source, "sha256": dataset.sha256, "synthetic": dataset.synthetic,
                         "counts": dataset.counts(), "used_counts": used.counts()},
                "audit": None if data_audit is None else audit_summary(data_audit, prepared),
                "cleaning": {**cleaning, "dropped": prepared.dropped},
                "environment": machine_info(),
                "estimators": names,
                "plugins": list(plugins),
                "execution": execution,
                "resumed": [],
                "warnings": [no_public_test] if no_public_test else [],
                "complete": False,
                "wall_seconds": None,
            }
        else:
            manifest["estimators"] = list(dict.fromkeys([*manifest["estimators"], *names]))
            manifest["plugins"] = list(dict.fromkeys([*manifest.get("plugins", []), *plugins]))
            manifest["execution"] = execution
            manifest.setdefault("resumed", []).append(
                {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "command": command})
        previous_seconds = manifest.get("wall_seconds") or 0.0
        records = dict(finished)

        def save() -> None:
            manifest["wall_seconds"] = previous_seconds + time.perf_counter() - started
            manifest["complete"] = all(name in records for name in manifest["estimators"])
            store.save(manifest, [records[name] for name in manifest["estimators"] if name in records])

        save()
        X_test, y_test = splits["PrivateTest"]
        store.save_test_faces(X_test, y_test, prepared.private_leaked)
        data = FitData(splits, tuple(dataset.class_names))
        tasks = [FitTask(name=name, family=spec.family, plugins=plugins, profile=profile,
                         n_classes=len(dataset.class_names), seed=seed,
                         save_model=save_models == "all" or (save_models == "networks" and spec.family == "network"),
                         time_limit=time_limit)
                 for name, spec in specs.items() if name not in finished]
        bar = tqdm(total=len(tasks), desc="estimators", unit="model", disable=not progress)
        writable = True
        try:
            if tasks:
                from joblib import Parallel, delayed

                outcomes = Parallel(n_jobs=jobs, return_as="generator_unordered")(delayed(run_task)(task, data) for task in tasks)
                for outcome in outcomes:
                    record, y_scored = _score(outcome, y_test, prepared.private_leaked, dataset.class_names,
                                              specs[outcome.record.name].classes)
                    stored = [records[name] for name in manifest["estimators"] if name in records]
                    try:
                        _store_outputs(record, outcome, y_scored, dataset.class_names, store)
                        records[record.name] = record
                        save()
                    except OSError as error:
                        writable = False
                        raise RunNotStoredError(run_dir, error, stored, [record]) from error
                    bar.set_postfix_str(record.name)
                    bar.update()
        finally:
            bar.close()
            if writable:
                save()
    return [records[name] for name in names]
