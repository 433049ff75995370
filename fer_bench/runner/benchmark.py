"""Profile x estimators -> run records: fit on Training, select on PublicTest,
score on PrivateTest (also without the faces that occur in Training), and keep
every result on disk as soon as it exists.

Every run audits its data (cached by sha256, see :mod:`fer_bench.datasets.audit`).
One estimator's failure or time-out is recorded and the run goes on; the
results store is rewritten atomically after every estimator, so an interrupted
run keeps what finished and ``resume=True`` completes it. ``overwrite=True``
replaces the folder's run only once the new one stores a record
(:mod:`fer_bench.runner.replacement`). Fits run where
:mod:`fer_bench.runner.backends` sends them: in this process, local worker processes,
or a dask or Ray cluster. What is run is planned by :mod:`fer_bench.runner.plan`,
each fit by :mod:`fer_bench.runner.execution`, its outcome scored by
:mod:`fer_bench.runner.scoring` (and on other data sets, ``run --also-test``, by
:mod:`fer_bench.runner.cross_scoring`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Iterable

from tqdm.auto import tqdm

from ..datasets import FERDataset
from ..estimators import EstimatorSpec, available_estimators, get_estimator_spec
from ..profiles import Profile
from ..results import ResultsStore, RunRecord, seed_stem
from .backends import parallel_backend
from .cross_scoring import score_targets
from .execution import run_task
from .plan import RunPlan, locked_run_dir, plan_run
from .replacement import recover_set_aside, replacing
from .request import RunRequest
from .scoring import score_outcome, store_outcome


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


def run_benchmark(names: Iterable[str], dataset: FERDataset, profile: Profile, run_dir: str | Path,
                  seed: int = 0, save_models: str = "networks", command: str | None = None,
                  progress: bool = True, seeds: int | None = None, **options: Any) -> list[RunRecord]:
    """Run estimators on one data set under one profile and write the results store.

    Parameters
    ----------
    names, dataset, profile, run_dir, seed, save_models, command, progress
        As the attributes of :class:`~fer_bench.runner.request.RunRequest`.
    seeds : int, optional
        Seeds per estimator (default: the profile's ``seeds``).
    **options
        Its other attributes, by keyword: ``audit``, ``audit_cache_dir``,
        ``dedupe_train``, ``drop_blank``, ``backend``, ``scheduler``, ``n_jobs``,
        ``time_limit``, ``resume``, ``overwrite``, ``plugins``, ``cards``, ``steps_from``, ``on_stored``, ``cross_targets``.

    Returns
    -------
    list of RunRecord
        One per name and seed (names in order, each name's seeds in order), ``ok``, ``failed``,
        ``timed_out`` or ``skipped`` (on resume, the kept records too).

    Raises
    ------
    KeyError
        If a name is not registered (before anything runs).
    ValueError
        If an option is invalid, the profile has a table for an estimator that is not registered
        (before anything runs), ``resume`` finds another run's data, profile, seed or cleaning,
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
    return run_request(RunRequest(tuple(names), dataset, profile, run_dir, seed, save_models, command, progress,
                                  seeds=profile.seeds if seeds is None else seeds, **options))


def run_request(request: RunRequest) -> list[RunRecord]:
    """Carry out ``request`` (see :func:`run_benchmark`, which makes it): one record per estimator name and seed."""
    specs = {name: get_estimator_spec(name) for name in request.names}
    _check_profile_estimators(request.profile)
    store = ResultsStore(request.run_dir)
    if request.resume and not store.exists():
        store.load()  # raises FileNotFoundError naming the folder, before the lock creates it
    with parallel_backend(request.backend, request.scheduler, request.n_jobs) as jobs, locked_run_dir(request.run_dir):
        recover_set_aside(request.run_dir)
        plan = plan_run(request, store, specs, jobs)
        with replacing(request.run_dir, request.overwrite) as stored:
            records = _fit_and_store(plan, request, specs, store, jobs, stored)
    seeds = plan.manifest.seeds
    return [records[name, seed] for name in request.names for seed in seeds if (name, seed) in records]


def _check_profile_estimators(profile: Profile) -> None:
    """Refuse a profile whose ``[estimators.NAME]`` table names no registered estimator (a typo would be ignored).

    Raises
    ------
    ValueError
        Naming the profile and the table.
    """
    registered = available_estimators()
    unknown = [name for name in profile.estimators if name not in registered]
    if unknown:
        raise ValueError(f"profile {profile.name!r}: [estimators.{unknown[0]}]: no estimator of that name is "
                         f"registered (a plugin's: give --plugin); registered: {', '.join(registered)}")


def _fit_and_store(plan: RunPlan, request: RunRequest, specs: dict[str, EstimatorSpec], store: ResultsStore,
                   jobs: int, stored_one: Callable[[], None]) -> dict[tuple[str, int], RunRecord]:
    """Run the plan's fits, scoring and storing each outcome as it arrives (then calling ``stored_one``);
    the records by name and seed.

    Raises
    ------
    RunNotStoredError
        If the run directory stops taking writes.
    """
    manifest, records, prepared = plan.manifest, dict(plan.finished), plan.prepared
    class_names = request.dataset.class_names
    previous_seconds = manifest.wall_seconds or 0.0
    seeds = manifest.seeds

    def stored() -> list[RunRecord]:
        return [records[name, seed] for name in manifest.estimators for seed in seeds if (name, seed) in records]

    def save() -> None:
        manifest.wall_seconds = previous_seconds + time.perf_counter() - plan.started
        manifest.complete = all((name, seed) in records for name in manifest.estimators for seed in seeds)
        store.save(manifest, stored())

    save()
    X_test, y_test = plan.data.splits["PrivateTest"]
    store.save_test_faces(X_test, y_test, prepared.private_leaked)
    bar = tqdm(total=len(plan.tasks), desc="estimators", unit="model", disable=not request.progress)
    writable = True
    try:
        if plan.tasks:
            from joblib import Parallel, delayed

            outcomes = Parallel(n_jobs=jobs, return_as="generator_unordered")(
                delayed(run_task)(task, plan.data) for task in plan.tasks)
            for outcome in outcomes:
                record, y_scored = score_outcome(outcome, y_test, prepared.private_leaked, class_names,
                                                 specs[outcome.record.name].classes)
                before = stored()
                try:
                    store_outcome(record, outcome, y_scored, class_names, store, seeds[0])
                    score_targets(record, outcome.target_predictions, request.cross_targets,
                                  record.class_names or class_names,
                                  store, seed_stem(record.name, record.seed, seeds[0]))
                    records[record.name, record.seed] = record
                    save()
                    if record.status == "ok":
                        store.drop_checkpoint(seed_stem(record.name, record.seed, seeds[0]))
                    stored_one()
                except OSError as error:
                    writable = False
                    raise RunNotStoredError(request.run_dir, error, before, [record]) from error
                if request.on_stored is not None:
                    request.on_stored(record)
                bar.set_postfix_str(record.name)
                bar.update()
    finally:
        bar.close()
        if writable:
            save()
    return records
