"""The options of one run, checked: :class:`RunRequest`.

Imports nothing heavier than the results store (the command line takes :data:`SAVE_MODELS_CHOICES` from here).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..results import MAX_SEED, Cleaning

if TYPE_CHECKING:
    from ..datasets import FERDataset
    from ..profiles import Profile
    from ..results import RunRecord
    from .targets import TargetFaces

SAVE_MODELS_CHOICES: tuple[str, ...] = ("none", "networks", "all")
MAX_TIME_LIMIT = 20 * 24 * 3600.0
"""The longest ``--time-limit``, 20 days, in seconds: waiting on the fit's child process
(``multiprocessing``'s ``poll``) takes at most 2**31 - 1 ms, about 24.8 days."""


@dataclass(frozen=True)
class RunRequest:
    """Estimators on one data set under one profile, and how to run them.

    Attributes
    ----------
    names : tuple of str
        Registered estimator names, in run order (repeats dropped).
    dataset : FERDataset
        Full data; the profile's stratified subset is taken with ``seed``.
    profile : Profile
    run_dir : Path
        Where ``results.json``, predictions and models go. A run holds its lock
        (``RUN_DIR/.fer_bench.lock``) while it writes; a folder that already
        holds a run is refused, unless ``resume`` or ``overwrite``.
    seed : int
        The first seed (0 .. :data:`~fer_bench.results.MAX_SEED`): it draws the profile's subsets of the splits (the same
        faces for every seed).
    seeds : int
        How many seeds every estimator is trained with: ``seed .. seed + seeds - 1`` (up to :data:`~fer_bench.results.MAX_SEED`), each
        driving its Training subset, initial weights, shuffling and augmentation (one record each).
    save_models : {"none", "networks", "all"}
        Which fitted estimators are saved under ``RUN_DIR/models/NAME/``.
    command : str, optional
        The command line, recorded in the manifest.
    progress : bool
        Show a progress bar over estimators and each network's line per epoch (also in
        ``RUN_DIR/logs/NAME.log``, which is written either way).
    audit : bool
        Audit the data (:func:`~fer_bench.datasets.audit.cached_audit`), score
        every estimator also on the PrivateTest faces without an exact or near
        copy in Training (``RunRecord.metrics_deduplicated``) and summarise the
        audit in the manifest (:attr:`~fer_bench.results.RunManifest.audit`).
    audit_cache_dir : path, optional
        Folder of cached audits (default: :func:`~fer_bench.datasets.audit.default_cache_dir`).
    dedupe_train : bool
        Drop the Training faces that duplicate a PublicTest or PrivateTest face
        before fitting (needs ``audit``).
    drop_blank : bool
        Drop near-blank faces from every split.
    backend : {"loky", "dask", "ray"}
        joblib backend the fits are dispatched to (see
        :func:`fer_bench.runner.backends.parallel_backend`).
    scheduler : str, optional
        Address of the dask scheduler.
    n_jobs : int, optional
        Estimators at once (default 1 with ``loky``: one after another, in this
        process; every worker slot with ``dask`` and ``ray``). Network
        estimators still fit one at a time per machine.
    time_limit : float, optional
        Seconds (up to :data:`MAX_TIME_LIMIT`) each estimator may take to fit and predict; it then runs in a
        child process, which is terminated at the limit (status ``timed_out``).
    resume : bool
        Re-open ``run_dir`` and run only the estimators without an ``ok``
        record; the data, profile, seed and cleaning must be the stored run's.
    overwrite : bool
        Replace a run already in ``run_dir``: it is set aside once this run is planned, deleted when this
        run stores its first record, and put back if this run stops before one.
    plugins : tuple of str
        The ``--plugin`` modules or files the estimators come from, imported by
        worker processes that lack them, and recorded in the manifest. On
        ``resume`` only these are imported, never those the manifest names.
    cards : tuple of str
        The ``--pretrained`` model cards (absolute paths of ``.toml`` files, registered already): recorded in the
        manifest, and registered by worker processes that lack them.
    steps_from : path, optional
        An earlier run whose networks trained under a time budget: each network (and seed)
        trains exactly the steps that run planned for it, so that the training repeats on this machine.
    on_stored : callable, optional
        Called with each record this run computes, once ``results.json`` holds it (with its predictions
        and model), between fits: an experiment tracker's hook (:meth:`fer_bench.tracking.TrackingSession.fit_stored`).
        What it raises stops the run.
    cross_targets : tuple of TargetFaces
        Other data sets every model is also scored on (``run --also-test``, :mod:`fer_bench.runner.targets`):
        one :class:`~fer_bench.results.CrossScore` each in its record. A resumed run must be given the stored run's.

    Raises
    ------
    ValueError
        If ``save_models``, ``time_limit``, ``seed`` or ``seeds`` is invalid, ``dedupe_train`` is asked without
        ``audit``, or both ``resume`` and ``overwrite`` are.
    """

    names: tuple[str, ...]
    dataset: FERDataset
    profile: Profile
    run_dir: Path
    seed: int = 0
    save_models: str = "networks"
    command: str | None = None
    progress: bool = True
    audit: bool = True
    audit_cache_dir: str | Path | None = None
    dedupe_train: bool = False
    drop_blank: bool = False
    backend: str = "loky"
    scheduler: str | None = None
    n_jobs: int | None = None
    time_limit: float | None = None
    resume: bool = False
    overwrite: bool = False
    plugins: tuple[str, ...] = ()
    seeds: int = 1
    cards: tuple[str, ...] = ()
    steps_from: str | Path | None = None
    on_stored: Callable[[RunRecord], None] | None = None
    cross_targets: tuple[TargetFaces, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.seeds, bool) or not isinstance(self.seeds, int) or self.seeds < 1:
            raise ValueError(f"--seeds {self.seeds}: expected a positive number of seeds (1 or more)")
        seed = self.seed
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed <= MAX_SEED:
            raise ValueError(f"--seed {self.seed}: expected a seed from 0 to {MAX_SEED}")
        if self.seed + self.seeds - 1 > MAX_SEED:
            raise ValueError(f"--seeds {self.seeds}: the seeds {self.seed} .. {self.seed + self.seeds - 1} pass "
                             f"{MAX_SEED}, the largest seed; give a smaller --seed or fewer --seeds")
        if self.save_models not in SAVE_MODELS_CHOICES:
            raise ValueError(f"save_models={self.save_models!r}: expected one of {', '.join(SAVE_MODELS_CHOICES)}")
        if self.time_limit is not None and not 0 < self.time_limit <= MAX_TIME_LIMIT:
            raise ValueError(f"--time-limit {self.time_limit}: expected a positive number of seconds, "
                             f"at most {MAX_TIME_LIMIT:,.0f} (20 days)")
        if self.dedupe_train and not self.audit:
            raise ValueError("dedupe_train needs the data audit (audit=True)")
        if self.resume and self.overwrite:
            raise ValueError("--resume completes a run and --overwrite replaces it: give one of them")
        object.__setattr__(self, "names", tuple(dict.fromkeys(self.names)))
        object.__setattr__(self, "run_dir", Path(self.run_dir))
        object.__setattr__(self, "plugins", tuple(self.plugins))
        object.__setattr__(self, "cards", tuple(self.cards))
        object.__setattr__(self, "cross_targets", tuple(self.cross_targets))

    @property
    def seed_list(self) -> list[int]:
        """The seeds every estimator is trained with, first to last."""
        return list(range(self.seed, self.seed + self.seeds))

    @property
    def cleaning(self) -> Cleaning:
        """The cleaning asked for (what it dropped is known once the data is prepared)."""
        return Cleaning(dedupe="train" if self.dedupe_train else None, drop_blank=self.drop_blank)

    def saves_model(self, family: str) -> bool:
        """Whether an estimator of ``family`` has its fitted model saved."""
        return self.save_models == "all" or (self.save_models == "networks" and family == "network")
