"""A new or a resumed run: its folder and lock, its data, its manifest and the fits left to do.

:func:`plan_run` opens the run folder (a new run, a resumed one, or one that
replaces what the folder holds), audits and prepares the data, and writes
nothing yet, nor moves the run it replaces: it returns the :class:`RunPlan`
that :func:`fer_bench.runner.benchmark.run_request` carries out.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ..datasets import DataError, FERDataset
from ..datasets.audit import DEFAULT_NEAR_THRESHOLD, DataAudit, cached_audit
from ..datasets.known_files import identify_faces
from ..datasets.preparation import PreparedData, missing_public_test, prepare_data
from ..estimators import EstimatorSpec, RepeatSteps
from ..profiles import Profile
from .._io import json_safe
from ..results import LOGS_DIR, Execution, ResultsStore, RunData, RunManifest, RunRecord, fit_label, seed_stem
from ..timing import machine_info
from .execution import FitData, FitTask
from .request import RunRequest
from .targets import check_stored_targets

RUN_LOCK_FILE = ".fer_bench.lock"
"""In the run directory: held (``filelock``) by the run writing into it."""


@dataclass
class RunPlan:
    """What a run does, once its folder is open and its data prepared.

    Attributes
    ----------
    manifest : RunManifest
        The manifest to write (new, or the stored one updated for this resumption).
    finished : dict of (str, int) to RunRecord
        The stored ``ok`` records a resumed run keeps, by estimator name and seed (empty for a new run).
    prepared : PreparedData
        The data after the profile's subset and the cleaning.
    data : FitData
        The splits every fit shares.
    tasks : list of FitTask
        The fits left to do, in run order.
    started : float
        ``time.perf_counter()`` when the folder was opened (the manifest's ``wall_seconds`` count from it).
    """

    manifest: RunManifest
    finished: dict[tuple[str, int], RunRecord]
    prepared: PreparedData
    data: FitData
    tasks: list[FitTask]
    started: float


@contextmanager
def locked_run_dir(run_dir: Path):
    """Hold ``RUN_DIR/.fer_bench.lock`` for the block; another holder makes this fail at once.

    Raises
    ------
    ValueError
        If ``run_dir`` or a folder above it is a file or a dangling link, the folder cannot be made or
        takes no files (naming the reason), or another run (any process) holds the lock.
    """
    from filelock import FileLock, Timeout

    _make_run_dir(run_dir)
    lock = FileLock(run_dir / RUN_LOCK_FILE, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        _check_takes_files(run_dir)  # filelock takes a lock file it cannot create for one another run holds
        raise ValueError(f"{run_dir}: another fer_bench run is writing into this folder (it holds "
                         f"{run_dir / RUN_LOCK_FILE}); wait for it or choose another --out") from None
    except OSError as error:
        raise ValueError(f"{run_dir}: cannot create files in this folder ({error.strerror}); "
                         "choose another --out") from error
    try:
        yield
    finally:
        lock.release()


def _make_run_dir(run_dir: Path) -> None:
    """Create ``run_dir`` (and the folders above it), or raise ValueError with the true reason it cannot be."""
    for folder in [*reversed(run_dir.parents), run_dir]:
        name = "it" if folder == run_dir else str(folder)
        if folder.is_symlink() and not folder.exists():
            raise ValueError(f"{run_dir}: {name} is a link to {os.readlink(folder)}, which does not exist; "
                             "create that folder or choose another --out")
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"{run_dir}: {name} is a file, not a folder; choose another --out")
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"{run_dir}: cannot create this folder ({error.strerror}); choose another --out") from error


def _check_takes_files(run_dir: Path) -> None:
    """Raise ValueError with the reason if no file can be created in ``run_dir``."""
    try:
        with tempfile.TemporaryFile(dir=run_dir):
            pass
    except OSError as error:
        raise ValueError(f"{run_dir}: cannot create files in this folder ({error.strerror}); "
                         "choose another --out") from None


def default_run_dir(profile: Profile, root: str | Path = "reports") -> Path:
    """``reports/<UTC timestamp>-<profile>/``."""
    return Path(root) / f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{profile.name}"


def plan_run(request: RunRequest, store: ResultsStore, specs: dict[str, EstimatorSpec], jobs: int) -> RunPlan:
    """Open the run folder (the caller holds its lock), audit and prepare the data, list the fits left.

    Prints a warning when the data has no PublicTest faces.

    Raises
    ------
    ValueError
        If a resumed run was made on other data, profile, seed or cleaning, the folder
        holds a run and neither ``resume`` nor ``overwrite`` is asked, or ``steps_from``
        has no planned steps for one of the networks.
    DataError
        If Training or PrivateTest is empty or unlabelled.
    """
    manifest, finished = _open_run_dir(store, request)
    started = time.perf_counter()
    dataset = request.dataset
    data_audit = None
    if request.audit:
        # Drawn synthetic faces share one layout, so their perceptual hashes collide at small
        # distances without being copies: on them only hash-identical pairs count as near.
        near_threshold = 0 if dataset.synthetic else DEFAULT_NEAR_THRESHOLD
        data_audit = cached_audit(dataset, cache_dir=request.audit_cache_dir, near_threshold=near_threshold)
    prepared = prepare_data(dataset, request.profile.data, request.seed, data_audit, request.dedupe_train,
                            request.drop_blank)
    used = prepared.dataset
    no_public_test = missing_public_test(used)
    if no_public_test:
        print(f"warning: {no_public_test}", file=sys.stderr)
    splits = {"Training": _labelled_split(used, "Training"), "PrivateTest": _labelled_split(used, "PrivateTest"),
              "PublicTest": used.split("PublicTest")}
    execution = Execution(request.backend, request.scheduler, jobs, request.time_limit, request.save_models)
    if manifest is None:
        manifest = _new_manifest(request, prepared, data_audit, execution, [no_public_test] if no_public_test else [])
    else:
        _resume_manifest(manifest, request, execution)
    seeds = manifest.seeds
    planned = _planned_steps(request.steps_from, specs, seeds) if request.steps_from else {}
    tasks = [FitTask(name=name, family=spec.family, plugins=request.plugins + request.cards, profile=request.profile,
                     n_classes=len(dataset.class_names), seed=seed, save_model=request.saves_model(spec.family),
                     time_limit=request.time_limit, epoch_lines=request.progress,
                     log_file=str(store.run_dir / LOGS_DIR / f"{seed_stem(name, seed, seeds[0])}.log"),
                     checkpoint_file=str(store.checkpoint_path(seed_stem(name, seed, seeds[0]))),
                     repeat_steps=planned.get((name, seed)))
             for name, spec in specs.items() for seed in seeds if (name, seed) not in finished]
    fit_data = FitData(splits, tuple(dataset.class_names), used.split_targets("Training"), used.target_mode,
                       tuple(target.images for target in request.cross_targets))
    return RunPlan(manifest, finished, prepared, fit_data, tasks, started)


def _labelled_split(dataset: FERDataset, split: str) -> tuple[np.ndarray, np.ndarray]:
    images, labels = dataset.split(split)
    if len(images) == 0:
        raise DataError(f"{dataset.source}: the {split} split is empty; a run needs labelled Training and PrivateTest faces")
    if np.any(labels < 0):
        raise DataError(f"{dataset.source}: the {split} split has unlabelled faces; a run needs labels to fit and score")
    return images, labels


def _planned_steps(run_dir: str | Path, specs: dict[str, EstimatorSpec],
                   seeds: list[int]) -> dict[tuple[str, int], RepeatSteps]:
    """The steps of every network and seed as the time budget of the run in ``run_dir`` planned them.

    Raises
    ------
    ValueError
        If that run has no planned steps for one of the networks and seeds.
    """
    _, records = ResultsStore(run_dir).load()
    plans = {}
    for record in records:
        used = record.budget.get("used") or {}
        if record.status == "ok" and used.get("planned_steps"):
            plans[record.name, record.seed] = RepeatSteps(
                int(used["planned_steps"]), int(used.get("warmup_steps", 0)), used.get("replans"), str(run_dir))
    missing = [fit_label(name, seed) for name, spec in specs.items() if spec.family == "network"
               for seed in seeds if (name, seed) not in plans]
    if missing:
        raise ValueError(f"--steps-from {run_dir}: that run has no planned steps for {', '.join(missing)}; "
                         "it must have trained the same networks with the same seeds")
    return plans


def _open_run_dir(store: ResultsStore,
                  request: RunRequest) -> tuple[RunManifest | None, dict[tuple[str, int], RunRecord]]:
    """The stored manifest and ok records to resume (None and {} for a new run); refuses to replace a run
    unless ``overwrite`` (which :func:`fer_bench.runner.replacement.replacing` then sets aside)."""
    if request.resume:
        manifest, stored = store.load()
        _check_resumable(manifest, request, store.run_dir)
        check_stored_targets(manifest.cross_targets, request.cross_targets, store.run_dir)
        return manifest, {(record.name, record.seed): record for record in stored if record.status == "ok"}
    if store.exists() and not request.overwrite:
        raise ValueError(f"{store.run_dir}: holds a run already ({store.results_path.name}); give --resume "
                         f"{store.run_dir} to complete it, --overwrite to replace it, or another --out")
    return None, {}


def _check_resumable(manifest: RunManifest, request: RunRequest, run_dir: Path) -> None:
    """Refuse to resume a run on other data, another profile, seed or cleaning."""
    dataset = request.dataset
    stored = manifest.data.sha256
    if stored != dataset.sha256:
        raise ValueError(f"--resume {run_dir}: the run was made on data with sha256 {stored}, "
                         f"but {dataset.source} has sha256 {dataset.sha256}")
    comparisons = {"profile": (_profile_values(manifest.profile), _profile_values(request.profile)),
                   "seed": (manifest.seed, request.seed),
                   "cleaning": (manifest.cleaning.options(), request.cleaning.options())}
    for what, (before, now) in comparisons.items():
        if before != now:
            raise ValueError(f"--resume {run_dir}: the run has {what} {before!r}, not {now!r}")


def _profile_values(profile: Profile | None) -> dict[str, Any] | None:
    """A profile as JSON values, to compare a stored one (read from JSON) with one loaded from TOML."""
    return None if profile is None else json_safe(profile.to_dict())


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _new_manifest(request: RunRequest, prepared: PreparedData, data_audit: DataAudit | None,
                  execution: Execution, warnings: list[str]) -> RunManifest:
    """The manifest of a new run (``wall_seconds`` and ``complete`` are set as it goes)."""
    dataset = request.dataset
    data = RunData(source=dataset.source, sha256=dataset.sha256, synthetic=dataset.synthetic,
                   file=identify_faces(dataset), counts=dataset.counts(),
                   used_counts=prepared.dataset.counts(), relabelling=dataset.relabelling)
    return RunManifest(
        run_id=request.run_dir.name, created=_now(), command=request.command, seed=request.seed,
        seeds=request.seed_list, profile=request.profile, class_names=list(dataset.class_names), data=data,
        audit=None if data_audit is None else audit_summary(data_audit, prepared),
        cleaning=replace(request.cleaning, dropped=prepared.dropped), environment=machine_info(),
        estimators=list(request.names), plugins=list(request.plugins), cards=list(request.cards), execution=execution,
        warnings=warnings, cross_targets=[target.info for target in request.cross_targets])


def _resume_manifest(manifest: RunManifest, request: RunRequest, execution: Execution) -> None:
    """Update a stored manifest for this resumption: its estimators, seeds (more may be asked), plugins and
    cards, execution, and when."""
    manifest.estimators = list(dict.fromkeys([*manifest.estimators, *request.names]))
    manifest.seeds = sorted({*manifest.seeds, *request.seed_list})
    manifest.plugins = list(dict.fromkeys([*manifest.plugins, *request.plugins]))
    manifest.cards = list(dict.fromkeys([*manifest.cards, *request.cards]))
    manifest.execution = execution
    manifest.resumed.append({"at": _now(), "command": request.command})


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
