"""Named budgets (smoke, quick, cpu-best, cpu-frontier, cpu-ensemble, full; small for folder data sets; bovw) read from TOML package data.

A profile fixes how much data each split keeps and how hard each estimator
trains, so a run is reproducible from its profile name and seed alone (the
named-budget idea of automlbenchmark's ``constraints.yaml``). Its networks share
one budget (``[budget]``): the same recipe (``kind = "recipe"``: the
``[networks]`` epochs, batch size, optimiser, schedule, augmentation, label
smoothing, test-time augmentation), or the same training time on the machine
at hand (``kind = "time"``, ``minutes`` each, planned as in Li, Yumer and
Ramanan, ICLR 2020). An estimator's own table may still override a budget
setting; its record then says it is not at the common budget.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .._io import parse_within_depth
from ..labels import SPLITS

PROFILE_NAMES: tuple[str, ...] = ("smoke", "quick", "cpu-best", "cpu-frontier", "cpu-ensemble", "full", "small", "bovw")
BUDGET_KINDS: tuple[str, ...] = ("recipe", "time")
BUDGET_KEYS: tuple[str, ...] = ("kind", "minutes", "clock")
BUDGET_CLOCKS: tuple[str, ...] = ("own", "wall")
"""What a time budget is spent on (``[budget] clock``, default ``cpu``): see :mod:`fer_bench.estimators.training.clock`."""
RECIPE_BUDGET: dict[str, Any] = {"kind": "recipe"}
TRAIN_SIZE_KEY = "train_size"
"""The key (in ``[networks]`` or an estimator's own table) that sets a Training subset, not an estimator setting."""


@dataclass(frozen=True)
class Profile:
    """A named budget.

    Attributes
    ----------
    name : str
        ``smoke``, ``quick``, ``full`` or a user file's stem.
    description : str
        One line shown in the report.
    data : dict
        Subset sizes per split: ``{"Training": n, "PublicTest": n, "PrivateTest": n}``;
        a split that is absent or 0 is kept whole. Subsets are stratified by class.
    networks : dict
        Training settings shared by all neural networks (``epochs``, ``batch_size``,
        ``max_lr``, ..., ``train_size``); each network takes those it has.
    estimators : dict of str to dict
        Per-estimator overrides, keyed by registered name (``train_size`` among them).
        :func:`fer_bench.estimators.create_estimator` merges them.
    budget : dict
        The networks' common budget: ``{"kind": "recipe"}`` or ``{"kind": "time", "minutes": m}``.
    seeds : int
        How many seeds a run trains every estimator with (``run --seeds`` overrides it).
    """

    name: str
    description: str = ""
    data: dict[str, int] = field(default_factory=dict)
    networks: dict[str, Any] = field(default_factory=dict)
    estimators: dict[str, dict[str, Any]] = field(default_factory=dict)
    budget: dict[str, Any] = field(default_factory=lambda: dict(RECIPE_BUDGET))
    seeds: int = 1

    def __post_init__(self) -> None:
        where = f"profile {self.name!r}"
        check_budget(self.budget, f"{where}: [budget]")
        check_seeds(self.seeds, f"{where}: seeds")
        check_tables(self, where)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "data": dict(self.data),
                "networks": dict(self.networks), "estimators": {k: dict(v) for k, v in self.estimators.items()},
                "budget": dict(self.budget), "seeds": self.seeds}

    @classmethod
    def from_dict(cls, raw: Any, where: str = "profile") -> "Profile":
        """The profile :meth:`to_dict` wrote (a stored run's); older dicts lack ``budget`` and ``seeds``.

        Raises
        ------
        ValueError
            If ``raw`` is not such a dict, or holds an invalid value (naming ``where``).
        """
        fields_ = cls.__dataclass_fields__
        if not isinstance(raw, dict) or "name" not in raw or set(raw) - set(fields_):
            raise ValueError(f"{where}: not a fer_bench profile (expected a table with the keys {', '.join(fields_)})")
        try:
            return cls(**raw)
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from error

    @property
    def time_budget_seconds(self) -> float | None:
        """Seconds of training per network under a time budget; None under a recipe budget."""
        return None if self.budget["kind"] == "recipe" else float(self.budget["minutes"]) * 60.0

    @property
    def budget_clock(self) -> str:
        """What a time budget is spent on: ``own`` (the default) or ``wall``."""
        return self.budget.get("clock", "own")


BUDGET_SETTINGS: tuple[str, ...] = ("epochs", "time_budget", "steps")
"""Estimator settings that fix how long a network trains: a budget given on the command line replaces them."""


