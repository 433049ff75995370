"""Named budgets (smoke, quick, full; small for folder data sets) read from TOML package data.

A profile fixes how much data each split keeps and how hard each estimator
trains, so a run is reproducible from its profile name and seed alone (the
named-budget idea of automlbenchmark's ``constraints.yaml``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

PROFILE_NAMES: tuple[str, ...] = ("smoke", "quick", "full", "small", "bovw")


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
    """

    name: str
    description: str = ""
    data: dict[str, int] = field(default_factory=dict)
    networks: dict[str, Any] = field(default_factory=dict)
    estimators: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "data": dict(self.data),
                "networks": dict(self.networks), "estimators": {k: dict(v) for k, v in self.estimators.items()}}


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a built-in profile by name, or a TOML file by path.

    Raises
    ------
    ValueError
        If the name is neither a built-in profile nor an existing ``.toml`` file,
        or the file is not valid TOML.
    """
    text_name = str(name_or_path)
    if text_name in PROFILE_NAMES:
        text = resources.files("fer_bench.profiles").joinpath(f"{text_name}.toml").read_text()
        origin, stem = f"built-in profile {text_name!r}", text_name
    else:
        path = Path(text_name)
        if path.suffix != ".toml" or not path.is_file():
            raise ValueError(f"--profile {text_name!r}: expected one of {', '.join(PROFILE_NAMES)} or a .toml file")
        text, origin, stem = path.read_text(), str(path), path.stem
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{origin}: not valid TOML: {error}") from error
    return Profile(name=raw.get("name", stem), description=raw.get("description", ""),
                   data=dict(raw.get("data", {})), networks=dict(raw.get("networks", {})),
                   estimators={k: dict(v) for k, v in raw.get("estimators", {}).items()})
