"""What a run was made on and with: the typed run manifest, :class:`RunManifest`.

``results.json`` holds it beside the records (:mod:`fer_bench.results.store`). Stores of
schema 1 lack what was added over time (``seeds``, ``class_names``, ``audit``,
``cleaning``, ``plugins``, ``execution``, ``warnings``, ``data.file``, ...):
:meth:`RunManifest.from_dict` is the one place that reads them, each absent field taking
the value that says what such a run did. Readers use the fields.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..profiles import Profile
from .cross_scores import CrossTarget
from .json_fields import FieldReader, is_whole
from .record import MAX_SEED


@dataclass
class RunData:
    """The data a run was made on.

    Attributes
    ----------
    source : str or None
        The file or folder it was read from (``synthetic`` for the embedded set); None where a store does not say.
    sha256 : str or None
        Of the data's content: a resumed run must be given the same data.
    synthetic : bool
        Generated data (:func:`fer_bench.datasets.make_synthetic`).
    file : dict or None
        What the faces' file is (:func:`fer_bench.datasets.known_files.identify_faces`: ``md5``, ``known``,
        ``name``); None for generated data, a folder, and in older stores.
    counts, used_counts : dict of str to dict of str to int
        Faces per split and class: in the data, and those the run used (after the profile's subsets and the cleaning).
    relabelling : dict
        How the labels were derived where they are not the source's own
        (:attr:`fer_bench.datasets.FERDataset.relabelling`); empty otherwise and in older stores.
    """

    source: str | None = None
    sha256: str | None = None
    synthetic: bool = False
    file: dict[str, Any] | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    used_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    relabelling: dict[str, Any] = field(default_factory=dict)


@dataclass
class Cleaning:
    """What was dropped before fitting (``run --dedupe``, ``--drop-blank``); nothing in runs from before cleaning.

    Attributes
    ----------
    dedupe : {"train"} or None
        ``train``: the Training faces that copy a test face were dropped.
    drop_blank : bool
        Near-blank faces were dropped from every split.
    dropped : dict of str to int
        Faces each step dropped (``dedupe_train``, ``drop_blank``).
    """

    dedupe: str | None = None
    drop_blank: bool = False
    dropped: dict[str, int] = field(default_factory=dict)

    def options(self) -> dict[str, Any]:
        """The options asked for, without what they dropped: a resumed run must ask the same."""
        return {"dedupe": self.dedupe, "drop_blank": self.drop_blank}


@dataclass
class Execution:
    """Where a run's fits ran, the last time it was started or resumed.

    Attributes
    ----------
    backend : str
        ``loky``, ``dask`` or ``ray``.
    scheduler : str or None
        The dask scheduler's address.
    n_jobs : int or None
        Fits at once.
    time_limit : float or None
        Seconds each fit could take.
    save_models : str
        Which fitted models were kept (``none``, ``networks``, ``all``).
    """

    backend: str = "loky"
    scheduler: str | None = None
    n_jobs: int | None = None
    time_limit: float | None = None
    save_models: str = "networks"


@dataclass
class RunManifest:
    """What a run was made on and with: the first part of ``results.json``.

    Attributes
    ----------
    run_id : str or None
        The run folder's name when it was made; None where a store does not say (readers use the folder's).
    created : str or None
        When, in ISO 8601 (UTC).
    command : str or None
        The command line.
    seed : int
        The first seed: it draws the profile's subsets of the splits.
    seeds : list of int
        Every estimator's seeds, first to last; ``[seed]`` in stores from before seeds (and when empty).
    profile : Profile or None
        The profile (:meth:`fer_bench.profiles.Profile.to_dict`; older ones without ``budget`` and
        ``seeds`` have a recipe budget and one seed); None where a store does not say.
    class_names : list of str
        The data's classes, indexed by label; empty in older stores (the results' classes then).
    data : RunData
    audit : dict or None
        The data audit's headline counts (:func:`fer_bench.runner.plan.audit_summary`); None without an audit.
    cleaning : Cleaning
    environment : dict
        The machine (:func:`fer_bench.timing.machine_info`: ``cpu``, ``cpu_cores``, ``gpu``, ``libraries``,
        ``git_commit``, ...).
    estimators : list of str
        The estimators the run was asked for, in run order (a resumed run's added after).
    plugins : list of str
        The ``--plugin`` modules or files given (recorded, never imported from here).
    cards : list of str
        The ``--pretrained`` model cards (absolute paths), registered again by ``run --resume`` (a card is
        data: its model is read without running code, :mod:`fer_bench.cards`); empty in older stores.
    execution : Execution or None
        None in stores from before it was recorded.
    resumed : list of dict
        Each resumption's ``at`` (ISO 8601) and ``command``.
    warnings : list of str
        What the report shows at its top (e.g. no PublicTest faces).
    complete : bool
        Every estimator has a record for every seed.
    wall_seconds : float or None
        Wall time of the run so far, resumptions added; None before the first record.
    fold : dict or None
        In a cross-validation fold run: ``index``, ``of`` and ``split`` (as :attr:`RunRecord.fold`).
    cross_targets : list of CrossTarget
        The other data sets every model is also scored on (``run --also-test``); empty without them and in older
        stores. A resumed run reads them again and must find the same data.
    """

    run_id: str | None = None
    created: str | None = None
    command: str | None = None
    seed: int = 0
    seeds: list[int] = field(default_factory=list)
    profile: Profile | None = None
    class_names: list[str] = field(default_factory=list)
    data: RunData = field(default_factory=RunData)
    audit: dict[str, Any] | None = None
    cleaning: Cleaning = field(default_factory=Cleaning)
    environment: dict[str, Any] = field(default_factory=dict)
    estimators: list[str] = field(default_factory=list)
    plugins: list[str] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)
    execution: Execution | None = None
    resumed: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    complete: bool = False
    wall_seconds: float | None = None
    fold: dict[str, Any] | None = None
    cross_targets: list[CrossTarget] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.seeds:
            self.seeds = [self.seed]

    def to_dict(self) -> dict[str, Any]:
        """The manifest as ``results.json`` holds it (the profile as :meth:`Profile.to_dict` writes it)."""
        return {**asdict(self), "profile": None if self.profile is None else self.profile.to_dict()}

    @classmethod
    def from_dict(cls, raw: Any) -> RunManifest:
        """The manifest :meth:`to_dict` wrote, in any schema, checked field by field.

        Absent fields take their defaults (see the class), and unknown ones are left out.

        Parameters
        ----------
        raw : Any
            The manifest's JSON object.

        Returns
        -------
        RunManifest

        Raises
        ------
        ValueError
            One line, ``manifest.FIELD is VALUE, expected WHAT``, for the first field of the wrong type or
            out of range (a seed outside 0 to :data:`~fer_bench.results.record.MAX_SEED`, a number that is
            not finite, negative seconds or counts), or a profile that is not a valid one (naming the key).
        """
        fields = FieldReader(raw, "", "manifest")
        seed = fields.whole("seed", 0, 0, MAX_SEED)
        seeds = fields.value("seeds", lambda value: isinstance(value, list) and all(
            is_whole(item) and 0 <= item <= MAX_SEED for item in value), f"a list of seeds from 0 to {MAX_SEED}", [])
        profile = fields.table("profile")
        return cls(
            run_id=fields.text("run_id"), created=fields.text("created"), command=fields.text("command"),
            seed=seed, seeds=list(seeds),
            profile=None if profile is None else Profile.from_dict(profile, fields.field("profile")),
            class_names=fields.texts("class_names"), data=_data(fields.nested("data")),
            audit=fields.table("audit"), cleaning=_cleaning(fields.nested("cleaning")),
            environment=_environment(fields.nested("environment")), estimators=fields.texts("estimators"),
            plugins=fields.texts("plugins"), cards=fields.texts("cards"), execution=_execution(fields.nested("execution")),
            resumed=[row.raw for row in fields.rows("resumed")], warnings=fields.texts("warnings"),
            complete=fields.flag("complete", False),
            wall_seconds=fields.number("wall_seconds", expected="a number of seconds, 0 or more"),
            fold=fields.table("fold"),
            cross_targets=[CrossTarget.from_fields(row) for row in fields.rows("cross_targets")])


def _data(fields: FieldReader | None) -> RunData:
    if fields is None:
        return RunData()
    return RunData(source=fields.text("source"), sha256=fields.text("sha256"),
                   synthetic=fields.flag("synthetic", False), file=fields.table("file"),
                   counts=_counts(fields, "counts"), used_counts=_counts(fields, "used_counts"),
                   relabelling=fields.table("relabelling", {}))


def _counts(fields: FieldReader, key: str) -> dict[str, dict[str, int]]:
    """Faces per split and class: an object of objects of whole numbers, 0 or more."""
    splits = fields.nested(key)
    for split in splits.objects() if splits else ():
        for class_name in split.raw:
            split.whole(class_name, 0)
    return {} if splits is None else splits.raw


def _cleaning(fields: FieldReader | None) -> Cleaning:
    if fields is None:
        return Cleaning()
    dropped = fields.nested("dropped")
    for step in dropped.raw if dropped else ():
        dropped.whole(step, 0)
    return Cleaning(dedupe=fields.value("dedupe", lambda value: value == "train", "'train' or null", None),
                    drop_blank=fields.flag("drop_blank", False), dropped={} if dropped is None else dropped.raw)


def _environment(fields: FieldReader | None) -> dict[str, Any]:
    """The machine's facts, checked where the report reads more than text."""
    if fields is None:
        return {}
    fields.whole("cpu_cores", None, 1)
    fields.number("memory_gib", expected="a number of GiB, 0 or more")
    fields.table("libraries")
    return fields.raw


def _execution(fields: FieldReader | None) -> Execution | None:
    if fields is None:
        return None
    return Execution(backend=fields.text("backend", "loky"), scheduler=fields.text("scheduler"),
                     n_jobs=fields.whole("n_jobs", None, None),
                     time_limit=fields.number("time_limit", expected="a number of seconds, 0 or more"),
                     save_models=fields.text("save_models", "networks"))