def check_budget(budget: Any, where: str) -> None:
    """Raise ValueError (naming ``where`` and the key) unless ``budget`` is ``{"kind": "recipe"}`` or
    ``{"kind": "time", "minutes": m}`` with ``m > 0``."""
    if not isinstance(budget, dict):
        raise ValueError(f"{where}: expected a table with kind = {' or '.join(map(repr, BUDGET_KINDS))}")
    unknown = sorted(set(budget) - set(BUDGET_KEYS))
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; expected {', '.join(BUDGET_KEYS)}")
    kind = budget.get("kind")
    if kind not in BUDGET_KINDS:
        raise ValueError(f"{where}: kind = {kind!r}; expected {' or '.join(map(repr, BUDGET_KINDS))}")
    minutes = budget.get("minutes")
    if kind == "time" and (isinstance(minutes, bool) or not isinstance(minutes, (int, float))
                           or not 0 < minutes < math.inf):
        raise ValueError(f"{where}: minutes = {minutes!r}; a time budget needs a positive number of minutes")
    if kind == "recipe" and minutes is not None:
        raise ValueError(f"{where}: minutes goes with kind = 'time'; a recipe budget trains the [networks] epochs")
    clock = budget.get("clock", "own")
    if clock not in BUDGET_CLOCKS or (kind == "recipe" and "clock" in budget):
        raise ValueError(f"{where}: clock = {clock!r}; expected {' or '.join(map(repr, BUDGET_CLOCKS))} "
                         "with kind = 'time'")


def check_seeds(seeds: Any, where: str) -> None:
    """Raise ValueError (naming ``where``) unless ``seeds`` is a positive integer."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"{where} = {seeds!r}: expected a positive number of seeds (1 or more)")


def check_tables(profile: Profile, where: str) -> None:
    """Raise ValueError (naming ``where``, the table and the key) unless ``[data]``, ``[networks]`` and each
    ``[estimators.NAME]`` are tables, ``[data]`` names FER-2013's splits, and every subset size (``[data]``,
    ``train_size``) is a whole number of faces, 0 or more (0 keeps them all)."""
    tables = {"data": profile.data, "networks": profile.networks, "estimators": profile.estimators}
    if isinstance(profile.estimators, dict):
        tables.update({f"estimators.{name}": table for name, table in profile.estimators.items()})
    for table, values in tables.items():
        if not isinstance(values, dict):
            raise ValueError(f"{where}: {table} = {values!r}: expected a table [{table}]")
    unknown = [split for split in profile.data if split not in SPLITS]
    if unknown:
        raise ValueError(f"{where}: [data] {unknown[0]}: not a split; expected {', '.join(SPLITS)}")
    sizes = {f"[data] {split}": size for split, size in profile.data.items()}
    sizes.update({f"[{table}] {TRAIN_SIZE_KEY}": values[TRAIN_SIZE_KEY] for table, values in tables.items()
                  if table not in ("data", "estimators") and TRAIN_SIZE_KEY in values})
    for key, size in sizes.items():
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"{where}: {key} = {size!r}: expected a whole number of faces, 0 or more "
                             "(0 keeps them all)")


def with_budget(profile: Profile, minutes: float | None = None, epochs: int | None = None) -> Profile:
    """``profile`` with its networks' budget replaced (``run --budget-minutes``, ``run --epochs``).

    ``minutes`` gives every network a time budget; ``epochs`` a recipe budget of
    that many epochs. Either also removes the budget settings (``epochs``,
    ``time_budget``, ``steps``) of the estimators' own tables, so that every
    network is at the budget asked for.

    Raises
    ------
    ValueError
        If both are given, ``minutes`` is not positive or ``epochs`` is below 1.
    """
    if minutes is None and epochs is None:
        return profile
    if minutes is not None and epochs is not None:
        raise ValueError("--budget-minutes and --epochs: give one of them (a time budget or a number of epochs)")
    if epochs is not None and epochs < 1:
        raise ValueError(f"--epochs {epochs}: expected at least 1")
    if minutes is not None and not minutes > 0:
        raise ValueError(f"--budget-minutes {minutes:g}: expected a positive number of minutes")
    networks = dict(profile.networks)
    if epochs is not None:
        networks["epochs"] = epochs
    estimators = {name: {key: value for key, value in table.items() if key not in BUDGET_SETTINGS}
                  for name, table in profile.estimators.items()}
    clock = {"clock": profile.budget["clock"]} if "clock" in profile.budget else {}
    budget = {"kind": "time", "minutes": minutes, **clock} if minutes is not None else dict(RECIPE_BUDGET)
    return Profile(profile.name, profile.description, dict(profile.data), networks, estimators, budget, profile.seeds)


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a built-in profile by name, or a TOML file by path.

    Raises
    ------
    ValueError
        Naming the file and the key: if the name is neither a built-in profile nor an existing ``.toml``
        file, the file is not UTF-8 TOML, or it has an unknown top-level key, a value of the wrong type, an
        invalid ``[budget]`` (see :func:`check_budget`), ``seeds`` or subset size (see :func:`check_tables`),
        ``extends`` names no profile or makes a loop, or the file nests tables or arrays too deeply to be a
        profile (see :func:`fer_bench._io.parse_within_depth`).

    ``extends = "NAME"`` starts from that profile (a built-in name, or a .toml path relative to the
    extending file's folder): the file's keys replace the base's, and its tables update the base's key by key.
    """
    return _load_profile(str(name_or_path), ())


def _load_profile(reference: str, chain: tuple[str, ...]) -> Profile:
    """The profile ``reference`` names; ``chain``: the profiles (names or resolved paths) that extend it."""
    if reference in PROFILE_NAMES:
        text = resources.files("fer_bench.profiles").joinpath(f"{reference}.toml").read_text()
        origin, stem, key, folder = f"built-in profile {reference!r}", reference, reference, Path()
    else:
        path = Path(reference)
        if path.suffix != ".toml" or not path.is_file():
            raise ValueError(f"--profile {reference!r}: expected one of {', '.join(PROFILE_NAMES)} or a .toml file")
        origin, stem, key, folder = str(path), path.stem, str(path.resolve()), path.parent
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(f"{origin}: not UTF-8 text ({error})") from error
    try:
        raw = parse_within_depth(tomllib.loads, text, origin)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{origin}: not valid TOML: {error}") from error
    unknown = sorted(set(raw) - set(PROFILE_KEYS))
    if unknown:
        raise ValueError(f"{origin}: unknown key(s) {', '.join(map(repr, unknown))}; expected {', '.join(PROFILE_KEYS)}")
    for name, kind in PROFILE_KEYS.items():
        if name in raw and not isinstance(raw[name], kind):
            expected = f"a table [{name}]" if kind is dict else "a string" if kind is str else "an integer"
            raise ValueError(f"{origin}: {name} = {raw[name]!r}: expected {expected}")
    base = _base_profile(raw.get("extends"), origin, stem, folder, (*chain, key))
    estimators = {k: dict(v) for k, v in base.estimators.items()}
    for k, v in raw.get("estimators", {}).items():
        if not isinstance(v, dict):
            raise ValueError(f"{origin}: estimators.{k} = {v!r}: expected a table [estimators.{k}]")
        estimators[k] = {**estimators.get(k, {}), **v}
    try:
        return Profile(name=raw.get("name", stem), description=raw.get("description", base.description),
                       data={**base.data, **raw.get("data", {})}, networks={**base.networks, **raw.get("networks", {})},
                       estimators=estimators, budget=raw.get("budget", dict(base.budget)),
                       seeds=raw.get("seeds", base.seeds))
    except ValueError as error:
        raise ValueError(f"{origin}: {error}") from error


def _base_profile(extends: str | None, origin: str, stem: str, folder: Path, chain: tuple[str, ...]) -> Profile:
    """The profile an ``extends`` key names (a built-in, or a path relative to ``folder``), or the defaults."""
    if extends is None:
        return Profile(stem)
    if extends in PROFILE_NAMES:
        reference = key = extends
    else:
        path = folder / extends
        if path.suffix != ".toml" or not path.is_file():
            raise ValueError(f"{origin}: extends = {extends!r}: expected one of {', '.join(PROFILE_NAMES)} or a "
                             f".toml file (a path relative to the profile's folder, {folder.resolve()})")
        reference, key = str(path), str(path.resolve())
    if key in chain:
        loop = " -> ".join([*chain[chain.index(key):], key])
        raise ValueError(f"{origin}: extends = {extends!r} makes a loop: {loop}")
    return _load_profile(reference, chain)


PROFILE_KEYS: dict[str, type] = {"name": str, "description": str, "extends": str, "seeds": int, "budget": dict,
                                  "data": dict, "networks": dict, "estimators": dict}
"""A profile file's top-level keys and their TOML types (``seeds`` is checked further by :func:`check_seeds`)."""
